"""The supervisor's main path in a real browser, screenshots kept under artifacts/screenshots/.

Login → the dashboard (warnings, deemed approvals, bad ratings, years without calendar data) →
filter to red cards → remind from a warning → the case and its history → performance for
October–November 2026 with its charts and an export → serial against parallel, where the demo
construction permit tells the article's story (340 working days in series, 80 in parallel).
"""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from approvals.clock.calendar import working_calendar
from approvals.clock.deadlines import SHANGHAI
from approvals.models import CalendarYear, CaseDecision, CaseStep, ServiceItem
from approvals.reviews import steps as reviews_steps
from approvals.reviews import sweeps as reviews_sweeps
from hall.cases import applicants
from hall.demo.seed import demo_seed
from hall.demo.users import DEMO_PASSWORD
from hall.intake import decisions as intake_decisions
from hall.intake import receiving
from hall.intake.common import MaterialMark
from hall.models import Case, CaseEvent, RatingFollowUp, ServiceRating
from hall.roles import roles_sync
from tests.approvals.workflow_helpers import make_clerk, officer_of
from tests.browser.conftest import screenshot

CONSTRUCTION = "44030400-XK-0010"
ANSWERS = {"agent": "no", "basement": "no", "eia_report": "no", "large_site": "no"}


def at(day: datetime.date, hour: int = 16) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


def construction_case(item: ServiceItem, clerk) -> Case:
    applicant = applicants.applicant_register(
        kind="enterprise",
        name="深圳市福田建设发展有限公司",
        phone="13800138000",
        uscc="91350100M000100Y43",
        legal_representative="李四",
    )
    case = receiving.case_receive(
        submission_key=uuid.uuid4(),
        applicant=applicant,
        item=item,
        answers=ANSWERS,
        received_by=clerk,
        channel=Case.Channel.WINDOW,
        window=clerk.clerk.window,
    )
    intake_decisions.case_materials_check(
        case=case,
        clerk=clerk,
        marks={m.pk: MaterialMark("received") for m in case.materials.all()},
    )
    intake_decisions.case_accept(case=case, clerk=clerk)
    case.refresh_from_db()
    return case


def close_with_real_times(case: Case, *, start: datetime.date, pace: float) -> None:
    """Run the case's stages one after another from `start`, each step taking `pace` of its
    promised days (the slowest step ends the stage), then decide and close it."""
    calendar = working_calendar()
    opened = start
    for stage in case.stages.order_by("number"):
        ends = []
        for step in stage.steps.all():
            used = max(1, round(step.promised_days * pace * (1.3 if step.order == 1 else 1)))
            decided = calendar.add_working_days(opened, used)
            due = calendar.add_working_days(opened, step.promised_days)
            ends.append(decided)
            CaseStep.objects.filter(pk=step.pk).update(
                status=CaseStep.Status.APPROVED,
                opened_on=opened,
                decided_at=at(decided),
                due_date=due,
                due_at=at(due + datetime.timedelta(days=1), 0),
                late=decided > due,
            )
        opened = calendar.add_working_days(max(ends), 1)
    CaseDecision.objects.filter(case=case).update(decision="grant", decided_at=at(opened, 10))
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.CLOSED,
        accepted_on=start,
        closed_at=at(calendar.add_working_days(opened, 2), 11),
    )


@pytest.fixture
def hall(transactional_db):
    """The demo catalogue and logins, three construction cases closed in October and November
    2026, and open ones with a yellow and a red card, a deemed approval and a bad rating."""
    demo_seed()
    # the demo's own cards (its permit's red and yellow steps) put out of the way: this test
    # makes the ones it follows
    far = timezone.localdate() + datetime.timedelta(days=400)
    CaseStep.objects.filter(status=CaseStep.Status.OPEN).update(
        warn_on=far,
        due_date=far,
        due_at=at(far),
        warned_yellow_at=None,
        warned_red_at=None,
        deemed_approval=True,
    )
    clerk = make_clerk(roles_sync(), "clerk-browser")
    item = ServiceItem.objects.get(code=CONSTRUCTION)
    for index, pace in enumerate((0.45, 0.6, 0.75)):
        close_with_real_times(
            construction_case(item, clerk),
            start=datetime.date(2026, 7, 1) + datetime.timedelta(days=7 * index),
            pace=pace,
        )
    open_case = construction_case(item, clerk)
    steps = list(open_case.steps.filter(status=CaseStep.Status.OPEN).order_by("pk"))
    now, today = timezone.now(), timezone.localdate()
    red, yellow, deemed = steps[2], steps[0], steps[1]  # 生态环境 has no deemed approval
    CaseStep.objects.filter(pk=red.pk).update(
        warn_on=today - datetime.timedelta(days=6),
        due_date=today - datetime.timedelta(days=2),
        due_at=now - datetime.timedelta(days=1),
    )
    CaseStep.objects.filter(pk=yellow.pk).update(
        warn_on=today - datetime.timedelta(days=1),
        due_date=today + datetime.timedelta(days=1),
        due_at=at(today + datetime.timedelta(days=2), 0),
        warned_yellow_at=now,
    )
    reviews_steps.step_claim(step=yellow, officer=officer_of(yellow.department))
    CaseStep.objects.filter(pk=deemed.pk).update(due_at=now - datetime.timedelta(hours=1))
    reviews_sweeps.steps_deem_overdue_sweep()
    reviews_sweeps.steps_warn_sweep()
    rating = ServiceRating.objects.create(
        level=1,
        reason="材料要求前后不一致，跑了三趟",
        channel="online",
        case=Case.objects.filter(status=Case.Status.CLOSED).first(),
        department=item.lead_department,
        clerk=clerk,
    )
    RatingFollowUp.objects.create(rating=rating, due_date=today - datetime.timedelta(days=2))
    # a year without the State Council's notice that the open case's dates cross, whatever today
    # is (the dashboard warns about it)
    unknown_year = today.year + 5
    CalendarYear.objects.filter(year=unknown_year).delete()
    Case.objects.filter(pk=open_case.pk).update(calendar_assumed_years=[unknown_year])
    return {"case": open_case, "red": red, "item": item, "unknown_year": unknown_year}


