"""免申即享 in a real browser (issue 30): the SMS link answered in one tap on a phone, and the
department's list confirmed on the desk; both axe-clean. Screenshots benefit-*.png."""

from __future__ import annotations

import pytest

from hall.benefits import finding
from hall.models import BenefitBatch, BenefitOffer
from tests.browser.conftest import screenshot, signed_in
from tests.browser.test_accessibility import _axe
from tests.dates import shanghai
from tests.hall.benefits.conftest import delivered_link

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def offered(transactional_db, time_machine, settings, tmp_path, benefit, people, officer):
    time_machine.move_to(shanghai(2026, 10, 12))
    settings.HALL_SMS_BACKEND = "hall.platform.messaging.FileSmsBackend"
    settings.HALL_SMS_FILE = str(tmp_path / "sms.jsonl")
    finding.benefit_offers_find()
    offer = BenefitOffer.objects.get()
    return offer, delivered_link(tmp_path / "sms.jsonl", offer)


def assert_clean(page):
    problems = _axe(page)
    assert not problems, f"{page.url}: {problems}"


def test_one_tap_on_a_phone_then_the_department_confirms(browser, live_server, offered, officer):
    offer, link = offered
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport=PHONE, bypass_csp=True
    )
    page = context.new_page()
    page.goto(link)
    assert "王**" in page.content() and "按月发放高龄津贴" in page.content()
    assert_clean(page)
    screenshot(page, "benefit-01-link-phone")
    page.get_by_role("button", name="确认领取").click()
    assert "已确认领取" in page.content()
    assert page.get_by_role("button", name="确认领取").count() == 0
    context.close()
    offer.refresh_from_db()
    assert offer.status == "confirmed"

    desk = signed_in(browser, live_server, officer, bypass_csp=True).new_page()
    desk.goto("/desk/benefits/")
    desk.get_by_role("link", name="高龄老人津贴").click()
    assert_clean(desk)
    desk.get_by_label("已核对名单、享受条件和政策依据，确认对名单中的对象准予").check()
    screenshot(desk, "benefit-02-desk")
    desk.get_by_role("button", name="确认名单，准予发放").click()
    assert "第 1 批名单已确认" in desk.content()
    assert BenefitBatch.objects.get().offers_count == 1
