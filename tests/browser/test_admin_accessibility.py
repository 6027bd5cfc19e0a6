"""axe-core over the admin's add and change form of every registered model (issue 32), in
Chinese and English: no serious or critical violation. Django's own markup leaves some controls
unnamed (tabular inlines, split date-times, the two-box selector's icon, select2); the admin's
`static/js/admin-a11y.js` names them, and this test holds it to that."""

from __future__ import annotations

import contextlib

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from tests.browser.conftest import signed_in
from tests.browser.test_accessibility import AXE, _axe

LOCALES = {"zh": ("zh-CN", "zh-hans"), "en": ("en-US", "en")}


def admin_form_urls() -> list[str]:
    """Each model's add page and its first object's change page (where they exist)."""
    urls = []
    for model in admin.site._registry:
        meta = model._meta
        prefix = f"admin:{meta.app_label}_{meta.model_name}"
        with contextlib.suppress(NoReverseMatch):  # a model the admin never adds to
            urls.append(reverse(f"{prefix}_add"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"{prefix}_change", args=[first.pk]))
    return urls


@pytest.mark.parametrize("language", list(LOCALES))
def test_every_admin_add_and_change_form_has_no_serious_violation(
    browser, live_server, transactional_db, settings, tmp_path, language
):
    assert AXE.exists(), "npm ci installs axe-core"
    settings.HALL_VAR_DIR = str(tmp_path)
    call_command("seed_demo", verbosity=0)
    # every model's forms: the three administrators' shares together
    user = get_user_model().objects.get(username="admin")
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    locale, cookie = LOCALES[language]
    context = signed_in(browser, live_server, user, bypass_csp=True, locale=locale)
    context.add_cookies([{"name": "django_language", "value": cookie, "url": live_server.url}])
    page = context.new_page()
    visited, problems = 0, {}
    for url in admin_form_urls():
        answer = page.goto(live_server.url + url)
        if answer.status == 403:  # a record nobody adds here (the logs, the outbox)
            continue
        assert answer.status == 200, url
        page.wait_for_timeout(150)  # the admin's widgets build themselves after load
        visited += 1
        found = _axe(page)
        if found:
            problems[url] = found
    context.close()
    assert visited >= 30  # the forms of the catalogue, calendar, people, keys and the rest
    assert not problems, problems
