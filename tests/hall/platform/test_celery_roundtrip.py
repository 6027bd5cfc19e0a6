"""A real Celery round trip: a task goes through Redis to a worker thread and back."""

import pytest

from hall.platform import tasks


@pytest.mark.celery_worker
def test_heartbeat_round_trip_through_redis(celery_worker):
    result = tasks.heartbeat.delay()
    value = result.get(timeout=20)
    assert value.endswith("+08:00")  # aware, Asia/Shanghai
    assert result.successful()
