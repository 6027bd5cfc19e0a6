"""The kiosk over HTTP: start screen, taking a ticket (once per submit), the ticket page, rating a
visit by its number, the idle reset; and the clerk's calling panel."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client
from django.urls import reverse

from hall.models import QueueTicket, RatingFollowUp, ServiceRating
from hall.queue import selectors, services
from hall.queue.kiosk.views import KIOSK_IDLE_SECONDS, SESSION_SHOWN, TICKET_SALT
from tests.factories import ClerkFactory, WindowFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(make_user):
    user = make_user("clerk-wang", "clerk", first_name="窗口", last_name="王")
    ClerkFactory(user=user, window=WindowFactory(number="03", categories=["general", "social"]))
    return user


def take(client, category="general", token="t-1"):
    return client.post(reverse("kiosk:ticket_take"), {"category": category, "token": token})


def test_start_screen_offers_the_four_public_functions_without_login(client):
    response = client.get(reverse("kiosk:start"))
    assert response.status_code == 200
    html = response.content.decode()
    for href in ("/kiosk/ticket/", "/guide/kiosk/", "/lookup/?kiosk=1", "/kiosk/rate/"):
        assert f'href="{href}"' in html
    for label in ("取号", "办事指南", "进度查询", "服务评价"):
        assert label in html
    assert "kiosk-app" in html
    assert f'data-idle-seconds="{KIOSK_IDLE_SECONDS}"' in html
    assert 'data-reset-url="/kiosk/reset/"' in html
    # an untouched start screen has nothing to clear: no timer there
    assert 'data-enabled="0"' in html


def test_every_other_kiosk_page_runs_the_idle_timer(client):
    for name in ("kiosk:ticket_take", "kiosk:rate"):
        html = client.get(reverse(name)).content.decode()
        assert "js/kiosk-idle.js" in html
        assert 'data-enabled="0"' not in html
        assert 'id="kiosk-idle-warning"' in html


def test_taking_a_ticket_shows_the_number_people_ahead_and_the_estimate(client, clerk):
    services.ticket_issue(category="general")  # someone is already waiting
    response = take(client)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "A002" in html
    assert "前面等候" in html
    assert re.search(r"<strong>1</strong>\s*人", html)
    assert f"约 <strong>{selectors.DEFAULT_SERVICE_MINUTES}</strong> 分钟" in html
    assert "暂无近期办理记录" in html
    assert "打印号票" in html


def test_a_resubmitted_ticket_form_returns_the_same_ticket(client):
    first = take(client, token="same")
    second = take(client, token="same")
    assert first["Location"] == second["Location"]
    assert QueueTicket.objects.count() == 1
    take(client, token="another")
    assert QueueTicket.objects.count() == 2


def test_a_bad_category_and_a_forged_ticket_link(client):
    response = take(client, category="vip")
    assert response.status_code == 400
    assert "请选择取号类别" in response.content.decode()
    assert client.get(reverse("kiosk:ticket", args=["123:forged"])).status_code == 404


def test_the_category_screen_shows_who_waits(client):
    services.ticket_issue(category="social")
    html = client.get(reverse("kiosk:ticket_take")).content.decode()
    assert "社会事务" in html and "当前等候 1 人" in html


def test_rating_a_visit_at_the_kiosk(client, clerk):
    ticket = services.ticket_issue(category="general")
    services.ticket_call_next(clerk=clerk)
    services.ticket_finish(ticket=ticket, clerk=clerk)
    url = reverse("kiosk:rate")

    code = ticket.check_code
    unknown = client.post(url, {"number": "A009", "check_code": code, "level": "5"})
    assert unknown.status_code == 400
    assert "号码或评价码不正确" in unknown.content.decode()

    no_reason = client.post(url, {"number": "a1", "check_code": code, "level": "1"})
    assert no_reason.status_code == 400
    html = no_reason.content.decode()
    assert "请选择常见问题或填写评价理由" in html
    assert 'aria-invalid="true"' in html
    assert not ServiceRating.objects.exists()

    response = client.post(
        url,
        {
            "number": "a1",
            "check_code": code,
            "level": "1",
            "reasons": ["wait", "attitude"],
            "reason": "窗口离岗",
        },
    )
    assert response.status_code == 302
    rating = ServiceRating.objects.get()
    assert rating.reason == "等候时间过长；服务态度不好；窗口离岗"
    assert rating.clerk == clerk
    assert rating.channel == ServiceRating.Channel.KIOSK
    thanks = client.get(response["Location"]).content.decode()
    assert "感谢您的评价" in thanks
    follow_up = RatingFollowUp.objects.get(rating=rating)
    assert f"{follow_up.due_date:%Y年%-m月%-d日}" in thanks

    duplicate = client.post(url, {"number": "A001", "check_code": code, "level": "4"})
    assert duplicate.status_code == 400
    assert "每次办事只能评价一次" in duplicate.content.decode()


@pytest.mark.parametrize("number", ["A²", "YA²³", "A٣", "A" + "9" * 9])
def test_a_ticket_number_with_odd_digits_is_a_plain_refusal(client, clerk, number):
    """ "²" passes str.isdigit() and int() refuses it: these were 500s at the kiosk."""
    answer = client.post(
        reverse("kiosk:rate"), {"number": number, "check_code": "123456", "level": "5"}
    )
    assert answer.status_code == 400
    assert "号码或评价码不正确" in answer.content.decode()


def test_a_common_reason_alone_is_enough_for_a_bad_rating(client, clerk):
    ticket = services.ticket_issue(category="general")
    services.ticket_call_next(clerk=clerk)
    services.ticket_serve(ticket=ticket, clerk=clerk)
    response = client.post(
        reverse("kiosk:rate"),
        {"number": "A001", "check_code": ticket.check_code, "level": "2", "reasons": "slow"},
    )
    assert response.status_code == 302
    assert ServiceRating.objects.get().reason == "办理速度慢"


def test_only_the_holder_of_the_slip_can_rate_the_visit(client, clerk):
    """The attack as made: rating served visits by their sequential numbers alone."""
    tickets = [services.ticket_issue(category="general") for _n in range(4)]
    for ticket in tickets:
        services.ticket_call_next(clerk=clerk)
        services.ticket_finish(ticket=ticket, clerk=clerk)
    url = reverse("kiosk:rate")
    for ticket in tickets:
        for guess in ("000000", "123456", ""):
            answer = client.post(url, {"number": ticket.number, "check_code": guess, "level": "1"})
            assert answer.status_code == 400
    assert not ServiceRating.objects.exists()
    slip = client.get(reverse("kiosk:ticket", args=[_shown(client, tickets[0])])).content.decode()
    assert tickets[0].check_code in slip and len(tickets[0].check_code) == 6


def _token(ticket) -> str:
    return signing.dumps(ticket.pk, salt=TICKET_SALT)


def _shown(client, ticket) -> str:
    """The ticket's link as the kiosk session that took it has it."""
    token = _token(ticket)
    session = client.session
    session[SESSION_SHOWN] = [token]
    session.save()
    return token


