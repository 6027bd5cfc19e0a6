"""The open API: keys and scopes, bounds by department and by filing client, idempotent
writes, problem details, and every case call recorded."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from approvals.models import CaseStep
from hall.api.keys import api_key_issue
from hall.models import ApiCallRecord, ApiClient, Case
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    officer_of,
    staged_item,
)
from tests.factories import item_with_checklist

pytestmark = pytest.mark.postgres

PERSON = {
    "kind": "person",
    "name": "张三",
    "phone": "13800138000",
    "id_number": "11010519491231002X",
}


def client_with(*, scopes, **fields) -> tuple[ApiClient, APIClient]:
    record = ApiClient.objects.create(
        name=f"client-{ApiClient.objects.count()}", scopes=scopes, **fields
    )
    key = api_key_issue(client=record)
    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return record, http


@pytest.fixture
def item(db):
    return item_with_checklist(name="食品经营许可")


def _file(http, item, key=None, **overrides):
    headers = {name: overrides.pop(name) for name in list(overrides) if name.startswith("HTTP_")}
    payload = {"item_code": item.code, "applicant": PERSON, "answers": {"agent": "no"}}
    payload.update(overrides)
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return http.post(reverse("api:cases"), payload, format="json", **headers)


def test_the_catalogue_is_public(client, item):
    response = client.get(reverse("api:items"))
    assert response.status_code == 200
    codes = [row["code"] for row in response.json()["results"]]
    assert item.code in codes
    detail = client.get(reverse("api:item", args=[item.code])).json()
    assert {m["name"] for m in detail["materials"]} >= {"申请表", "身份证明"}


def test_no_key_a_wrong_key_and_a_disabled_client_are_refused(db, item):
    anonymous = APIClient()
    assert anonymous.get(reverse("api:cases")).status_code == 401
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Bearer hall_0000000000_nothing")
    response = wrong.get(reverse("api:cases"))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "密钥无效或客户端已停用。"
    record, http = client_with(scopes=["cases:read"])
    assert http.get(reverse("api:cases")).status_code == 200
    ApiClient.objects.filter(pk=record.pk).update(is_active=False)
    assert http.get(reverse("api:cases")).status_code == 401


def test_a_platform_files_a_case_and_a_replayed_key_creates_nothing_new(item):
    _record, http = client_with(scopes=["cases:file", "cases:read"])
    first = _file(http, item, key="order-1")
    assert first.status_code == 201, first.content
    receipt_no = first.json()["receipt_no"]
    assert first["Location"] == f"/api/v1/cases/{receipt_no}/"
    again = _file(http, item, key="order-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Case.objects.count() == 1
    other = _file(http, item, key="order-1", answers={"agent": "yes"})
    assert other.status_code == 422  # the same key for a different request
    assert Case.objects.count() == 1
    case = Case.objects.get()
    assert case.channel == "online" and case.owner_id is None
    read = http.get(reverse("api:case", args=[receipt_no]))
    assert read.status_code == 200 and read.json()["status"] == "received"
    events = http.get(reverse("api:case_events", args=[receipt_no])).json()
    assert events[0]["action"] == "received"


def test_work_and_its_kept_answer_commit_together(item, monkeypatch):
    """A request that fails after its work (the process dies, the database goes away before
    the answer is recorded) leaves neither the case nor a "running" key: the repeat files it,
    once, at once (the scale-out drill found a key left running for work that was done)."""
    from hall.api import views
    from hall.models import ApiIdempotencyRecord

    _record, http = client_with(scopes=["cases:file", "cases:read"])
    real = views.api.CaseWithChecklistSerializer

    class Failing(real):
        @property
        def data(self):
            raise RuntimeError("the answer is lost")

    monkeypatch.setattr(views.api, "CaseWithChecklistSerializer", Failing)
    with pytest.raises(RuntimeError):
        _file(http, item, key="order-lost")
    assert Case.objects.count() == 0 and ApiIdempotencyRecord.objects.count() == 0
    monkeypatch.setattr(views.api, "CaseWithChecklistSerializer", real)
    again = _file(http, item, key="order-lost")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Case.objects.count() == 1


def test_a_platform_reading_a_case_it_did_not_file_gets_404(item, roles):
    _record, filer = client_with(scopes=["cases:file", "cases:read"])
    receipt_no = _file(filer, item).json()["receipt_no"]
    _other, stranger = client_with(scopes=["cases:file", "cases:read"])
    response = stranger.get(reverse("api:case", args=[receipt_no]))
    assert response.status_code == 404
    missing = stranger.get(reverse("api:case", args=["FT00000000-000000"]))
    assert missing.status_code == 404 and missing.json() == response.json()
    assert stranger.get(reverse("api:cases")).json()["results"] == []
    # a window case (filed by no client) is nobody's through the API
    clerk = make_clerk(roles)
    window_case = accepted_case(item, clerk)
    assert filer.get(reverse("api:case", args=[window_case.receipt_no])).status_code == 404


def test_a_read_only_client_writing_gets_403(item):
    _record, http = client_with(scopes=["cases:read", "catalogue:read"])
    response = _file(http, item)
    assert response.status_code == 403
    assert response.json()["detail"] == "该客户端没有此接口的权限范围。"
    assert not Case.objects.exists()


def test_filing_errors_are_problem_details_in_chinese_at_the_field(item):
    _record, http = client_with(scopes=["cases:file"])
    response = _file(http, item, applicant={**PERSON, "id_number": "110105194912310021"})
    assert response.status_code == 400
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert body["status"] == 400 and "id_number" in body["errors"]
    assert "校验" in body["errors"]["id_number"][0]
    missing = http.post(reverse("api:cases"), {"applicant": PERSON}, format="json")
    assert missing.status_code == 400 and "item_code" in missing.json()["errors"]
    english = _file(http, item, applicant={**PERSON, "phone": "123"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400 and english.json()["title"] == "Bad request"


@pytest.fixture
def two_departments(roles):
    clerk = make_clerk(roles)
    planning = department_with_staff("PL", "区规划局", roles)
    health = department_with_staff("HE", "区卫健局", roles)
    item = staged_item([[(planning, 10), (health, 10)]], lead_department=planning)
    case = accepted_case(item, clerk)
    return case, planning, health


def _department_client(department):
    officer = officer_of(department)
    return client_with(scopes=["steps:act"], department=department, acting_user=officer)


def test_a_department_system_sees_and_decides_only_its_own_steps(two_departments):
    case, planning, health = two_departments
    _record, planning_api = _department_client(planning)
    listed = planning_api.get(reverse("api:steps")).json()["results"]
    assert [row["department_code"] for row in listed] == ["PL"]
    own = CaseStep.objects.get(case=case, department=planning)
    foreign = CaseStep.objects.get(case=case, department=health)
    # another department's step is not there at all
    for url in (
        reverse("api:step_claim", args=[foreign.pk]),
        reverse("api:step_decision", args=[foreign.pk]),
    ):
        assert planning_api.post(url, {"approve": True}, format="json").status_code == 404
    claimed = planning_api.post(reverse("api:step_claim", args=[own.pk]))
    assert claimed.status_code == 200 and claimed.json()["claimed"] is True
    refused = planning_api.post(
        reverse("api:step_decision", args=[own.pk]), {"approve": False}, format="json"
    )
    assert refused.status_code == 400 and "opinion" in refused.json()["errors"]
    decided = planning_api.post(
        reverse("api:step_decision", args=[own.pk]),
        {"approve": True, "opinion": "符合规划。"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="decide-1",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    replay = planning_api.post(
        reverse("api:step_decision", args=[own.pk]),
        {"approve": True, "opinion": "符合规划。"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="decide-1",
    )
    assert replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"
    again = planning_api.post(
        reverse("api:step_decision", args=[own.pk]), {"approve": True}, format="json"
    )
    assert again.status_code == 409  # decided already, through the same service as the desk
    own.refresh_from_db()
    assert own.status == "approved"
    assert own.decided_by == officer_of(planning)
    assert case.events.filter(action="review_decided").count() == 1


def test_every_case_call_is_recorded_with_client_and_request_id(item):
    record, http = client_with(scopes=["cases:file", "cases:read"])
    response = _file(http, item, HTTP_X_REQUEST_ID="req-42")
    assert response["X-Request-ID"] == "req-42"
    receipt_no = response.json()["receipt_no"]
    http.get(reverse("api:case", args=[receipt_no]))
    calls = ApiCallRecord.objects.filter(client=record).order_by("pk")
    case = Case.objects.get()
    assert [(c.method, c.status, c.case_id) for c in calls] == [
        ("POST", 201, case.pk),
        ("GET", 200, case.pk),
    ]
    assert calls[0].request_id == "req-42"


def test_a_client_over_its_rate_gets_429(item):
    _record, http = client_with(scopes=["cases:read"], requests_per_minute=3)
    statuses = [http.get(reverse("api:cases")).status_code for _n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_a_platform_reads_the_notices_of_its_case_and_their_pdf(item, roles):
    import uuid

    from hall.cases import applicants
    from hall.intake import decisions, receiving
    from hall.intake.common import MaterialMark

    record, http = client_with(scopes=["cases:read"])
    clerk = make_clerk(roles)
    case = receiving.case_receive(
        submission_key=uuid.uuid4(),
        applicant=applicants.applicant_register(**PERSON),
        item=item,
        answers={"agent": "no"},
        received_by=clerk,
        channel=Case.Channel.WINDOW,
        window=clerk.clerk.window,
        filed_by_client=record,
    )
    marks = {m.pk: MaterialMark("received") for m in case.materials.all()}
    decisions.case_materials_check(case=case, clerk=clerk, marks=marks)
    decisions.case_accept(case=case, clerk=clerk)
    (notice,) = http.get(reverse("api:notices", args=[case.receipt_no])).json()
    assert notice["kind"] == "acceptance"
    pdf = http.get(notice["pdf"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    _other, stranger = client_with(scopes=["cases:read"])
    assert stranger.get(notice["pdf"]).status_code == 404


def test_a_department_system_asks_for_a_correction_once_and_runs_special_procedures(
    two_departments,
):
    case, planning, _health = two_departments
    _record, planning_api = _department_client(planning)
    own = CaseStep.objects.get(case=case, department=planning)
    url = reverse("api:step_correction", args=[own.pk])
    empty = planning_api.post(url, {"items": []}, format="json")
    assert empty.status_code == 400
    body = {"items": [{"material": "规划图", "reason": "比例尺不符"}]}
    asked = planning_api.post(url, body, format="json")
    assert asked.status_code == 201 and asked.json()["kind"] == "correction"
    again = planning_api.post(url, body, format="json")
    assert again.status_code == 400  # one-time notification: never twice
    assert "一次性告知" in again.json()["detail"]
    own.refresh_from_db()
    assert own.status == "suspended"


def test_a_department_system_requests_an_extension_within_the_cap(two_departments):
    case, planning, _health = two_departments
    _record, planning_api = _department_client(planning)
    own = CaseStep.objects.get(case=case, department=planning)
    url = reverse("api:step_extension", args=[own.pk])
    too_long = planning_api.post(url, {"days": 16, "reason": "需现场核查"}, format="json")
    assert too_long.status_code == 400 and "days" in too_long.json()["errors"]
    asked = planning_api.post(url, {"days": 5, "reason": "需现场核查"}, format="json")
    assert asked.status_code == 201 and asked.json()["status"] == "requested"


def test_the_public_register_and_the_six_basic_elements(client, item):
    response = client.get(reverse("api:grants"))
    assert response.status_code == 200 and response["X-Total-Count"] == "0"
    assert client.get(reverse("api:grants"), {"page": "x"}).status_code == 400
    elements = client.get(reverse("api:item", args=[item.code])).json()["basic_elements"]
    assert set(elements) == {
        "事项名称",
        "事项编码",
        "事项类型",
        "主管部门",
        "实施机关",
        "设定和实施依据",
    }
    assert elements["事项编码"] == item.code


def test_cases_filter_by_dates_and_refuse_a_bad_date(item):
    _record, http = client_with(scopes=["cases:file", "cases:read"])
    _file(http, item)
    today = timezone.localdate().isoformat()
    found = http.get(reverse("api:cases"), {"created_after": today}).json()["results"]
    assert len(found) == 1
    none = http.get(reverse("api:cases"), {"created_before": today}).json()["results"]
    assert none == []
    bad = http.get(reverse("api:cases"), {"created_after": "yesterday"})
    assert bad.status_code == 400 and "created_after" in bad.json()["errors"]


@pytest.mark.parametrize("day", ["2026-02-30", "2026-13-01", "２０２６-01-01", "2026-1-1"])
def test_a_date_that_does_not_exist_is_a_400_not_a_500(item, day):
    _record, http = client_with(scopes=["cases:read"])
    bad = http.get(reverse("api:cases"), {"created_after": day})
    assert bad.status_code == 400 and "created_after" in bad.json()["errors"]


def test_a_body_nested_ten_thousand_deep_is_a_400_problem(item):
    _record, http = client_with(scopes=["cases:file", "cases:read"])
    body = "[" * 10_000 + "]" * 10_000
    answer = http.post(reverse("api:cases"), body, content_type="application/json")
    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("application/problem+json")
    assert "嵌套" in answer.json()["detail"]
    assert not Case.objects.exists()
