"""Reads for supervision (电子监察): the dashboard lists, the warnings and the case history.

Every list is one query with its related rows joined, limited to what a page shows; counts are
aggregates. The dashboard therefore runs the same number of queries whatever the data size.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections, models, router
from django.db.models import Count, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.clock.calendar import working_calendar
from approvals.clock.deadlines import (
    Light,
    WorkingCalendar,
    remaining_working_days,
    warning_light,
)
from approvals.models import CalendarYear, CaseDecision, CaseStep, ServiceItem
from approvals.reviews.selectors import step_deadline
from departments.models import Department
from hall.cases.actions import action_label
from hall.common.paging import keyset_cursor, keyset_cursor_parse
from hall.models import (
    AgencyRequest,
    Case,
    CaseEvent,
    InstantApproval,
    Notice,
    RatingFollowUp,
    ServiceRating,
)

LIST_LIMIT = 20  # rows of each recent-events list on the dashboard
WARNING_LIMIT = 25  # warned steps per page of the dashboard (keyset pages, the most urgent first)


def today() -> datetime.date:
    return timezone.localdate()


# --- cases by state -----------------------------------------------------------------------------


def cases_by_status() -> list[dict[str, Any]]:
    """Open cases (not closed, not refused at intake) by state, in the order of the workflow."""
    labels = dict(Case.Status.choices)
    order = {status: index for index, status in enumerate(labels)}
    # The open states named (not "not final"), so that the index on status serves the count.
    open_states = [status for status in labels if status not in Case.FINAL_STATUSES]
    rows = (
        Case.objects.filter(status__in=open_states)
        .values("status")
        .annotate(total=Count("pk"))
        .order_by()
    )
    rows = sorted(rows, key=lambda row: order.get(row["status"], len(order)))
    return [
        {"code": row["status"], "status": labels[row["status"]], "total": row["total"]}
        for row in rows
    ]


# --- warnings -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WarningFilter:
    light: str = ""  # "", "yellow" or "red"
    department: int | None = None  # ids: the filter form's choices are (id, label) rows
    officer: int | None = None
    owner: int | None = None


def warning_steps_queryset(
    *, now: datetime.datetime, filters: WarningFilter = WarningFilter()
) -> QuerySet[CaseStep]:
    """Open steps with a yellow or red card.

    A step turns yellow on its stored `warn_on` date (`approvals.clock.deadlines.yellow_from`,
    the first day `warning_light` is yellow) and red at its `due_at`; a suspended step's clock is
    stopped, so it carries no card. The officer is whoever claimed the step (or decided it).
    """
    rows = CaseStep.objects.filter(
        status=CaseStep.Status.OPEN, warn_on__lte=timezone.localdate(now)
    )
    if filters.light == Light.RED:
        rows = rows.filter(due_at__lte=now)
    elif filters.light == Light.YELLOW:
        rows = rows.filter(due_at__gt=now)
    if filters.department is not None:
        rows = rows.filter(department=filters.department)
    if filters.officer is not None:
        rows = rows.filter(Q(claimed_by=filters.officer) | Q(decided_by=filters.officer))
    if filters.owner is not None:
        rows = rows.filter(case__owner=filters.owner)
    return rows


@dataclass
class WarningRow:
    step: CaseStep
    light: Light
    remaining: int
    # The id the row's 督办 button sends: a double click makes one reminder.
    reminder_id: uuid.UUID = field(default_factory=uuid.uuid4)

    @property
    def officer(self) -> User | None:
        return self.step.claimed_by or self.step.decided_by

    @property
    def overdue_days(self) -> int:
        return max(0, -self.remaining)


@dataclass
class WarningPage:
    rows: list[WarningRow]
    next_cursor: str | None
    first: bool

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


# in the model's field order: `Model.from_db` takes a row's values in that order
_PEOPLE_COLUMNS = ["id", "username", "first_name", "last_name"]
_PEOPLE_SQL = f"SELECT {', '.join(_PEOPLE_COLUMNS)} FROM auth_user WHERE id = ANY(%s)"


def _people_attach(steps: list[CaseStep]) -> None:
    """Each step's claimant, decider and case owner, read in one statement by id and set on the
    rows as select_related would have. The statement runs even with no ids, so the dashboard's
    queries do not depend on whether anything is warned; it asks the router where to read, as
    the ORM's reads do (the dashboard reads from the replica where there is one)."""
    ids = sorted(
        {
            user_id
            for step in steps
            for user_id in (step.claimed_by_id, step.decided_by_id, step.case.owner_id)
            if user_id
        }
    )
    alias = router.db_for_read(User)
    with connections[alias].cursor() as cursor:
        cursor.execute(_PEOPLE_SQL, [ids])
        people = {row[0]: User.from_db(alias, _PEOPLE_COLUMNS, row) for row in cursor.fetchall()}
    for step in steps:
        step.claimed_by = people.get(step.claimed_by_id)
        step.decided_by = people.get(step.decided_by_id)
        step.case.owner = people.get(step.case.owner_id)


