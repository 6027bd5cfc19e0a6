"""The Celery application. Workers and beat start with `celery -A hall ...`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hall.settings")

app = Celery("hall")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks live beside the services they wrap, inside the feature packages; their names
# ("hall.tasks.…", "approvals.tasks.…") are fixed in the decorators and never change.
app.autodiscover_tasks(
    [
        "hall.platform",
        "hall.outbox",
        "hall.cases",
        "hall.intake",
        "hall.queue",
        "hall.ratings",
        "hall.benefits",
        "hall.orders",
        "hall.api",
        "approvals.reviews",
        "departments.supervision",
        "departments.performance",
    ],
    related_name="tasks",
)
