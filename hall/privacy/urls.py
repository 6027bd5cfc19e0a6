"""Personal data pages of the staff, mounted at /privacy/ by hall.urls."""

from django.urls import path

from hall.privacy import views

app_name = "privacy"

urlpatterns = [
    path("case/<str:receipt_no>/reveal/", views.case_reveal, name="case_reveal"),
]
