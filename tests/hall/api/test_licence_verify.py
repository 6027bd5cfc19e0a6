"""GET /api/v1/licences/verify/: the public verification page's answer, as JSON (issue 33)."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from hall.cases import licences
from hall.models import ElectronicLicence
from tests.approvals.workflow_helpers import officer_of
from tests.hall.cases.test_licences import clerk, dept, granted  # noqa: F401  (fixtures)

pytestmark = pytest.mark.postgres
URL = "/api/v1/licences/verify/"


def verify(client, licence, **changed):
    params = {"number": licence.number, "code": licence.verification_code, **changed}
    return client.get(URL, params)


def test_valid_expired_and_revoked_as_the_page_says(client, dept, clerk):  # noqa: F811
    licence = ElectronicLicence.objects.get(case=granted(dept, clerk, licence_validity_years=1))
    answer = verify(client, licence)
    assert answer.status_code == 200
    body = answer.json()
    assert body["state"] == "valid" and body["number"] == licence.number
    assert body["holder"] == "张*" and "11010519491231002X" not in answer.content.decode()
    assert body["holder_number"].startswith("1101") and "*" in body["holder_number"]
    assert body["department"] == licence.department.name and body["revoked_at"] is None
    today = timezone.localdate()
    ElectronicLicence.objects.filter(pk=licence.pk).update(
        valid_from=today - datetime.timedelta(days=366),
        valid_until=today - datetime.timedelta(days=1),
    )
    assert verify(client, licence).json()["state"] == "expired"
    licences.licence_revoke(licence=licence, by=officer_of(dept, head=True), reason="承诺不实")
    body = verify(client, licence).json()
    assert body["state"] == "revoked" and body["revoked_at"] is not None
    assert body["revoked_reason"] == "承诺不实"


def test_a_wrong_number_an_unknown_code_and_nothing_get_one_answer(client, dept, clerk):  # noqa: F811
    licence = ElectronicLicence.objects.get(case=granted(dept, clerk))
    answers = [
        verify(client, licence, number=licence.number + "9"),
        verify(client, licence, code="ABCDEFGHJKMN"),
        verify(client, licence, code="0'; DROP"),
        client.get(URL),
    ]
    assert {a.status_code for a in answers} == {404}
    assert {a["Content-Type"] for a in answers} == {"application/problem+json"}
    assert len({a.content for a in answers}) == 1


def test_it_is_rate_limited_per_address_like_the_page(client, db):
    cache.clear()
    statuses = [
        client.get(URL, {"number": "X", "code": "ABCDEFGHJKMN"}).status_code for _ in range(31)
    ]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429
