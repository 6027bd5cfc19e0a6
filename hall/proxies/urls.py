"""亲友代办, mounted at / by hall.urls: the portal's pages under /me/proxies/ and the window's
under /window/."""

from django.urls import path

from hall.proxies import views

app_name = "proxies"

urlpatterns = [
    path("me/proxies/", views.portal_list, name="list"),
    path("me/proxies/new/", views.portal_request, name="request"),
    path("me/proxies/confirm/", views.portal_confirm, name="confirm"),
    path("me/proxies/stop/", views.portal_stop, name="stop"),
    path("me/proxies/<str:code>/act/", views.portal_act, name="act"),
    path("me/proxies/<str:code>/revoke/", views.portal_revoke, name="revoke"),
    path("window/applicant/<int:applicant_id>/proxies/", views.window_grant, name="window"),
    path("window/proxies/<str:code>/revoke/", views.window_revoke, name="window_revoke"),
]
