from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hall import views

urlpatterns = [
    path("", views.index, name="index"),
    path("home/", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", include("hall.portal_urls")),
    path("lookup/", include("hall.lookup_urls")),
    path("online-desk/", include("hall.online_desk_urls")),
    path("window/", include("hall.workbench_urls")),
    path("agency/", include("hall.agency_urls")),
    path("kiosk/", include("hall.kiosk_urls")),
    path("queue/", include("hall.queue_urls")),
    path("ratings/", include("hall.ratings_urls")),
    path("desk/", include("approvals.urls")),
    path("guide/", include("approvals.guide_urls")),
    path("supervision/", include("departments.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "无缝隙政务服务大厅 · 管理"
admin.site.site_title = "无缝隙政务服务大厅"
