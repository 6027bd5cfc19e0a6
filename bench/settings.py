"""The hall's settings plus the bench package as an app.

The bench's viewflow timer flow (``bench.timer_flow``) must live in an installed app for viewflow
to store references to it, and the bench's baseline page (``bench.urls``) is mounted beside the
hall's URLs. The bench's supervisor signs in with force_login and no second factor: the bench
measures the pages behind the sign-in, not the sign-in (tests/hall/accounts/test_two_factor.py
covers that). Nothing else differs from ``hall.settings``.
"""

import os

os.environ.setdefault("HALL_DEVELOPMENT", "1")  # a bench run is never production

from hall.settings import *  # noqa: F403

HALL_2FA_REQUIRED_ROLES: list[str] = []

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
ROOT_URLCONF = "bench.urls"

# bench.observability's second server: the same hall without its request metrics and request-id
# logging middleware, to measure what they cost (issue 33)
if os.environ.get("HALL_BENCH_WITHOUT_OBSERVABILITY") == "1":
    MIDDLEWARE = [
        m
        for m in MIDDLEWARE  # noqa: F405
        if m not in ("hall.platform.metrics.RequestMetrics", "hall.platform.logs.RequestContext")
    ]
