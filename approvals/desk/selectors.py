"""Reads for the officer desk (部门审批台) and for the window's view of a case in approval.

Every lookup an officer makes is scoped to the officer's department: a row of another department
is simply not found, so the views answer 404 and ids cannot be probed. The inbox rows carry their
warning light (电子监察红黄牌) computed from the stored deadline with one calendar passed in, so a
page of any length costs the same number of queries.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Q, QuerySet

from approvals.clock.deadlines import (
    Light,
    WorkingCalendar,
    remaining_working_days,
    shanghai_date,
    warning_light,
)
from approvals.models import (
    CaseDecision,
    CaseStage,
    CaseStep,
    ServiceItem,
    StepExtension,
    StepSuspension,
)
from approvals.reviews.selectors import lead_tasks, step_deadline
from departments.models import Department, Officer
from hall.common.compiled import CompiledRead
from hall.common.paging import keyset_cursor, keyset_cursor_parse
from hall.models import Case, CaseMaterial, Notice

_OFFICER_OF = CompiledRead(
    lambda user_id: Officer.objects.select_related("department").filter(user_id=user_id)
)


def officer_of(*, user: User) -> Officer | None:
    """The user's officer profile with its department (and so whether they are its head)."""
    if not user.is_authenticated:
        return None
    found = _OFFICER_OF.read_all(user.pk)
    return found[0] if found else None


# --- the clock as stored on a step --------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """Where a step stands against its limit today."""

    light: Light | None  # None while the clock is stopped (no card is shown or sent then)
    remaining: int | None  # working days left; 0 on the due date, negative once overdue
    paused: bool

    @property
    def light_label(self) -> str:
        return self.light.label if self.light else ""

    @property
    def overdue_days(self) -> int:
        return -self.remaining if self.remaining is not None and self.remaining < 0 else 0


def step_clock(*, step: CaseStep, calendar: WorkingCalendar, now: datetime.datetime) -> Clock:
    """The step's card and working days left. A suspended step shows no card: its clock is
    stopped (Art. 45) and the warning sweep does not card it either."""
    if step.due_date is None or step.due_at is None:
        return Clock(light=None, remaining=None, paused=False)
    remaining = remaining_working_days(
        calendar=calendar, today=shanghai_date(now), due_date=step.due_date
    )
    if step.status == CaseStep.Status.SUSPENDED:
        return Clock(light=None, remaining=remaining, paused=True)
    light = warning_light(
        calendar=calendar,
        now=now,
        deadline=step_deadline(step),
        yellow_days=settings.HALL_WARNING_YELLOW_DAYS,
    )
    return Clock(light=light, remaining=remaining, paused=False)


@dataclass(frozen=True, slots=True)
class InboxStep:
    """What an inbox row shows of its step, read in one statement with its case, item, stage,
    applicant and claimer (no model instances: a page of fifty built as instances through
    `select_related(...).only(...)` cost more Python than PostgreSQL spent on it, issue 27).
    The names are the step's own where the template met them on the model (`pk`, `name`,
    `status`, the clock's fields), so `step_deadline` and `step_clock` read it as a step."""

    pk: int
    name: str
    status: str
    due_date: datetime.date | None
    due_at: datetime.datetime | None
    calendar_assumed_years: list
    opened_on: datetime.date | None
    promised_days: int
    receipt_no: str
    item_name: str
    stage_number: int
    stage_name: str
    applicant_name: str
    claimed_by_id: int | None
    claimed_by_name: str


def _inbox_step(values: tuple) -> InboxStep:
    # Django reads jsonb as text and decodes it in the field (JSONField.from_db_value); a raw
    # cursor gets the text
    years = values[5]
    years = json.loads(years) if isinstance(years, str) else years
    return InboxStep(*values[:5], years, *values[6:])


@dataclass(frozen=True, slots=True)
class InboxRow:
    step: InboxStep
    clock: Clock


