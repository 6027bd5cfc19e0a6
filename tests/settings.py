"""The product's settings in development mode, for a bare `pytest` (the Makefile sets the same
switch for `make test`): without it, hall.settings refuses to start without a SECRET_KEY and a
public URL, as production must."""

import os

os.environ.setdefault("HALL_DEVELOPMENT", "1")

from hall.settings import *  # noqa: F403

# The suite's cache is a Redis database of its own (11; the broker and a dev server use 0, the
# drill 12, the bench 14), emptied after every test so that none leaks its counters or cached
# pages to the next (tests/conftest.py, `nothing_leaks`).
if CACHES["default"]["BACKEND"].endswith("RedisCache"):  # noqa: F405
    CACHES["default"]["LOCATION"] = CACHES["default"]["LOCATION"].rsplit("/", 1)[0] + "/11"  # noqa: F405
