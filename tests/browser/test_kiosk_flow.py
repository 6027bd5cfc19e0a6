"""A citizen at the kiosk and the hall's display board in a real browser; screenshots kept under
artifacts/screenshots/ (kiosk at 1080x1920 portrait, board at 1920x1080).

The citizen takes a ticket (one person is already waiting) → the board, already open, shows each
call within seconds without a reload and says "reconnecting" while its feed is down → a clerk
calls the citizen from the calling panel → after the visit the citizen rates it "不满意", first
without a reason (refused at the field), then with one → a follow-up is due in 5 working days.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from approvals.clock.calendar import working_calendar
from hall.models import QueueTicket, RatingFollowUp, ServiceRating
from hall.queue import selectors, services
from tests.browser.conftest import screenshot
from tests.factories import ClerkFactory, WindowFactory

PASSWORD = "pw-Hall-2026!"  # tests/conftest.py make_user
KIOSK = {"width": 1080, "height": 1920}
BOARD = {"width": 1920, "height": 1080}


@pytest.fixture
def clerk(make_user, transactional_db):
    user = make_user("clerk-wang", "clerk", first_name="窗口", last_name="王")
    ClerkFactory(
        user=user, window=WindowFactory(number="03", name="综合受理窗口", categories=["general"])
    )
    return user


def assert_touch_sized(page: Page) -> None:
    """Every visible link, button and field of the kiosk is at least 56px high and wide.

    Radio buttons and checkboxes are exempt: their labels, 88px high, take the touch.
    """
    small = page.evaluate(
        """() => Array.from(document.querySelectorAll(
              'body a, body button, body input, body select, body textarea'))
            .filter(el => el.offsetParent !== null && !['hidden', 'radio', 'checkbox']
                    .includes(el.type))
            .filter(el => !el.closest('.skip-link'))
            .map(el => [el.textContent.trim() || el.name || el.id, el.getBoundingClientRect()])
            .filter(([, box]) => box.height < 56 || box.width < 56)
            .map(([name, box]) => `${name}: ${Math.round(box.width)}x${Math.round(box.height)}`)"""
    )
    assert small == [], small


@pytest.fixture
def hall_screen(browser, live_server):
    """A second browser for the hall's screen and the clerk's desk, closed before the database
    goes away (the board keeps polling until then)."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport=BOARD,
        reduced_motion="reduce",
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


