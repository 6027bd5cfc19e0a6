"""The trend from the open cases beat keeps (`departments.performance.open_cases`): the same
figures as counting every case, as of the moment they were kept, and no scan of the open cases
on the page."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from departments.models import FiguresSnapshot
from departments.performance import items, open_cases
from departments.performance.periods import Period
from hall.models import Case
from tests.departments.builders import at, bare_case, day

pytestmark = pytest.mark.django_db

WEEK = Period(start=day(2026, 10, 8), end=day(2026, 10, 14))


def figures(table):
    return [(row["day"].day, row["open"], row["overdue"]) for row in table.rows]


def cases_of_the_week():
    accepted = Case.Status.ACCEPTED
    # open throughout (two alike: one kept group of two), overdue from the 10th
    for _ in range(2):
        bare_case(status=accepted, accepted_on=day(2026, 9, 30), promised_due_date=day(2026, 10, 9))
    # closed the 13th and the 14th, one of them overdue before it closed
    bare_case(
        status=Case.Status.CLOSED,
        accepted_on=day(2026, 10, 9),
        promised_due_date=day(2026, 10, 12),
        closed_at=at(2026, 10, 13, 15),
    )
    bare_case(
        status=Case.Status.CLOSED,
        accepted_on=day(2026, 10, 10),
        promised_due_date=day(2026, 10, 11),
        closed_at=at(2026, 10, 14, 10),
    )
    # open, accepted in the week, not yet due
    bare_case(status=accepted, accepted_on=day(2026, 10, 12), promised_due_date=day(2026, 10, 30))


def test_the_kept_count_gives_the_figures_of_counting_every_case():
    cases_of_the_week()
    live = items.open_overdue_trend(period=WEEK)
    kept = open_cases.open_cases_refresh()
    assert kept.counts == [2, 1]  # two groups: the two alike, and the one of the 12th
    assert figures(items.open_overdue_trend(period=WEEK, open_cases=kept)) == figures(live)
    assert figures(live) == [
        (8, 2, 0), (9, 3, 0), (10, 4, 2), (11, 4, 2), (12, 5, 3), (13, 4, 3), (14, 3, 2),
    ]  # fmt: skip


def test_the_page_reads_the_kept_count_and_says_when(client, make_user, settings):
    settings.HALL_SUPERVISION_FIGURES_SECONDS = 30  # the suite's own default is "always fresh"
    cases_of_the_week()
    taken = open_cases.open_cases_refresh()
    # a case accepted after the count is not in the kept figures until beat counts again
    bare_case(
        status=Case.Status.ACCEPTED,
        accepted_on=day(2026, 10, 8),
        promised_due_date=day(2026, 11, 1),
    )
    kept = open_cases.open_cases_kept(now=timezone.now())
    assert kept.taken_at == taken.taken_at
    with CaptureQueriesContext(connection) as captured:
        table = items.open_overdue_trend(period=WEEK, open_cases=kept)
    assert figures(table)[0] == (8, 2, 0)
    assert "closed_at IS NULL" not in captured.captured_queries[-1]["sql"]
    client.force_login(make_user("sup-oc", "supervisor"))
    html = client.get("/supervision/performance/?start=2026-10-08&end=2026-10-14").content.decode()
    assert "在办件数统计于" in html
    assert timezone.localtime(taken.taken_at).strftime("%Y-%m-%d %H:%M:%S") in html


def test_a_missing_or_stale_count_is_taken_afresh(settings):
    settings.HALL_SUPERVISION_FIGURES_SECONDS = 30
    cases_of_the_week()
    now = timezone.now()
    assert not FiguresSnapshot.objects.filter(name=open_cases.NAME).exists()
    first = open_cases.open_cases_kept(now=now)  # none kept: counted now
    assert first.taken_at == now and sum(first.counts) == 3
    bare_case(
        status=Case.Status.ACCEPTED,
        accepted_on=day(2026, 10, 8),
        promised_due_date=day(2026, 11, 1),
    )
    fresh_enough = now + datetime.timedelta(seconds=2 * settings.HALL_SUPERVISION_FIGURES_SECONDS)
    assert open_cases.open_cases_kept(now=fresh_enough).taken_at == now
    stale = fresh_enough + datetime.timedelta(seconds=1)
    recounted = open_cases.open_cases_kept(now=stale)
    assert recounted.taken_at == stale and sum(recounted.counts) == 4


def test_the_beat_task_keeps_the_count():
    from departments.performance.tasks import refresh_performance_open_cases

    cases_of_the_week()
    refresh_performance_open_cases()
    snapshot = FiguresSnapshot.objects.get(name=open_cases.NAME)
    assert sum(snapshot.data["counts"]) == 3
