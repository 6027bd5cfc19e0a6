"""长者优先 at the kiosk's size: the ID number field, a priority ticket, axe-clean; screenshots
elder-lane-*.png."""

from __future__ import annotations

from django.urls import reverse

from hall.models import QueueTicket
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import _axe

KIOSK = {"width": 1080, "height": 1920}


def test_an_elder_takes_a_priority_ticket(browser, live_server, transactional_db, settings):
    settings.HALL_QUEUE_ELDER_PRIORITY = True
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport=KIOSK,
        bypass_csp=True,
    )
    page = context.new_page()
    page.goto(reverse("kiosk:ticket_take"))
    page.get_by_label("70 周岁以上老人优先叫号").fill("11010519440315003X")
    assert not _axe(page)
    screenshot(page, "elder-lane-01-take")
    page.locator("button.kiosk-category").first.click()
    assert page.get_by_text("长者优先").is_visible()
    assert not _axe(page)
    screenshot(page, "elder-lane-02-ticket")
    context.close()
    assert QueueTicket.objects.get().elder
