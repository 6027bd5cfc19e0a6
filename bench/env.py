"""Where the bench runs: its own database, Redis database, media folder and settings.

Call ``configure()`` before Django is imported; every child process (multiprocessing workers,
gunicorn, Celery) inherits the same environment.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
RESULTS = Path(__file__).resolve().parent / "results"

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DB_NAME = os.environ.get("BENCH_DB_NAME", "hall_bench")
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
PG_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
# A Redis database of its own, so that no other worker on this machine consumes the bench's
# notification tasks (and the bench's never reach another database).
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def configure() -> None:
    VAR.mkdir(parents=True, exist_ok=True)
    (VAR / "private").mkdir(exist_ok=True)
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ["CELERY_BROKER_URL"] = REDIS_URL
    os.environ["CELERY_RESULT_BACKEND"] = REDIS_URL
    os.environ["REDIS_URL"] = REDIS_URL
    os.environ["REDIS_CACHE_URL"] = REDIS_URL
    os.environ["HALL_VAR_DIR"] = str(VAR)
    os.environ["HALL_MEDIA_ROOT"] = str(VAR / "private")
    os.environ["HALL_SMS_BACKEND"] = "hall.platform.messaging.FileSmsBackend"
    os.environ["HALL_SMS_FILE"] = str(VAR / "sms.jsonl")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"


def django_setup() -> None:
    configure()
    import django

    django.setup()
