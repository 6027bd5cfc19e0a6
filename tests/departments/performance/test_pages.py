"""The performance and serial-versus-parallel pages: period form, charts with their tables,
export links, the article's story, and the notice on the SQLite fallback."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.clock.calendar import calendar_load_package_years
from departments.performance import periods as performance
from departments.performance import tables
from departments.performance.forms import PeriodForm
from tests.approvals.workflow_helpers import make_clerk, staged_item
from tests.departments.builders import at, bare_case, departments

DEFAULT = performance.Period(start=datetime.date(2026, 11, 1), end=datetime.date(2026, 11, 22))


@pytest.fixture
def supervisor_client(client, make_user):
    client.force_login(make_user("sup", "supervisor"))
    return client


def test_period_form():
    form, period = PeriodForm.period_from({}, default=DEFAULT)
    assert period == DEFAULT and not form.is_bound
    assert 'value="2026-11-01"' in str(
        form["start"].as_widget()
    )  # ISO, readable by <input type=date>

    form, period = PeriodForm.period_from(
        {"start": "2026-10-01", "end": "2026-10-31"}, default=DEFAULT
    )
    assert period == performance.Period(datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
    assert period.start_at.isoformat() == "2026-10-01T00:00:00+08:00"
    assert period.end_at.isoformat() == "2026-11-01T00:00:00+08:00"

    form, period = PeriodForm.period_from(
        {"start": "2026-10-31", "end": "2026-10-01"}, default=DEFAULT
    )
    assert period == DEFAULT and "结束日期不能早于开始日期。" in form.errors["end"]
    form, period = PeriodForm.period_from(
        {"start": "2024-01-01", "end": "2026-10-01"}, default=DEFAULT
    )
    assert period == DEFAULT and "统计期间最长 366 天。" in form.errors["end"]


def test_month_to_date_and_last_30_days():
    today = datetime.date(2026, 11, 22)
    assert performance.month_to_date(today) == performance.Period(datetime.date(2026, 11, 1), today)
    assert performance.last_30_days(today) == performance.Period(datetime.date(2026, 10, 24), today)


def test_the_pages_say_when_the_database_cannot_compute(supervisor_client):
    with mock.patch.object(tables, "performance_supported", return_value=False):
        for name in ("supervision:performance", "supervision:serial_parallel"):
            html = supervisor_client.get(reverse(name)).content.decode()
            assert "需要 PostgreSQL" in html
        export = supervisor_client.get(reverse("supervision:export", args=["departments", "csv"]))
        assert export.status_code == 404


@pytest.mark.postgres
def test_performance_page_has_charts_tables_and_exports(supervisor_client, roles):
    calendar_load_package_years()
    bare_case(owner=make_clerk(roles), materials_received_at=at(2026, 10, 9))
    html = supervisor_client.get(
        reverse("supervision:performance"), {"start": "2026-10-01", "end": "2026-10-31"}
    ).content.decode()
    assert "统计期间：2026-10-01 至 2026-10-31（共 31 天" in html
    assert html.count('role="img"') == 2
    assert '<title id="trend-title">每日在办与超期办件</title>' in html
    assert '<title id="on-time-title">各部门按时率</title>' in html
    for key in ("trend", "departments", "clerks", "items", "queue-categories", "queue-windows"):
        assert f'id="table-{key}"' in html
        assert f"/supervision/export/{key}.csv?start=2026-10-01&amp;end=2026-10-31" in html
        assert f"/supervision/export/{key}.xlsx?start=2026-10-01&amp;end=2026-10-31" in html
    assert '<th scope="row">王窗口' in html


@pytest.mark.postgres
def test_a_wrong_period_shows_the_default_with_an_error(supervisor_client):
    html = supervisor_client.get(
        reverse("supervision:performance"), {"start": "2026-10-31", "end": "2026-10-01"}
    ).content.decode()
    assert "统计期间有误" in html and 'aria-invalid="true"' in html
    today = timezone.localdate()
    assert f"统计期间：{today.replace(day=1):%Y-%m-%d} 至 {today:%Y-%m-%d}" in html


@pytest.mark.postgres
def test_serial_page_quotes_the_article_and_tells_the_story(supervisor_client, roles):
    planning, environment, fire = departments(roles, "区规划局", "区环保局", "区消防局")
    staged_item(
        [[(planning, 30), (environment, 20)], [(fire, 30)]],
        lead_department=planning,
        name="建设工程联合审批",
    )
    html = supervisor_client.get(reverse("supervision:serial_parallel")).content.decode()
    assert "需要967个工作日" in html and "11 个部门" in html
    assert "从 967 个工作日到并联审批" in html
    assert "串联 <strong>80</strong> 个工作日，并联 <strong>60</strong> 个工作日" in html
    assert "关键路径：建设工程联合审批" in html
    assert "瓶颈：第1阶段 区规划局 30天 → 第2阶段 区消防局 30天" in html
    assert "所选期间没有已办结的办件" in html
