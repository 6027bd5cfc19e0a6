"""Security headers on every page (ASVS V14.4): CSP without inline script, framing denied,
no sniffing, a same-origin referrer; and no template that the policy would break."""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR, "templates")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
EVENT_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/guide/", "/accounts/login/", "/lookup/", "/kiosk/"])
def test_pages_send_the_policy_and_the_hardening_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_no_template_has_inline_script_style_or_event_handlers():
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for pattern, what in (
            (INLINE_SCRIPT, "inline script"),
            (EVENT_ATTRIBUTE, "event attribute"),
            (re.compile(r"<style[\s>]"), "inline style"),
            (re.compile(r"\sstyle=\""), "style attribute"),
        ):
            if pattern.search(text):
                offenders.append(f"{template.relative_to(TEMPLATES)}: {what}")
    assert offenders == []
