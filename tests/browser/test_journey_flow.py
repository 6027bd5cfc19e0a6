"""The citizen's journey in a real browser (issue 16): an appointment from booking to kiosk
check-in to the call; a courier delivery with its tracking number; a locker pick-up; a bad rating
through rectification and appeal; and each kiosk screen's idle return. Screenshots under
artifacts/screenshots/journey-*."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from approvals.models import CaseDecision
from approvals.reviews import delivery
from hall.models import (
    Appointment,
    AppointmentSlot,
    Case,
    Notification,
    QueueTicket,
    RatingFollowUp,
)
from hall.platform.secret_box import secret_unseal
from hall.queue import services as queue
from tests.approvals.workflow_helpers import (
    accepted_case,
    case_granted,
    department_with_staff,
    staged_item,
)
from tests.browser.conftest import screenshot, signed_in
from tests.factories import ClerkFactory, PersonFactory, ServiceItemFactory, WindowFactory

PHONE = {"width": 390, "height": 844}
KIOSK = {"width": 1080, "height": 1920}


@pytest.fixture
def hall(transactional_db, make_user, roles, settings, tmp_path):
    settings.HALL_VAR_DIR = str(tmp_path)
    window = WindowFactory(number="01", name="综合受理窗口", categories=["general"])
    clerk = make_user("clerk-wang", "clerk", first_name="窗口", last_name="王")
    ClerkFactory(user=clerk, window=window)
    user = make_user("13800138000", "applicant", last_name="张三")
    applicant = PersonFactory(user=user)
    return {"clerk": clerk, "user": user, "applicant": applicant, "tmp": tmp_path}


def test_a_booked_appointment_is_checked_in_at_the_kiosk_and_called_first(
    page: Page, browser, live_server, hall
):
    ServiceItemFactory(name="个体工商户登记", queue_category="general")
    portal = signed_in(browser, live_server, hall["user"], viewport=PHONE).new_page()
    portal.goto("/me/")
    portal.get_by_role("link", name=re.compile("预约办事")).first.click()
    portal.get_by_role("link", name="预约办事").click()
    portal.get_by_label("办理事项").select_option(label="个体工商户登记")
    portal.get_by_role("button", name="查看时段").click()
    portal.get_by_label(re.compile("^09:00")).check()
    screenshot(portal, "journey-01-booking-phone")
    portal.get_by_role("button", name="确认预约").click()
    expect(portal.get_by_role("status")).to_contain_text("预约成功")
    booked = Appointment.objects.get()
    expect(portal.locator("main")).to_contain_text(booked.code)
    screenshot(portal, "journey-02-my-appointments-phone")
    assert Notification.objects.filter(kind="appointment", body__contains=booked.code).exists()

    # The day comes: the slot starts in ten minutes (moved in the database; the browser's clock
    # is the machine's). Someone without an appointment is already waiting.
    start = timezone.now() + datetime.timedelta(minutes=10)
    AppointmentSlot.objects.filter(pk=booked.slot_id).update(
        starts_at=start, ends_at=start + datetime.timedelta(minutes=30)
    )
    Appointment.objects.filter(pk=booked.pk).update(day=timezone.localdate())
    walk_in = queue.ticket_issue(category="general")

    page.set_viewport_size(KIOSK)
    page.goto("/kiosk/")
    page.get_by_role("link", name=re.compile("预约签到")).click()
    page.get_by_label("预约码或身份证号").fill("WRONG123")
    page.get_by_role("button", name="签到取号").click()
    expect(page.get_by_role("alert")).to_contain_text("没有找到今天的预约")
    page.get_by_label("预约码或身份证号").fill(booked.code.lower())
    page.get_by_role("button", name="签到取号").click()
    expect(page.get_by_role("heading", name=re.compile("YA001"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("预约优先")
    screenshot(page, "journey-03-kiosk-checked-in")

    # The clerk calls: the booked ticket comes before the walk-in who came earlier
    desk = signed_in(browser, live_server, hall["clerk"]).new_page()
    desk.goto("/queue/")
    desk.get_by_role("button", name="叫下一位").click()
    expect(desk.locator("main")).to_contain_text("YA001")
    screenshot(desk, "journey-04-clerk-calls-booked")
    assert QueueTicket.objects.get(number="YA001").status == QueueTicket.Status.CALLED
    assert QueueTicket.objects.get(pk=walk_in.pk).status == QueueTicket.Status.WAITING
    board = desk.context.new_page()
    board.goto("/queue/board/")
    expect(board.locator("#board-rows")).to_contain_text("YA001")
    expect(board.locator("#board-rows")).to_contain_text("预约")


def _granted(hall, roles) -> Case:
    dept = department_with_staff("SC", "区市场监管局", roles)
    item = staged_item([[(dept, 5)]], lead_department=dept, name="食品经营许可")
    case = accepted_case(item, hall["clerk"])
    Case.objects.filter(pk=case.pk).update(applicant=hall["applicant"])
    case_granted(case, dept)
    return Case.objects.get(pk=case.pk)


def test_courier_delivery_with_tracking_then_a_locker_pick_up(
    page: Page, browser, live_server, hall, roles
):
    case = _granted(hall, roles)
    portal = signed_in(browser, live_server, hall["user"], viewport=PHONE).new_page()
    portal.goto(f"/me/case/{case.receipt_no}/")
    portal.get_by_label("快递送达").check()
    portal.get_by_label("寄递地址").fill("福田区福华路 1 号 张三 13800138000")
    portal.get_by_role("button", name="保存送达方式").click()
    expect(portal.get_by_role("status")).to_contain_text("已保存结果送达方式")

    clerk = signed_in(browser, live_server, hall["clerk"]).new_page()
    clerk.goto(f"/window/case/{case.receipt_no}/")
    expect(clerk.locator("#delivery-heading + *")).to_be_visible()
    expect(clerk.get_by_label("快递送达")).to_be_checked()  # the applicant's choice
    clerk.get_by_label("寄递企业").select_option("顺丰速运")
    screenshot(clerk, "journey-05-clerk-courier")
    clerk.get_by_role("button", name="登记送达并办结").click()
    expect(clerk.locator("main")).to_contain_text("已送达，办件已办结")
    decision = CaseDecision.objects.get(case=case)
    assert decision.delivery == "courier" and decision.tracking_no.startswith("HALL")

    portal.goto(f"/me/case/{case.receipt_no}/")
    expect(portal.locator("main")).to_contain_text(decision.tracking_no)
    expect(portal.locator("main")).to_contain_text("顺丰速运")
    screenshot(portal, "journey-06-portal-tracking-phone")

    # A second granted case goes to a locker; the code works once at the locker's screen
    second = _second_granted(hall, roles)
    delivery.case_deliver(case=second, clerk=hall["clerk"], method="locker", locker_cell="B-03")
    sms = Notification.objects.get(kind="pickup_code", case=second)
    code = secret_unseal(sms.sealed_secret)  # what the applicant's phone gets; stored sealed
    assert re.fullmatch(r"\d{8}", code) and code not in sms.body
    page.set_viewport_size(KIOSK)
    page.goto("/kiosk/locker/")
    page.get_by_label("取件码").fill(code)
    page.get_by_role("button", name="开柜取件").click()
    expect(page.get_by_role("status")).to_contain_text("B-03 号柜门已打开")
    screenshot(page, "journey-07-locker-opened")
    page.get_by_label("取件码").fill(code)
    page.get_by_role("button", name="开柜取件").click()
    expect(page.get_by_role("alert")).to_contain_text("取件码不正确或已使用")
    screenshot(page, "journey-08-locker-code-used")
    assert CaseDecision.objects.get(case=second).picked_up_at is not None


def _second_granted(hall, roles) -> Case:
    from departments.models import Department

    dept = Department.objects.get(code="SC")
    item = staged_item([[(dept, 5)]], lead_department=dept, name="公共场所卫生许可")
    case = accepted_case(item, hall["clerk"])
    case_granted(case, dept)
    return Case.objects.get(pk=case.pk)


def test_a_bad_rating_goes_through_rectification_and_appeal(
    page: Page, browser, live_server, hall, roles, make_user
):
    case = _granted(hall, roles)
    delivery.case_deliver(case=case, clerk=hall["clerk"], method="window")
    supervisor = make_user("sup-zhou", "supervisor", first_name="监察", last_name="周")

    portal = signed_in(browser, live_server, hall["user"], viewport=PHONE).new_page()
    portal.goto(f"/me/case/{case.receipt_no}/")
    portal.locator("#id_level").select_option(label="非常不满意")
    portal.get_by_role("button", name="提交评价").click()
    expect(portal.get_by_role("alert")).to_contain_text("理由")
    portal.locator("#id_level").select_option(label="非常不满意")
    portal.get_by_label("多次跑动、重复提交材料").check()
    portal.get_by_role("button", name="提交评价").click()
    expect(portal.get_by_role("status")).to_contain_text("感谢您的评价")
    follow_up = RatingFollowUp.objects.get()
    assert follow_up.rating.reason_codes == ["repeat"]

    desk = signed_in(browser, live_server, supervisor).new_page()
    desk.goto("/ratings/")
    desk.get_by_role("link", name=re.compile("非常不满意")).click()
    desk.get_by_label("整改措施").fill("核查材料清单，删去重复要求。")
    desk.get_by_role("button", name="提交").first.click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("整改中")
    answer = desk.locator("form", has=desk.get_by_role("heading", name="整改完成并答复"))
    answer.get_by_label("核实整改答复").fill("已删去重复材料要求，并向您致歉。")
    answer.get_by_role("button", name="提交").click()
    expect(desk.locator("form", has_text="回访情况")).to_contain_text("请先回访申请人")
    answer = desk.locator("form", has=desk.get_by_role("heading", name="整改完成并答复"))
    answer.get_by_label("回访情况").fill("电话回访，申请人表示理解。")
    answer.get_by_label("核实整改答复").fill("已删去重复材料要求，并向您致歉。")
    answer.get_by_role("button", name="提交").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("整改完成")
    screenshot(desk, "journey-09-rectified")

    follow_up.refresh_from_db()
    portal.goto(f"/ratings/appeal/{follow_up.link_token}/")
    portal.get_by_label("申诉内容").fill("重复材料仍在办事指南中。")
    portal.get_by_role("button", name=re.compile("提交申诉")).click()
    expect(portal.get_by_role("status")).to_contain_text("申诉已提交")
    screenshot(portal, "journey-10-appealed-phone")

    desk.reload()
    desk.get_by_label("申诉答复").fill("已同步更正办事指南。")
    desk.get_by_role("button", name="提交").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("已办结")
    follow_up.refresh_from_db()
    assert follow_up.status == RatingFollowUp.Status.CLOSED and follow_up.callback_note
    stats = page.context.new_page()
    stats.goto("/ratings/statistics/")
    expect(stats.locator("main")).to_contain_text("区市场监管局")
    screenshot(stats, "journey-11-statistics")


@pytest.mark.parametrize(
    "start", ["/kiosk/check-in/", "/kiosk/locker/", "/guide/kiosk/", "/lookup/?kiosk=1"]
)
def test_every_kiosk_screen_warns_then_returns_to_the_start(page: Page, hall, start):
    page.set_viewport_size(KIOSK)
    page.add_init_script("window.kioskIdleSeconds = 4")
    page.goto(start)
    expect(page.get_by_role("link", name=re.compile("返回首页"))).to_be_visible()
    field = page.locator("main input[type=text], main input:not([type])").first
    if field.count():
        field.fill("11010519491231002X")
    warning = page.get_by_role("alertdialog", name="还在办理吗？")
    expect(warning).to_be_visible(timeout=5_000)
    page.wait_for_url(re.compile(r"/kiosk/$"), timeout=10_000)
    expect(page.get_by_role("heading", name="欢迎办事")).to_be_visible()
    assert "11010519491231002X" not in page.content()
