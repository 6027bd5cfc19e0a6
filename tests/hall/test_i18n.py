"""English UI through Django i18n: Chinese (zh-hans) is the source language, English comes from
locale/en/LC_MESSAGES/django.po. The catalogue must be complete, and the pages must switch
language by Accept-Language and by the language switch (the set_language view)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import trans_real

from tests.factories import ServiceItemFactory

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


@pytest.fixture(scope="session", autouse=True)
def english_compiled():
    """The .mo is git-ignored and built by `make install` (compilemessages); build it here when
    it is missing or older than the .po, and drop any catalogue Django has already loaded."""
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        call_command(
            "compilemessages", locale=["en"], ignore_patterns=[".venv", "node_modules"], verbosity=0
        )
        trans_real._translations = {}
        trans_real._default = None
    assert MO.exists()


# --- the catalogue ----------------------------------------------------------------------------


def _unquote(line: str) -> str:
    return ast.literal_eval(line)


def po_entries(path: Path) -> list[dict]:
    """The entries of a .po file: flags, msgid, msgid_plural and every msgstr (a simple parser:
    entries are separated by blank lines; obsolete `#~` entries are skipped)."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        entry: dict = {"flags": set(), "msgstr": {}}
        field = None
        for line in lines:
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                if field[0] == "msgstr":
                    entry["msgstr"][field[1]] += _unquote(line)
                else:
                    entry[field[0]] += _unquote(line)
            else:
                keyword, _, value = line.partition(" ")
                match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
                if match or keyword == "msgstr":
                    field = ("msgstr", int(match.group(1)) if match else 0)
                    entry["msgstr"][field[1]] = _unquote(value)
                else:
                    field = (keyword, None)
                    entry[keyword] = _unquote(value)
        entries.append(entry)
    return entries


def test_the_english_catalogue_has_no_untranslated_or_fuzzy_entries():
    entries = [entry for entry in po_entries(PO) if entry["msgid"]]  # the header has msgid ""
    assert len(entries) > 1000
    fuzzy = [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]]
    untranslated = [
        entry["msgid"]
        for entry in entries
        if not all(entry["msgstr"].values()) or not entry["msgstr"]
    ]
    assert fuzzy == []
    assert untranslated == []
    header = PO.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert "#, fuzzy" not in header  # msgfmt leaves a fuzzy header (charset, plural forms) out


def test_the_english_catalogue_keeps_every_placeholder():
    wrong = []
    for entry in po_entries(PO):
        if not entry["msgid"]:
            continue
        sources = [entry["msgid"], entry.get("msgid_plural", entry["msgid"])]
        for translation in entry["msgstr"].values():
            found = sorted(PLACEHOLDER.findall(translation))
            if all(found != sorted(PLACEHOLDER.findall(source)) for source in sources):
                wrong.append((entry["msgid"], translation))
    assert wrong == []


def test_the_english_catalogue_has_no_chinese_left_in_translations():
    """Translations are English; a Chinese character in one is a string left untranslated."""
    han = re.compile(r"[\u4e00-\u9fff]")
    leftovers = [
        (entry["msgid"], text)
        for entry in po_entries(PO)
        if entry["msgid"]
        for text in entry["msgstr"].values()
        if han.search(text)
    ]
    assert leftovers == []


# --- the pages --------------------------------------------------------------------------------


def test_home_page_in_english_with_accept_language(client):
    html = client.get(reverse("index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html
    assert "Seamless Government Service Hall" in html
    assert "Staff login" in html
    assert "Online service hall" in html
    assert "Log in" in html
    assert "One door, window operation, unified handling, time-limited completion" in html
    assert "无缝隙政务服务大厅</h1>" not in html


def test_home_page_in_chinese_by_default(client):
    html = client.get(reverse("index")).content.decode()
    assert '<html lang="zh-CN">' in html
    assert "无缝隙政务服务大厅" in html
    assert "工作人员登录" in html
    assert "登录" in html
    assert "Seamless Government Service Hall" not in html
    assert "Staff login" not in html


def test_login_page_in_english(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Log in ·" in html
    assert '<h1 class="h3 mb-3">Log in</h1>' in html
    assert "Username" in html  # Django's own English for the authentication form
    assert "登录" not in html


def test_login_page_in_chinese_by_default(client):
    html = client.get(reverse("login")).content.decode()
    assert '<h1 class="h3 mb-3">登录</h1>' in html
    assert "Log in" not in html


@pytest.fixture
def published_item(db):
    return ServiceItemFactory(name="测试事项", promised_days=10, statutory_days=20)


def test_guide_catalogue_in_english(client, published_item):
    html = client.get(reverse("guide:catalogue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<title>Service guide ·" in html
    assert '<h1 class="h2 mb-2">Service guide</h1>' in html
    assert "Find a service item" in html
    assert "Search" in html
    assert published_item.code in html
    assert "Promised case" in html  # the item's handling type (model choices are translated)
    assert "10 working days" in html  # blocktranslate count with its placeholder
    assert "办事指南" not in html


def test_guide_catalogue_in_chinese_by_default(client, published_item):
    html = client.get(reverse("guide:catalogue")).content.decode()
    assert '<h1 class="h2 mb-2">办事指南</h1>' in html
    assert "承诺件" in html
    assert "10 个工作日" in html
    assert "Service guide" not in html


def test_the_language_switch_keeps_english_for_later_pages(client, published_item):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("guide:catalogue")}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("guide:catalogue")
    assert "Service guide" in response.content.decode()
    # The choice is remembered (language cookie): no Accept-Language needed afterwards.
    assert settings.LANGUAGE_COOKIE_NAME in client.cookies
    html = client.get(reverse("index")).content.decode()
    assert "Seamless Government Service Hall" in html
    assert 'value="en" selected' in html

    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("index")})
    html = client.get(reverse("index")).content.decode()
    assert "工作人员登录" in html
    assert "Staff login" not in html
