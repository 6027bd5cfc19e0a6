"""The password-change page in a real browser: labelled fields, the rule shown before typing, a
weak password refused in Chinese at the field, a good one accepted; axe finds nothing serious."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import screenshot, signed_in
from tests.browser.test_accessibility import _axe


def test_a_clerk_changes_the_password_with_the_keyboard(browser, live_server, make_user):
    clerk = make_user("pw-browser-clerk", "clerk", last_name="王五")
    page = signed_in(browser, live_server, clerk).new_page()
    page.goto(f"{live_server.url}/window/")
    page.get_by_role("link", name="修改密码").click()
    expect(page.get_by_role("heading", name="修改密码")).to_be_visible()
    assert _axe(page) == []
    page.get_by_label("旧密码").fill("pw-Hall-2026!")
    page.get_by_label("新密码", exact=True).fill("王五王五王五王五王五王五")
    page.get_by_label("新密码确认").fill("王五王五王五王五王五王五")
    page.get_by_label("新密码确认").press("Enter")
    expect(page.locator(".invalid-feedback")).to_contain_text("不同的字符")
    screenshot(page, "password-change-refused")
    page.get_by_label("旧密码").fill("pw-Hall-2026!")
    page.get_by_label("新密码", exact=True).fill("秋天的银杏叶落满了山坡-2026")
    page.get_by_label("新密码确认").fill("秋天的银杏叶落满了山坡-2026")
    page.get_by_role("button", name="修改密码").click()
    expect(page.get_by_role("heading", name="密码已修改")).to_be_visible()
    screenshot(page, "password-change-done")
    clerk.refresh_from_db()
    assert clerk.check_password("秋天的银杏叶落满了山坡-2026")
