from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from hall.accounts.services import language_preference_set
from hall.common.problems import is_api_request, problem_json_response
from hall.models import SecurityEvent
from hall.online.portal.access import safe_next
from hall.platform import audit
from hall.platform.health import broker_status, database_status
from hall.platform.heartbeats import sweeps_status
from hall.platform.sessions import ELDER_COOKIE
from hall.roles import landing_url_name


def index(request):
    return render(request, "hall/index.html")


ELDER_COOKIE_DAYS = 365


@require_POST
def elder_mode(request):
    """长辈版 on or off for this browser (a cookie, so it holds signed out and across visits; the
    kiosk's reset turns it off for the next visitor), then back to the page the switch was on."""
    response = redirect(safe_next(request, "/"))
    if request.POST.get("on") == "1":
        response.set_cookie(
            ELDER_COOKIE,
            "1",
            max_age=ELDER_COOKIE_DAYS * 24 * 3600,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,
        )
    else:
        response.delete_cookie(ELDER_COOKIE)
    return response


@login_required
def home(request):
    """Sends each signed-in person to the landing page of their role."""
    return redirect(landing_url_name(request.user))


@never_cache
@require_GET
def healthz(request):
    """This node can serve (database and broker: 503 when not), and the hall's sweeps run
    ("degraded" with the oldest late sweep, still 200: a load balancer must not pull a healthy
    web node because beat stopped; the operators' monitor reads the status word)."""
    database, broker = database_status(), broker_status()
    serving = database.ok and broker.ok
    sweeps = sweeps_status() if database.ok else None
    body = {
        "status": "ok" if serving and sweeps is not None and sweeps.ok else "degraded",
        "database": {"ok": database.ok, "detail": database.detail},
        "broker": {"ok": broker.ok, "detail": broker.detail},
    }
    if sweeps is not None:
        body["sweeps"] = {
            "ok": sweeps.ok,
            "detail": sweeps.detail,
            "late": [
                {
                    "name": late.name,
                    "last_ran_at": late.last_ran_at.isoformat() if late.last_ran_at else None,
                    "late_seconds": late.late_seconds,
                }
                for late in sweeps.late
            ],
        }
    return JsonResponse(body, status=200 if serving else 503)


def permission_denied(request, exception=None):
    """403 in the hall's layout, recorded in the security log (who tried what, from where)."""
    audit.security_event_record(
        kind=SecurityEvent.Kind.PERMISSION_DENIED,
        request=request,
        details={"method": request.method},
    )
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    """404 in the hall's layout, or as problem details under /api/ (a URL that matched no
    route, such as a negative step id)."""
    if is_api_request(request):
        return problem_json_response(status=404, title=_("没有找到"), detail=_("没有找到"))
    return render(request, "404.html", status=404)


@require_POST
def language_set(request):
    """Django's language switch, which also keeps a signed-in person's choice as the language
    the hall writes to them in (SMS, e-mail, inbox)."""
    response = set_language(request)
    if request.user.is_authenticated:
        language_preference_set(user=request.user, language=request.POST.get("language", ""))
    return response
