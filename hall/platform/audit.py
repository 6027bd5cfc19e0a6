"""Writing the security log and the register of signed-in sessions.

Sign-ins, failures, lockouts and sign-outs reach the log through the authentication framework's
own signals (Django's `user_logged_in` / `user_login_failed` / `user_logged_out`, django-axes'
`user_locked_out`): every login form, the admin's included, sends them, and no form can forget to.
Everything else is recorded by the code that does it, through `security_event_record`.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest
from django.utils import timezone

from hall.models import ApiCallRecord, Case, PersonalDataAccess, SecurityEvent, UserSession
from hall.models.security import MINIMUM_RETENTION_DAYS
from hall.roles import roles_of

logger = logging.getLogger(__name__)
Kind = SecurityEvent.Kind
# Set on a request before `logout()` to say why the session ends (the idle limit, an admin).
LOGOUT_REASON_ATTRIBUTE = "hall_logout_reason"


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address as the web server saw it (a proxy in front sets REMOTE_ADDR to the
    real client: nginx's real_ip, README "Scaling out")."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def security_event_record(
    *,
    kind: str,
    request: HttpRequest | None = None,
    user: AbstractBaseUser | AnonymousUser | None = None,
    username: str = "",
    case_id: int | None = None,
    details: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> SecurityEvent:
    """Append one row to the security log: who (the user, or the name that was tried), when,
    from where (address, client, path; `ip_address` when there is no request), and what."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    return SecurityEvent.objects.create(
        kind=kind,
        user_id=user.pk if signed_in else None,
        username=(user.get_username() if signed_in else username)[:150],
        ip_address=client_address(request) or ip_address,
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:300],
        path=(request.path if request else "")[:300],
        case_id=case_id,
        details=details or {},
    )


def staff_position(user: AbstractBaseUser) -> tuple[str, str]:
    """The role and the department (an officer's) or window (a clerk's) a person acts in, as the
    access log keeps them and their owner reads them."""
    roles = roles_of(user)
    role = str(roles[0].label) if roles else ""
    place = ""
    # the permission checks are cached per request: only an officer or a clerk costs a lookup
    if user.has_perm("hall.use_officer_desk"):
        with contextlib.suppress(ObjectDoesNotExist):
            place = user.officer.department.label
    if not place and user.has_perm("hall.use_workbench"):
        with contextlib.suppress(ObjectDoesNotExist):
            window = user.clerk.window
            place = str(window) if window is not None else ""
    return role, place[:100]


def personal_data_read(
    *,
    request: HttpRequest,
    case: Case | None = None,
    case_id: int | None = None,
    applicant_id: int | None = None,
    what: str = PersonalDataAccess.What.CASE_FILE,
    reason: str = "",
) -> PersonalDataAccess | None:
    """A member of staff saw a person's personal data (a case file, their details, a whole
    value, an export, an API read): one row in the access log, which the person sees on the
    portal. The case's applicant is found when only the case's id is given."""
    user = getattr(request, "user", None)
    receipt_no = ""
    if case is not None:
        case_id, applicant_id, receipt_no = case.pk, case.applicant_id, case.receipt_no
    elif case_id is not None:
        found = Case.objects.filter(pk=case_id).values_list("applicant_id", "receipt_no").first()
        if found is None:
            return None
        applicant_id, receipt_no = applicant_id or found[0], found[1]
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    role, place = ("", "")
    if signed_in:
        # one lookup per request however many looks it records
        position = getattr(request, "_hall_staff_position", None)
        if position is None:
            position = staff_position(user)
            if request is not None:
                request._hall_staff_position = position
        role, place = position
    return PersonalDataAccess.objects.create(
        applicant_id=applicant_id,
        case_id=case_id,
        receipt_no=receipt_no or "",
        user_id=user.pk if signed_in else None,
        username=user.get_username()[:150] if signed_in else "",
        staff_name=(user.get_full_name() or "")[:150] if signed_in else "",
        role=role,
        department=place,
        what=what,
        reason=reason[:300],
        path=(request.path if request is not None else "")[:300],
        ip_address=client_address(request),
    )


# --- receivers of the authentication framework's signals (connected in hall.apps) -------------


def on_logged_in(sender, request, user, **kwargs) -> None:
    if request is None:
        return
    session = getattr(request, "session", None)
    if session is not None:
        if session.session_key is None:
            session.save()
        UserSession.objects.update_or_create(
            session_key=session.session_key,
            defaults={
                "user": user,
                "ip_address": client_address(request),
                "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
                "ended_at": None,
                "end_reason": "",
            },
        )
    security_event_record(kind=Kind.LOGIN, request=request, user=user)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username") or credentials.get("phone") or "")
    security_event_record(
        kind=Kind.LOGIN_FAILED, request=request, user=AnonymousUser(), username=username
    )


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    security_event_record(
        kind=Kind.LOCKED_OUT, request=request, user=AnonymousUser(), username=str(username or "")
    )


def on_logged_out(sender, request, user, **kwargs) -> None:
    if request is None or user is None:
        return
    reason = getattr(request, LOGOUT_REASON_ATTRIBUTE, "logout")
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        UserSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
            ended_at=timezone.now(), end_reason=reason
        )
    kind = Kind.SESSION_EXPIRED if reason == "expired" else Kind.LOGOUT
    security_event_record(kind=kind, request=request, user=user)


def user_sessions_end(
    *, user: AbstractBaseUser, reason: str, request: HttpRequest | None = None
) -> int:
    """End every open session of `user` (an administrator's order, or the account disabled):
    the session rows go, so the next request of each is signed out. Returns how many ended."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    open_sessions = list(
        UserSession.objects.filter(user=user, ended_at__isnull=True).values_list(
            "pk", "session_key"
        )
    )
    for _pk, session_key in open_sessions:
        store(session_key=session_key).delete()
    UserSession.objects.filter(pk__in=[pk for pk, _key in open_sessions]).update(
        ended_at=timezone.now(), end_reason=reason
    )
    security_event_record(
        kind=Kind.SESSION_ENDED,
        request=request,
        username=user.get_username(),
        details={"user_id": user.pk, "sessions": len(open_sessions), "reason": reason},
    )
    return len(open_sessions)


def security_log_purge(*, keep_days: int) -> int:
    """Delete security log rows older than `keep_days` (never fewer than six months: the
    database refuses younger rows anyway) and the register's sessions that ended as long ago."""
    keep_days = max(keep_days, MINIMUM_RETENTION_DAYS)
    cutoff = timezone.now() - datetime.timedelta(days=keep_days)
    deleted, _by_model = SecurityEvent.objects.filter(at__lt=cutoff).delete()
    UserSession.objects.filter(ended_at__lt=cutoff).delete()
    return deleted


def api_call_record(
    *, client_id: int, request_id: str, method: str, path: str, status: int, case_id: int | None
) -> None:
    """An API call that read or changed a case: which client, which request, what answer."""
    ApiCallRecord.objects.create(
        client_id=client_id,
        request_id=request_id[:100],
        method=method,
        path=path[:300],
        status=status,
        case_id=case_id,
    )
