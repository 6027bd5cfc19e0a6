"""The online hall (网上办事大厅), mounted at /me/ by hall.urls."""

from django.urls import path

from hall.online.portal import account_views, appointment_views, privacy_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("register/", account_views.register, name="register"),
    path("login/", account_views.login, name="login"),
    path("login/code/", account_views.login_code, name="login_code"),
    path("sms/", account_views.sms_send, name="sms_send"),
    path("identity/", account_views.identity, name="identity"),
    path("my-data/looks/", privacy_views.data_access, name="data_access"),
    path("my-data/looks/ask/", privacy_views.data_access_ask, name="data_access_ask"),
    path("file/", views.catalogue, name="catalogue"),
    path("file/item/<int:item_id>/", views.file_item, name="file_item"),
    path(
        "file/item/<int:item_id>/commitment-code/",
        views.commitment_code_send,
        name="commitment_code",
    ),
    path(
        "file/bundle/<slug:code>/commitment-code/",
        views.commitment_code_send_bundle,
        name="commitment_code_bundle",
    ),
    path("file/bundle/<slug:code>/", views.file_bundle, name="file_bundle"),
    path("case/<str:receipt_no>/", views.case_detail, name="case"),
    path("case/<str:receipt_no>/correction/", views.correction_upload, name="correction"),
    path("case/<str:receipt_no>/agency/", views.agency, name="agency"),
    path(
        "case/<str:receipt_no>/agency/withdraw/",
        views.agency_withdraw,
        name="agency_withdraw",
    ),
    path("case/<str:receipt_no>/delivery/", views.delivery_choose, name="delivery"),
    path(
        "case/<str:receipt_no>/application-delivery/",
        views.application_delivery,
        name="application_delivery",
    ),
    path("case/<str:receipt_no>/rate/", views.rate, name="rate"),
    path("case/<str:receipt_no>/notice/<int:notice_id>.pdf", views.notice_pdf, name="notice_pdf"),
    path("case/<str:receipt_no>/licence.pdf", views.licence_pdf, name="licence_pdf"),
    path(
        "case/<str:receipt_no>/supplement/<int:material_id>/",
        views.supplement_upload,
        name="supplement",
    ),
    path("appointments/", appointment_views.appointment_list, name="appointments"),
    path("appointments/new/", appointment_views.appointment_new, name="appointment_new"),
    path(
        "appointments/<str:code>/cancel/",
        appointment_views.appointment_cancel,
        name="appointment_cancel",
    ),
    path("files/<int:upload_id>/", views.upload_file, name="upload"),
]
