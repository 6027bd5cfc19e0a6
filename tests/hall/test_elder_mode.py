"""长辈版 (issue 32): one switch per browser, on every page; the kiosk's reset turns it off."""

from __future__ import annotations

from django.urls import reverse


def test_the_switch_is_remembered_by_the_browser_and_goes_back(client, db):
    page = client.get("/guide/")
    assert 'class="elder-mode"' not in page.content.decode()
    response = client.post(reverse("elder_mode"), {"on": "1", "next": "/guide/?kiosk=1"})
    assert response.status_code == 302 and response["Location"] == "/guide/?kiosk=1"
    cookie = response.cookies["hall_elder"]
    assert cookie.value == "1" and cookie["httponly"] and int(cookie["max-age"]) > 300 * 86400
    html = client.get("/guide/").content.decode()
    assert '<html lang="zh-CN" class="elder-mode">' in html
    assert 'aria-pressed="true"' in html and "标准版" in html
    off = client.post(reverse("elder_mode"), {"on": "0", "next": "/guide/"})
    assert off.cookies["hall_elder"].value == "" and off["Location"] == "/guide/"
    assert 'class="elder-mode"' not in client.get("/guide/").content.decode()


def test_the_switch_goes_back_only_to_this_hall(client, db):
    for target in ("https://evil.example/", "//evil.example/x", ""):
        response = client.post(reverse("elder_mode"), {"on": "1", "next": target})
        assert response["Location"] == "/"
    assert client.get(reverse("elder_mode")).status_code == 405


def test_the_kiosk_reset_turns_it_off_for_the_next_visitor(client, db):
    client.post(reverse("elder_mode"), {"on": "1", "next": "/kiosk/"})
    assert "长辈模式" not in client.get("/kiosk/").content.decode()  # the tile offers 标准模式
    response = client.post(reverse("kiosk:reset"))
    assert response.cookies["hall_elder"].value == ""
