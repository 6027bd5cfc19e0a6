"""The self-service kiosk (自助终端), public; included at /kiosk/ by hall.urls."""

from django.urls import path

from hall.queue.kiosk import views

app_name = "kiosk"

urlpatterns = [
    path("", views.start, name="start"),
    path("reset/", views.reset, name="reset"),
    path("ticket/", views.ticket_take, name="ticket_take"),
    path("ticket/<str:token>/", views.ticket_detail, name="ticket"),
    path("check-in/", views.check_in, name="check_in"),
    path("locker/", views.locker, name="locker"),
    path("proxy/", views.proxy_help, name="proxy"),
    path("rate/", views.rate, name="rate"),
    path("rate/done/<str:token>/", views.rated, name="rated"),
]
