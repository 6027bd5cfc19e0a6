"""容缺受理: a filing missing only secondary materials is accepted on the applicant's signed
commitment, with a 容缺受理通知书 naming each missing material, how and by when; review starts at
once, and no grant is made until the supplements are in. Refused: a main material missing, a
deadline past the promised limit, an applicant with a credit mark, no signed commitment."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from approvals.models import MaterialRequirement
from approvals.reviews import decisions
from hall.cases.actions import CaseAction
from hall.intake import decisions as intake_decisions
from hall.intake import tolerance
from hall.intake.common import MaterialMark
from hall.models import Case, CaseEvent, CaseMaterial, CreditMark, Notice
from tests.approvals.workflow_helpers import (
    case_granted,
    department_with_staff,
    make_clerk,
    officer_of,
    open_steps,
    received_case,
    staged_item,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def dept(roles):
    return department_with_staff("SC", "区市场监管局", roles)


@pytest.fixture
def clerk(roles):
    return make_clerk(roles)


@pytest.fixture
def item(dept):
    item = staged_item([[(dept, 5)]], lead_department=dept, promised_days=10)
    MaterialRequirement.objects.create(
        item=item, name="从业人员健康证明", form="copy", secondary=True, order=8
    )
    return item


received = received_case


def marks(case, *missing: str) -> dict:
    return {
        m.pk: MaterialMark("missing" if m.name in missing else "received")
        for m in case.materials.all()
    }


def tolerate(case, clerk, *missing, deadline=None, signed=True, form="online"):
    deadline = deadline or timezone.localdate() + datetime.timedelta(days=5)
    return intake_decisions.case_intake_decide(
        case=case,
        clerk=clerk,
        outcome="tolerate",
        marks=marks(case, *missing),
        tolerance={"deadline": deadline, "supplement_form": form, "commitment_signed": signed},
    )


def test_accepted_with_a_secondary_material_missing_and_granted_once_it_is_in(item, clerk, dept):
    case = received(item, clerk)
    deadline = timezone.localdate() + datetime.timedelta(days=7)
    notice = tolerate(case, clerk, "从业人员健康证明", deadline=deadline)
    case.refresh_from_db()
    assert notice.kind == Notice.Kind.TOLERANCE
    assert case.status == Case.Status.ACCEPTED and len(open_steps(case)) == 1  # review started
    table = Notice.objects.get(pk=notice.pk).content["table"]  # as stored
    assert table["header"] == ["所缺材料", "补齐方式", "补齐期限"]
    assert table["rows"] == [["从业人员健康证明", "网上上传", deadline.isoformat()]]
    assert Notice.objects.filter(case=case, kind=Notice.Kind.ACCEPTANCE).exists()
    deferred = case.materials.get(name="从业人员健康证明")
    assert deferred.outstanding and deferred.deferred_until == deadline
    assert CaseEvent.objects.filter(case=case, action=CaseAction.TOLERANCE_ACCEPTED).exists()
    # no grant while the supplement is outstanding (a refusal stays possible)
    with pytest.raises(ValidationError, match="容缺受理的材料尚未补齐"):
        case_granted(case, dept)
    tolerance.tolerance_supplement_record(case=case, material=deferred, by=None, via="online")
    tolerance.tolerance_supplement_record(case=case, material=deferred, by=None, via="post")
    supplied = CaseEvent.objects.filter(case=case, action=CaseAction.TOLERANCE_SUPPLIED)
    assert supplied.count() == 1 and supplied.get().details["via"] == "网上上传"  # once
    deferred.refresh_from_db()
    assert deferred.status == "received" and not deferred.outstanding
    case_after = Case.objects.get(pk=case.pk)
    decisions.case_decide(case=case_after, officer=officer_of(dept), grant=True, reasons="")
    assert Case.objects.get(pk=case.pk).status == Case.Status.DECIDED


def _unchanged(case):
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED
    assert not case.notices.exists()
    assert not CaseMaterial.objects.filter(case=case, deferred_until__isnull=False).exists()


def test_a_main_material_can_never_be_tolerated(item, clerk):
    case = received(item, clerk)
    with pytest.raises(ValidationError, match="“申请表”是主要材料，不能容缺受理"):
        tolerate(case, clerk, "申请表", "从业人员健康证明")
    _unchanged(case)


def test_the_deadline_may_not_pass_the_promised_limit(item, clerk):
    case = received(item, clerk)
    latest = tolerance.tolerance_latest_deadline(case, today=timezone.localdate())
    with pytest.raises(ValidationError, match="不得超过本事项的承诺办结期限"):
        tolerate(case, clerk, "从业人员健康证明", deadline=latest + datetime.timedelta(days=1))
    _unchanged(case)
    with pytest.raises(ValidationError, match="须晚于今天"):
        tolerate(case, clerk, "从业人员健康证明", deadline=timezone.localdate())
    tolerate(case, clerk, "从业人员健康证明", deadline=latest)  # the limit itself is allowed
    assert Case.objects.get(pk=case.pk).status == Case.Status.ACCEPTED


def test_an_applicant_with_a_credit_mark_is_not_offered_tolerance(item, clerk):
    case = received(item, clerk)
    assert tolerance.tolerance_offered(case)
    CreditMark.objects.create(
        applicant=case.applicant, reason="告知承诺不实", marked_at=timezone.now()
    )
    assert not tolerance.tolerance_offered(case)
    with pytest.raises(ValidationError, match="失信记录"):
        tolerate(case, clerk, "从业人员健康证明")
    _unchanged(case)


def test_the_commitment_must_be_signed(item, clerk):
    case = received(item, clerk)
    with pytest.raises(ValidationError, match="签署容缺受理承诺书"):
        tolerate(case, clerk, "从业人员健康证明", signed=False)
    _unchanged(case)


def test_the_window_accepts_with_tolerance_and_records_the_supplement(client, item, clerk):
    case = received(item, clerk)
    client.force_login(clerk)
    url = reverse("intake:case", args=[case.receipt_no])
    assert "容缺受理（仅次要材料暂缺）" in client.get(url).content.decode()
    data = {"outcome": "tolerate", "tol-supplement_form": "window"}
    data.update(
        {f"status-{pk}": mark.status for pk, mark in marks(case, "从业人员健康证明").items()}
    )
    data["tol-deadline"] = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    # without the signed commitment: told at the form, nothing recorded
    page = client.post(url, data)
    assert page.status_code == 400 and "签署容缺受理承诺书" in page.content.decode()
    _unchanged(case)
    data["tol-commitment_signed"] = "on"
    page = client.post(url, data, follow=True).content.decode()
    assert "已出具容缺受理通知书" in page and "待补齐的材料" in page
    material = case.materials.get(name="从业人员健康证明")
    response = client.post(
        reverse("intake:supplement", args=[case.receipt_no, material.pk]),
        {"supply-via": "window"},
        follow=True,
    )
    assert "已登记“从业人员健康证明”已补齐" in response.content.decode()
    material.refresh_from_db()
    assert material.supplied_via == "window" and material.status == "received"


def test_the_applicant_supplies_a_tolerated_material_online(client, item, clerk, make_user):
    from tests.hall.online.test_filing import png

    case = received(item, clerk)
    user = make_user("13800138000", "applicant", last_name="张三")
    case.applicant.user = user
    case.applicant.save(update_fields=["user"])
    tolerate(case, clerk, "从业人员健康证明")
    material = case.materials.get(name="从业人员健康证明")
    client.force_login(user)
    page = client.get(reverse("portal:case", args=[case.receipt_no])).content.decode()
    assert "容缺受理：请补齐以下材料" in page
    url = reverse("portal:supplement", args=[case.receipt_no, material.pk])
    empty = client.post(url, {})
    assert empty.status_code == 400 and "请选择要上传的文件" in empty.content.decode()
    client.post(url, {f"supplement-{material.pk}": png()})
    material.refresh_from_db()
    assert material.supplied_via == "online" and material.uploads.count() == 1
    again = client.post(url, {f"supplement-{material.pk}": png()})
    assert again.status_code == 400 and "该材料无需补齐" in again.content.decode()


def test_supervision_lists_supplements_past_their_deadline(client, item, clerk, roles):
    from tests.factories import UserFactory

    case = received(item, clerk)
    tolerate(case, clerk, "从业人员健康证明")
    today = timezone.localdate()
    assert not tolerance.supplements_overdue(today=today)
    later = case.materials.get(name="从业人员健康证明").deferred_until + datetime.timedelta(days=1)
    (overdue,) = tolerance.supplements_overdue(today=later)
    assert overdue.case == case
    CaseMaterial.objects.filter(pk=overdue.pk).update(deferred_until=today - datetime.timedelta(1))
    supervisor = UserFactory(username="sup-zhao")
    supervisor.groups.add(roles["supervisor"])
    client.force_login(supervisor)
    page = client.get(reverse("supervision:commitments")).content.decode()
    assert "容缺材料逾期未补齐" in page and case.receipt_no in page


def test_acceptance_reads_the_checklist_once_whatever_the_practices(item, clerk):
    """The acceptance reads every material once for what is missing, what the library gave and
    what is tolerated or committed (no row-by-row reads: the bench counts statements per case)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = received(item, clerk)
    accept_marks = marks(case)
    with CaptureQueriesContext(connection) as queries:
        intake_decisions.case_intake_decide(
            case=case, clerk=clerk, outcome="accept", marks=accept_marks
        )
    material_reads = [
        q["sql"] for q in queries if q["sql"].startswith('SELECT "hall_casematerial"')
    ]
    assert len(material_reads) == 2, material_reads  # the check's read and the acceptance's