def test_wrong_codes_stop_the_guessing_session_not_the_visitor(client, clerk):
    """Five wrong codes at a kiosk end guessing for that kiosk session; the real visitor, at a
    fresh session, still rates their visit (a stranger cannot end it for them)."""
    ticket = services.ticket_issue(category="general")
    services.ticket_call_next(clerk=clerk)
    services.ticket_finish(ticket=ticket, clerk=clerk)
    url = reverse("kiosk:rate")
    wrong = "000000" if ticket.check_code != "000000" else "111111"
    for _n in range(5):
        client.post(url, {"number": ticket.number, "check_code": wrong, "level": "5"})
    ticket.refresh_from_db()
    assert ticket.rating_failures == 5  # counted, for the statistics
    right = {"number": ticket.number, "check_code": ticket.check_code, "level": "5"}
    assert client.post(url, right).status_code == 400  # the guessing session is stopped
    assert not ServiceRating.objects.exists()
    visitor = Client()  # the next person at the kiosk: a fresh session
    assert visitor.post(url, right).status_code == 302
    assert ServiceRating.objects.count() == 1


def test_a_ticket_guessed_from_many_sessions_is_slowed_not_locked(client, clerk):
    ticket = services.ticket_issue(category="general")
    services.ticket_call_next(clerk=clerk)
    services.ticket_finish(ticket=ticket, clerk=clerk)
    url = reverse("kiosk:rate")
    wrong = "000000" if ticket.check_code != "000000" else "111111"
    for _n in range(services.CHECK_CODE_RULE.slowdown_after):  # each from its own session
        Client().post(url, {"number": ticket.number, "check_code": wrong, "level": "5"})
    right = {"number": ticket.number, "check_code": ticket.check_code, "level": "5"}
    assert Client().post(url, right).status_code == 302  # the interval's one attempt
    assert ServiceRating.objects.count() == 1
    # a guess right after it waits for the next interval
    assert not services.ticket_check_code_attempt(
        ticket=ticket, code=ticket.check_code, source="another-session"
    )