def fits(page: Page) -> None:
    """Nothing widens the page past the viewport: wide tables scroll inside their own box."""
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths


def login(page: Page) -> None:
    page.goto("/accounts/login/?next=/supervision/")
    page.get_by_label("用户名").fill("supervisor")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="电子监察", exact=True)).to_be_visible()


@pytest.mark.parametrize("width", [1280, 800], ids=["desktop", "narrow"])
def test_supervisor_watches_reminds_and_compares(page: Page, hall, width):
    page.set_viewport_size({"width": width, "height": 900})
    shot = f"supervision-{width}"
    case = hall["case"]
    login(page)

    # The dashboard: red and yellow cards, the deemed approval, the bad rating, and the year
    # without holiday data
    warnings = page.locator("#warnings")
    expect(warnings.get_by_role("row")).to_have_count(3)  # header + red + yellow
    expect(warnings).to_contain_text("红牌超时")
    expect(warnings).to_contain_text("黄牌预警")
    expect(page.get_by_role("heading", name=re.compile("超时默许"))).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(str(hall["unknown_year"]))
    expect(page.get_by_role("alert")).to_contain_text("尚未录入该年节假日")
    ratings = page.locator(
        "section", has=page.get_by_role("heading", name=re.compile("差评与整改"))
    )
    expect(ratings).to_contain_text("已逾期")
    fits(page)
    screenshot(page, f"{shot}-01-dashboard")

    # Filter to red cards, submitting with the keyboard
    page.get_by_label("预警", exact=True).select_option("red")
    page.get_by_role("button", name="筛选").press("Enter")
    expect(warnings.get_by_role("row")).to_have_count(2)
    expect(warnings).not_to_contain_text("黄牌预警")
    fits(page)
    screenshot(page, f"{shot}-02-red-only")

    # Remind the people responsible from the warning; the list stays filtered
    warnings.get_by_role("button", name=re.compile("督办")).click()
    expect(page.get_by_role("status")).to_contain_text("已督办")
    assert CaseEvent.objects.filter(case=case, action="reminder").count() == 1
    assert "light=red" in page.url
    fits(page)
    screenshot(page, f"{shot}-03-reminded")

    # Open the case: steps with their cards and the whole log, the reminder last
    warnings.get_by_role("link", name=case.receipt_no, exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(case.receipt_no))).to_be_visible()
    history = page.locator("#case-history")
    expect(history.get_by_role("row").last).to_contain_text("督办提醒")
    expect(page.get_by_role("heading", name="部门审查")).to_be_visible()
    fits(page)
    screenshot(page, f"{shot}-04-case")

    # Performance for October and November 2026
    page.get_by_role("link", name="电子监察", exact=True).click()
    page.get_by_role("link", name="绩效统计").click()
    page.get_by_label("开始日期").fill("2026-06-01")
    page.get_by_label("结束日期").fill("2026-11-22")
    page.get_by_role("button", name="统计").click()
    expect(page.get_by_text("统计期间：2026-06-01 至 2026-11-22")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("每日在办与超期办件"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("各部门按时率"))).to_be_visible()
    departments = page.locator("#table-departments")
    expect(departments).to_contain_text("区住房建设局")
    fits(page)
    screenshot(page, f"{shot}-05-performance")
    link = page.get_by_role("link", name=re.compile(r"CSV.*部门绩效"))
    response = page.request.get(link.get_attribute("href"))
    assert response.ok and response.body().startswith(b"\xef\xbb\xbf")
    assert "filename*=UTF-8''" in response.headers["content-disposition"]

    # Serial against parallel: the demo construction permit, 340 against 80
    page.get_by_role("link", name="串联与并联").click()
    expect(page.get_by_role("heading", name="串联与并联审批")).to_be_visible()
    page.get_by_label("开始日期").fill("2026-06-01")
    page.get_by_label("结束日期").fill("2026-11-22")
    page.get_by_role("button", name="统计").click()
    expect(page.get_by_text("所选期间办结 3 件")).to_be_visible()
    expect(page.locator("blockquote")).to_contain_text("967个工作日")
    section = page.locator(
        "section", has=page.get_by_role("heading", name=re.compile("社会投资项目"))
    )
    expect(section.first).to_contain_text("串联 340 个工作日，并联 80 个工作日")
    expect(page.get_by_role("img", name=re.compile("关键路径：社会投资项目"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("从 967 个工作日到并联审批"))).to_be_visible()
    fits(page)
    screenshot(page, f"{shot}-06-serial-vs-parallel")
