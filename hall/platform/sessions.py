"""Staff sessions end after `HALL_STAFF_IDLE_MINUTES` without a request (30 by default) and
`HALL_STAFF_SESSION_HOURS` after sign-in (12), whatever the activity; applicants' and kiosk
sessions keep Django's own lifetime (the kiosk ends its own on its idle timer).

The last-activity time is written at most once a minute, so that a busy officer's pages do not
each save the session; the idle limit is therefore exact to a minute.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from hall.platform.audit import LOGOUT_REASON_ATTRIBUTE
from hall.roles import APPLICANT, roles_of

STARTED, SEEN, STAFF = "hall_session_started", "hall_session_seen", "hall_session_staff"
SEEN_RESOLUTION_S = 60


def _is_staff(request) -> bool:
    known = request.session.get(STAFF)
    if known is None:
        user = request.user
        known = user.is_staff or any(role is not APPLICANT for role in roles_of(user))
        request.session[STAFF] = known
    return known


class StaffSessionLimits:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and _is_staff(request):
            now = time.time()
            session = request.session
            started = session.setdefault(STARTED, now)
            seen = session.get(SEEN, now)
            idle = settings.HALL_STAFF_IDLE_MINUTES * 60
            lifetime = settings.HALL_STAFF_SESSION_HOURS * 3600
            if now - seen > idle or now - started > lifetime:
                setattr(request, LOGOUT_REASON_ATTRIBUTE, "expired")  # for the security log
                logout(request)
                messages.info(
                    request,
                    _(
                        "为保护办件信息，长时间未操作或登录已超过规定时长，系统已自动退出，请重新登录。"
                    ),
                )
                return redirect_to_login(request.get_full_path())
            if now - seen >= SEEN_RESOLUTION_S or SEEN not in session:
                session[SEEN] = now
                session.set_expiry(idle)  # the cookie lapses with the idle limit as well
        return self.get_response(request)


# Pages that show a person's data even without an account: the lookup (a receipt and its code)
# and the kiosk (a ticket, a rating, the locker).
PERSONAL_PREFIXES = ("/me/", "/lookup/", "/kiosk/", "/accounts/", "/ratings/appeal/")


class PersonalPagesNotStored:
    """`Cache-Control: no-store, private` on every page a signed-in person gets and on the
    personal pages of the lookup and the kiosk: a shared computer's browser cache, its back
    button or a proxy must not keep a case, an ID number or an officer's inbox."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        personal = (user is not None and user.is_authenticated) or request.path.startswith(
            PERSONAL_PREFIXES
        )
        if personal:
            patch_cache_control(response, no_store=True, private=True)
        return response


# 长辈版 (issue 32) is a browser's choice, kept in this cookie: hall.views.elder_mode sets it, the
# context processor reads it, the kiosk's reset drops it for the next visitor.
ELDER_COOKIE = "hall_elder"


def elder_mode_on(request) -> bool:
    """Whether this browser chose 长辈版."""
    return request.COOKIES.get(ELDER_COOKIE) == "1"