def test_a_kiosk_issues_a_bounded_number_of_tickets_a_minute(client, settings):
    settings.HALL_KIOSK_TICKETS_PER_MINUTE = 3
    for n in range(3):
        assert take(client, "general", token=f"t-{n}").status_code == 302
    refused = take(client, "general", token="t-9")
    assert refused.status_code == 429 and "取号过于频繁" in refused.content.decode()
    assert QueueTicket.objects.count() == 3
    other_kiosk = client.post(
        reverse("kiosk:ticket_take"), {"category": "general"}, REMOTE_ADDR="10.8.0.2"
    )
    assert other_kiosk.status_code == 302


def test_the_kiosk_reset_is_under_csrf(clerk):
    """Another site must not end a visitor's kiosk session: the reset takes the page's token."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(clerk)
    page = browser.get(reverse("kiosk:start")).content.decode()
    assert browser.post(reverse("kiosk:reset")).status_code == 403
    assert "_auth_user_id" in browser.session  # the forged reset ended nothing
    token = browser.cookies["csrftoken"].value  # what the idle script sends
    assert 'data-csrf-token="' in page
    answer = browser.post(reverse("kiosk:reset"), HTTP_X_CSRFTOKEN=token)
    assert answer.status_code == 302 and "_auth_user_id" not in browser.session


def test_the_idle_reset_ends_the_session_and_the_language_choice(client, clerk):
    client.force_login(clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get(reverse("kiosk:start")).content.decode().count('data-enabled="0"') == 0
    assert client.get(reverse("kiosk:reset")).status_code == 405
    response = client.post(reverse("kiosk:reset"))
    assert response.status_code == 302 and response["Location"] == reverse("kiosk:start")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME]["max-age"] == 0
    assert "_auth_user_id" not in client.session


# --- the clerk's calling panel --------------------------------------------------------------


def test_the_calling_panel_needs_the_workbench_permission(client, make_user):
    client.force_login(make_user("o", "officer"))
    assert client.get(reverse("queue:window")).status_code == 403
    client.force_login(make_user("c-nowin", "clerk"))
    html = client.get(reverse("queue:window")).content.decode()
    assert "尚未分配窗口" in html


def test_the_clerk_calls_recalls_and_transfers_from_the_panel(client, clerk):
    target = WindowFactory(number="05", name="社会事务窗口", categories=["social"])
    services.ticket_issue(category="general")
    client.force_login(clerk)
    assert "叫下一位" in client.get(reverse("queue:window")).content.decode()

    client.post(reverse("queue:call_next"))
    ticket = QueueTicket.objects.get()
    assert ticket.status == QueueTicket.Status.CALLED
    panel = client.get(reverse("queue:window")).content.decode()
    assert "A001" in panel and "重呼" in panel and "过号" in panel

    action = "queue:ticket_action"
    client.post(reverse(action, args=[ticket.pk, "recall"]), {"recalls": "0"})
    client.post(reverse(action, args=[ticket.pk, "recall"]), {"recalls": "0"})  # resubmitted
    ticket.refresh_from_db()
    assert ticket.recalls == 1

    response = client.post(reverse(action, args=[ticket.pk, "transfer"]), {"to_window": target.pk})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.window, ticket.transferred_from.number) == (
        QueueTicket.Status.WAITING,
        target,
        "03",
    )
    # the ticket has left this window: acting on it again is refused with a message
    refused = client.post(reverse(action, args=[ticket.pk, "finish"]), follow=True)
    assert "不在本窗口" in refused.content.decode()
    assert client.post(reverse(action, args=[ticket.pk, "explode"])).status_code == 404


def test_elder_mode_start_screen_shows_the_services_used_most_and_the_rest_behind_more(client):
    from hall.platform.sessions import ELDER_COOKIE

    client.cookies[ELDER_COOKIE] = "1"
    html = client.get(reverse("kiosk:start")).content.decode()
    for href in ("/kiosk/ticket/", "/kiosk/check-in/", "/lookup/?kiosk=1", "/guide/kiosk/"):
        assert f'href="{href}"' in html, href
    assert "常用服务" in html and 'href="?all=1"' in html and "更多服务" in html
    assert 'href="/kiosk/rate/"' not in html

    everything = client.get(reverse("kiosk:start"), {"all": "1"}).content.decode()
    assert 'href="/kiosk/rate/"' in everything and "更多服务" not in everything
