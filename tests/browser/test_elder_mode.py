"""长辈版 in a real browser (issue 32): switched on at the kiosk's tile, every size 1.5×, the page
read aloud (the speech call observed), field labels read on focus, no horizontal scrolling at a
phone's width, axe-clean; screenshots under artifacts/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from approvals.demo.seed import demo_catalogue_seed
from hall.platform.sessions import ELDER_COOKIE
from tests.browser.conftest import screenshot, signed_in
from tests.browser.test_accessibility import _axe

KIOSK = {"width": 1080, "height": 1920}
# Speech is observed, not heard: the page's calls to speechSynthesis are recorded.
RECORD_SPEECH = """
window.__spoken = [];
if (typeof SpeechSynthesisUtterance === "undefined") {
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
}
const synth = window.speechSynthesis || {};
synth.speak = (u) => window.__spoken.push({text: u.text, lang: u.lang});
synth.cancel = () => {};
if (!("speechSynthesis" in window)) { window.speechSynthesis = synth; }
"""


def font_size(page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")


def test_elder_mode_at_the_kiosk_reads_aloud_and_holds_at_a_phones_width(page, roles):
    demo_catalogue_seed()
    page.context.add_init_script(RECORD_SPEECH)
    page.set_viewport_size(KIOSK)
    page.goto("/kiosk/")
    standard = font_size(page)
    tile = page.get_by_role("button", name="长辈模式")
    expect(tile).to_be_visible()
    tile.click()
    expect(page.locator("html")).to_have_class("elder-mode")
    assert font_size(page) >= 1.5 * standard
    expect(page.get_by_role("button", name="标准模式")).to_have_attribute("aria-pressed", "true")
    screenshot(page, "elder-01-kiosk")
    assert _axe(page) == []

    page.get_by_role("button", name="朗读").click()
    spoken = page.evaluate("window.__spoken")
    assert spoken and "欢迎办事" in spoken[0]["text"] and spoken[0]["lang"] == "zh-CN"
    expect(page.get_by_role("button", name="停止朗读")).to_have_attribute("aria-pressed", "true")

    page.goto("/lookup/?kiosk=1")
    expect(page.locator("html")).to_have_class("elder-mode")  # remembered across pages
    page.get_by_role("button", name="朗读").click()
    page.get_by_role("textbox", name="收件编号").focus()
    assert page.evaluate("window.__spoken.at(-1).text").startswith("收件编号")
    screenshot(page, "elder-02-lookup")
    assert _axe(page) == []

    # the simple path: the kiosk's menu and the guide open on the services used most
    page.goto("/kiosk/")
    expect(page.get_by_role("link", name="更多服务")).to_be_visible()
    expect(page.locator('a[href="/kiosk/rate/"]')).to_have_count(0)
    page.get_by_role("link", name="常用服务").click()
    expect(page.get_by_role("heading", name="常用服务")).to_be_visible()
    expect(page.locator(".guide-most-used > li")).to_have_count(6)
    screenshot(page, "elder-07-kiosk-most-used")
    assert _axe(page) == []

    for width in (390, 320):
        page.set_viewport_size({"width": width, "height": 844})
        for path in ("/guide/", "/guide/?all=1"):
            page.goto(path)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, (width, path, overflow)
    screenshot(page, "elder-03-guide-phone")
    assert _axe(page) == []
    page.goto("/guide/")
    screenshot(page, "elder-08-guide-most-used-phone")
    assert _axe(page) == []

    # the kiosk's idle reset brings the next visitor back to the standard mode
    page.set_viewport_size(KIOSK)
    page.goto("/kiosk/")
    page.evaluate(
        """async () => {
          const cookie = document.cookie.split('; ').find(c => c.startsWith('csrftoken='));
          await fetch('/kiosk/reset/',
                      {method: 'POST', headers: {'X-CSRFToken': cookie.split('=')[1]}});
        }"""
    )
    page.goto("/kiosk/")
    expect(page.locator("html")).not_to_have_class("elder-mode")


PHONE = {"width": 390, "height": 844}


@pytest.fixture
def elder_filing(transactional_db, roles, make_user, media):
    """An applicant with an account and an item whose form is long: three questions, three
    materials every applicant brings."""
    from approvals.models import IntakeQuestion, MaterialRequirement
    from hall.common.validators import id_number_check_char
    from hall.models import Applicant
    from tests.factories import ServiceItemFactory

    user = make_user("elder-applicant", "applicant", last_name="王秀兰")
    body = "44030419440315002"
    Applicant.objects.create(
        kind="person", name="王秀兰", id_number=body + id_number_check_char(body),
        phone="13800138123", user=user,
    )  # fmt: skip
    item = ServiceItemFactory(name="老年人福利补贴申请")
    for order, (key, text) in enumerate(
        [("living", "是否独居"), ("income", "是否领取养老金"), ("agent", "是否由亲友代为申请")]
    ):
        IntakeQuestion.objects.create(
            item=item, key=key, text=text, order=order, choices=[["yes", "是"], ["no", "否"]]
        )
    for order, name in enumerate(["居民身份证", "户口簿", "银行卡"], start=1):
        MaterialRequirement.objects.create(
            item=item, name=name, form=MaterialRequirement.Form.COPY, order=order
        )
    return user, item


def test_elder_mode_files_a_long_form_one_question_at_a_time(browser, live_server, elder_filing):
    """The simple path: one question per screen, where one is; a wrong form's every error
    summarised at the top, focused, and each link opening the screen of its field."""
    user, item = elder_filing
    context = signed_in(browser, live_server, user, viewport=PHONE)
    context.add_cookies([{"name": ELDER_COOKIE, "value": "1", "url": live_server.url}])
    page = context.new_page()
    page.goto(f"/me/file/item/{item.pk}/")
    expect(page.locator("html")).to_have_class("elder-mode")
    questions = page.locator("[data-question]")
    expect(questions.nth(0)).to_be_visible()
    expect(questions.nth(1)).to_be_hidden()
    expect(page.get_by_text("第 1 题，共 3 题")).to_be_visible()
    expect(page.get_by_role("button", name="下一步：上传材料")).to_be_hidden()
    screenshot(page, "elder-04-question-phone")
    assert _axe(page) == []

    # Skipping every question: the submit button comes with the last one
    page.get_by_role("button", name="下一题").click()
    page.get_by_role("button", name="下一题").click()
    expect(page.get_by_text("第 3 题，共 3 题")).to_be_visible()
    page.get_by_role("button", name="下一步：上传材料").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(3)  # every unanswered question, at once
    screenshot(page, "elder-05-question-errors-phone")
    summary.get_by_role("link", name="是否领取养老金").click()
    expect(page.get_by_text("第 2 题，共 3 题")).to_be_visible()

    # Answered one by one, going back once
    page.get_by_role("button", name="上一题").click()
    page.get_by_label("是否独居").select_option("yes")
    page.get_by_role("button", name="下一题").click()
    page.get_by_label("是否领取养老金").select_option("yes")
    page.get_by_role("button", name="下一题").click()
    page.get_by_label("是否由亲友代为申请").select_option("no")
    page.get_by_role("button", name="下一步：上传材料").click()

    # The materials one per screen; submitted with none chosen, every one is listed at the top
    expect(page.get_by_text("第 1 项，共 3 项")).to_be_visible()
    page.get_by_role("button", name="下一项").click()
    page.get_by_role("button", name="下一项").click()
    page.get_by_role("button", name="提交申报").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(3)
    expect(page.get_by_text("第 1 项，共 3 项")).to_be_visible()  # opened at the first error
    screenshot(page, "elder-06-upload-errors-phone")
    assert _axe(page) == []
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
