"""The supervision dashboard: warnings with filters, deemed acceptances and approvals, one-time
breaches, bad ratings and their follow-ups, years without calendar data; only for supervisors."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.clock.deadlines import SHANGHAI
from approvals.models import CalendarYear, CaseStep
from approvals.reviews import steps, sweeps
from departments.supervision import selectors
from hall.models import Case, CaseEvent, Notification, RatingFollowUp, ServiceRating
from tests.approvals.workflow_helpers import accepted_case, make_clerk, officer_of, staged_item
from tests.departments.builders import bare_case, departments, set_step

URLS = [
    ("supervision:home", []),
    ("supervision:performance", []),
    ("supervision:serial_parallel", []),
    ("supervision:export", ["departments", "csv"]),
]


@pytest.fixture
def supervisor(make_user):
    return make_user("sup", "supervisor", last_name="监", first_name="察")


@pytest.fixture
def supervisor_client(client, supervisor):
    client.force_login(supervisor)
    return client


@pytest.mark.parametrize("role", ["clerk", "officer", "agent", "applicant"])
@pytest.mark.parametrize(("name", "args"), URLS)
def test_only_supervisors(client, make_user, role, name, args):
    client.force_login(make_user(f"u-{role}", role))
    assert client.get(reverse(name, args=args)).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, db):
    for response in (
        client.get(reverse("supervision:home")),
        client.post(reverse("supervision:remind", args=["X"])),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def endof(day: datetime.date) -> datetime.datetime:
    """`due_at` of a step due on `day`: 00:00 Shanghai the day after."""
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, SHANGHAI)


@pytest.fixture
def warned(roles):
    """Two cases of 规划 + 环保: one step yellow (due tomorrow, claimed by 规划's officer), one
    red (due three days ago, no deemed approval), the rest green."""
    planning, environment = departments(roles, "区规划局", "区环保局")
    wang, li = make_clerk(roles, "clerk-wang"), make_clerk(roles, "clerk-li")
    li.last_name, li.first_name = "李", "四"
    li.save()
    item = staged_item([[(planning, 5), (environment, 5)]], lead_department=planning)
    first, second = accepted_case(item, wang), accepted_case(item, li)
    today = timezone.localdate()
    yellow = first.steps.get(department=planning)
    steps.step_claim(step=yellow, officer=officer_of(planning))
    set_step(
        yellow,
        warn_on=today - datetime.timedelta(days=2),
        due_date=today + datetime.timedelta(days=1),
        due_at=endof(today + datetime.timedelta(days=1)),
        warned_yellow_at=timezone.now(),
    )
    red = second.steps.get(department=environment)
    set_step(
        red,
        deemed_approval=False,
        warn_on=today - datetime.timedelta(days=8),
        due_date=today - datetime.timedelta(days=3),
        due_at=endof(today - datetime.timedelta(days=3)),
    )
    return {
        "planning": planning,
        "environment": environment,
        "wang": wang,
        "li": li,
        "yellow": yellow,
        "red": red,
        "first": first,
        "second": second,
    }


def warning_receipts(html: str) -> list[str]:
    table = html.split('id="warnings"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row" class="fw-normal"><a href="[^"]+">([^<]+)</a>', table)


def test_warnings_list_with_lights_people_and_filters(supervisor_client, warned):
    html = supervisor_client.get(reverse("supervision:home")).content.decode()
    # the red one is the most urgent; both are listed with their card
    assert warning_receipts(html) == [warned["second"].receipt_no, warned["first"].receipt_no]
    assert "红牌超时" in html and "黄牌预警" in html
    assert "区规划局" in html and "区环保局" in html
    assert "逾期 " in html  # the red step's working days overdue
    officer = officer_of(warned["planning"])
    assert f"{officer.last_name}{officer.first_name}" in html  # who claimed the yellow one
    assert "未认领" in html  # nobody claimed the red one

    def filtered(**query):
        page = supervisor_client.get(reverse("supervision:home"), query).content.decode()
        return warning_receipts(page)

    assert filtered(light="red") == [warned["second"].receipt_no]
    assert filtered(light="yellow") == [warned["first"].receipt_no]
    assert filtered(department=warned["planning"].pk) == [warned["first"].receipt_no]
    assert filtered(officer=officer.pk) == [warned["first"].receipt_no]
    assert filtered(owner=warned["li"].pk) == [warned["second"].receipt_no]
    assert filtered(light="red", owner=warned["wang"].pk) == []


def test_warnings_come_a_page_at_a_time_with_the_filters_kept(
    supervisor_client, warned, monkeypatch
):
    # one row per page, so the two warned steps make two pages
    monkeypatch.setattr(selectors, "WARNING_LIMIT", 1)
    monkeypatch.setattr(selectors.warning_rows, "__kwdefaults__", {
        **selectors.warning_rows.__kwdefaults__, "limit": 1
    })  # fmt: skip
    url = reverse("supervision:home")
    first = supervisor_client.get(url).content.decode()
    assert warning_receipts(first) == [warned["second"].receipt_no]
    (next_href,) = re.findall(r'href="(\?[^"]*after=[^"]+)#warnings-heading"', first)
    second = supervisor_client.get(url + next_href.replace("&amp;", "&")).content.decode()
    assert warning_receipts(second) == [warned["first"].receipt_no]
    assert "下一页" not in second and "回到第一页" in second
    # a filter travels with the cursor: only the planning department's (yellow) step
    filtered = supervisor_client.get(url, {"department": warned["planning"].pk}).content.decode()
    assert warning_receipts(filtered) == [warned["first"].receipt_no]
    assert "after=" not in filtered  # one page only
    # a cursor anybody can edit is the first page, never an error
    for junk in ("x", "1e999_1", "9" * 50, "0_-1"):
        page = supervisor_client.get(url, {"after": junk})
        assert page.status_code == 200
    assert warning_receipts(supervisor_client.get(url, {"after": "x"}).content.decode()) == [
        warned["second"].receipt_no
    ]


def test_warning_rows_use_the_clock(warned):
    rows = selectors.warning_rows(now=timezone.now())
    lights = {row.step.pk: (row.light, row.remaining) for row in rows}
    assert lights[warned["red"].pk][0] == "red" and lights[warned["red"].pk][1] < 0
    assert lights[warned["yellow"].pk][0] == "yellow" and 0 <= lights[warned["yellow"].pk][1] <= 2
    counts = selectors.dashboard_counts(now=timezone.now())
    assert (counts["red"], counts["yellow"]) == (1, 1)
    assert selectors.warnings_by_department(now=timezone.now()) == [
        {"department": "区环保局", "red": 1, "yellow": 0},
        {"department": "区规划局", "red": 0, "yellow": 1},
    ]


def test_remind_from_a_warning_goes_back_to_the_filtered_list(supervisor_client, warned):
    red = warned["red"]
    back = reverse("supervision:home") + "?light=red"
    response = supervisor_client.post(
        reverse("supervision:remind", args=[warned["second"].receipt_no]),
        {"remind-step": red.pk, "remind-reminder_id": str(uuid.uuid4()), "next": back},
    )
    assert response.status_code == 302 and response["Location"] == back
    event = CaseEvent.objects.get(case=warned["second"], action="reminder")
    assert event.details["department"] == "区环保局"
    # both 环保 officers (nobody claimed it; the head is one of them) and the owner 李四
    told = set(
        Notification.objects.filter(kind="reminder").values_list(
            "recipient_user__username", flat=True
        )
    )
    assert told == {"s1-0", "s1-1", "clerk-li"}
    # an outside address is not followed
    response = supervisor_client.post(
        reverse("supervision:remind", args=[warned["second"].receipt_no]),
        {
            "remind-step": red.pk,
            "remind-reminder_id": str(uuid.uuid4()),
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == reverse("supervision:home")


def test_deemed_approvals_breaches_and_deemed_acceptances(supervisor_client, warned, supervisor):
    step = warned["yellow"]
    CaseStep.objects.filter(pk=step.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    assert sweeps.step_deem(step_id=step.pk)
    bare_case(owner=warned["wang"], deemed_accepted=True, accepted_on=timezone.localdate())
    html = supervisor_client.get(reverse("supervision:home")).content.decode()
    section = html.split('id="deemed-approval-heading"', 1)[1].split("</section>", 1)[0]
    assert warned["first"].receipt_no in section and "未补交，期限" in section
    deemed = html.split('id="deemed-heading"', 1)[1].split("</section>", 1)[0]
    assert "王窗口" in deemed


def test_bad_ratings_with_follow_ups_and_overdue_highlighted(supervisor_client, warned):
    today = timezone.localdate()
    overdue = ServiceRating.objects.create(
        level=1,
        reason="来回跑了三趟",
        channel="online",
        case=warned["first"],
        department=warned["planning"],
    )
    RatingFollowUp.objects.create(rating=overdue, due_date=today - datetime.timedelta(days=1))
    answered = ServiceRating.objects.create(
        level=2, reason="等太久", channel="online", case=warned["second"], clerk=warned["li"]
    )
    RatingFollowUp.objects.create(
        rating=answered, due_date=today - datetime.timedelta(days=5), status="answered"
    )
    ServiceRating.objects.create(level=5, channel="online", case=bare_case())
    html = supervisor_client.get(reverse("supervision:home")).content.decode()
    section = html.split('id="ratings-heading"', 1)[1].split("</section>", 1)[0]
    assert "来回跑了三趟" in section and "等太久" in section
    assert section.index("来回跑了三趟") < section.index("等太久")  # waiting first
    assert section.count("已逾期") == 1  # an answered follow-up is not overdue
    assert "待整改" in section and "整改完成" in section
    assert "非常满意" not in section
    assert "差评待处理（1 件逾期）" in html


def test_years_without_calendar_data_are_a_visible_warning(supervisor_client, warned):
    # Only the years this test sets, whatever year today's deadlines reach into.
    Case.objects.update(calendar_assumed_years=[])
    CaseStep.objects.update(calendar_assumed_years=[])
    CalendarYear.objects.filter(year__in=[2030, 2031]).delete()
    Case.objects.filter(pk=warned["first"].pk).update(calendar_assumed_years=[2030])
    set_step(warned["red"], calendar_assumed_years=[2031])
    CalendarYear.objects.create(year=2031, source="管理员录入")
    assumed = selectors.calendar_assumed()
    assert assumed.years == [{"year": 2030, "entered": False}, {"year": 2031, "entered": True}]
    assert (assumed.case_count, assumed.step_count) == (1, 1)
    assert {case.pk for case in assumed.cases} == {warned["first"].pk, warned["second"].pk}
    html = supervisor_client.get(reverse("supervision:home")).content.decode()
    section = html.split('id="calendar-heading"', 1)[1].split("</section>", 1)[0]
    assert "<strong>2030</strong> · 尚未录入该年节假日" in section
    assert "<strong>2031</strong> · 该年节假日现已录入，请复核这些期限" in section


def test_no_warning_when_every_year_is_known(supervisor_client, warned):
    # (whatever today's date made the clock cross into, these cases say nothing assumed)
    Case.objects.update(calendar_assumed_years=[])
    CaseStep.objects.update(calendar_assumed_years=[])
    assert not selectors.calendar_assumed()
    html = supervisor_client.get(reverse("supervision:home")).content.decode()
    assert 'id="calendar-heading"' not in html


def test_dashboard_totals_come_from_the_snapshot_and_say_when(supervisor_client, settings):
    """The totals are read from the snapshot beat keeps (no aggregate over the case tables per
    request); a snapshot older than twice the interval is recomputed by the page itself."""
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from departments.models import FiguresSnapshot
    from departments.supervision import figures

    settings.HALL_SUPERVISION_FIGURES_SECONDS = 30
    client = supervisor_client
    computed = timezone.now() - datetime.timedelta(seconds=20)
    FiguresSnapshot.objects.create(
        name=figures.NAME,
        computed_at=computed,
        data={
            "counts": {
                "red": 7,
                "yellow": 3,
                "deemed": 0,
                "deemed_accepted": 0,
                "follow_ups_waiting": 0,
                "follow_ups_overdue": 0,
                "breaches": 0,
            },
            "by_status": [{"code": "accepted", "total": 41}],
            "warnings_by_department": [],
        },
    )
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/supervision/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<span class="value">7</span>' in page and ">41</td>" in page
    assert timezone.localtime(computed).strftime("%H:%M:%S") in page
    counted = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"]]
    assert not [sql for sql in counted if "FILTER" in sql or "GROUP BY" in sql], counted
    # too old: the page recomputes (the real count is 0 red cards here) and stores it
    FiguresSnapshot.objects.filter(name=figures.NAME).update(
        computed_at=timezone.now() - datetime.timedelta(seconds=61)
    )
    response = client.get("/supervision/")
    assert '<span class="value">7</span>' not in response.content.decode()
    snapshot = FiguresSnapshot.objects.get(name=figures.NAME)
    assert snapshot.data["counts"]["red"] == 0
    assert timezone.now() - snapshot.computed_at < datetime.timedelta(seconds=5)


def test_the_lists_beside_the_warnings_are_kept_with_the_figures_snapshot(
    supervisor_client, warned, settings
):
    """Between two snapshots the page reads neither the lists nor their queries again; a new
    snapshot (beat's, every HALL_SUPERVISION_FIGURES_SECONDS) brings the lists up to date with
    the counts above them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from departments.supervision import figures

    settings.HALL_SUPERVISION_FIGURES_SECONDS = 30
    figures.supervision_figures_refresh()
    supervisor_client.get(reverse("supervision:home"))  # reads the lists and keeps them
    bare_case(owner=warned["wang"], deemed_accepted=True, accepted_on=timezone.localdate())

    def deemed_section() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as captured:
            html = supervisor_client.get(reverse("supervision:home")).content.decode()
        return html.split('id="deemed-heading"', 1)[1].split("</section>", 1)[0], len(captured)

    kept, kept_queries = deemed_section()
    assert "王窗口" not in kept  # as of the snapshot the page shows
    figures.supervision_figures_refresh()
    fresh, fresh_queries = deemed_section()
    assert "王窗口" in fresh
    assert kept_queries < fresh_queries  # the kept page ran none of the lists' queries
