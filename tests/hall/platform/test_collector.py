"""The collector settings of a hall process (issue 27): the heap the apps leave at start-up is
frozen out of the collector's walks, and the young generation is collected less often."""

from __future__ import annotations

import gc

from hall.platform.collector import YOUNG_THRESHOLD, collector_settle


def test_a_ready_hall_process_has_its_start_up_heap_frozen_and_a_higher_young_threshold():
    # django.setup() ran the apps' ready(): the modules and classes loaded by then are frozen
    assert gc.get_freeze_count() > 10_000
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD


def test_settling_again_freezes_what_was_created_since_and_keeps_the_thresholds():
    before = gc.get_freeze_count()
    kept = [[n] for n in range(1000)]  # long-lived containers created after start-up
    collector_settle()
    assert gc.get_freeze_count() >= before + len(kept)
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD
