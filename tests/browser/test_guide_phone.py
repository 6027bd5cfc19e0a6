"""The guide's catalogue on a phone (issue 32): each item a card, its code in one piece, its
到现场次数 badge whole, nothing scrolled sideways; screenshot guide-phone-catalogue.png."""

from __future__ import annotations

from tests.browser.conftest import screenshot
from tests.factories import item_with_checklist


def test_the_catalogue_is_cards_on_a_phone_with_codes_unbroken(page, transactional_db):
    item_with_checklist(name="食品经营许可（新办）")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/guide/")
    code = page.locator(".guide-catalogue code").first
    line = page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight) || 24")
    assert code.bounding_box()["height"] <= line * 1.3  # one line, not broken in pieces
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    badge = page.locator(".guide-catalogue .badge").first
    box, cell = badge.bounding_box(), badge.locator("xpath=..").bounding_box()
    assert box["x"] + box["width"] <= cell["x"] + cell["width"] + 1  # not cut
    screenshot(page, "guide-phone-catalogue")