def warning_rows(
    *,
    now: datetime.datetime,
    filters: WarningFilter = WarningFilter(),
    calendar: WorkingCalendar | None = None,
    limit: int = WARNING_LIMIT,
    after: str | None = None,
) -> WarningPage:
    """One page of the warned steps, the most urgent first, each with its light and working
    days left (`approvals.clock.deadlines.warning_light` and `remaining_working_days` on the
    stored due date). Keyset pages on (due_at, id), so a page deep in the list costs what the
    first costs; `after` is the cursor of the previous page's last row."""
    calendar = calendar or working_calendar()
    queryset = warning_steps_queryset(now=now, filters=filters)
    position = keyset_cursor_parse(after)
    if position is not None:
        due_at, pk = position
        queryset = queryset.filter(Q(due_at__gt=due_at) | Q(due_at=due_at, pk__gt=pk))
    # The steps with their case, item and department (with its head) in one read, and the people
    # who answer for them in one more by id. One nine-table join cost PostgreSQL 5-10 ms of
    # planning on every request — its open-step partial index rules out a generic plan, so each
    # run is planned anew — a six-table join and a read by key plan in half that (issue 27).
    steps = list(
        queryset.select_related("case", "case__item", "department", "department__head__user")
        .only(
            "id", "name", "status", "due_date", "due_at", "opened_on", "promised_days",
            "calendar_assumed_years", "deemed_approval", "warned_red_at", "warned_yellow_at",
            "claimed_by", "decided_by", "case__receipt_no", "case__owner", "case__item__name",
            "department__name", "department__short_name", "department__head__user__first_name",
            "department__head__user__last_name", "department__head__user__username",
        )
        .order_by("due_at", "pk")[: limit + 1]
    )  # fmt: skip
    _people_attach(steps)
    more = len(steps) > limit
    steps = steps[:limit]
    today_ = timezone.localdate(now)
    rows = []
    for step in steps:
        deadline = step_deadline(step)
        rows.append(
            WarningRow(
                step=step,
                light=warning_light(
                    calendar=calendar,
                    now=now,
                    deadline=deadline,
                    yellow_days=settings.HALL_WARNING_YELLOW_DAYS,
                ),
                remaining=remaining_working_days(
                    calendar=calendar, today=today_, due_date=step.due_date
                ),
            )
        )
    return WarningPage(
        rows=rows,
        next_cursor=keyset_cursor(steps[-1].due_at, steps[-1].pk) if more else None,
        first=position is None,
    )


def warnings_by_department(*, now: datetime.datetime) -> list[dict[str, Any]]:
    """Yellow and red cards counted per department (one aggregate)."""
    rows = (
        warning_steps_queryset(now=now)
        .values("department__code", "department__name", "department__short_name")
        .annotate(
            red=Count("pk", filter=Q(due_at__lte=now)),
            yellow=Count("pk", filter=Q(due_at__gt=now)),
        )
        .order_by("-red", "-yellow", "department__code")
    )
    return [
        {
            "department": row["department__short_name"] or row["department__name"],
            "red": row["red"],
            "yellow": row["yellow"],
        }
        for row in rows
    ]


# --- deemed acceptances and approvals, one-time breaches ----------------------------------------


def one_time_breaches(*, limit: int = LIST_LIMIT) -> QuerySet[Notice]:
    return (
        Notice.objects.filter(one_time_override_by__isnull=False)
        .select_related("case", "case__item", "one_time_override_by", "issued_by")
        .order_by("-issued_at")[:limit]
    )


def deemed_acceptances(*, limit: int = LIST_LIMIT) -> QuerySet[Case]:
    return (
        Case.objects.filter(deemed_accepted=True)
        .select_related("item", "owner", "window")
        .order_by("-accepted_at")[:limit]
    )


