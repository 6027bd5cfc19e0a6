"""Queue tickets and window calling: numbering, people ahead and the estimate, the queue order
with transfers, the calling actions, races between windows, the board feed and the statistics."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from approvals.clock.deadlines import SHANGHAI
from hall.models import QueueTicket, Window
from hall.queue import selectors, services
from tests.concurrency import run_at_once
from tests.factories import ClerkFactory, UserFactory, WindowFactory

Status = QueueTicket.Status
MINUTE = datetime.timedelta(minutes=1)


def seat(number: str, categories: list[str], **extra):
    """A window serving `categories` with a clerk seated at it; returns the clerk's user."""
    window = WindowFactory(number=number, name=f"{number}号综合窗口", categories=categories)
    return ClerkFactory(user=UserFactory(username=f"clerk-{number}", **extra), window=window).user


def issue(category: str = "general", n: int = 1) -> list[QueueTicket]:
    return [services.ticket_issue(category=category) for _ in range(n)]


def finished(*, category: str, minutes: float, ago: datetime.timedelta, window: Window):
    """A finished ticket whose service took `minutes`, finished `ago` before now."""
    end = timezone.now() - ago
    start = end - datetime.timedelta(minutes=minutes)
    return QueueTicket.objects.create(
        number=f"Z{QueueTicket.objects.count():03d}",
        category=category,
        issued_on=timezone.localdate(start),
        issued_at=start - 10 * MINUTE,
        called_at=start,
        served_at=start,
        finished_at=end,
        status=Status.DONE,
        window=window,
    )


# --- numbering ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_numbers_are_the_category_letter_and_a_daily_sequence():
    general = issue("general", 3)
    business = issue("business", 2)
    assert [t.number for t in general] == ["A001", "A002", "A003"]
    assert [t.number for t in business] == ["B001", "B002"]
    assert services.ticket_issue(category="construction").number == "C001"
    assert services.ticket_issue(category="social").number == "D001"
    assert all(t.issued_on == timezone.localdate() for t in general)
    assert general[0].status == Status.WAITING


@pytest.mark.django_db
def test_the_sequence_starts_again_the_next_day():
    issue("general", 2)
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=tomorrow):
        ticket = services.ticket_issue(category="general")
    assert ticket.number == "A001"
    assert ticket.issued_on == timezone.localdate(tomorrow)


@pytest.mark.django_db
def test_an_unknown_category_is_refused_in_chinese():
    with pytest.raises(ValidationError) as caught:
        services.ticket_issue(category="vip")
    assert caught.value.message_dict["category"] == ["请选择取号类别。"]
    assert not QueueTicket.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_kiosks_taking_tickets_at_once_get_gap_free_distinct_numbers():
    results = run_at_once(*[lambda: services.ticket_issue(category="general").number] * 8)
    assert all(isinstance(r, str) for r in results), results
    assert sorted(results) == [f"A{n:03d}" for n in range(1, 9)]
    # and the queue order (issue time) follows the numbers
    ordered = list(QueueTicket.objects.order_by("issued_at", "pk").values_list("number", flat=True))
    assert ordered == sorted(ordered)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_tap_takes_one_ticket():
    """The attack as it was made: ten taps of one kiosk page at the same instant gave ten
    tickets. Now the page's token is unique: one ticket, returned to every tap."""
    taps = [lambda: services.ticket_issue(category="general", tap_token="page-7f3a").pk] * 10
    results = run_at_once(*taps)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert QueueTicket.objects.count() == 1
    # the number the failed inserts took was given back: the next ticket is A002
    assert services.ticket_issue(category="general", tap_token="page-8b1c").number == "A002"


def test_ticket_numbers_typed_loosely_are_normalised():
    assert selectors.ticket_number_normalize(" a1 ") == "A001"
    assert selectors.ticket_number_normalize("B0012") == "B012"
    assert selectors.ticket_number_normalize("x9") == "X9"


# --- people ahead and the estimate ---------------------------------------------------------


@pytest.mark.django_db
def test_people_ahead_and_the_default_estimate_without_history():
    seat("01", ["general"])
    tickets = issue("general", 4)
    issue("business", 2)  # another category does not count
    position = selectors.ticket_position(ticket=tickets[3])
    assert position.ahead == 3
    assert position.from_history is False
    assert position.open_windows == 1
    assert position.estimated_minutes == 3 * selectors.DEFAULT_SERVICE_MINUTES
    assert selectors.ticket_position(ticket=tickets[0]).ahead == 0


