"""全程代办: the agent's cases and the supervisor's request queue; included at /agency/."""

from django.urls import path

from hall.agency import views

app_name = "agency"

urlpatterns = [
    path("", views.home, name="home"),
    path("case/<str:receipt_no>/", views.case_detail, name="case"),
    path("case/<str:receipt_no>/notice/<int:notice_id>.pdf", views.notice_pdf, name="notice_pdf"),
    path("requests/", views.requests, name="requests"),
    path("requests/<int:pk>/assign/", views.assign, name="assign"),
]
