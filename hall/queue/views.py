"""Window calling (叫号) for clerks and the hall's display board; thin views over hall.queue.

Included at /queue/ by hall.urls: the clerk's panel is /queue/ (permission hall.use_workbench,
the clerk's window is `request.user.clerk.window`); the board /queue/board/ and its feed
/queue/board/feed/ are public.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from hall.common.permissions import workbench_required
from hall.models import QueueTicket, Window
from hall.platform.guard import int_or_none
from hall.queue import selectors, services

# How often the board asks for news, in milliseconds (the page's script backs off on errors).
BOARD_POLL_MS = 2500


def _seat_window(request) -> Window | None:
    seat = getattr(request.user, "clerk", None)
    return seat.window if seat is not None else None


@never_cache
@workbench_required
def window(request):
    """The clerk's calling panel: the current ticket, what waits, and the actions."""
    seat = _seat_window(request)
    context: dict = {"window": seat}
    if seat is not None:
        context.update(
            current=selectors.window_current(window=seat),
            waiting=selectors.window_queue(window=seat),
            other_windows=Window.objects.filter(is_online=False).exclude(pk=seat.pk),
        )
    return render(request, "hall/queue/window.html", context)


def _errors_to_messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@workbench_required
@require_POST
def call_next(request):
    try:
        ticket = services.ticket_call_next(clerk=request.user)
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        if ticket is None:
            messages.info(request, _("目前没有等候的号码。"))
        else:
            messages.success(request, _("已叫号：%(number)s。") % {"number": ticket.number})
    return redirect("queue:window")


def _recall(request, ticket):
    try:
        seen = int(request.POST.get("recalls", ""))
    except ValueError:
        seen = ticket.recalls
    done = services.ticket_recall(ticket=ticket, clerk=request.user, seen_recalls=seen)
    return _("已重呼：%(number)s（第 %(n)s 次）。") % {"number": done.number, "n": done.recalls}


def _transfer(request, ticket):
    target = Window.objects.filter(pk=int_or_none(request.POST.get("to_window"))).first()
    if target is None:
        raise ValidationError(_("请选择转往的窗口。"))
    done = services.ticket_transfer(ticket=ticket, clerk=request.user, to_window=target)
    return _("%(number)s 已转至 %(window)s，排在该窗口队首。") % {
        "number": done.number,
        "window": done.window,
    }


def _no_show(request, ticket):
    done = services.ticket_no_show(ticket=ticket, clerk=request.user)
    return _("%(number)s 已过号。") % {"number": done.number}


def _serve(request, ticket):
    done = services.ticket_serve(ticket=ticket, clerk=request.user)
    return _("%(number)s 开始办理。") % {"number": done.number}


def _finish(request, ticket):
    done = services.ticket_finish(ticket=ticket, clerk=request.user)
    return _("%(number)s 已办结。") % {"number": done.number}


ACTIONS = {
    "recall": _recall,
    "no-show": _no_show,
    "serve": _serve,
    "finish": _finish,
    "transfer": _transfer,
}


@workbench_required
@require_POST
def ticket_action(request, pk: int, action: str):
    """重呼 / 过号 / 开始办理 / 办结 / 转窗 on one ticket of the clerk's window."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    ticket = get_object_or_404(QueueTicket, pk=pk)
    try:
        messages.success(request, handler(request, ticket))
    except ValidationError as error:
        _errors_to_messages(request, error)
    return redirect("queue:window")


# --- the display board (public) -------------------------------------------------------------


def board_payload() -> dict:
    """What the board shows: the latest calls and the waiting counts, with one line to speak
    for each call. `key` changes on a recall and on a call at a new window, so the page
    announces those again; it does not change when service starts."""
    calls = [
        {
            "key": f"{ticket.pk}:{ticket.recalls}:{ticket.window_id}",
            "number": ticket.number,
            "window": ticket.window.number,
            "window_name": ticket.window.name,
            "window_label": _("%(window)s 号窗口") % {"window": ticket.window.number},
            "status": ticket.status,
            "status_label": (
                _("%(status)s · 预约") % {"status": ticket.get_status_display()}
                if ticket.by_appointment
                else str(ticket.get_status_display())
            ),
            "called_at": timezone.localtime(ticket.called_at).isoformat()
            if ticket.called_at
            else None,
            "announcement": _("请 %(number)s 号到 %(window)s 号窗口办理")
            % {
                "number": ticket.number,
                "window": ticket.window.number,
            },
        }
        for ticket in selectors.board_calls()
    ]
    waiting = selectors.waiting_counts()
    booked = selectors.waiting_counts(booked_only=True)
    return {
        "calls": calls,
        "waiting": [
            {
                "category": code,
                "label": str(label),
                "waiting": waiting[code],
                "booked": booked[code],
                "waiting_text": (
                    _("%(n)s（预约 %(booked)s）") % {"n": waiting[code], "booked": booked[code]}
                    if booked[code]
                    else str(waiting[code])
                ),
            }
            for code, label in selectors.Category.choices
        ],
        "updated_at": timezone.localtime().strftime("%H:%M:%S"),
    }


@never_cache
@require_GET
def board(request):
    """The hall's screen (叫号屏): rendered whole, then kept fresh by js/queue-board.js."""
    return render(
        request,
        "hall/queue/board.html",
        {"board": board_payload(), "poll_ms": BOARD_POLL_MS},
    )


@never_cache
@require_GET
def board_feed(request):
    return JsonResponse(board_payload(), json_dumps_params={"ensure_ascii": False})
