"""One revocation (行政许可法第六十九条): a revoked grant is a state of the decision, shown as
revoked in the register, the API, the lookup, the portal and the licence's verification page;
what the law leaves no room for bars a grant: a commitment found false before the decision, a
容缺 supplement recorded after its deadline, and a licence from the library that no longer
holds, re-checked at acceptance and at the decision."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from approvals.models import CaseDecision, MaterialRequirement
from approvals.register.selectors import grants_page
from approvals.reviews import decisions
from hall.cases import licences
from hall.cases.actions import CaseAction
from hall.intake import commitments, tolerance
from hall.intake import decisions as intake_decisions
from hall.intake.common import MaterialMark
from hall.lookup import services as lookup
from hall.models import Case, CaseEvent, Commitment, ElectronicLicence
from tests.approvals.workflow_helpers import (
    accepted_case,
    case_granted,
    department_with_staff,
    make_clerk,
    officer_of,
    received_case,
    staged_item,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def dept(roles):
    return department_with_staff("RV", "区市场监管局", roles)


@pytest.fixture
def clerk(roles):
    return make_clerk(roles)


@pytest.fixture
def item(dept):
    item = staged_item(
        [[(dept, 5)]],
        lead_department=dept,
        commitment_allowed=True,
        commitment_text="申请人承诺对住所依法享有使用权。",
        commitment_liability="承诺不实的，撤销许可并记入信用记录。",
        commitment_verify_days=20,
        licence_type="food-business",
        licence_name="食品经营许可证",
        licence_validity_years=5,
    )
    MaterialRequirement.objects.create(
        item=item, name="住所使用证明", form="copy", commitment_allowed=True, order=7
    )
    MaterialRequirement.objects.create(
        item=item, name="从业人员健康证明", form="copy", secondary=True, order=8
    )
    return item


def _marks(case, **statuses):
    return {m.pk: MaterialMark(statuses.get(m.name, "received")) for m in case.materials.all()}


def committed_case(item, clerk) -> Case:
    case = received_case(item, clerk)
    intake_decisions.case_intake_decide(
        case=case, clerk=clerk, outcome="accept", marks=_marks(case, 住所使用证明="committed")
    )
    return Case.objects.get(pk=case.pk)


def _false(case, dept):
    commitments.commitment_verify(
        commitment=Commitment.objects.get(case=case),
        by=officer_of(dept, head=True),
        truthful=False,
        note="住所为他人所有，未获授权",
    )


def test_a_revoked_grant_is_a_state_of_the_decision_shown_everywhere(
    item, clerk, dept, client, make_user
):
    case = committed_case(item, clerk)
    case_granted(case, dept)
    licence = ElectronicLicence.objects.get(case=case)
    # When the commitment is found false after the grant
    _false(case, dept)
    # Then the decision itself is revoked: who, when, why, on what basis
    decision = CaseDecision.objects.get(case=case)
    assert decision.decision == CaseDecision.Decision.GRANT and decision.revoked
    assert decision.revoked_by == officer_of(dept, head=True)
    assert "住所为他人所有" in decision.revocation_reason
    assert "第六十九条第二款" in decision.revocation_basis
    licence.refresh_from_db()
    assert licence.status == ElectronicLicence.Status.REVOKED
    # a second revocation changes nothing
    assert not decisions.case_decision_revoke(
        case=case,
        by=officer_of(dept, head=True),
        reason="重复",
        basis=decisions.REVOKE_BASIS_FALSE_COMMITMENT,
        notify_key="again",
    )
    assert CaseEvent.objects.filter(case=case, action=CaseAction.DECISION_REVOKED).count() == 1
    # the public register keeps it, marked revoked with its date and basis, no "valid until"
    _page, entries = grants_page(query=case.item.code)
    (entry,) = entries
    assert entry.status == "revoked" and entry.revoked_on == timezone.localdate()
    html = client.get(reverse("register:grants"), {"q": case.item.code}).content.decode()
    assert "撤销" in html and "第六十九条" in html
    assert "有效期至" not in html
    assert "住所为他人所有" not in html  # the reason is the applicant's, not the public's
    # the lookup and the licence's verification page say so
    assert lookup.case_revocation(case=case) == decision
    verify = client.get(reverse("licences:verify", args=[licence.verification_code]))
    page = verify.content.decode()
    assert "已撤销" in page and "第六十九条" in page


def test_the_api_shows_a_revoked_grant(item, clerk, dept):
    from hall.api.serializers import CaseSerializer, GrantSerializer

    case = committed_case(item, clerk)
    case_granted(case, dept)
    _false(case, dept)
    body = CaseSerializer(Case.objects.select_related("item", "decision").get(pk=case.pk)).data
    assert body["decision"]["decision"] == "grant"
    assert body["decision"]["revoked"] is True
    assert "第六十九条" in body["decision"]["revocation_basis"]
    _page, entries = grants_page(query=case.item.code)
    (grant,) = GrantSerializer(entries, many=True).data
    assert grant["status"] == "revoked" and grant["revoked_on"] == timezone.localdate().isoformat()


def test_a_commitment_found_false_before_the_decision_bars_a_grant(item, clerk, dept):
    case = committed_case(item, clerk)
    _false(case, dept)
    assert not CaseDecision.objects.filter(case=case, revoked_at__isnull=False).exists()
    with pytest.raises(ValidationError, match="告知承诺经核查不实") as refused:
        case_granted(case, dept)
    assert refused.value.code == "commitment_false"
    assert not ElectronicLicence.objects.filter(case=case).exists()
    # a refusal citing the commitment goes through
    decisions.case_decide(
        case=Case.objects.get(pk=case.pk),
        officer=officer_of(dept),
        grant=False,
        reasons="告知承诺经核查不实",
    )
    assert CaseDecision.objects.get(case=case).decision == CaseDecision.Decision.REFUSE


def test_a_supplement_recorded_after_its_deadline_can_only_be_refused(
    item, clerk, dept, time_machine
):
    from tests.dates import shanghai

    time_machine.move_to(shanghai(2026, 3, 2))
    case = received_case(item, clerk)
    intake_decisions.case_intake_decide(
        case=case,
        clerk=clerk,
        outcome="tolerate",
        marks=_marks(case, 从业人员健康证明="missing"),
        tolerance={
            "deadline": datetime.date(2026, 3, 6),
            "supplement_form": "online",
            "commitment_signed": True,
        },
    )
    deferred = case.materials.get(name="从业人员健康证明")
    time_machine.move_to(shanghai(2026, 3, 9))  # the Monday after the Friday deadline
    tolerance.tolerance_supplement_record(case=case, material=deferred, by=None, via="online")
    with pytest.raises(ValidationError, match="超过容缺受理通知书载明的期限") as refused:
        case_granted(Case.objects.get(pk=case.pk), dept)
    assert refused.value.code == "supplements_late"


@pytest.fixture
def held_licence(dept, clerk) -> ElectronicLicence:
    """张三 holds a food licence, granted by the department."""
    first = accepted_case(
        staged_item(
            [[(dept, 5)]],
            lead_department=dept,
            licence_type="food-business",
            licence_name="食品经营许可证",
        ),
        clerk,
    )
    case_granted(first, dept)
    return ElectronicLicence.objects.get(case=first)


@pytest.fixture
def follow_up(dept):
    """An item that asks for the food licence, which intake takes from the library."""
    item = staged_item([[(dept, 5)]], lead_department=dept, name="食品经营许可（变更）")
    MaterialRequirement.objects.create(
        item=item, name="食品经营许可证", form="original", licence_type="food-business", order=9
    )
    return item


def test_a_licence_revoked_after_receipt_is_checked_again_at_acceptance(
    held_licence, follow_up, dept, clerk
):
    case = received_case(follow_up, clerk)
    shared = case.materials.get(name="食品经营许可证")
    assert shared.licence == held_licence
    # When the licence is revoked before acceptance
    licences.licence_revoke(licence=held_licence, by=officer_of(dept), reason="吊销")
    marks = {m.pk: MaterialMark("received") for m in case.materials.exclude(pk=shared.pk)}
    with pytest.raises(ValidationError, match="证照已撤销或失效") as refused:
        intake_decisions.case_intake_decide(case=case, clerk=clerk, outcome="accept", marks=marks)
    assert refused.value.code == "licence_lapsed"
    # Then the window checks the material again (the applicant brings the paper one)
    marks[shared.pk] = MaterialMark("received")
    intake_decisions.case_intake_decide(case=case, clerk=clerk, outcome="accept", marks=marks)
    shared.refresh_from_db()
    assert shared.licence is None and shared.status == "received"
    assert Case.objects.get(pk=case.pk).status == Case.Status.ACCEPTED


def test_a_licence_that_lapses_during_review_bars_the_grant(held_licence, follow_up, dept, clerk):
    case = accepted_case(follow_up, clerk)
    ElectronicLicence.objects.filter(pk=held_licence.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
        valid_from=timezone.localdate() - datetime.timedelta(days=400),
    )
    with pytest.raises(ValidationError, match="“食品经营许可证”取自电子证照库") as refused:
        case_granted(Case.objects.get(pk=case.pk), dept)
    assert refused.value.code == "licence_lapsed"