@pytest.mark.django_db
def test_the_estimate_divides_by_the_open_windows_of_the_category():
    seat("01", ["general"])
    seat("02", ["general", "business"])
    WindowFactory(number="03", categories=["general"])  # nobody seated: not open
    WindowFactory(number="09", categories=["general"], is_online=True)
    tickets = issue("general", 5)
    position = selectors.ticket_position(ticket=tickets[4])
    assert position.open_windows == 2
    assert position.estimated_minutes == 4 * selectors.DEFAULT_SERVICE_MINUTES // 2


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_estimate_uses_the_median_service_time_of_recent_tickets():
    clerk = seat("01", ["general"])
    window = clerk.clerk.window
    for minutes in (4, 6, 20):
        finished(category="general", minutes=minutes, ago=30 * MINUTE, window=window)
    finished(category="general", minutes=60, ago=datetime.timedelta(hours=5), window=window)  # old
    finished(category="business", minutes=50, ago=10 * MINUTE, window=window)  # other category
    tickets = issue("general", 4)
    position = selectors.ticket_position(ticket=tickets[3])
    assert position.from_history is True
    assert position.service_minutes == 6.0  # the median of 4, 6, 20
    assert position.estimated_minutes == 18  # 3 ahead x 6 minutes / 1 window


@pytest.mark.django_db
def test_the_estimate_uses_recent_history_on_any_database():
    clerk = seat("01", ["general"])
    finished(category="general", minutes=6, ago=30 * MINUTE, window=clerk.clerk.window)
    tickets = issue("general", 3)
    position = selectors.ticket_position(ticket=tickets[2])
    assert position.from_history is True
    assert position.estimated_minutes == 12


@pytest.mark.django_db
def test_tickets_transferred_to_a_window_of_the_category_count_as_ahead():
    first = seat("01", ["general"])
    seat("02", ["general"])
    early = issue("general", 1)[0]
    called = services.ticket_call_next(clerk=first)
    assert called == early
    late = issue("general", 1)[0]
    assert selectors.ticket_position(ticket=late).ahead == 0
    services.ticket_transfer(ticket=called, clerk=first, to_window=Window.objects.get(number="02"))
    assert selectors.ticket_position(ticket=late).ahead == 1


# --- calling --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_call_next_takes_the_oldest_ticket_of_the_windows_categories():
    general_clerk = seat("01", ["general"])
    business_clerk = seat("02", ["business"])
    a1, a2 = issue("general", 2)
    b1 = issue("business", 1)[0]
    called = services.ticket_call_next(clerk=general_clerk)
    assert called.pk == a1.pk
    assert called.status == Status.CALLED
    assert called.window == general_clerk.clerk.window
    assert called.clerk == general_clerk
    assert called.called_at is not None
    assert services.ticket_call_next(clerk=business_clerk).pk == b1.pk
    a2.refresh_from_db()
    assert a2.status == Status.WAITING


@pytest.mark.django_db
def test_calling_twice_returns_the_called_ticket_and_serving_blocks_the_next_call():
    clerk = seat("01", ["general"])
    a1, a2 = issue("general", 2)
    assert services.ticket_call_next(clerk=clerk).pk == a1.pk
    assert services.ticket_call_next(clerk=clerk).pk == a1.pk  # a double click calls nobody new
    services.ticket_serve(ticket=a1, clerk=clerk)
    with pytest.raises(ValidationError) as caught:
        services.ticket_call_next(clerk=clerk)
    assert "请先结束号码 A001 的办理" in caught.value.messages[0]
    services.ticket_finish(ticket=a1, clerk=clerk)
    assert services.ticket_call_next(clerk=clerk).pk == a2.pk


@pytest.mark.django_db
def test_nobody_waiting_and_no_window_assigned():
    clerk = seat("01", ["general"])
    assert services.ticket_call_next(clerk=clerk) is None
    seatless = UserFactory(username="no-window")
    with pytest.raises(ValidationError) as caught:
        services.ticket_call_next(clerk=seatless)
    assert "尚未分配窗口" in caught.value.messages[0]


@pytest.mark.django_db
def test_yesterdays_leftovers_are_not_called():
    clerk = seat("01", ["general"])
    yesterday = timezone.now() - datetime.timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=yesterday):
        services.ticket_issue(category="general")
    assert services.ticket_call_next(clerk=clerk) is None


