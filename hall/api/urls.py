from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from hall.api import views

app_name = "api"
urlpatterns = [
    path("v1/catalogue/items/", views.ItemList.as_view(), name="items"),
    path("v1/catalogue/items/<str:code>/", views.ItemDetail.as_view(), name="item"),
    path("v1/uploads/", views.Uploads.as_view(), name="uploads"),
    path("v1/cases/", views.CaseListCreate.as_view(), name="cases"),
    path("v1/cases/<str:receipt_no>/", views.CaseDetail.as_view(), name="case"),
    path("v1/cases/<str:receipt_no>/events/", views.CaseEvents.as_view(), name="case_events"),
    path(
        "v1/cases/<str:receipt_no>/corrections/",
        views.CaseCorrections.as_view(),
        name="case_corrections",
    ),
    path("v1/cases/<str:receipt_no>/notices/", views.CaseNotices.as_view(), name="notices"),
    path(
        "v1/cases/<str:receipt_no>/notices/<int:notice_id>/pdf/",
        views.CaseNoticePdf.as_view(),
        name="notice_pdf",
    ),
    path("v1/steps/", views.StepList.as_view(), name="steps"),
    path("v1/steps/<int:step_id>/claim/", views.StepClaim.as_view(), name="step_claim"),
    path("v1/steps/<int:step_id>/decision/", views.StepDecision.as_view(), name="step_decision"),
    path(
        "v1/steps/<int:step_id>/correction-request/",
        views.StepCorrectionRequest.as_view(),
        name="step_correction",
    ),
    path(
        "v1/steps/<int:step_id>/special-procedure/",
        views.StepSpecialProcedure.as_view(),
        name="step_special",
    ),
    path(
        "v1/steps/<int:step_id>/special-procedure/end/",
        views.StepSpecialProcedureEnd.as_view(),
        name="step_special_end",
    ),
    path(
        "v1/steps/<int:step_id>/extension-request/",
        views.StepExtensionRequest.as_view(),
        name="step_extension",
    ),
    path("v1/register/grants/", views.Grants.as_view(), name="grants"),
    path("v1/licences/verify/", views.LicenceVerify.as_view(), name="licence_verify"),
    path("v1/work-orders/", views.WorkOrders.as_view(), name="work_orders"),
    path("v1/work-orders/<str:number>/", views.WorkOrderDetail.as_view(), name="work_order"),
    path("v1/supervision/figures/", views.SupervisionFigures.as_view(), name="figures"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
