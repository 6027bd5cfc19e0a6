"""Progress lookup (办件进度查询), mounted at /lookup/ by hall.urls; ?kiosk=1 on the kiosk."""

from django.urls import path

from hall.lookup import views

app_name = "lookup"

urlpatterns = [
    path("", views.home, name="home"),
    path("identity/", views.identity_send, name="identity"),
    path("identity/verify/", views.identity_verify, name="identity_verify"),
    path("cases/", views.cases, name="cases"),
    path("case/<str:receipt_no>/", views.case, name="case"),
    path("end/", views.end, name="end"),
]
