"""PostgreSQL or Redis down: the hall's 503 page (Chinese first, Retry-After), never a 500."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError

UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there: connection refused
    }
}


def _is_outage_page(response) -> bool:
    return (
        response.status_code == 503
        and response["Retry-After"]
        and "服务暂时不可用" in response.content.decode()
    )


@pytest.mark.django_db
def test_a_lookup_while_redis_is_down_is_told_to_try_again(client, settings):
    settings.CACHES = UNREACHABLE_REDIS
    response = client.post("/lookup/", {"receipt_no": "FT2026120100001", "code": "123456"})
    assert _is_outage_page(response)


@pytest.mark.django_db
def test_a_database_error_in_a_view_gives_the_outage_page(client):
    with mock.patch(
        "approvals.guide.views.items_current",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        response = client.get("/guide/")
    assert _is_outage_page(response)


@pytest.mark.django_db
def test_a_database_error_before_the_view_gives_the_outage_page_too(client, make_user):
    client.force_login(make_user("outage-clerk", "clerk"))
    client.raise_request_exception = False  # let Django's 500 handler answer, as in production
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError("could not connect to server"),
    ):
        response = client.get("/window/")
    assert _is_outage_page(response)


@pytest.mark.django_db
def test_any_other_error_gives_the_halls_own_500_page(client):
    client.raise_request_exception = False
    with mock.patch("approvals.guide.views.items_current", side_effect=RuntimeError("bug")):
        response = client.get("/guide/")
    assert response.status_code == 500
    assert "系统出错" in response.content.decode()
