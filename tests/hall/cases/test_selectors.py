"""Reads of the front of house: 长辈版's services filed most (issue 32)."""

from __future__ import annotations

import datetime

import pytest

from hall.cases.selectors import MOST_FILED_DAYS, items_most_filed
from hall.models import Case
from tests.departments.builders import at, bare_case
from tests.factories import ServiceItemFactory

TODAY = datetime.date(2026, 10, 20)


def filed(item, times: int, *, when: datetime.datetime) -> None:
    for _ in range(times):
        case = bare_case(item=item)
        Case.objects.filter(pk=case.pk).update(created_at=when)


@pytest.fixture
def items(db):
    return [ServiceItemFactory(code=f"44030400-XK-{n:04d}") for n in range(1, 6)]


def test_the_services_filed_most_lately_come_first_and_old_filings_do_not_count(items):
    first, second, third, _fourth, fifth = items
    filed(third, 3, when=at(2026, 10, 19))
    filed(fifth, 2, when=at(2026, 8, 1))
    filed(first, 1, when=at(2026, 10, 1))
    # filed more, but before the window: not "used most" now
    start = TODAY - datetime.timedelta(days=MOST_FILED_DAYS)
    filed(second, 5, when=at(start.year, start.month, start.day, 0) - datetime.timedelta(minutes=1))

    chosen = items_most_filed(items, today=TODAY, limit=4)

    # the filed ones by their count, then the rest in the order given
    assert [item.code for item in chosen] == [third.code, fifth.code, first.code, second.code]


def test_only_the_items_given_are_chosen_among_the_filed_ones(items):
    first, second, third, fourth, _fifth = items
    filed(third, 3, when=at(2026, 10, 19))
    filed(fourth, 2, when=at(2026, 10, 19))

    chosen = items_most_filed([first, second, fourth], today=TODAY, limit=2)

    assert [item.code for item in chosen] == [fourth.code, first.code]


def test_the_count_is_kept_for_the_day(items, django_assert_num_queries):
    first, second, *_ = items
    filed(second, 1, when=at(2026, 10, 19))
    assert items_most_filed(items, today=TODAY, limit=1) == [second]
    filed(first, 3, when=at(2026, 10, 19))

    with django_assert_num_queries(0):
        assert items_most_filed(items, today=TODAY, limit=1) == [second]
    # the next day counts again
    assert items_most_filed(items, today=TODAY + datetime.timedelta(days=1), limit=1) == [first]


def test_no_items_no_list(db):
    assert items_most_filed([], today=TODAY, limit=6) == []
