"""一次决定: when one department is a case's only reviewer and leads its stage and the item, one
decision is its opinion, the stage's decision and the decision notice; never otherwise."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from approvals.models import CaseDecision, CaseStage, CaseStep
from approvals.reviews import decisions
from approvals.reviews.selectors import single_decision_applies
from hall.models import Case, Notice
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    officer_of,
    open_steps,
    staged_item,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def planning(roles):
    return department_with_staff("PL", "区规划局", roles)


@pytest.fixture
def clerk(roles):
    return make_clerk(roles)


def test_one_department_decides_once(planning, clerk):
    case = accepted_case(staged_item([[(planning, 10)]], lead_department=planning), clerk)
    (step,) = open_steps(case)
    assert single_decision_applies(step=step)
    with pytest.raises(ValidationError) as missing:
        decisions.case_decide_at_once(
            step=step, officer=officer_of(planning), grant=False, reasons=" "
        )
    assert "opinion" in missing.value.message_dict
    notice = decisions.case_decide_at_once(
        step=step, officer=officer_of(planning), grant=True, reasons="符合条件。"
    )
    assert notice.kind == Notice.Kind.GRANT
    assert CaseStep.objects.get(pk=step.pk).status == CaseStep.Status.APPROVED
    assert CaseStage.objects.get(case=case).decision == CaseStage.Decision.APPROVED
    assert CaseDecision.objects.get(case=case).decision == CaseDecision.Decision.GRANT
    assert Case.objects.get(pk=case.pk).status == Case.Status.DECIDED
    # the department's words appear once, without a doubled full stop
    text = "".join(notice.content["paragraphs"])
    assert "。。" not in text and "（符合条件）" in text


def test_not_with_a_second_department_or_another_lead(planning, clerk, roles):
    fire = department_with_staff("FI", "区消防救援大队", roles)
    case = accepted_case(
        staged_item([[(planning, 10), (fire, 10)]], lead_department=planning), clerk
    )
    step = next(s for s in open_steps(case) if s.department_id == planning.pk)
    assert not single_decision_applies(step=step)
    with pytest.raises(ValidationError, match="多个审查部门"):
        decisions.case_decide_at_once(
            step=step, officer=officer_of(planning), grant=True, reasons=""
        )
    other = accepted_case(staged_item([[(fire, 10)]], lead_department=planning), clerk)
    assert not single_decision_applies(step=open_steps(other)[0])


def test_the_desk_offers_the_one_decision(client, planning, clerk):
    case = accepted_case(staged_item([[(planning, 10)]], lead_department=planning), clerk)
    (step,) = open_steps(case)
    client.force_login(officer_of(planning))
    url = reverse("desk:step", args=[step.pk])
    page = client.get(url).content.decode()
    assert "作出决定并出具决定书" in page
    response = client.post(
        reverse("desk:step_decide", args=[step.pk]),
        {"at_once": "1", "decide-decision": "approve", "decide-opinion": ""},
    )
    assert response.status_code == 302
    assert CaseDecision.objects.get(case=case).decision == CaseDecision.Decision.GRANT
