"""Queue writes: taking a ticket, calling, recalling, no-show, serving, finishing, transferring.

Every change is conditional on the state it starts from and on the clerk's window, and a repeat
of a change that already happened returns the ticket unchanged (a double click is safe)."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    F,
    Q,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.cases.numbering import counter_next
from hall.cases.proxies import ELDER_AGE, age_from_id_number
from hall.common.validators import is_valid_id_number, normalize_id_number
from hall.models import Applicant, QueueTicket, Window
from hall.platform.attempts import AttemptRule, attempt_allowed, attempt_failed
from hall.queue.common import CATEGORY_LETTERS, LIVE, Status
from hall.queue.selectors import window_current

#: Booked tickets called in a row before a waiting walk-in gets the next call (预约优先, but
#: walk-ins keep moving).
APPOINTMENT_BURST = 2
#: Booked tickets' numbers start with this letter before the category's: YA001.
APPOINTMENT_PREFIX = "Y"


def ticket_issue(
    *,
    category: str,
    applicant: Applicant | None = None,
    tap_token: str | None = None,
    by_appointment: bool = False,
    elder: bool = False,
) -> QueueTicket:
    """Take a ticket (取号) for a queue category; the number is the next of the day.

    With the kiosk page's `tap_token`, the same tap again (a double tap: two requests at the
    same instant) returns the ticket the first took: the token is unique in the table, so the
    second insert fails, rolls its number back, and finds the first one's ticket.
    """
    letter = CATEGORY_LETTERS.get(category)
    if letter is None:
        raise ValidationError({"category": [_("请选择取号类别。")]})
    tap_token = (tap_token or "").strip()[:64] or None
    if tap_token is not None:
        existing = QueueTicket.objects.filter(tap_token=tap_token).first()
        if existing is not None:
            return existing
    try:
        return _ticket_create(
            category=category,
            letter=f"{APPOINTMENT_PREFIX}{letter}" if by_appointment else letter,
            applicant=applicant,
            tap=tap_token,
            by_appointment=by_appointment,
            elder=elder,
        )
    except IntegrityError:
        existing = QueueTicket.objects.filter(tap_token=tap_token).first() if tap_token else None
        if existing is None:
            raise
        return existing


def _ticket_create(
    *, category, letter, applicant, tap, by_appointment=False, elder=False
) -> QueueTicket:
    day = timezone.localdate()
    with transaction.atomic():
        booked = "booked:" if by_appointment else ""
        sequence = counter_next(key=f"ticket:{booked}{category}:{day:%Y%m%d}")
        # Read the clock after the counter's lock: the issue times then follow the numbers, and
        # the queue (ordered by issue time) follows the numbers too.
        now = timezone.now()
        ticket = QueueTicket(
            number=f"{letter}{sequence:03d}",
            category=category,
            issued_on=day,
            issued_at=now,
            applicant=applicant,
            tap_token=tap,
            by_appointment=by_appointment,
            elder=elder,
            check_code=f"{secrets.randbelow(10**6):06d}",
        )
        ticket.full_clean(validate_unique=False)
        ticket.save(force_insert=True)
    return ticket


def clerk_window(*, clerk: User) -> Window:
    """The window the clerk sits at (`Clerk.window`); calling needs one."""
    seat = getattr(clerk, "clerk", None)
    if seat is None or seat.window_id is None:
        raise ValidationError(_("您尚未分配窗口，不能叫号。请联系管理员在“窗口工作人员”中设置。"))
    return seat.window


def ticket_call_next(*, clerk: User) -> QueueTicket | None:
    """叫下一位: call the next ticket to the clerk's window (see the module's queue order).

    A window calls one applicant at a time: while its called ticket has not been served, marked
    absent or transferred, calling again returns that same ticket (so a double click calls nobody
    new), and while it serves one, calling is refused. None when nobody waits.
    """
    window = clerk_window(clerk=clerk)
    today = timezone.localdate()
    with transaction.atomic():
        # One caller per window at a time; callers at other windows do not wait for this lock.
        Window.objects.select_for_update().filter(pk=window.pk).first()
        current = window_current(window=window)
        if current is not None:
            if current.status == Status.SERVING:
                raise ValidationError(
                    _("请先结束号码 %(number)s 的办理，再叫下一位。") % {"number": current.number}
                )
            return current
        waiting = QueueTicket.objects.filter(status=Status.WAITING, issued_on=today).filter(
            Q(window=window) | Q(window__isnull=True, category__in=list(window.categories or []))
        )
        # Transferred tickets (window set) first; then booked ones ahead of walk-ins, unless
        # the last APPOINTMENT_BURST calls of these categories all were booked; then the
        # oldest. SKIP LOCKED: another window's transaction holding a ticket makes this one
        # take the next, never wait for or share it.
        booked_first = not _booked_burst_reached(window=window, day=today)
        # 长者优先 (a setting): people aged 70 or over ahead of everyone of the category
        elders_first = [F("elder").desc()] if settings.HALL_QUEUE_ELDER_PRIORITY else []
        candidate = (
            waiting.order_by(
                F("window_id").asc(nulls_last=True),
                *elders_first,
                F("by_appointment").desc() if booked_first else F("by_appointment").asc(),
                "issued_at",
                "pk",
            )
            .select_for_update(skip_locked=True)
            .first()
        )
        if candidate is None:
            return None
        now = timezone.now()
        updated = QueueTicket.objects.filter(pk=candidate.pk, status=Status.WAITING).update(
            status=Status.CALLED, window=window, clerk=clerk, called_at=now
        )
        if not updated:  # cannot happen while we hold the row lock; refuse rather than guess
            raise ValidationError(_("叫号冲突，请再试一次。"))
        candidate.refresh_from_db()
    return candidate


def _booked_burst_reached(*, window: Window, day) -> bool:
    recent = list(
        QueueTicket.objects.filter(
            issued_on=day,
            called_at__isnull=False,
            category__in=list(window.categories or []),
        )
        .order_by("-called_at", "-pk")
        .values_list("by_appointment", flat=True)[:APPOINTMENT_BURST]
    )
    return len(recent) == APPOINTMENT_BURST and all(recent)


def _ticket_change(
    *,
    ticket: QueueTicket,
    clerk: User,
    allowed: tuple[str, ...],
    changes: dict[str, Any],
    done: Any,
    action: str,
    extra: Q | None = None,
) -> QueueTicket:
    """Apply `changes` if the ticket is at the clerk's window in one of the `allowed` states;
    if it is not but `done(fresh)` says the change already happened, return it unchanged."""
    window = clerk_window(clerk=clerk)
    with transaction.atomic():
        rows = QueueTicket.objects.filter(pk=ticket.pk, window=window, status__in=allowed)
        if extra is not None:
            rows = rows.filter(extra)
        updated = rows.update(**changes)
        fresh = QueueTicket.objects.select_related("window").get(pk=ticket.pk)
        if not updated and not done(fresh, window):
            if fresh.window_id != window.pk:
                raise ValidationError(
                    _("号码 %(number)s 不在本窗口，不能%(action)s。")
                    % {"number": fresh.number, "action": action}
                )
            raise ValidationError(
                _("号码 %(number)s 当前为“%(status)s”，不能%(action)s。")
                % {"number": fresh.number, "status": fresh.get_status_display(), "action": action}
            )
    return fresh


def ticket_recall(*, ticket: QueueTicket, clerk: User, seen_recalls: int) -> QueueTicket:
    """重呼: call the same number again (the board announces it again) and count it.

    `seen_recalls` is the count the clerk's page showed: a second submit of the same page finds
    the count already moved and does not count twice.
    """
    return _ticket_change(
        ticket=ticket,
        clerk=clerk,
        allowed=(Status.CALLED,),
        extra=Q(recalls=seen_recalls),
        changes={"recalls": F("recalls") + 1},
        done=lambda t, w: t.window_id == w.pk and t.status == Status.CALLED,
        action=_("重呼"),
    )


def ticket_no_show(*, ticket: QueueTicket, clerk: User) -> QueueTicket:
    """过号: the called applicant did not come to the window."""
    return _ticket_change(
        ticket=ticket,
        clerk=clerk,
        allowed=(Status.CALLED,),
        changes={"status": Status.NO_SHOW, "finished_at": timezone.now()},
        done=lambda t, w: t.window_id == w.pk and t.status == Status.NO_SHOW,
        action=_("过号"),
    )


def ticket_serve(*, ticket: QueueTicket, clerk: User) -> QueueTicket:
    """开始办理: the applicant is at the window."""
    return _ticket_change(
        ticket=ticket,
        clerk=clerk,
        allowed=(Status.CALLED,),
        changes={"status": Status.SERVING, "served_at": timezone.now(), "clerk": clerk},
        done=lambda t, w: t.window_id == w.pk and t.status in (Status.SERVING, Status.DONE),
        action=_("开始办理"),
    )


def ticket_finish(*, ticket: QueueTicket, clerk: User) -> QueueTicket:
    """办结: the visit at the window ends. Finished straight from "called", service counts from
    the call."""
    window = clerk_window(clerk=clerk)
    now = timezone.now()
    with transaction.atomic():
        QueueTicket.objects.filter(
            pk=ticket.pk, window=window, status=Status.CALLED, served_at__isnull=True
        ).update(served_at=F("called_at"))
        return _ticket_change(
            ticket=ticket,
            clerk=clerk,
            allowed=LIVE,
            changes={"status": Status.DONE, "finished_at": now, "clerk": clerk},
            done=lambda t, w: t.window_id == w.pk and t.status == Status.DONE,
            action=_("办结"),
        )


def ticket_transfer(*, ticket: QueueTicket, clerk: User, to_window: Window) -> QueueTicket:
    """转窗: send the applicant to another window, keeping the ticket and its number.

    The ticket waits again, now for `to_window` only, ahead of that window's untransferred
    tickets (see the queue order above); `transferred_from` records the window it came from.
    """
    window = clerk_window(clerk=clerk)
    if to_window.pk == window.pk or to_window.is_online:
        raise ValidationError({"to_window": [_("请选择本窗口以外的现场窗口。")]})
    return _ticket_change(
        ticket=ticket,
        clerk=clerk,
        allowed=LIVE,
        changes={
            "status": Status.WAITING,
            "window": to_window,
            "transferred_from": window,
            "clerk": None,
            "served_at": None,
        },
        done=lambda t, w: (
            t.status == Status.WAITING
            and t.window_id == to_window.pk
            and t.transferred_from_id == w.pk
        ),
        action=_("转窗"),
    )


#: Guessing a ticket's check code at the kiosks: each kiosk session may fail 5 times in 15
#: minutes (every visitor at one kiosk shares its address, so the session is the source); a
#: ticket guessed at 5 times from anywhere is slowed to one attempt per 10 seconds, never locked,
#: so a stranger's wrong codes cannot end the real visitor's rating (hall.platform.attempts).
CHECK_CODE_RULE = AttemptRule(
    name="kiosk.rating", per_source=5, window_seconds=15 * 60, slowdown_after=5, interval_seconds=10
)


def ticket_check_code_attempt(*, ticket: QueueTicket | None, code: str, source: str) -> bool:
    """Whether `code` is the ticket's check code, within the guessing limits of `source` (the
    kiosk session). A wrong code, or a ticket that does not exist, counts for the source; a
    wrong code for an existing ticket also counts toward its slow-down (and its statistic)."""
    subject = f"ticket:{ticket.pk}" if ticket is not None else "ticket:none"
    if not attempt_allowed(rule=CHECK_CODE_RULE, source=source, subject=subject):
        return False
    code = (code or "").strip()
    if (
        ticket is not None
        and ticket.check_code
        and secrets.compare_digest(code.encode(), ticket.check_code.encode())
    ):
        return True
    attempt_failed(rule=CHECK_CODE_RULE, source=source, subject=subject)
    if ticket is not None:
        QueueTicket.objects.filter(pk=ticket.pk).update(rating_failures=F("rating_failures") + 1)
    return False


def elder_checked(*, id_number: str, today: datetime.date) -> bool:
    """长者优先 at the kiosk: True for the ID number of someone aged 70 or over today; an empty
    one is an ordinary ticket. The number is only read, never kept."""
    id_number = normalize_id_number(id_number or "")
    if not id_number:
        return False
    if not is_valid_id_number(id_number, today=today):
        raise ValidationError(
            _("身份证号码有误，请核对后重新输入；也可以不填，直接选择业务类别取号。"),
            code="elder_id",
        )
    age = age_from_id_number(id_number, today)
    if age is None or age < ELDER_AGE:
        raise ValidationError(
            _("长者优先号为 70 周岁以上的老人提供；请清空身份证号码，直接选择业务类别取号。"),
            code="elder_age",
        )
    return True
