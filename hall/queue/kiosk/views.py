"""The hall's self-service kiosk (自助终端) at /kiosk/: public, no login, touch-sized.

Every kiosk page loads static/js/kiosk-idle.js: after `KIOSK_IDLE_SECONDS` without a touch or a
key it warns, then posts to `kiosk:reset` (which ends the session: any login, a progress-lookup
grant, the tickets taken) and returns to the start screen for the next person.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth import logout
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from approvals.reviews.delivery import PICKUP_CODE_DIGITS, result_pick_up
from hall.models import Appointment, QueueTicket, ServiceRating
from hall.platform.attempts import session_requester
from hall.platform.sessions import ELDER_COOKIE
from hall.queue import appointment_selectors, appointments, selectors
from hall.queue import services as queue_services
from hall.queue.kiosk.forms import CheckInForm, KioskRatingForm, PickUpForm
from hall.ratings import services as ratings

KIOSK_IDLE_SECONDS = 90
# The warning shows this long before the reset (WCAG 2.2.1: at least 20 seconds to extend).
KIOSK_IDLE_WARNING_SECONDS = 20
TICKET_SALT = "hall.kiosk.ticket"
RATING_SALT = "hall.kiosk.rating"
LINK_MAX_AGE = 24 * 3600
SESSION_ISSUED = "kiosk_issued_tickets"
# The tickets this kiosk session showed; after the reset (完成, or the idle return) their pages
# send the next person to the start screen, so Back never shows the previous ticket.
SESSION_SHOWN = "kiosk_shown_tickets"


def _ticket_shown(request, ticket: QueueTicket) -> str:
    """The ticket's signed link token, remembered as shown by this kiosk session."""
    signed = signing.dumps(ticket.pk, salt=TICKET_SALT)
    request.session[SESSION_SHOWN] = [*request.session.get(SESSION_SHOWN, [])[-9:], signed]
    return signed


# The standard's reasons of a bad rating (ServiceRating.REASONS), as large checkboxes.


def _kiosk(request, template: str, context: dict | None = None, status: int = 200):
    return render(
        request,
        f"hall/kiosk/{template}",
        {
            "idle_seconds": KIOSK_IDLE_SECONDS,
            "idle_warning_seconds": KIOSK_IDLE_WARNING_SECONDS,
            **(context or {}),
        },
        status=status,
    )


@require_GET
def start(request):
    # The start screen runs the idle timer only when there is something to clear; otherwise an
    # unused kiosk would warn and reload every minute and a half.
    has_state = (
        request.user.is_authenticated
        or not request.session.is_empty()
        or settings.LANGUAGE_COOKIE_NAME in request.COOKIES
    )
    # 长辈版 shows the services used most and the rest behind 更多服务 (?all=1)
    return _kiosk(
        request,
        "start.html",
        {"idle_disabled": not has_state, "show_all": request.GET.get("all") == "1"},
    )


# Under CSRF like every POST: another site must not end a visitor's kiosk session. The idle
# script sends the token of the csrftoken cookie as it is when it posts, so a sign-in since the
# page was drawn (which rotates the token) does not strand the screen.
@require_POST
def reset(request):
    """End the kiosk session: sign out, forget the session, the language choice and 长辈版 (the
    next person starts in Chinese, standard mode)."""
    logout(request)  # flushes the session, signed in or not
    response = redirect("kiosk:start")
    response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    response.delete_cookie(ELDER_COOKIE)  # 长辈版 too: the next person chooses again
    return response


def _tickets_per_minute(_group, _request) -> str:
    return f"{settings.HALL_KIOSK_TICKETS_PER_MINUTE}/m"


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=_tickets_per_minute, method="POST", block=False)
def ticket_take(request):
    """取号: one large button per queue category; a second submit of the same page returns the
    ticket the first one took. A kiosk (its address) issues at most
    `HALL_KIOSK_TICKETS_PER_MINUTE` tickets a minute: a script cannot empty the day's numbers."""
    error = None
    status = 200
    if request.method == "POST":
        token = request.POST.get("token", "")
        issued = request.session.get(SESSION_ISSUED, {})
        if token and token in issued:
            return redirect("kiosk:ticket", token=issued[token])
        if getattr(request, "limited", False):
            error = _("取号过于频繁，请稍候片刻再取号，或到咨询台取号。")
            status = 429
        else:
            try:
                elder = settings.HALL_QUEUE_ELDER_PRIORITY and queue_services.elder_checked(
                    id_number=request.POST.get("elder_id", "")[:30], today=timezone.localdate()
                )
                ticket = queue_services.ticket_issue(
                    category=request.POST.get("category", ""),
                    tap_token=token or None,
                    elder=bool(elder),
                )
            except ValidationError as caught:
                error = " ".join(caught.messages)
                status = 400
            else:
                signed = _ticket_shown(request, ticket)
                if token:
                    # Keep the last few only; the session ends at the idle reset anyway.
                    issued = dict(list(issued.items())[-9:])
                    issued[token] = signed
                    request.session[SESSION_ISSUED] = issued
                return redirect("kiosk:ticket", token=signed)
    waiting = selectors.waiting_counts()
    categories = [
        {
            "code": code,
            "label": label,
            "letter": queue_services.CATEGORY_LETTERS[code],
            "waiting": waiting[code],
        }
        for code, label in selectors.Category.choices
    ]
    return _kiosk(
        request,
        "ticket_take.html",
        {
            "categories": categories,
            "token": uuid.uuid4().hex,
            "error": error,
            "elder_lane": settings.HALL_QUEUE_ELDER_PRIORITY,
        },
        status=status,
    )


