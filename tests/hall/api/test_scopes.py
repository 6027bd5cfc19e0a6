"""The OpenAPI document names the scope of every operation, and the API enforces exactly that
scope: a key with every other scope is refused (403), a key with only that one gets past the
permission check, and a public operation needs no key at all (issue 33)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from hall.api.keys import api_key_issue
from hall.api.schema import SCOPES_FIELD
from hall.models import ApiClient
from tests.approvals.workflow_helpers import department_with_staff, officer_of

pytestmark = pytest.mark.postgres
SCOPES = set(ApiClient.Scope.values)


def key_with(scopes: set[str], department, name: str) -> str:
    client = ApiClient.objects.create(
        name=name,
        scopes=sorted(scopes),
        department=department,
        acting_user=officer_of(department),
        requests_per_minute=1_000_000,
    )
    return api_key_issue(client=client)


def operations(client) -> list[tuple[str, str, dict]]:
    document = client.get("/api/schema/?format=json").json()
    assert document["openapi"].startswith("3.0")
    return [
        (method.upper(), path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
        if isinstance(operation, dict) and "responses" in operation
    ]


def call(client, method: str, path: str, key: str | None):
    url = re.sub(r"\{(\w*id)\}", "1", path)
    url = re.sub(r"\{\w+\}", "X", url)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    if method == "GET":
        return client.get(url, **headers)
    return client.post(url, data={}, content_type="application/json", **headers)


def test_every_operation_names_the_scope_the_api_enforces(client, roles):
    department = department_with_staff("SC", "区市场监管局", roles)
    found = operations(client)
    assert len(found) == 22
    for method, path, operation in found:
        cache.clear()  # the per-address limits of the public operations
        scopes = operation[SCOPES_FIELD]
        label = f"{method} {path}"
        if not scopes:
            assert "security" not in operation or operation["security"] in ([], [{}]), label
            assert call(client, method, path, None).status_code not in (401, 403), label
            continue
        (scope,) = scopes
        assert scope in SCOPES, label
        assert f"`{scope}`" in operation["description"], label
        assert operation["security"] == [{"ApiKey": []}], label
        others = key_with(SCOPES - {scope}, department, f"without-{label}")
        only = key_with({scope}, department, f"only-{label}")
        refused = call(client, method, path, others)
        assert refused.status_code == 403, label
        assert refused["Content-Type"] == "application/problem+json", label
        assert call(client, method, path, only).status_code not in (401, 403), label
        assert call(client, method, path, None).status_code == 401, label
