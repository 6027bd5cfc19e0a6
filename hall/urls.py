from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hall import views
from hall.platform.metrics import metrics_view

urlpatterns = [
    path("", views.index, name="index"),
    path("home/", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("elder-mode/", views.elder_mode, name="elder_mode"),
    # the language switch keeps a signed-in person's choice for their messages (issue 32)
    path("i18n/setlang/", views.language_set, name="set_language"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # every role changes its own password here (Django's views, the hall's templates and rules)
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/two-factor/", include("hall.accounts.two_factor_urls")),
    path("", include("hall.proxies.urls")),
    path("", include("hall.benefits.urls")),
    path("me/", include("hall.online.portal.urls")),
    path("lookup/", include("hall.lookup.urls")),
    path("online-desk/", include("hall.online.desk.urls")),
    path("window/", include("hall.intake.urls")),
    path("agency/", include("hall.agency.urls")),
    path("kiosk/", include("hall.queue.kiosk.urls")),
    path("queue/", include("hall.queue.urls")),
    path("ratings/", include("hall.ratings.urls")),
    path("orders/", include("hall.orders.urls")),
    path("desk/", include("approvals.desk.urls")),
    path("guide/", include("approvals.guide.urls")),
    path("register/", include("approvals.register.urls")),
    path("licences/", include("hall.licences.urls")),
    path("supervision/", include("departments.supervision.urls")),
    path("privacy/", include("hall.privacy.urls")),
    path("api/", include("hall.api.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "无缝隙政务服务大厅 · 管理"
admin.site.site_title = "无缝隙政务服务大厅"

handler403 = "hall.views.permission_denied"
handler404 = "hall.views.page_not_found"
handler500 = "hall.platform.outage.server_error"
