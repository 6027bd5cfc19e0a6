from django.urls import path

from approvals.desk import decision_views, joint_views, views

app_name = "desk"

urlpatterns = [
    path("", views.desk_home, name="home"),
    path("step/<int:step_id>/", views.step_detail, name="step"),
    path("step/<int:step_id>/claim/", views.step_claim, name="step_claim"),
    path("step/<int:step_id>/release/", views.step_release, name="step_release"),
    path("step/<int:step_id>/decide/", views.step_decide, name="step_decide"),
    path("step/<int:step_id>/correction/", views.step_correction, name="step_correction"),
    path("step/<int:step_id>/special/", views.step_special_start, name="step_special_start"),
    path("step/<int:step_id>/special/end/", views.step_special_end, name="step_special_end"),
    path("step/<int:step_id>/extension/", views.step_extension, name="step_extension"),
    path(
        "step/<int:step_id>/written-opinion/",
        views.step_written_opinion,
        name="step_written_opinion",
    ),
    path("stage/<int:stage_id>/", decision_views.stage_decide, name="stage"),
    path("case/<str:receipt_no>/decision/", decision_views.case_decide, name="decision"),
    path("extension/<int:extension_id>/", decision_views.extension_decide, name="extension"),
    path("joint-extensions/", joint_views.joint_extensions, name="joint_extensions"),
    path(
        "joint-extension/<int:extension_id>/",
        joint_views.joint_extension_decide,
        name="joint_extension",
    ),
    path("material/<int:material_id>/scan/", decision_views.material_scan, name="material_scan"),
    path("notice/<int:notice_id>.pdf", decision_views.notice_pdf, name="notice_pdf"),
]
