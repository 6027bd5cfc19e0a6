"""axe-core (from the npm registry, node_modules/axe-core) over every page each role reaches, at
desktop and phone width, in Chinese and English: no serious or critical violation.

The pages are found the way a person finds them: from each role's landing page (and the public
ones), following the links on the page, two levels deep, one page per URL shape (a receipt
number or an id stands for all of its kind). Downloads, sign-out and language switches are not
followed.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from hall.demo.users import DEMO_LOGINS
from tests.browser.conftest import signed_in

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PUBLIC = [
    "/",
    "/kiosk/",
    "/kiosk/ticket/",
    "/kiosk/check-in/",
    "/kiosk/rate/",
    "/kiosk/locker/",
    "/kiosk/proxy/",
    "/guide/",
    "/guide/kiosk/",
    "/lookup/",
    "/lookup/?kiosk=1",
    "/register/",
    "/ratings/statistics/",
    "/orders/public/",
    "/orders/answers/",
    "/orders/kiosk/",
    "/licences/check/",
    "/me/login/",
    "/accounts/login/",
    "/no-such-page/",
]
SKIP = re.compile(
    r"(\.pdf|\.csv|\.xlsx|/export|/logout|/i18n/|/admin/.+/(add|delete|history)/|/api/|"
    r"/reset/|/files/|/sms/|/static/|/media/|\?format=|/board/feed)"
)
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
LOCALES = {"zh": "zh-CN", "en": "en-US"}
PAGES_PER_ROLE = 30


def _shape(path: str) -> str:
    """One page per URL shape: ids, receipt numbers and tokens stand for their kind."""
    path = re.sub(r"/[A-Z]{2}\d{8,}", "/<receipt>", path)
    path = re.sub(r"/\d+", "/<id>", path)
    return re.sub(r"/[\w:-]{20,}", "/<token>", path)


def _links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != base or SKIP.search(href):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _axe(page) -> list[dict]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def _crawl(context, base: str, start: list[str]) -> dict[str, list[dict]]:
    page = context.new_page()
    seen: set[str] = set()
    queue = [(url, 0) for url in start]
    problems: dict[str, list[dict]] = {}
    while queue and len(seen) < PAGES_PER_ROLE:
        url, depth = queue.pop(0)
        shape = _shape(url)
        if shape in seen:
            continue
        seen.add(shape)
        page.goto(base + url)
        page.wait_for_load_state("load")
        found = _axe(page)
        if found:
            problems[url] = found
        if depth < 2:
            queue.extend((link, depth + 1) for link in _links(page, base))
    page.close()
    assert seen, "nothing was visited"
    return problems


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.HALL_VAR_DIR = str(tmp_path)
    call_command("seed_demo", verbosity=0)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("language", list(LOCALES))
def test_every_page_of_every_role_has_no_serious_accessibility_violation(
    browser, live_server, demo, viewport, language
):
    from django.contrib.auth import get_user_model

    assert AXE.exists(), "npm ci installs axe-core"
    base = live_server.url
    problems: dict[str, dict[str, list[dict]]] = {}
    options = {
        "base_url": base,
        "locale": LOCALES[language],
        "timezone_id": "Asia/Shanghai",
        "viewport": VIEWPORTS[viewport],
        "bypass_csp": True,  # to inject axe itself; the pages' own scripts are unchanged
        "reduced_motion": "reduce",
    }
    anonymous = browser.new_context(**options)
    anonymous.add_cookies(
        [{"name": "django_language", "value": language.replace("zh", "zh-hans"), "url": base}]
    )
    found = _crawl(anonymous, base, PUBLIC)
    if found:
        problems["public"] = found
    anonymous.close()
    users = get_user_model().objects.filter(
        username__in=[d.account_username() for d in DEMO_LOGINS]
    )
    for user in users:
        context = signed_in(browser, live_server, user, **options)
        context.add_cookies(
            [{"name": "django_language", "value": language.replace("zh", "zh-hans"), "url": base}]
        )
        found = _crawl(context, base, ["/home/"])
        if found:
            problems[user.username] = found
        context.close()
    report = "\n".join(
        f"[{who}] {url}: {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}"
        for who, pages in problems.items()
        for url, violations in pages.items()
        for v in violations
    )
    assert not problems, f"{viewport}/{language}:\n{report}"
