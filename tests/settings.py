"""The product's settings in development mode, for a bare `pytest` (the Makefile sets the same
switch for `make test`): without it, hall.settings refuses to start without a SECRET_KEY and a
public URL, as production must."""

import os

os.environ.setdefault("HALL_DEVELOPMENT", "1")

from hall.settings import *  # noqa: F403