def deemed_approvals(*, limit: int = LIST_LIMIT) -> QuerySet[CaseStep]:
    """Steps approved by timeout (超时默许), latest first; the department stays liable and still
    owes its written opinion."""
    return (
        CaseStep.objects.filter(status=CaseStep.Status.DEEMED)
        .select_related("case", "case__item", "department")
        .order_by("-decided_at", "-pk")[:limit]
    )


def intake_decisions_due(*, limit: int = LIST_LIMIT) -> QuerySet[Case]:
    """Cases still waiting for the Art. 32 intake decision, soonest first."""
    return (
        Case.objects.filter(status=Case.Status.RECEIVED, intake_due_date__isnull=False)
        .select_related("item", "owner", "window")
        .order_by("intake_due_date")[:limit]
    )


def issuances_due(*, limit: int = LIST_LIMIT) -> QuerySet[CaseDecision]:
    """Grants whose licence is not yet issued and delivered (Art. 44), the soonest due first;
    each carries its due date and whether it is already late."""
    return (
        CaseDecision.objects.filter(
            decision=CaseDecision.Decision.GRANT,
            delivered_at__isnull=True,
            issue_due_at__isnull=False,
        )
        .select_related("case", "case__item", "case__owner")
        .order_by("issue_due_at")[:limit]
    )


def dashboard_counts(*, now: datetime.datetime) -> dict[str, int]:
    """The headline numbers. Each count filters first (open steps, deemed steps, deemed
    acceptances, overrides), so that it reads a partial index rather than the whole table."""
    today_ = timezone.localdate(now)
    steps = CaseStep.objects.filter(status=CaseStep.Status.OPEN).aggregate(
        yellow=Count("pk", filter=Q(warn_on__lte=today_, due_at__gt=now)),
        red=Count("pk", filter=Q(due_at__lte=now)),
    )
    ratings = RatingFollowUp.objects.filter(status__in=FOLLOW_UP_WAITING).aggregate(
        follow_ups_waiting=Count("pk"),
        follow_ups_overdue=Count("pk", filter=Q(due_date__lt=today_)),
    )
    return {
        **steps,
        "deemed": CaseStep.objects.filter(status=CaseStep.Status.DEEMED).count(),
        "deemed_accepted": Case.objects.filter(deemed_accepted=True).count(),
        **ratings,
        "breaches": Notice.objects.filter(one_time_override_by__isnull=False).count(),
        # 全程代办 requests nobody has been assigned to yet: the supervisor assigns an agent
        "agency_requested": AgencyRequest.objects.filter(
            status=AgencyRequest.Status.REQUESTED
        ).count(),
    }


# --- bad ratings --------------------------------------------------------------------------------

FOLLOW_UP_WAITING = (
    RatingFollowUp.Status.OPEN,
    RatingFollowUp.Status.RECTIFYING,
    RatingFollowUp.Status.INVALID_REVIEW,
    RatingFollowUp.Status.UNFIXABLE_REVIEW,
    RatingFollowUp.Status.APPEALED,
)


def bad_ratings(*, limit: int = LIST_LIMIT) -> QuerySet[ServiceRating]:
    """Bad ratings (levels 1–2) with their follow-up: those still waiting for an answer first
    (open or appealed, and any without a follow-up row), by due date, then the answered ones."""
    waiting_first = models.Case(
        When(follow_up__isnull=True, then=Value(0)),
        When(follow_up__status__in=FOLLOW_UP_WAITING, then=Value(0)),
        default=Value(1),
        output_field=models.IntegerField(),
    )
    return (
        ServiceRating.objects.filter(level__in=ServiceRating.BAD_LEVELS)
        .select_related(
            "follow_up",
            "case",
            "case__item",
            "ticket",
            "ticket__window",
            "clerk",
            "department",
        )
        .order_by(waiting_first, "follow_up__due_date", "-created_at", "pk")[:limit]
    )


def follow_up_overdue(rating: ServiceRating, *, on: datetime.date) -> bool:
    follow_up = getattr(rating, "follow_up", None)
    return (
        follow_up is not None and follow_up.status in FOLLOW_UP_WAITING and follow_up.due_date < on
    )


# --- years without calendar data ----------------------------------------------------------------


@dataclass
class AssumedYears:
    """Open cases whose deadlines were counted into years with no holiday data (Mon–Fri assumed)."""

    years: list[dict[str, Any]]  # {"year": 2027, "entered": bool}
    case_count: int
    step_count: int
    cases: list[Case]

    def __bool__(self) -> bool:
        return bool(self.case_count or self.step_count)


