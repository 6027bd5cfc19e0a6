"""接诉即办's pages; included at /orders/."""

from django.urls import path

from hall.orders import views

app_name = "orders"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("new/", views.receive, name="receive"),
    path("public/", views.public, name="public"),
    path("me/", views.citizen_orders, name="citizen"),
    path("kiosk/", views.kiosk_order, name="kiosk"),
    path("knowledge/", views.knowledge_page, name="knowledge"),
    path("knowledge/<int:pk>/revise/", views.knowledge_revise, name="knowledge_revise"),
    path("answers/", views.answers, name="answers"),
    path("figures/", views.figures_page, name="figures"),
    path("callback/<str:token>/", views.callback, name="callback"),
    path("<str:number>/", views.detail, name="detail"),
]
