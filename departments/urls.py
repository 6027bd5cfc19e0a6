from django.urls import path

from departments import views

app_name = "supervision"

urlpatterns = [
    path("", views.supervision_home, name="home"),
    path("case/", views.case_open, name="case_open"),
    path("case/<str:receipt_no>/", views.case_detail, name="case"),
]