def calendar_assumed(*, limit: int = 20) -> AssumedYears:
    """Open cases and open steps with non-empty `calendar_assumed_years`, the years they name,
    and whether a `CalendarYear` row exists for each now (then the deadline was counted before
    the year was entered and should be looked at again). Five queries at most whatever the size:
    the distinct year lists are few (one per combination of years)."""
    open_cases = Case.objects.open().exclude(calendar_assumed_years=[])
    open_steps = CaseStep.objects.filter(status__in=CaseStep.OPEN_STATUSES).exclude(
        calendar_assumed_years=[]
    )
    combos = (
        open_cases.order_by()
        .values_list("calendar_assumed_years", flat=True)
        .distinct()
        .union(open_steps.order_by().values_list("calendar_assumed_years", flat=True).distinct())
    )
    years = sorted({int(year) for combo in combos for year in combo})
    entered = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
    case_count = open_cases.count()
    step_count = open_steps.count()
    cases = []
    if case_count or step_count:
        cases = list(
            Case.objects.open()
            .filter(Q(pk__in=open_cases.values("pk")) | Q(pk__in=open_steps.values("case_id")))
            .select_related("item", "owner")
            .order_by("promised_due_date", "pk")[:limit]
        )
    return AssumedYears(
        years=[{"year": year, "entered": year in entered} for year in years],
        case_count=case_count,
        step_count=step_count,
        cases=cases,
    )


# --- a case -------------------------------------------------------------------------------------

# Readable names of the keys services write into CaseEvent.details.
DETAIL_LABELS = {
    "department": gettext_lazy("部门"),
    "stage": gettext_lazy("阶段"),
    "step": gettext_lazy("审批环节"),
    "item": gettext_lazy("事项"),
    "version": gettext_lazy("版本"),
    "receipt": gettext_lazy("收件编号"),
    "channel": gettext_lazy("渠道"),
    "window": gettext_lazy("窗口"),
    "clerk": gettext_lazy("窗口人员"),
    "from": gettext_lazy("原责任人"),
    "to": gettext_lazy("新责任人"),
    "light": gettext_lazy("预警"),
    "decision": gettext_lazy("决定"),
    "approved": gettext_lazy("是否批准"),
    "opinion": gettext_lazy("意见"),
    "kind": gettext_lazy("类型"),
    "ended": gettext_lazy("结束"),
    "level": gettext_lazy("等级"),
    "level_label": gettext_lazy("评价"),
    "bad": gettext_lazy("差评"),
    "materials": gettext_lazy("材料"),
    "marks": gettext_lazy("核对结果"),
    "items": gettext_lazy("补正事项"),
    "days": gettext_lazy("工作日"),
    "expected_days": gettext_lazy("预计工作日"),
    "accepted_on": gettext_lazy("受理日期"),
    "promised_due_date": gettext_lazy("承诺办结日期"),
    "due": gettext_lazy("期限"),
    "due_date": gettext_lazy("到期日期"),
    "written_opinion_due": gettext_lazy("书面意见期限"),
    "late": gettext_lazy("逾期"),
    "notice": gettext_lazy("文书编号"),
    "office": gettext_lazy("转办机关"),
    "referral_outcome": gettext_lazy("转办结果"),
    "method": gettext_lazy("方式"),
    "recipients": gettext_lazy("提醒对象"),
    "note": gettext_lazy("说明"),
    "reason": gettext_lazy("理由"),
    "reasons": gettext_lazy("理由"),
}
# Keys in the order above, then any other key as stored.
_DETAIL_ORDER = {key: index for index, key in enumerate(DETAIL_LABELS)}
# Technical keys (a dedupe key) that mean nothing to a reader.
HIDDEN_DETAILS = {"key", "rating_id"}
VALUE_LABELS = {
    "yellow": gettext_lazy("黄牌预警"),
    "red": gettext_lazy("红牌超时"),
    "received": gettext_lazy("已收齐"),
    "missing": gettext_lazy("缺少"),
    "defective": gettext_lazy("有误需补正"),
    "pending": gettext_lazy("待核对"),
    "window": gettext_lazy("窗口"),
    "online": gettext_lazy("网上"),
}


def _detail_value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dict):
        return "；".join(f"{key}：{_detail_value(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return "、".join(
            "：".join(str(part) for part in item) if isinstance(item, list | tuple) else str(item)
            for item in value
        )
    text = str(value)
    return str(VALUE_LABELS[text]) if text in VALUE_LABELS else text


