"""容缺受理 in a real browser, screenshots under artifacts/screenshots/: the window clerk accepts a
filing with a secondary material missing on the signed commitment (a main material missing is
refused at the form), and the applicant supplies it online from the portal."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from approvals.models import MaterialRequirement
from hall.intake import receiving
from hall.models import Applicant, Case, Notice
from tests.approvals.workflow_helpers import department_with_staff
from tests.browser.conftest import scan, screenshot, signed_in
from tests.factories import ClerkFactory, item_with_stages

PASSWORD = "pw-Hall-2026!"


@pytest.fixture
def food_item(transactional_db, roles):
    msr = department_with_staff("MSR", "区市场监督管理局", roles)
    item = item_with_stages(
        [[(msr, 5)]], name="食品经营许可", lead_department=msr, promised_days=10
    )
    MaterialRequirement.objects.create(
        item=item, name="从业人员健康证明", form="copy", secondary=True, order=8
    )
    return item


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_window_tolerance_then_online_supplement(
    page: Page,
    browser,
    live_server,
    media,
    make_user,
    food_item,
    width,
):
    shot = f"tolerance-{width}"
    page.set_viewport_size({"width": width, "height": 1000})
    clerk = make_user("clerk-wang", "clerk", first_name="窗口", last_name="王")
    ClerkFactory(user=clerk)
    user = make_user("13800138000", "applicant", last_name="张三")
    applicant = Applicant.objects.create(
        kind="person", name="张三", id_number="11010519491231002X", phone="13800138000", user=user
    )
    case = receiving.case_receive(
        submission_key=uuid.uuid4(),
        applicant=applicant,
        item=food_item,
        answers={"agent": "no"},
        received_by=clerk,
        channel=Case.Channel.WINDOW,
        window=clerk.clerk.window,
    )

    page.goto("/accounts/login/?next=/window/")
    page.get_by_label("用户名").fill(clerk.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"/window/case/{case.receipt_no}/")

    def mark(name, label):
        page.get_by_role("group", name=f"{name}的核对结果").get_by_label(label).check()

    # a main material missing cannot be tolerated
    mark("申请表", "缺少")
    mark("身份证明", "已收齐")
    mark("从业人员健康证明", "缺少")
    page.locator("#tolerance summary").click()
    deadline = timezone.localdate() + datetime.timedelta(days=5)
    page.get_by_label("补齐期限").fill(deadline.isoformat())
    page.get_by_label("补齐方式").select_option(label="网上上传")
    page.get_by_label("申请人已签署容缺受理承诺书").check()
    screenshot(page, f"{shot}-01-window-form")
    page.get_by_role("button", name="容缺受理并出具容缺受理通知书").click()
    expect(page.get_by_role("alert")).to_contain_text("“申请表”是主要材料，不能容缺受理")
    screenshot(page, f"{shot}-02-main-material-refused")

    # only the secondary one missing: accepted with tolerance
    mark("申请表", "已收齐")
    mark("从业人员健康证明", "缺少")
    if not page.get_by_label("补齐期限").is_visible():
        page.locator("#tolerance summary").click()
    page.get_by_label("补齐期限").fill(deadline.isoformat())
    page.get_by_label("补齐方式").select_option(label="网上上传")
    page.get_by_label("申请人已签署容缺受理承诺书").check()
    page.get_by_role("button", name="容缺受理并出具容缺受理通知书").click()
    expect(page.locator("main")).to_contain_text("已出具容缺受理通知书")
    expect(page.get_by_role("heading", name="容缺受理：待补齐的材料")).to_be_visible()
    screenshot(page, f"{shot}-03-window-accepted")
    assert Notice.objects.filter(case=case, kind=Notice.Kind.TOLERANCE).exists()

    # the applicant supplies it online
    context = signed_in(browser, live_server, user)
    portal = context.new_page()
    portal.set_viewport_size({"width": width, "height": 1000})
    portal.goto(f"/me/case/{case.receipt_no}/")
    expect(portal.get_by_role("heading", name="容缺受理：请补齐以下材料")).to_be_visible()
    screenshot(portal, f"{shot}-04-portal-supplement")
    portal.get_by_label("从业人员健康证明").set_input_files(scan(media, "健康证.png"))
    portal.get_by_role("button", name="上传补齐").click()
    expect(portal.get_by_role("status")).to_contain_text("已上传补齐")
    screenshot(portal, f"{shot}-05-portal-supplied")
    context.close()
    material = case.materials.get(name="从业人员健康证明")
    assert material.supplied_via == "online" and not material.outstanding
