"""The product's settings in development mode, for a bare `pytest` (the Makefile sets the same
switch for `make test`): without it, hall.settings refuses to start without a SECRET_KEY and a
public URL, as production must."""

import os

os.environ.setdefault("HALL_DEVELOPMENT", "1")

from hall.settings import *  # noqa: F403

# The suite's cache is a Redis database of its own (11; the broker and a dev server use 0, the
# drill 12, the bench 14), emptied after every test so that none leaks its counters or cached
# pages to the next (tests/conftest.py, `nothing_leaks`). A second run beside it (another
# DATABASE_URL) names another one with HALL_TEST_CACHE_DB, or each run empties the other's.
_CACHE_DB = os.environ.get("HALL_TEST_CACHE_DB", "11")
_CACHE = CACHES["default"]  # noqa: F405
if _CACHE["BACKEND"].endswith("RedisCache"):
    _CACHE["LOCATION"] = _CACHE["LOCATION"].rsplit("/", 1)[0] + f"/{_CACHE_DB}"
