from django.urls import path

from hall.intake import application_views, views

app_name = "intake"

urlpatterns = [
    path("", views.home, name="home"),
    path("applicant/find/", views.applicant_find, name="applicant_find"),
    path("applicant/", views.applicant_register, name="applicant_register"),
    path("applicant/<int:applicant_id>/file/", views.file, name="file"),
    path("case/", views.case_open, name="case_open"),
    path("case/<str:receipt_no>/", views.case_detail, name="case"),
    path(
        "case/<str:receipt_no>/application/",
        application_views.application,
        name="application",
    ),
    path(
        "case/<str:receipt_no>/application/deliver/",
        application_views.application_deliver,
        name="application_deliver",
    ),
    path(
        "case/<str:receipt_no>/application/claim/",
        application_views.application_claim,
        name="application_claim",
    ),
    path(
        "case/<str:receipt_no>/step/<int:step_id>/correction-supplied/",
        views.correction_supplied,
        name="correction_supplied",
    ),
    path("case/<str:receipt_no>/deliver/", views.case_deliver, name="deliver"),
    path(
        "case/<str:receipt_no>/referral-close/",
        views.referral_close,
        name="referral_close",
    ),
    path(
        "case/<str:receipt_no>/supplement/<int:material_id>/",
        views.supplement_received,
        name="supplement",
    ),
    path("case/<str:receipt_no>/notice/<int:notice_id>.pdf", views.notice_pdf, name="notice_pdf"),
    path(
        "case/<str:receipt_no>/notice/<int:notice_id>/print/",
        views.notice_print,
        name="notice_print",
    ),
    path("mine/", views.mine, name="mine"),
]