INBOX_PAGE_SIZE = 50
SIDE_LIST_SIZE = 20  # lead decisions and owed written opinions shown on the desk's first screen
COUNT_CAP = 1000  # open steps counted exactly up to this; beyond it the desk says "1000+"
# One statement for a page of the inbox, in the order of the index step_department_open_due
# (department_id, due_at, id) WHERE status IN ('open', 'suspended'); the claimer is named as
# hall.common.people.display_name names a user (family name first, else the login name).
_INBOX_SQL = """
    SELECT s.id, s.name, s.status, s.due_date, s.due_at, s.calendar_assumed_years, s.opened_on,
           s.promised_days, c.receipt_no, i.name, g.number, g.name, a.name, s.claimed_by_id,
           COALESCE(NULLIF(TRIM(u.last_name || u.first_name), ''), u.username, '')
    FROM approvals_casestep s
    JOIN hall_case c ON c.id = s.case_id
    JOIN approvals_serviceitem i ON i.id = c.item_id
    JOIN hall_applicant a ON a.id = c.applicant_id
    JOIN approvals_casestage g ON g.id = s.case_stage_id
    LEFT JOIN auth_user u ON u.id = s.claimed_by_id
    WHERE s.department_id = %(department)s AND s.status IN ('open', 'suspended') {after}
    ORDER BY s.due_at, s.id
    LIMIT {limit}
"""
# A later page starts after the previous page's last row; the row comparison is an index
# condition on (due_at, id), so a page deep in the inbox costs what the first page costs.
_INBOX_AFTER = "AND (s.due_at, s.id) > (%(after_due)s, %(after_id)s)"
# Counted on the same index, only as far as COUNT_CAP (an index-only scan of at most 1,001
# entries; the former `pk__in` form joined each of them back to the table).
# Both limits are written into the SQL, not bound: with every constant but the department in
# the text, PostgreSQL settles on a generic plan of the prepared statement after five runs and
# stops planning it per request (a bound LIMIT kept it planning anew each time, ~2 ms; issue 27).
_INBOX_COUNT_SQL = """
    SELECT COUNT(*) FROM (
        SELECT 1 FROM approvals_casestep
        WHERE department_id = %(department)s AND status IN ('open', 'suspended')
        LIMIT {cap}
    ) counted
"""


@dataclass(frozen=True)
class InboxPage:
    """One keyset page of the inbox: the rows, the cursor of the next page (None on the last),
    whether this is the first page, and the open steps counted up to COUNT_CAP."""

    rows: list[InboxRow]
    next_cursor: str | None
    first: bool
    count: int
    count_capped: bool


def _cursor(step: CaseStep) -> str:
    return keyset_cursor(step.due_at, step.pk)


def inbox_page(
    *,
    department: Department,
    calendar: WorkingCalendar,
    now: datetime.datetime,
    after: str | None = None,
) -> InboxPage:
    """One page of the department's open steps, soonest deadline first, each with its card.

    Keyset paging on (due_at, id), the inbox's index order: a page deep in a 50,000-step inbox
    costs what the first page costs, and no query counts past COUNT_CAP rows. Two queries.
    """
    position = keyset_cursor_parse(after)
    parameters = {"department": department.pk}
    if position is not None:
        parameters["after_due"], parameters["after_id"] = position
    sql = _INBOX_SQL.format(
        after=_INBOX_AFTER if position is not None else "", limit=int(INBOX_PAGE_SIZE + 1)
    )
    # the step statuses the SQL names are CaseStep.OPEN_STATUSES (a test holds them equal)
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        found = [_inbox_step(values) for values in cursor.fetchall()]
        cursor.execute(
            _INBOX_COUNT_SQL.format(cap=int(COUNT_CAP + 1)), {"department": department.pk}
        )
        (counted,) = cursor.fetchone()
    more = len(found) > INBOX_PAGE_SIZE
    found = found[:INBOX_PAGE_SIZE]
    rows = [
        InboxRow(step=step, clock=step_clock(step=step, calendar=calendar, now=now))
        for step in found
    ]
    return InboxPage(
        rows=rows,
        next_cursor=_cursor(found[-1]) if more else None,
        first=position is None,
        count=min(counted, COUNT_CAP),
        count_capped=counted > COUNT_CAP,
    )


