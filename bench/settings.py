"""The hall's settings plus the bench package as an app.

The bench's viewflow timer flow (``bench.timer_flow``) must live in an installed app for viewflow
to store references to it, and the bench's baseline page (``bench.urls``) is mounted beside the
hall's URLs; nothing else differs from ``hall.settings``.
"""

from hall.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
ROOT_URLCONF = "bench.urls"
