"""Playwright (sync API) against pytest-django's live server, driving Debian's Chromium.

Playwright cannot download its own browser here, so the tests launch /usr/bin/chromium
(installed by .ci/ensure-chromium). Without it the tests skip, except in CI, where they fail:
a CI run that silently skipped the browser would look green while testing nothing.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from PIL import Image

# The 免申即享 world's fixtures (department, officer, benefit, people) for its browser test.
from tests.hall.benefits.conftest import benefit, civil_affairs, officer, people  # noqa: F401

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(config, items):
    browser_dir = Path(__file__).resolve().parent
    for item in items:
        if browser_dir in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One headless Chromium for the whole run; each test gets its own context."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing; `make browser` (.ci/ensure-chromium) installs it"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio event loop running in the main thread for as long as
    # it is started. Django then refuses every synchronous ORM call made from that thread (the
    # test body and its fixtures) with SynchronousOnlyOperation, although nothing runs
    # concurrently: the loop only drives the browser. The flag is set only while Playwright runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A fresh browser context (no cookies) at desktop size, in Chinese, on Beijing time.

    The locale matters: LocaleMiddleware follows Accept-Language, and Chromium's default would
    show the English translation.
    """
    from approvals.clock.calendar import calendar_load_package_years

    # A transactional test before this one may have flushed the holiday rows that a data
    # migration loads; put them back so deadlines are computed as in production.
    calendar_load_package_years()
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1280, "height": 900},
        # Bootstrap drops its transitions then, so a screenshot never catches a fade half-way.
        reduced_motion="reduce",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG under artifacts/screenshots/ (git-ignored, kept by CI as artifacts)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (re.sub(r"[^\w.-]+", "-", name) + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def media(settings, tmp_path):
    """Uploads and notices in the test's own folder."""
    settings.STORAGES = {
        **django_settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    return tmp_path


def signed_in(browser, live_server, user, **options):
    """A browser context carrying the user's session (the sign-in has its own tests)."""
    client = Client()
    client.force_login(user)
    options = {
        "base_url": live_server.url,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        **options,
    }
    context = browser.new_context(**options)
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


def scan(tmp_path, name: str) -> str:
    """A white PNG "scan" to upload, its path."""
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (600, 400), "white").save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)
