"""The hall's settings plus the bench package as an app.

The bench's viewflow timer flow (``bench.timer_flow``) must live in an installed app for viewflow
to store references to it; nothing else differs from ``hall.settings``.
"""

from hall.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