@pytest.mark.django_db
def test_recall_counts_once_per_page_and_is_refused_after_service_starts():
    clerk = seat("01", ["general"])
    ticket = issue()[0]
    services.ticket_call_next(clerk=clerk)
    once = services.ticket_recall(ticket=ticket, clerk=clerk, seen_recalls=0)
    assert once.recalls == 1
    again = services.ticket_recall(
        ticket=ticket, clerk=clerk, seen_recalls=0
    )  # same page resubmitted
    assert again.recalls == 1
    assert services.ticket_recall(ticket=ticket, clerk=clerk, seen_recalls=1).recalls == 2
    called_at = QueueTicket.objects.get(pk=ticket.pk).called_at
    assert once.called_at == called_at  # a recall does not move the call time
    services.ticket_serve(ticket=ticket, clerk=clerk)
    with pytest.raises(ValidationError) as caught:
        services.ticket_recall(ticket=ticket, clerk=clerk, seen_recalls=2)
    assert "办理中" in caught.value.messages[0]


@pytest.mark.django_db
def test_no_show_serve_and_finish_are_idempotent_and_conditional():
    clerk = seat("01", ["general"])
    other = seat("02", ["general"])
    a1, a2 = issue("general", 2)
    services.ticket_call_next(clerk=clerk)
    with pytest.raises(ValidationError) as caught:
        services.ticket_no_show(ticket=a1, clerk=other)
    assert "不在本窗口" in caught.value.messages[0]
    absent = services.ticket_no_show(ticket=a1, clerk=clerk)
    assert absent.status == Status.NO_SHOW
    assert absent.finished_at is not None and absent.served_at is None
    assert services.ticket_no_show(ticket=a1, clerk=clerk).status == Status.NO_SHOW
    with pytest.raises(ValidationError):
        services.ticket_serve(ticket=a1, clerk=clerk)

    services.ticket_call_next(clerk=clerk)
    serving = services.ticket_serve(ticket=a2, clerk=clerk)
    assert serving.status == Status.SERVING and serving.served_at is not None
    assert services.ticket_serve(ticket=a2, clerk=clerk).served_at == serving.served_at
    done = services.ticket_finish(ticket=a2, clerk=clerk)
    assert done.status == Status.DONE and done.finished_at >= done.served_at
    assert services.ticket_finish(ticket=a2, clerk=clerk).finished_at == done.finished_at


@pytest.mark.django_db
def test_finishing_straight_from_the_call_counts_service_from_the_call():
    clerk = seat("01", ["general"])
    ticket = issue()[0]
    services.ticket_call_next(clerk=clerk)
    done = services.ticket_finish(ticket=ticket, clerk=clerk)
    assert done.served_at == done.called_at
    assert done.status == Status.DONE


@pytest.mark.django_db
def test_transfer_keeps_the_number_and_puts_it_first_at_the_target_window_only():
    first = seat("01", ["general"])
    target_clerk = seat("02", ["general"])
    third = seat("03", ["general"])
    target = target_clerk.clerk.window
    a1, a2, a3 = issue("general", 3)
    services.ticket_call_next(clerk=first)
    services.ticket_serve(ticket=a1, clerk=first)

    moved = services.ticket_transfer(ticket=a1, clerk=first, to_window=target)
    assert (moved.number, moved.status) == ("A001", Status.WAITING)
    assert moved.window == target
    assert moved.transferred_from == first.clerk.window
    assert moved.served_at is None and moved.clerk is None
    # a repeat of the same transfer changes nothing
    assert services.ticket_transfer(ticket=a1, clerk=first, to_window=target).pk == a1.pk

    # Window 03 serves the same category but takes the next untransferred ticket, not A001
    assert services.ticket_call_next(clerk=third).pk == a2.pk
    # Window 02 calls the transferred ticket before the older untransferred A003
    called = services.ticket_call_next(clerk=target_clerk)
    assert called.pk == a1.pk
    assert called.window == target and called.transferred_from == first.clerk.window
    services.ticket_finish(ticket=called, clerk=target_clerk)
    assert services.ticket_call_next(clerk=target_clerk).pk == a3.pk


