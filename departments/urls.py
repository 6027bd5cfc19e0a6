from django.urls import path

from departments import views

app_name = "supervision"

urlpatterns = [
    path("", views.supervision_home, name="home"),
]
