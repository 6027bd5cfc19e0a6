"""Window calling and the display board; included at /queue/ by hall.urls."""

from django.urls import path

from hall.queue import views

app_name = "queue"

urlpatterns = [
    path("", views.window, name="window"),
    path("next/", views.call_next, name="call_next"),
    path("ticket/<int:pk>/<slug:action>/", views.ticket_action, name="ticket_action"),
    path("board/", views.board, name="board"),
    path("board/feed/", views.board_feed, name="board_feed"),
]
