from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallConfig(AppConfig):
    name = "hall"
    verbose_name = _("服务大厅")

    def ready(self) -> None:
        # The security log hears every sign-in form through the authentication framework's
        # signals (hall.platform.audit); no domain effect hangs on a signal.
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from hall import checks  # noqa: F401 - registers the deployment checks
        from hall.platform import audit

        user_logged_in.connect(audit.on_logged_in, dispatch_uid="hall-audit-login")
        user_login_failed.connect(audit.on_login_failed, dispatch_uid="hall-audit-login-failed")
        user_logged_out.connect(audit.on_logged_out, dispatch_uid="hall-audit-logout")
        user_locked_out.connect(audit.on_locked_out, dispatch_uid="hall-audit-locked-out")

        # last: the apps' startup objects stay out of the collector's walks for good
        from hall.platform.collector import collector_settle

        collector_settle()