_LEAD_CASE_FIELDS = (
    "case", "case__receipt_no", "case__item", "case__item__name", "case__item__name_en",
    "case__applicant", "case__applicant__name",
)  # fmt: skip


def _stages_first(stages: QuerySet[CaseStage], limit: int) -> QuerySet[CaseStage]:
    """The oldest cases' stages first. A case's stages are written in the transaction that
    accepts it (`approvals.reviews.start.approval_start`), so their ids follow the cases'
    acceptance: ordered by id, the partial index (lead department, id) yields the first few
    without reading the others. Ordered by the case's acceptance time, every waiting stage of
    the department was joined to its case and sorted: 14 ms at 2,852 waiting (issue 27)."""
    return (
        stages.select_related("case__applicant")
        .only("id", "number", "name", *_LEAD_CASE_FIELDS)
        .order_by("pk")[: limit + 1]
    )


def _decisions_first(decisions: QuerySet[CaseDecision], limit: int) -> QuerySet[CaseDecision]:
    return (
        decisions.select_related("case__applicant")
        .only("id", "case__promised_due_date", *_LEAD_CASE_FIELDS)
        .order_by("case__promised_due_date", "pk")[: limit + 1]
    )


# The desk's side lists at their usual length, compiled once per process (hall.common.compiled):
# each is a four- or five-table read whose compilation cost more than running it, with no rows
# as much as with twenty (issue 27). The department's id is the only thing that changes, and the
# only thing bound: their states are written into the SQL, so PostgreSQL plans each once per
# connection on its partial index (stage_waiting_lead, step_opinion_owed), not once per request.
_LEAD_STAGES = CompiledRead(
    lambda department: _stages_first(lead_tasks(department=department)["stages"], SIDE_LIST_SIZE),
    constants_inline=True,
)
_LEAD_DECISIONS = CompiledRead(
    lambda department: _decisions_first(
        lead_tasks(department=department)["decisions"], SIDE_LIST_SIZE
    ),
    constants_inline=True,
)
_OWED_FIRST = CompiledRead(
    lambda department: written_opinions_owed(department=department).only(
        "id", "name", "written_opinion_due", "case", "case__receipt_no", "case__item",
        "case__item__name", "case__item__name_en", "case__applicant", "case_stage",
    )[: SIDE_LIST_SIZE + 1],
    constants_inline=True,
)  # fmt: skip
_EXTENSIONS_WAITING = CompiledRead(
    lambda department: extensions_waiting(department=department), constants_inline=True
)


def lead_work(*, department: Department, limit: int = SIDE_LIST_SIZE) -> dict[str, list]:
    """Stage decisions and final decisions waiting for the department as lead, the oldest
    `limit` of each (one more is read to tell whether there are more). Two queries."""
    if limit == SIDE_LIST_SIZE:
        return {
            "stages": _LEAD_STAGES.read_all(department.pk),
            "decisions": _LEAD_DECISIONS.read_all(department.pk),
        }
    tasks = lead_tasks(department=department)
    return {
        "stages": list(_stages_first(tasks["stages"], limit)),
        "decisions": list(_decisions_first(tasks["decisions"], limit)),
    }


def written_opinions_owed(*, department: Department | int) -> QuerySet[CaseStep]:
    """Deemed approvals (超时默许) whose written opinion the department still owes."""
    return (
        CaseStep.objects.filter(
            department=department,
            status=CaseStep.Status.DEEMED,
            written_opinion_at__isnull=True,
        )
        .select_related("case", "case__item", "case__applicant", "case_stage")
        .order_by("written_opinion_due", "pk")
    )


def written_opinions_owed_first(*, department: Department) -> list[CaseStep]:
    """The first SIDE_LIST_SIZE + 1 owed written opinions, with what the desk shows of them."""
    return _OWED_FIRST.read_all(department.pk)


