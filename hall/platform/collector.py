"""Python's cyclic garbage collector, set for a long-lived Django process (issue 27).

A hall process holds a large heap once Django and the apps are loaded: the modules, classes,
field and URL objects, ~120,000 containers that live as long as the process. Python's collector
walks all of them on every full collection, and a sweep batch or a page that builds a few
thousand model instances triggers dozens of collections: measured on a deemed-approval batch of
500 steps, 14 % of its time went to the collector. Two settings, applied once when the apps are
ready (`hall.apps`), before a server or worker forks its children:

- `gc.freeze()` moves the objects alive now to a permanent generation the collector no longer
  walks (and keeps their pages shared between forked workers, as gunicorn's and Instagram's
  notes on it describe). Objects created later are collected as before.
- The youngest generation is collected after 10,000 new containers instead of 700, so a request
  or a batch pays for a few collections, not hundreds; the memory this can hold back is bounded
  by the same 10,000 objects.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000


def collector_settle() -> None:
    """Freeze the heap as it is now and collect the young generation less often. Idempotent:
    the second call freezes what was created since (still long-lived) and sets the same
    thresholds."""
    gc.collect()  # what is garbage now is collected, not frozen
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
