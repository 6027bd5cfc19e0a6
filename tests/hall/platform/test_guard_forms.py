"""No input gives a 500, deeper than the URL fuzz in test_guard.py reaches: a real case in
review, its owner clerk, the officer of its step, a supervisor and the citizen who filed it each
open every page of that case with its real ids; every form on the page is read from the HTML
(its field names, the way an attacker reads them) and posted back with odd values: odd Unicode
digits ("²" passes str.isdigit() and int() refuses it), days that do not exist, numbers past
bigint, control characters, very long and empty strings. Any 5xx fails, with the request.

Bounded: a fixed number of examples per page (derandomized), about 1,500 requests in all."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.urls import get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hall.models import Applicant
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    officer_of,
    open_steps,
    staged_item,
)
from tests.hall.platform.test_guard import CONVERTER, _patterns

pytestmark = pytest.mark.postgres

# What the attack found (issue 28) and what is like it.
ODD_VALUES = st.one_of(
    st.sampled_from(
        [
            "²",
            "A²",
            "YA²³",
            "٣",
            "１２",
            "Ⅻ",
            "1_000",
            "2026-02-30",
            "2026-13-01",
            "0000-00-00",
            "9" * 30,
            "-1",
            "1e309",
            "NaN",
            "",
            " ",
            "\u202e",
            "😀𠀀",
            "<script>",
            "'; --",
        ]
    ),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12),
)
FIELD_NAME = re.compile(r"<(?:input|select|textarea)\b[^>]*?\bname=\"([^\"]+)\"", re.S)
SKIPPED_FIELDS = {"csrfmiddlewaretoken"}


@pytest.fixture
def world(transactional_db, roles, make_user):
    citizen = make_user("13800138000", "applicant", last_name="张三")
    Applicant.objects.create(
        kind="person",
        name="张三",
        id_number="11010519491231002X",
        phone="13800138000",
        user=citizen,
    )
    clerk = make_clerk(roles)
    department = department_with_staff("FZ", "区规划局", roles)
    case = accepted_case(staged_item([[(department, 10)]], lead_department=department), clerk)
    assert case.applicant.user_id == citizen.pk  # the citizen's own case
    step = open_steps(case)[0]
    ids = {
        "receipt_no": case.receipt_no,
        "step_id": step.pk,
        "stage_id": step.case_stage_id,
        "notice_id": case.notices.order_by("pk").first().pk,
        "material_id": case.materials.order_by("pk").first().pk,
        "item_id": case.item_id,
        "applicant_id": case.applicant_id,
        "code": case.item.code,
    }
    supervisor = make_user("fuzz-supervisor", "supervisor")
    people = {
        "citizen": citizen,
        "clerk": clerk,
        "officer": officer_of(department),
        "supervisor": supervisor,
    }
    return ids, people


def _case_paths(ids: dict) -> list[str]:
    """Every pattern of the hall whose parameters the world has real values for."""
    paths = []
    for pattern in sorted(set(_patterns(get_resolver().url_patterns))):
        if pattern.startswith(("admin/", "static/", "media/", "accounts/logout", "i18n/", "api/")):
            continue
        names = [match.group(2) for match in CONVERTER.finditer(pattern)]
        if not names or not all(name in ids for name in names):
            continue
        path = CONVERTER.sub(lambda m: quote(str(ids[m.group(2)]), safe=""), pattern)
        paths.append("/" + path.lstrip("^").rstrip("$"))
    return paths


def _forms_of(client, paths: list[str]) -> dict[str, list[str]]:
    """Each page the person may open, with the names of the fields its forms carry."""
    found = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, ("GET", path, response.status_code)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            names = set(FIELD_NAME.findall(response.content.decode())) - SKIPPED_FIELDS
            found[path] = sorted(names)
    return found


def test_the_world_reaches_the_case_pages(world, client):
    ids, people = world
    paths = _case_paths(ids)
    assert any(p.startswith("/desk/step/") for p in paths)
    assert any(p.startswith("/window/case/") for p in paths)
    assert any(p.startswith("/me/case/") for p in paths)
    client.force_login(people["clerk"])
    forms = _forms_of(client, paths)
    assert f"/window/case/{ids['receipt_no']}/" in forms  # the owner opens the case page
    assert sum(len(names) for names in forms.values()) > 5  # and its forms have fields


@pytest.mark.parametrize("role", ["citizen", "clerk", "officer", "supervisor"])
def test_every_form_of_a_real_case_takes_odd_values_without_a_server_error(world, client, role):
    ids, people = world
    client.force_login(people[role])
    forms = _forms_of(client, _case_paths(ids))
    assert forms, f"the {role} opened no page of the case"

    @settings(
        max_examples=8,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def posts(data):
        for path, names in forms.items():
            fields = {name: data.draw(ODD_VALUES, label=name) for name in names}
            # the fields an attacker adds: a commitment's id, a material, a version, a ticket
            fields.setdefault("commit-²", "on")
            odd = data.draw(ODD_VALUES, label="odd")
            for extra in ("material", "version", "ticket", "number", "day", "created_after"):
                fields.setdefault(extra, odd)
            response = client.post(path, fields)
            assert response.status_code < 500, ("POST", path, fields, response.status_code)
            response = client.get(path, {"version": odd, "page": odd, "after": odd})
            assert response.status_code < 500, ("GET", path, odd, response.status_code)

    posts()
