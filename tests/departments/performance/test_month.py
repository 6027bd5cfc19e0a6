"""The month to date's figures kept by beat (`departments.performance.month`): the page's opening
view reads them without a report query, as of the moment they were taken; they are the figures
a live count gives, in the reader's language; stale or missing ones are counted afresh; any other
period is counted for its request."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from departments.performance import items, month, periods
from tests.departments.builders import at, bare_case

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

NOW = at(2026, 10, 14, 10)
MONTH = periods.Period(start=datetime.date(2026, 10, 1), end=datetime.date(2026, 10, 14))


@pytest.fixture
def on_the_14th(time_machine, settings):
    settings.HALL_SUPERVISION_FIGURES_SECONDS = 30  # the suite's own is 0: always fresh
    time_machine.move_to(NOW, tick=False)
    return time_machine


def received(table) -> int:
    return sum(row["received"] for row in table.rows)


def test_the_kept_figures_are_the_live_ones_read_without_a_query(
    on_the_14th, django_assert_num_queries
):
    item = bare_case(materials_received_at=at(2026, 10, 9)).item
    bare_case(item=item, materials_received_at=at(2026, 10, 13))
    refreshed = month.month_figures_refresh()

    with django_assert_num_queries(0):
        kept = month.month_figures_kept(now=NOW)

    assert kept.period == MONTH and kept.taken_at == NOW
    assert kept.items.rows == items.item_figures(period=MONTH).rows == refreshed.items.rows
    assert received(kept.items) == 2


def test_one_kept_copy_reads_in_each_language(on_the_14th, django_assert_num_queries):
    with translation.override("en"):
        month.month_figures_refresh()  # whoever refreshes, the copy holds the source strings
    with translation.override("zh-hans"), django_assert_num_queries(0):
        chinese = month.month_figures_kept(now=NOW)
    with translation.override("en"), django_assert_num_queries(0):
        english = month.month_figures_kept(now=NOW)
    assert chinese.items.title == "事项办理量与用时"
    assert english.items.title.isascii() and english.items.title != chinese.items.title
    assert chinese.items.columns[0].label == "事项" and english.items.columns[0].label.isascii()
    # the queue's sources are the catalogue's words, translated too
    assert [row["label"] for row in chinese.queue[0].rows] == ["预约", "现场取号"]
    assert all(row["label"].isascii() for row in english.queue[0].rows)


def test_stale_or_missing_figures_are_counted_afresh(on_the_14th):
    item = bare_case(materials_received_at=at(2026, 10, 9)).item
    month.month_figures_refresh()
    bare_case(item=item, materials_received_at=at(2026, 10, 14, 9))

    on_the_14th.move_to(NOW + datetime.timedelta(seconds=60), tick=False)
    assert received(month.month_figures_kept(now=NOW + datetime.timedelta(seconds=60)).items) == 1
    later = NOW + datetime.timedelta(seconds=61)  # past twice the interval: beat is down
    on_the_14th.move_to(later, tick=False)
    fresh = month.month_figures_kept(now=later)
    assert received(fresh.items) == 2 and fresh.taken_at == later
    # the next day's page never reads the day before's copy
    tomorrow = at(2026, 10, 15, 0, 1)
    on_the_14th.move_to(tomorrow, tick=False)
    assert month.month_figures_kept(now=tomorrow).period.end == datetime.date(2026, 10, 15)


def test_the_page_opens_on_the_kept_figures_and_counts_another_period_live(
    on_the_14th, client, make_user
):
    client.force_login(make_user("sup", "supervisor"))
    item = bare_case(materials_received_at=at(2026, 10, 9)).item
    month.month_figures_refresh()
    bare_case(item=item, materials_received_at=at(2026, 10, 13))

    opening = client.get(reverse("supervision:performance")).content.decode()
    assert "本月至今的数字统计于 2026-10-14 10:00:00" in opening
    assert received(opening_items(client)) == 1
    chosen = client.get(
        reverse("supervision:performance"), {"start": "2026-10-01", "end": "2026-10-13"}
    )
    assert "本月至今的数字统计于" not in chosen.content.decode()
    assert received(chosen.context["items"]) == 2


def opening_items(client):
    return client.get(reverse("supervision:performance")).context["items"]


def test_while_one_request_counts_afresh_the_others_show_the_stale_copy(on_the_14th):
    from django.core.cache import cache

    item = bare_case(materials_received_at=at(2026, 10, 9)).item
    month.month_figures_refresh()
    bare_case(item=item, materials_received_at=at(2026, 10, 14, 9))
    later = NOW + datetime.timedelta(seconds=61)
    on_the_14th.move_to(later, tick=False)

    cache.add(month.REFRESHING_KEY, 1, month.REFRESH_PATIENCE_S)  # another request counts
    stale = month.month_figures_kept(now=later)
    assert stale.taken_at == NOW and received(stale.items) == 1
    cache.delete(month.REFRESHING_KEY)  # it finished without storing (it failed, say)
    fresh = month.month_figures_kept(now=later)
    assert fresh.taken_at == later and received(fresh.items) == 2
    assert cache.get(month.REFRESHING_KEY) is None


def test_the_beat_task_keeps_the_months_figures(on_the_14th):
    from departments.performance.tasks import refresh_performance_month

    bare_case(materials_received_at=at(2026, 10, 9))
    assert datetime.datetime.fromisoformat(refresh_performance_month()) == NOW
    bare_case(materials_received_at=at(2026, 10, 10))
    assert received(month.month_figures_kept(now=NOW).items) == 1


def test_the_kept_figures_are_drawn_once_per_copy_and_language(on_the_14th, client, make_user):
    from unittest import mock

    from departments.performance.charts import figures

    client.force_login(make_user("sup", "supervisor"))
    bare_case(materials_received_at=at(2026, 10, 9))
    month.month_figures_refresh()
    url = reverse("supervision:performance")
    with mock.patch.object(figures, "trend_figure", wraps=figures.trend_figure) as drawn:
        first = client.get(url).content.decode()
        again = client.get(url).content.decode()
        section = '<section aria-labelledby="trend-heading"'
        assert drawn.call_count == 1
        assert first[first.index(section) :] == again[again.index(section) :]
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert drawn.call_count == 2 and "事项办理量与用时" not in english
        on_the_14th.move_to(NOW + datetime.timedelta(seconds=5), tick=False)
        month.month_figures_refresh()  # a new copy
        client.get(url)
        assert drawn.call_count == 3