@pytest.mark.django_db
def test_transfer_to_the_same_or_an_online_window_is_refused():
    clerk = seat("01", ["general"])
    online = WindowFactory(number="99", is_online=True)
    ticket = issue()[0]
    services.ticket_call_next(clerk=clerk)
    for target in (clerk.clerk.window, online):
        with pytest.raises(ValidationError) as caught:
            services.ticket_transfer(ticket=ticket, clerk=clerk, to_window=target)
        assert "to_window" in caught.value.message_dict


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_windows_calling_at_once_never_get_the_same_ticket():
    clerks = [seat(f"{n:02d}", ["general"]) for n in range(1, 5)]
    issue("general", 3)
    results = run_at_once(*[lambda c=c: services.ticket_call_next(clerk=c) for c in clerks])
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    called = [r.pk for r in results if r is not None]
    assert len(called) == 3 and len(set(called)) == 3
    assert results.count(None) == 1
    rows = QueueTicket.objects.filter(status=Status.CALLED)
    assert rows.count() == 3
    assert len(set(rows.values_list("window_id", flat=True))) == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_rounds_of_concurrent_calls_hand_out_every_ticket_once():
    clerks = [seat(f"{n:02d}", ["general"]) for n in range(1, 4)]
    issue("general", 9)
    seen: list[int] = []
    for _round in range(3):
        results = run_at_once(*[lambda c=c: services.ticket_call_next(clerk=c) for c in clerks])
        assert not [r for r in results if isinstance(r, BaseException)], results
        seen += [r.pk for r in results]
        for clerk, ticket in zip(clerks, results, strict=True):
            services.ticket_finish(ticket=ticket, clerk=clerk)
    assert len(seen) == 9 and len(set(seen)) == 9


# --- the display board ----------------------------------------------------------------------


@pytest.mark.django_db
def test_board_feed_lists_the_latest_calls_with_their_windows(client):
    clerk = seat("03", ["general"])
    other = seat("05", ["business"])
    a1 = issue("general")[0]
    b1 = issue("business")[0]
    services.ticket_call_next(clerk=clerk)
    services.ticket_call_next(clerk=other)
    response = client.get(reverse("queue:board_feed"))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    data = response.json()
    assert [c["number"] for c in data["calls"]] == ["B001", "A001"]
    first = data["calls"][1]
    assert first["window"] == "03"
    assert first["window_label"] == "03 号窗口"
    assert first["announcement"] == "请 A001 号到 03 号窗口办理"
    assert first["status"] == "called"
    waiting = {row["category"]: row["waiting"] for row in data["waiting"]}
    assert waiting == {"general": 0, "business": 0, "construction": 0, "social": 0}

    # A recall changes the key (the board announces it again); starting service does not.
    key = first["key"]
    services.ticket_recall(ticket=a1, clerk=clerk, seen_recalls=0)
    recalled = {c["number"]: c for c in client.get(reverse("queue:board_feed")).json()["calls"]}
    assert recalled["A001"]["key"] != key
    services.ticket_serve(ticket=a1, clerk=clerk)
    served = {c["number"]: c for c in client.get(reverse("queue:board_feed")).json()["calls"]}
    assert served["A001"]["key"] == recalled["A001"]["key"]
    assert served["A001"]["status_label"] == "办理中"
    # Finished and absent tickets leave the board.
    services.ticket_finish(ticket=a1, clerk=clerk)
    services.ticket_no_show(ticket=b1, clerk=other)
    assert client.get(reverse("queue:board_feed")).json()["calls"] == []


