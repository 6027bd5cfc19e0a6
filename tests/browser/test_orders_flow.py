"""接诉即办 in a real browser, on the demo's orders: the clerk's desk and an order's page at
desktop and phone width, receiving a complaint with every error in one round, the department's
view with the contact masked, the citizen's call-back page on a phone, the figures and the
public list — each axe-clean (serious or critical), screenshots orders-*.png."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from hall.models import WorkOrder
from tests.browser.conftest import screenshot, signed_in
from tests.browser.test_accessibility import _axe
from tests.dates import shanghai

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(transactional_db, time_machine):
    time_machine.move_to(shanghai(2026, 3, 11, 10))
    call_command("seed_demo")
    return get_user_model().objects


def assert_clean(page):
    problems = _axe(page)
    assert not problems, f"{page.url}: {problems}"


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_clerk_receives_and_leads_an_order(browser, live_server, demo):
    context = signed_in(browser, live_server, demo.get(username="clerk"))
    page = context.new_page()
    page.goto(reverse("orders:desk"))
    assert page.get_by_role("heading", name="我首接负责的工单").is_visible()
    assert_clean(page)
    screenshot(page, "orders-01-desk")

    page.goto(reverse("orders:receive"))
    page.get_by_label("联系电话").fill("12")
    page.get_by_role("button", name="受理").click()
    errors = page.locator(".invalid-feedback")
    assert errors.count() >= 3  # title, content and the phone, at once
    assert_clean(page)
    screenshot(page, "orders-02-receive-errors")
    page.get_by_label("诉求标题").fill("窗口排队太久")
    page.get_by_label("诉求内容").fill("周一上午排队两小时。")
    page.get_by_label("联系电话").fill("13912349999")
    page.get_by_role("button", name="受理").click()
    assert page.get_by_text("您是首接责任人").is_visible()
    assert_clean(page)
    screenshot(page, "orders-03-received")
    context.close()

    vending = WorkOrder.objects.get(title="福华路小区门口占道经营")
    phone = signed_in(browser, live_server, demo.get(username="clerk"), viewport=PHONE)
    page = phone.new_page()
    page.goto(reverse("orders:detail", args=[vending.number]))
    no_sideways_scroll(page)
    assert_clean(page)
    screenshot(page, "orders-04-order-phone")
    phone.close()


def test_the_department_sees_its_part_and_the_contact_masked(browser, live_server, demo):
    order = WorkOrder.objects.get(title="审批人员答复不耐烦")
    context = signed_in(browser, live_server, demo.get(username="officer-scjg"))
    page = context.new_page()
    page.goto(reverse("orders:detail", args=[order.number]))
    assert page.get_by_role("heading", name="答复（本部门）").is_visible()
    assert "13912340004" not in page.content()
    assert_clean(page)
    screenshot(page, "orders-05-department")
    context.close()


def test_the_citizen_answers_the_call_back_on_a_phone(browser, live_server, demo):
    from hall.orders import services

    clerk = demo.get(username="clerk")
    order = WorkOrder.objects.get(title="居住证续签要带什么材料")
    services.order_reply(order=order, actor=clerk, reply="携带身份证和居住登记凭证到窗口办理。")
    services.order_close(order=order, actor=clerk)
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE
    )
    page = context.new_page()
    page.goto(reverse("orders:callback", args=[order.callback_token]))
    no_sideways_scroll(page)
    assert_clean(page)
    screenshot(page, "orders-06-callback-phone")
    page.get_by_label("已解决").check()
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="提交").click()
    assert page.get_by_text("谢谢您的评价").is_visible()
    order.refresh_from_db()
    assert order.resolved is True and order.satisfaction == "satisfied"
    page.goto(reverse("orders:public"))
    assert_clean(page)
    context.close()


def test_the_supervisor_reads_the_figures_in_english_too(browser, live_server, demo):
    for locale in ("zh-CN", "en-US"):
        context = signed_in(browser, live_server, demo.get(username="supervisor"), locale=locale)
        page = context.new_page()
        page.goto(reverse("orders:figures"))
        assert_clean(page)
        screenshot(page, f"orders-07-figures-{locale}")
        context.close()


def test_a_citizen_reports_at_the_kiosk_and_on_the_phone(browser, live_server, demo):
    kiosk = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1080, "height": 1920},
    )
    page = kiosk.new_page()
    page.goto(reverse("kiosk:start"))
    page.get_by_role("link", name="我要反映").click()
    page.get_by_label("一句话说明问题").fill("自助机打印不出来")
    page.get_by_label("详细情况").fill("三号自助机打印时卡纸。")
    page.get_by_label("手机号码").fill("13912348888")
    assert_clean(page)
    screenshot(page, "orders-08-kiosk")
    page.get_by_role("button", name="提交").click()
    assert page.get_by_role("heading", name="已收到，谢谢您").is_visible()
    kiosk.close()

    applicant = next(u for u in demo.all() if hasattr(u, "applicant"))
    phone = signed_in(browser, live_server, applicant, viewport=PHONE)
    page = phone.new_page()
    page.goto(reverse("portal:home"))
    page.get_by_role("link", name="我要反映").click()
    page.get_by_label("一句话说明问题").fill("窗口叫号听不清")
    page.get_by_label("详细情况").fill("叫号广播声音太小。")
    page.get_by_role("button", name="提交").click()
    assert page.get_by_text("窗口叫号听不清").is_visible()
    no_sideways_scroll(page)
    assert_clean(page)
    screenshot(page, "orders-09-portal-phone")
    phone.close()