@never_cache
@ratelimit(key="ip", rate="20/m", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def check_in(request):
    """预约签到: the booking code or the ID number finds today's booking, which issues a ticket
    called ahead of walk-ins (or, arriving late, a walk-in ticket)."""
    form = CheckInForm(request.POST or None)
    choices: list[Appointment] = []
    if request.method == "POST" and form.is_valid():
        found = appointment_selectors.appointments_for_check_in(
            code_or_id=form.cleaned_data["code"]
        )
        chosen = request.POST.get("appointment", "")
        if chosen:
            found = [a for a in found if a.code == chosen]
        if not found:
            form.add_error("code", _("没有找到今天的预约，请核对预约码或身份证号，或直接取号。"))
        elif len(found) > 1:
            choices = found
        else:
            try:
                done = appointments.appointment_check_in(appointment=found[0])
            except ValidationError as error:
                form.add_error("code", error.messages)
            else:
                url = reverse("kiosk:ticket", args=[_ticket_shown(request, done.ticket)])
                return redirect(f"{url}?late=1" if done.late else url)
    return _kiosk(
        request,
        "check_in.html",
        {"form": form, "choices": choices},
        status=400 if form.errors else 200,
    )


@never_cache
@ratelimit(key="ip", rate="10/m", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def proxy_help(request):
    """亲友代办 explained at the kiosk (国办发〔2020〕45号): how a relative or friend can act for
    someone who cannot use a phone, online with their code or here at a window."""
    return _kiosk(request, "proxy.html", {})


def locker(request):
    """智能柜取件: the locker's screen takes the one-time pick-up code and opens the cell."""
    form = PickUpForm(request.POST or None)
    opened = None
    if request.method == "POST" and form.is_valid():
        try:
            opened = result_pick_up(code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error.messages)
    return _kiosk(
        request,
        "locker.html",
        {"form": PickUpForm() if opened else form, "opened": opened, "digits": PICKUP_CODE_DIGITS},
        status=400 if form.errors else 200,
    )


def _unsign(token: str, salt: str) -> int:
    try:
        return int(signing.loads(token, salt=salt, max_age=LINK_MAX_AGE))
    except (signing.BadSignature, TypeError, ValueError) as error:
        raise Http404 from error


@never_cache
@require_GET
def ticket_detail(request, token: str):
    """The ticket: number, people ahead, estimated wait; printable as a slip. Only in the
    kiosk session that took it (after the reset, the start screen)."""
    pk = _unsign(token, TICKET_SALT)
    if token not in request.session.get(SESSION_SHOWN, []):
        return redirect("kiosk:start")
    ticket = QueueTicket.objects.select_related("window").filter(pk=pk).first()
    if ticket is None:
        raise Http404
    return _kiosk(
        request,
        "ticket.html",
        {
            "ticket": ticket,
            "category_label": selectors.Category(ticket.category).label,
            "position": selectors.ticket_position(ticket=ticket),
            "history_hours": int(selectors.ESTIMATE_HISTORY.total_seconds() // 3600),
            "default_minutes": selectors.DEFAULT_SERVICE_MINUTES,
            "printed_at": timezone.localtime(),
            "late": request.GET.get("late") == "1" and not ticket.by_appointment,
        },
    )


@never_cache
@ratelimit(key="ip", rate="60/m", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def rate(request):
    """服务评价: rate today's visit by its ticket number and the check code printed on the slip
    (the rated clerk is the ticket's)."""
    form = KioskRatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ticket = selectors.ticket_today(number=form.cleaned_data["number"])
        if not queue_services.ticket_check_code_attempt(
            ticket=ticket,
            code=form.cleaned_data["check_code"],
            source=session_requester(request),
        ):
            # one message for a wrong number and a wrong code: neither tells the other apart
            form.add_error("check_code", _("号码或评价码不正确，请核对号票。"))
        else:
            try:
                rating = ratings.rating_for_visit(
                    ticket=ticket,
                    level=form.cleaned_data["level"],
                    reason=form.combined_reason(),
                    reason_codes=form.cleaned_data.get("reasons", []),
                    channel=ServiceRating.Channel.KIOSK,
                )
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    form.add_error("number", error.messages)
                elif "reason" in error.message_dict and not form.combined_reason():
                    # At the kiosk a common reason is enough; say so rather than "fill in".
                    form.add_error("reason", _("请选择常见问题或填写评价理由，以便我们核实整改。"))
                else:
                    for field, messages in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, messages)
            else:
                return redirect("kiosk:rated", token=signing.dumps(rating.pk, salt=RATING_SALT))
    return _kiosk(
        request,
        "rate.html",
        {"form": form, "bad_levels": ServiceRating.BAD_LEVELS},
        status=400 if form.errors else 200,
    )


@never_cache
@require_GET
def rated(request, token: str):
    rating = (
        ServiceRating.objects.select_related("ticket", "follow_up")
        .filter(pk=_unsign(token, RATING_SALT))
        .first()
    )
    if rating is None:
        raise Http404
    follow_up = getattr(rating, "follow_up", None) if rating.is_bad else None
    return _kiosk(
        request,
        "rated.html",
        {
            "rating": rating,
            "follow_up": follow_up,
            "follow_up_days": ratings.FOLLOW_UP_WORKING_DAYS,
        },
    )