def event_details(event: CaseEvent) -> list[tuple[str, str]]:
    """The event's details as (label, value) pairs a person can read."""
    items = sorted(
        (event.details or {}).items(),
        key=lambda pair: _DETAIL_ORDER.get(pair[0], len(_DETAIL_ORDER)),
    )
    return [
        (str(DETAIL_LABELS.get(key, key)), _detail_value(value))
        for key, value in items
        if key not in HIDDEN_DETAILS
    ]


def case_history(*, case: Case) -> QuerySet[CaseEvent]:
    """The whole log of the case, oldest first (the order it was written in)."""
    return case.events.select_related("actor", "on_behalf_of").order_by("at", "pk")


def case_history_rows(*, case: Case) -> list[dict[str, Any]]:
    return [
        {
            "event": event,
            "label": action_label(event.action),
            "details": event_details(event),
        }
        for event in case_history(case=case)
    ]


def case_steps(*, case: Case) -> QuerySet[CaseStep]:
    return case.steps.select_related(
        "department", "department__head__user", "claimed_by", "decided_by", "case_stage"
    ).order_by("case_stage__number", "order", "pk")


def case_step_rows(
    *, case: Case, now: datetime.datetime, calendar: WorkingCalendar | None = None
) -> list[dict[str, Any]]:
    """The case's steps with the light of the open ones."""
    calendar = calendar or working_calendar()
    rows = []
    for step in case_steps(case=case):
        light = None
        if step.status == CaseStep.Status.OPEN and step.due_at is not None:
            light = warning_light(
                calendar=calendar,
                now=now,
                deadline=step_deadline(step),
                yellow_days=settings.HALL_WARNING_YELLOW_DAYS,
            )
        rows.append({"step": step, "light": light})
    return rows


# --- people for the filters ---------------------------------------------------------------------


def clerks() -> QuerySet[User]:
    return User.objects.filter(groups__name="clerk", is_active=True).order_by("username")


def officers() -> QuerySet[User]:
    return (
        User.objects.filter(officer__isnull=False, is_active=True)
        .select_related("officer__department")
        .order_by("officer__department__code", "username")
    )


def warning_filter_choices() -> dict[str, list[tuple[int, str]]]:
    """The warnings filter's departments, officers (with their department) and clerks (with their
    login name) as (id, label) rows, one read each."""
    departments = [
        (pk, short_name or name)
        for pk, name, short_name in Department.objects.order_by("code").values_list(
            "pk", "name", "short_name"
        )
    ]
    staff = officers().values_list(
        "pk", "last_name", "first_name", "officer__department__name",
        "officer__department__short_name",
    )  # fmt: skip
    owners = clerks().values_list("pk", "last_name", "first_name", "username")
    return {
        "department": departments,
        "officer": [
            (pk, f"{last}{first}（{short_name or name}）")
            for pk, last, first, name, short_name in staff
        ],
        "owner": [(pk, f"{last}{first}（{username}）") for pk, last, first, username in owners],
    }


@dataclass(frozen=True)
class InstantShare:
    item: str
    item_code: str
    decided: int
    instant: int
    pending_reviews: int
    failed_reviews: int

    @property
    def percent(self) -> float:
        return 100 * self.instant / self.decided if self.decided else 0.0


def instant_shares() -> list[InstantShare]:
    """Per item marked for instant approval (秒批): decisions made, how many the system made
    instantly and their share, and the sampled ones still to review or found wanting."""
    Review = InstantApproval.Review
    items = (
        ServiceItem.objects.filter(instant_approval=True)
        .annotate(
            decided=Count(
                "cases__decision",
                filter=Q(cases__decision__decided_at__isnull=False),
                distinct=True,
            ),
            instant=Count("cases__instant_approval", distinct=True),
            pending=Count(
                "cases__instant_approval",
                filter=Q(cases__instant_approval__review=Review.PENDING),
                distinct=True,
            ),
            failed=Count(
                "cases__instant_approval",
                filter=Q(cases__instant_approval__review=Review.FAILED),
                distinct=True,
            ),
        )
        .order_by("code", "-version")
    )
    return [
        InstantShare(item.name, item.code, item.decided, item.instant, item.pending, item.failed)
        for item in items
    ]


def instant_reviews_pending(*, limit: int = LIST_LIMIT):
    """Instant approvals drawn for after-the-fact review (事后抽查), oldest first."""
    return (
        InstantApproval.objects.filter(review=InstantApproval.Review.PENDING)
        .select_related("case", "case__item", "case__applicant")
        .order_by("decided_at", "pk")[:limit]
    )
