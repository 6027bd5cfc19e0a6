"""Included at /licences/ by hall.urls."""

from django.urls import path

from hall.licences import views

app_name = "licences"

urlpatterns = [
    path("check/", views.file_check, name="check"),
    path("<str:code>/", views.verify, name="verify"),
]
