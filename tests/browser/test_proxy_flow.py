"""亲友代办 in a real browser at a phone's width (issue 30): a daughter asks to act for her
father, types the code he reads her from his SMS, starts acting and sees the banner; the pages
are axe-clean, and the kiosk explains it at the kiosk's size. Screenshots proxy-*.png."""

from __future__ import annotations

import datetime

import pytest

from hall.models import ProxyAuthorisation
from tests.browser.conftest import screenshot, signed_in
from tests.browser.test_accessibility import _axe
from tests.dates import shanghai
from tests.hall.proxies.conftest import FATHER_ID, FATHER_PHONE, consent_code

PHONE = {"width": 390, "height": 844}
KIOSK = {"width": 1080, "height": 1920}


@pytest.fixture
def family(transactional_db, roles, time_machine, make_user, settings, tmp_path):
    from hall.models import Applicant
    from tests.factories import item_with_checklist
    from tests.hall.proxies.conftest import DAUGHTER_ID, DAUGHTER_PHONE

    time_machine.move_to(shanghai(2026, 10, 12))
    settings.HALL_SMS_BACKEND = "hall.platform.messaging.FileSmsBackend"
    settings.HALL_SMS_FILE = str(tmp_path / "sms.jsonl")
    Applicant.objects.create(kind="person", name="张大山", id_number=FATHER_ID, phone=FATHER_PHONE)
    daughter = make_user("daughter", "applicant", last_name="张小红")
    Applicant.objects.create(
        kind="person", name="张小红", id_number=DAUGHTER_ID, phone=DAUGHTER_PHONE, user=daughter
    )
    item = item_with_checklist(name="高龄津贴申领")
    return daughter, item, tmp_path / "sms.jsonl"


def assert_clean(page):
    problems = _axe(page)
    assert not problems, f"{page.url}: {problems}"


def test_a_daughter_asks_confirms_and_acts_for_her_father_on_a_phone(browser, live_server, family):
    daughter, _item, sms = family
    context = signed_in(browser, live_server, daughter, viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    page.goto("/me/")
    page.get_by_role("link", name="亲友代办").first.click()
    page.get_by_role("link", name="申请为亲友代办").click()
    assert_clean(page)
    page.get_by_label("被代办人姓名").fill("张大山")
    page.get_by_label("被代办人居民身份证号码").fill(FATHER_ID)
    page.get_by_label("与被代办人的关系").select_option("child")
    page.get_by_label("高龄津贴申领").check()
    page.get_by_label("授权截止日期").fill("2027-01-10")
    screenshot(page, "proxy-01-request-phone")
    page.get_by_role("button", name="发送验证码给被代办人").click()
    page.get_by_label("被代办人收到的短信验证码").fill(consent_code(sms, FATHER_PHONE))
    assert_clean(page)
    page.get_by_role("button", name="确认授权").click()
    assert "授权已生效" in page.content()
    assert_clean(page)
    screenshot(page, "proxy-02-list-phone")
    page.get_by_role("button", name="为 张大山 办理").click()
    banner = page.get_by_role("region", name="您正在为 张大山 代办")
    assert banner.is_visible()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert_clean(page)
    screenshot(page, "proxy-03-acting-phone")
    # the catalogue offers only what he authorised
    page.goto("/me/file/")
    assert "高龄津贴申领" in page.content()
    page.get_by_role("button", name="结束代办，回到我自己的办件").click()
    assert page.get_by_role("region", name="您正在为 张大山 代办").count() == 0
    assert ProxyAuthorisation.objects.get().valid_until == datetime.date(2027, 1, 10)
    context.close()


def test_the_kiosk_explains_it_to_elderly_visitors(page):
    page.set_viewport_size(KIOSK)
    page.goto("/kiosk/")
    page.get_by_role("link", name="亲友代办").click()
    assert "您和代办人带上两人的身份证" in page.content()
    assert_clean(page)
    screenshot(page, "proxy-04-kiosk")
