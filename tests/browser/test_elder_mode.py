"""长辈版 in a real browser (issue 32): switched on at the kiosk's tile, every size 1.5×, the page
read aloud (the speech call observed), field labels read on focus, no horizontal scrolling at a
phone's width, axe-clean; screenshots under artifacts/screenshots/."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
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


def test_elder_mode_at_the_kiosk_reads_aloud_and_holds_at_a_phones_width(page):
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

    for width in (390, 320):
        page.set_viewport_size({"width": width, "height": 844})
        page.goto("/guide/")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (width, overflow)
    screenshot(page, "elder-03-guide-phone")
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
