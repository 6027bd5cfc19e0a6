"""Each supervision page runs the same number of queries whatever the amount of data."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals.clock.calendar import calendar_load_package_years
from approvals.reviews import sweeps as reviews
from departments.performance import open_cases
from departments.supervision import figures
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.models import Case, Notice, QueueTicket, RatingFollowUp, ServiceRating
from tests.approvals.workflow_helpers import accepted_case, make_clerk, officer_of, staged_item
from tests.departments.builders import at, bare_case, departments, set_step

pytestmark = pytest.mark.postgres

# Measured inside a test transaction: each report query also runs SAVEPOINT, SET LOCAL work_mem
# and RELEASE (outside a transaction, BEGIN/COMMIT are not counted, so a request runs fewer).
MAX_QUERIES = {
    # 27 with the Art. 44 list of licences still to issue, less the five aggregates the snapshot
    # replaced, plus the snapshot's read; plus the warned steps' people read by id, which took
    # three tables out of a nine-table join planned anew on each request (issue 27)
    "home": 24,
    "home_filtered": 24,
    # 14, plus the access log's row for the read of personal data and the reader's role in it
    # (issue 29: the person sees who looked, in which role)
    "case": 16,
    # 24 + the queue's appointments-and-walk-ins table + the read of the open cases beat keeps
    # (issue 27: the trend no longer counts every open case on each request)
    "performance": 26,
    "serial": 9,
    "export": 8,
}
PERIOD = {"start": "2026-10-01", "end": "2026-11-30"}


def pages(receipt_no: str, filters: dict) -> dict[str, tuple[str, dict]]:
    return {
        "home": (reverse("supervision:home"), {}),
        "home_filtered": (reverse("supervision:home"), filters),
        "case": (reverse("supervision:case", args=[receipt_no]), {}),
        "performance": (reverse("supervision:performance"), PERIOD),
        "serial": (reverse("supervision:serial_parallel"), PERIOD),
        "export": (reverse("supervision:export", args=["departments", "xlsx"]), PERIOD),
    }


def grow(roles, index: int, departments_, supervisor) -> Case:
    """One more of everything the pages list: a staged case with a warned, a deemed and a
    decided step, its events, a closed case, a bad rating with a follow-up, a breach, a ticket."""
    planning, environment, fire = departments_
    clerk = make_clerk(roles, f"clerk-{index}")
    item = staged_item([[(planning, 5), (environment, 5)], [(fire, 5)]], lead_department=planning)
    case = accepted_case(item, clerk)
    today = timezone.localdate()
    warned, deemed = case.steps.filter(case_stage__number=1).order_by("pk")
    set_step(
        warned,
        warn_on=today - datetime.timedelta(days=1),
        due_at=timezone.now() - datetime.timedelta(hours=1),
        deemed_approval=False,
        calendar_assumed_years=[2031],
    )
    set_step(deemed, due_at=timezone.now() - datetime.timedelta(hours=1))
    reviews.step_deem(step_id=deemed.pk)
    set_step(deemed, decided_at=at(2026, 10, 20), opened_on=datetime.date(2026, 10, 12))
    for number in range(3):
        event_record(case=case, action=CaseAction.WARNING, details={"light": "yellow", "n": number})
    closed = accepted_case(item, clerk)
    for step in closed.steps.all():
        set_step(
            step,
            status="approved",
            opened_on=datetime.date(2026, 10, 12),
            decided_at=at(2026, 10, 16),
        )
    Case.objects.filter(pk=closed.pk).update(status=Case.Status.CLOSED, closed_at=at(2026, 10, 28))
    rating = ServiceRating.objects.create(
        level=1, reason="慢", channel="online", case=closed, department=planning, clerk=clerk
    )
    RatingFollowUp.objects.create(rating=rating, due_date=today - datetime.timedelta(days=1))
    Notice.objects.create(
        case=case,
        kind=Notice.Kind.CORRECTION,
        number=f"补正-{index}",
        issued_at=at(2026, 10, 10),
        issued_by=clerk,
        pdf="notices/x.pdf",
        sha256="0" * 64,
        one_time_override_by=supervisor,
    )
    QueueTicket.objects.create(
        number=f"A{index:03d}",
        category="general",
        issued_on=datetime.date(2026, 10, 9),
        issued_at=at(2026, 10, 9, 9),
        status=QueueTicket.Status.DONE,
        window=clerk.clerk.window,
        clerk=clerk,
        called_at=at(2026, 10, 9, 9, 10),
        served_at=at(2026, 10, 9, 9, 11),
        finished_at=at(2026, 10, 9, 9, 20),
    )
    bare_case(
        owner=clerk, deemed_accepted=True, accepted_on=today, materials_received_at=at(2026, 10, 9)
    )
    return case


def count_queries(client, url: str, query: dict) -> int:
    client.get(url, query)  # the session's first request after sign-in also writes the session
    # the dashboard keeps its side lists with the figures snapshot: count the page that reads them
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200, url
    return len(captured)


def test_every_page_runs_a_constant_number_of_queries(client, make_user, roles, settings):
    # the dashboard's totals come from the snapshot beat refreshes (read in one query)
    settings.HALL_SUPERVISION_FIGURES_SECONDS = 30
    figures.supervision_figures_refresh()
    open_cases.open_cases_refresh()  # what beat keeps for the performance page
    calendar_load_package_years()
    supervisor = make_user("sup", "supervisor")
    client.force_login(supervisor)
    departments_ = departments(roles, "区规划局", "区环保局", "区消防局")
    first = grow(roles, 1, departments_, supervisor)
    filters = {"light": "red", "department": departments_[0].pk}
    filters["officer"] = officer_of(departments_[0]).pk

    small = {
        name: count_queries(client, url, query)
        for name, (url, query) in pages(first.receipt_no, filters).items()
    }
    for index in range(2, 6):
        departments(roles, f"区部门{index}", start=10 + index)
        grow(roles, index, departments_, supervisor)
    large = {
        name: count_queries(client, url, query)
        for name, (url, query) in pages(first.receipt_no, filters).items()
    }

    assert large == small
    for name, queries in large.items():
        assert queries <= MAX_QUERIES[name], (name, queries)


def test_django_assert_max_num_queries_on_the_dashboard(
    client, make_user, roles, django_assert_max_num_queries, settings
):
    settings.HALL_SUPERVISION_FIGURES_SECONDS = 30  # totals from the snapshot, as in production
    figures.supervision_figures_refresh()
    open_cases.open_cases_refresh()  # what beat keeps for the performance page
    calendar_load_package_years()
    supervisor = make_user("sup", "supervisor")
    client.force_login(supervisor)
    departments_ = departments(roles, "区规划局", "区环保局", "区消防局")
    for size in (1, 3):
        while Case.objects.filter(owner__username__startswith="clerk-").count() < size * 3:
            grow(roles, Case.objects.count() + 1, departments_, supervisor)
        client.get(reverse("supervision:home"))  # the first request writes the session
        with django_assert_max_num_queries(MAX_QUERIES["home"]):
            client.get(reverse("supervision:home"))
        with django_assert_max_num_queries(MAX_QUERIES["performance"]):
            client.get(reverse("supervision:performance"), PERIOD)