def extensions_waiting(*, department: Department | int) -> QuerySet[StepExtension]:
    """Extension requests (Art. 42) waiting for the department head."""
    return (
        StepExtension.objects.filter(
            step__department=department, status=StepExtension.Status.REQUESTED
        )
        .select_related("step", "step__case", "step__case__item", "requested_by")
        .order_by("requested_at", "pk")
    )


def extensions_waiting_list(*, department: Department) -> list[StepExtension]:
    return _EXTENSIONS_WAITING.read_all(department.pk)


# --- one row, scoped to the department ----------------------------------------------------------


def step_of_department(*, step_id: int, department: Department) -> CaseStep | None:
    return (
        CaseStep.objects.select_related(
            "case",
            "case__item",
            "case__applicant",
            "case__owner",
            "case_stage",
            "department",
            "claimed_by",
            "decided_by",
        )
        .filter(pk=step_id, department=department)
        .first()
    )


def step_extension(*, step: CaseStep) -> StepExtension | None:
    return (
        StepExtension.objects.select_related("requested_by", "decided_by").filter(step=step).first()
    )


def step_suspensions(*, step: CaseStep) -> list[StepSuspension]:
    return list(
        step.suspensions.select_related("notice", "started_by", "ended_by").order_by(
            "starts_on", "pk"
        )
    )


def stage_of_lead(*, stage_id: int, department: Department) -> CaseStage | None:
    return (
        CaseStage.objects.select_related(
            "case", "case__item", "case__applicant", "case__owner", "lead_department", "decided_by"
        )
        .filter(pk=stage_id, lead_department=department)
        .first()
    )


def decision_of_lead(*, receipt_no: str, department: Department) -> CaseDecision | None:
    return (
        CaseDecision.objects.select_related(
            "case", "case__item", "case__applicant", "case__owner", "decided_by"
        )
        .filter(case__receipt_no=receipt_no, case__item__lead_department=department)
        .first()
    )


def extension_of_department(*, extension_id: int, department: Department) -> StepExtension | None:
    return (
        StepExtension.objects.select_related(
            "step",
            "step__department",
            "step__department__head",
            "step__case",
            "step__case__item",
            "step__case__applicant",
            "requested_by",
            "decided_by",
        )
        .filter(pk=extension_id, step__department=department)
        .first()
    )


def _cases_of_department(department: Department) -> Q:
    """Cases the department works on: it has a step, leads a stage, or leads the item."""
    return (
        Q(steps__department=department)
        | Q(stages__lead_department=department)
        | Q(item__lead_department=department)
    )


def material_of_department(*, material_id: int, department: Department) -> CaseMaterial | None:
    """A material of a case the department works on (for its scan)."""
    cases = Case.objects.filter(_cases_of_department(department)).values("pk")
    return CaseMaterial.objects.filter(pk=material_id, case__in=cases).first()


def notice_of_department(*, notice_id: int, department: Department) -> Notice | None:
    cases = Case.objects.filter(_cases_of_department(department))
    # a 一件事 application's notice is issued on its first case and covers every item
    groups = cases.filter(group__isnull=False).values("group_id")
    return (
        Notice.objects.filter(pk=notice_id)
        .filter(Q(case__in=cases.values("pk")) | Q(group_id__in=groups))
        .first()
    )


def joint_extensions_pending() -> QuerySet[StepExtension]:
    """Extensions of joint-handling cases waiting for the government head, oldest first."""
    return (
        StepExtension.objects.filter(
            status=StepExtension.Status.REQUESTED,
            step__case__item__handling_type=ServiceItem.HandlingType.JOINT,
        )
        .select_related("step__department", "step__case__item")
        .order_by("requested_at")
    )


def joint_extension(*, extension_id: int) -> StepExtension | None:
    return (
        StepExtension.objects.select_related(
            "step",
            "step__department",
            "step__case",
            "step__case__item",
            "step__case__applicant",
            "requested_by",
            "decided_by",
        )
        .filter(pk=extension_id, step__case__item__handling_type=ServiceItem.HandlingType.JOINT)
        .first()
    )
