"""Start the hall's own processes (a Celery worker, beat) from a test, on the test's clock.

A test session may travel in time (`HALL_TEST_TODAY`, tests/conftest.py) and a test may pin its
own moment; a subprocess would otherwise run on the machine's real clock and never see a
deadline the test made due. The command built here starts the subprocess at the test process's
current moment, ticking, through the same time-travel library.
"""

from __future__ import annotations

import os
import sys
import time

from time_machine import escape_hatch

BOOTSTRAP = """
import os, sys, time, time_machine
offset = float(os.environ.get("HALL_SUBPROCESS_CLOCK_OFFSET", "0"))
if abs(offset) > 1:
    time_machine.travel(time.time() + offset, tick=True).start()
from celery.__main__ import main
sys.argv = ["celery", *sys.argv[1:]]
sys.exit(main())
"""


def celery_command(*arguments: str) -> list[str]:
    """`celery <arguments>` as a command line for subprocess.Popen, on the test's clock (pass
    `celery_environment()` as its environment)."""
    return [sys.executable, "-c", BOOTSTRAP, *arguments]


def clock_offset() -> float:
    """Seconds between the test's clock and the machine's: 0 unless the test travels."""
    if not escape_hatch.is_travelling():
        return 0.0
    return time.time() - escape_hatch.time.time()


def celery_environment(**values: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        # how far the test's clock is from the machine's (0 unless travelled)
        "HALL_SUBPROCESS_CLOCK_OFFSET": repr(clock_offset()),
        **values,
    }