def test_citizen_takes_a_ticket_is_called_and_rates_the_visit(page: Page, hall_screen, clerk):
    someone_else = services.ticket_issue(category="general")

    # Given the hall's screen is showing the board
    board = hall_screen.new_page()
    board.goto("/queue/board/")

    # And a citizen at the kiosk's start screen
    page.set_viewport_size(KIOSK)
    page.goto("/kiosk/")
    expect(board.get_by_role("heading", name="叫号信息")).to_be_visible()
    expect(board.locator("#board-rows")).to_contain_text("暂无叫号")
    for tile in ("取号", "预约签到", "办事指南", "进度查询", "服务评价"):
        expect(page.get_by_role("link", name=re.compile(f"^{tile}"))).to_be_visible()
    expect(page.get_by_role("link", name="登录")).to_be_hidden()
    assert_touch_sized(page)
    screenshot(page, "kiosk-01-start")

    # When they take a ticket for the general window
    page.get_by_role("link", name=re.compile("^取号")).click()
    expect(page.get_by_role("heading", name="取号")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("综合窗口"))).to_contain_text("当前等候 1 人")
    assert_touch_sized(page)
    screenshot(page, "kiosk-02-categories")
    page.get_by_role("button", name=re.compile("综合窗口")).click()

    # Then the ticket shows the number, one person ahead and the default estimate
    expect(page.get_by_role("heading", name=re.compile("A002"))).to_be_visible()
    slip = page.get_by_role("region", name=re.compile("A002"))
    expect(slip).to_contain_text("前面等候")
    expect(slip).to_contain_text(f"约 {selectors.DEFAULT_SERVICE_MINUTES} 分钟")
    assert_touch_sized(page)
    screenshot(page, "kiosk-03-ticket")
    page.emulate_media(media="print")
    screenshot(page, "kiosk-04-ticket-print")
    page.emulate_media(media="screen")
    citizen = QueueTicket.objects.get(number="A002")
    expect(slip).to_contain_text(f"评价码 {citizen.check_code}")  # only the holder can rate

    # When the window calls the person ahead, the board shows it without a reload
    services.ticket_call_next(clerk=clerk)
    first_row = board.locator("#board-rows tr").first
    expect(first_row).to_contain_text("A001", timeout=10_000)
    expect(first_row).to_contain_text("03 号窗口")
    expect(board.locator("#board-announcer")).to_have_text("请 A001 号到 03 号窗口办理")
    services.ticket_finish(ticket=someone_else, clerk=clerk)

    # And while the board's feed is down it says so, discreetly, and recovers on its own
    board.route("**/queue/board/feed/", lambda route: route.abort())
    expect(board.get_by_role("status").filter(has_text="正在重新连接")).to_be_visible(
        timeout=10_000
    )
    screenshot(board, "board-02-reconnecting")
    board.unroute("**/queue/board/feed/")
    expect(board.locator("#board-connection")).to_be_hidden(timeout=20_000)

    # When the clerk calls the next person from the calling panel
    desk = hall_screen.new_page()
    desk.set_viewport_size({"width": 1280, "height": 900})
    desk.goto("/accounts/login/?next=/queue/")
    desk.get_by_label("用户名").fill(clerk.username)
    desk.get_by_label("密码").fill(PASSWORD)
    desk.get_by_role("button", name="登录").click()
    expect(desk.get_by_role("heading", name=re.compile("窗口叫号"))).to_be_visible()
    desk.get_by_role("button", name="叫下一位").click()
    expect(desk.get_by_role("status")).to_contain_text("已叫号：A002")
    screenshot(desk, "queue-01-clerk-panel")

    # Then the board puts A002 on top and announces it for screen readers
    expect(first_row).to_contain_text("A002", timeout=10_000)
    expect(board.locator("#board-announcer")).to_have_text("请 A002 号到 03 号窗口办理")
    screenshot(board, "board-01-called")
    desk.get_by_role("button", name="开始办理").click()
    desk.get_by_role("button", name="办结").click()
    expect(desk.get_by_role("status")).to_contain_text("A002 已办结")
    board.close()
    citizen.refresh_from_db()
    assert citizen.status == QueueTicket.Status.DONE and citizen.clerk == clerk

    # When the citizen rates the visit "不满意" without a reason, the field says why
    page.get_by_role("button", name="完成").click()
    expect(page.get_by_role("heading", name="欢迎办事")).to_be_visible()
    page.get_by_role("link", name=re.compile("服务评价")).click()
    page.get_by_label("排队号码").fill("a2")
    page.get_by_label("评价码").fill(citizen.check_code)
    page.get_by_label("不满意", exact=True).check()
    page.get_by_role("button", name="提交评价").click()
    reason = page.get_by_label("评价理由")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_have_accessible_description(re.compile("请选择常见问题或填写评价理由"))
    expect(page.get_by_role("alert")).to_contain_text("评价理由")
    assert_touch_sized(page)
    screenshot(page, "kiosk-05-rate-error")
    assert not ServiceRating.objects.exists()

    # And with a reason it is accepted, and a follow-up is due in 5 working days
    page.get_by_label("等候时间过长").check()
    reason.fill("叫号后窗口无人")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_role("heading", name="感谢您的评价")).to_be_visible()
    rating = ServiceRating.objects.get()
    assert rating.ticket == citizen and rating.level == 2 and rating.clerk == clerk
    assert rating.reason == "等候时间过长；叫号后窗口无人"
    follow_up = RatingFollowUp.objects.get(rating=rating)
    assert follow_up.due_date == working_calendar().add_working_days(timezone.localdate(), 5)
    expect(page.get_by_role("status")).to_contain_text(f"{follow_up.due_date:%Y年%-m月%-d日}")
    screenshot(page, "kiosk-06-rated")
    page.get_by_role("button", name="完成").click()
    expect(page.get_by_role("heading", name="欢迎办事")).to_be_visible()


def test_an_idle_kiosk_warns_then_returns_to_the_start_and_ends_the_session(page: Page, clerk):
    page.set_viewport_size(KIOSK)
    page.add_init_script("window.kioskIdleSeconds = 4")
    page.goto("/kiosk/ticket/")
    page.get_by_role("button", name=re.compile("社会事务")).click()
    expect(page.get_by_role("heading", name=re.compile("D001"))).to_be_visible()

    warning = page.get_by_role("alertdialog", name="还在办理吗？")
    expect(warning).to_be_visible(timeout=5_000)
    expect(warning.get_by_role("button", name="继续办理")).to_be_focused()
    screenshot(page, "kiosk-07-idle-warning")
    warning.get_by_role("button", name="继续办理").click()
    expect(warning).to_be_hidden()

    # Left alone again, the kiosk goes home and the session (with the ticket taken) is gone
    page.wait_for_url(re.compile(r"/kiosk/$"), timeout=10_000)
    expect(page.get_by_role("heading", name="欢迎办事")).to_be_visible()
    assert 'data-enabled="0"' in page.content()