@pytest.mark.django_db
def test_board_page_is_public_and_polls_the_feed(client):
    response = client.get(reverse("queue:board"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-feed-url="/queue/board/feed/"' in html
    assert 'aria-live="assertive"' in html
    assert "js/queue-board.js" in html
    assert "暂无叫号" in html


# --- statistics -----------------------------------------------------------------------------

DAY = datetime.date(2026, 3, 2)


def at(hour: int, minute: int, day: datetime.date = DAY) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def statistics_fixture(db):
    """Hand-counted tickets of 2 March 2026 (and one of the day before).

    | no.  | category | window | issued | called | served | finished | wait | service |
    | A001 | general  | 01     | 09:00  | 09:10  | 09:12  | 09:22    | 10   | 10      |
    | A002 | general  | 01     | 09:05  | 09:25  | 09:26  | 09:30    | 20   | 4       |
    | A003 | general  | 02     | 09:10  | 09:40  | —      | 09:45 过号 | 30   | —       |
    | A004 | general  | —      | 09:20  | —      | —      | —        | —    | —       |
    | B001 | business | 02     | 10:00  | 10:06  | 10:06  | 10:36    | 6    | 30      |
    """
    w1 = WindowFactory(number="01", name="一号窗口", categories=["general"])
    w2 = WindowFactory(number="02", name="二号窗口", categories=["general", "business"])
    rows = [
        ("A001", "general", w1, (9, 0), (9, 10), (9, 12), (9, 22), Status.DONE),
        ("A002", "general", w1, (9, 5), (9, 25), (9, 26), (9, 30), Status.DONE),
        ("A003", "general", w2, (9, 10), (9, 40), None, (9, 45), Status.NO_SHOW),
        ("A004", "general", None, (9, 20), None, None, None, Status.WAITING),
        ("B001", "business", w2, (10, 0), (10, 6), (10, 6), (10, 36), Status.DONE),
    ]
    for number, category, window, issued, called, served, done, status in rows:
        QueueTicket.objects.create(
            number=number,
            category=category,
            window=window,
            issued_on=DAY,
            issued_at=at(*issued),
            called_at=at(*called) if called else None,
            served_at=at(*served) if served else None,
            finished_at=at(*done) if done else None,
            status=status,
        )
    yesterday = DAY - datetime.timedelta(days=1)
    QueueTicket.objects.create(
        number="A001",
        category="general",
        window=w1,
        issued_on=yesterday,
        issued_at=at(16, 0, yesterday),
        called_at=at(17, 0, yesterday),
        served_at=at(17, 0, yesterday),
        finished_at=at(17, 50, yesterday),
        status=Status.DONE,
    )


def minutes(m: float) -> datetime.timedelta:
    return datetime.timedelta(seconds=round(m * 60))


def test_statistics_per_category_and_window_match_the_hand_count(statistics_fixture):
    stats = selectors.queue_statistics(start=DAY, end=DAY + datetime.timedelta(days=1))
    assert stats["start"] == at(0, 0)
    assert stats["end"] == at(0, 0, DAY + datetime.timedelta(days=1))

    total = stats["total"]
    assert (total["tickets"], total["called"], total["done"], total["no_show"]) == (5, 4, 3, 1)
    assert total["wait_avg"] == minutes((10 + 20 + 30 + 6) / 4)
    assert total["service_avg"] == minutes((10 + 4 + 30) / 3)

    by_category = {row["category"]: row for row in stats["by_category"]}
    assert list(by_category) == ["general", "business", "construction", "social"]
    general = by_category["general"]
    assert general["label"] == "综合窗口"
    assert (general["tickets"], general["called"], general["done"], general["no_show"]) == (
        4,
        3,
        2,
        1,
    )
    assert general["wait_avg"] == minutes(20)
    assert general["service_avg"] == minutes(7)
    assert by_category["business"]["wait_avg"] == minutes(6)
    assert by_category["business"]["service_avg"] == minutes(30)
    empty = by_category["construction"]
    assert empty["tickets"] == 0 and empty["wait_avg"] is None and empty["service_median"] is None

    by_window = {row["window_number"]: row for row in stats["by_window"]}
    assert list(by_window) == ["01", "02"]
    assert by_window["01"]["window_name"] == "一号窗口"
    assert by_window["01"]["tickets"] == 2
    assert by_window["01"]["wait_avg"] == minutes(15)
    assert by_window["01"]["service_avg"] == minutes(7)
    assert by_window["02"]["wait_avg"] == minutes(18)
    assert by_window["02"]["service_avg"] == minutes(30)  # the no-show has no service time


@pytest.mark.postgres
def test_statistics_medians_on_postgresql(statistics_fixture):
    stats = selectors.queue_statistics(start=DAY, end=DAY + datetime.timedelta(days=1))
    assert stats["median_available"] is True
    assert stats["total"]["wait_median"] == minutes(15)  # 6, 10, 20, 30
    assert stats["total"]["service_median"] == minutes(10)  # 4, 10, 30
    general = stats["by_category"][0]
    assert general["wait_median"] == minutes(20)  # 10, 20, 30
    assert general["service_median"] == minutes(7)  # 4, 10
    assert stats["by_window"][1]["wait_median"] == minutes(18)  # 6, 30


def test_statistics_without_median_support_say_so(statistics_fixture):
    with mock.patch("hall.queue.selectors.median_available", return_value=False):
        stats = selectors.queue_statistics(start=DAY, end=DAY + datetime.timedelta(days=1))
    assert stats["median_available"] is False
    assert stats["total"]["wait_median"] is None
    assert stats["total"]["wait_avg"] == minutes(16.5)


def test_statistics_take_aware_datetimes_and_refuse_naive_ones(statistics_fixture):
    stats = selectors.queue_statistics(start=at(9, 0), end=at(9, 10))  # A001 and A002 only
    assert stats["total"]["tickets"] == 2
    with pytest.raises(ValueError):
        selectors.queue_statistics(start=datetime.datetime(2026, 3, 2), end=at(10, 0))  # noqa: DTZ001
