"""The public register of grant decisions (Art. 40), included at /register/ by hall.urls."""

from django.urls import path

from approvals.register import views

app_name = "register"

urlpatterns = [
    path("", views.grants, name="grants"),
    path("kiosk/", views.grants, {"kiosk": True}, name="kiosk"),
]
