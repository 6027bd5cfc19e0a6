from __future__ import annotations

import datetime

import pytest

from hall.common.moments import limit_end_shown
from tests.dates import shanghai


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (shanghai(2026, 3, 31, 0), "2026-03-30 24:00"),
        (shanghai(2026, 1, 1, 0), "2025-12-31 24:00"),
        (shanghai(2026, 3, 11, 10, 20), "2026-03-11 10:20"),
        # an aware moment in UTC is shown on the hall's clock
        (shanghai(2026, 3, 31, 0).astimezone(datetime.UTC), "2026-03-30 24:00"),
        (None, ""),
    ],
)
def test_a_limit_that_ends_at_midnight_ends_at_24(moment, shown):
    assert limit_end_shown(moment) == shown
