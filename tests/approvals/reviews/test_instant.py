"""秒批: a filing that meets every rule of its item is accepted and decided in the same request by
the system, the rules named on the case and the notice; one that fails goes to the departments
with the failed condition recorded for the clerk; instant grants are sampled for review, and a
failed review revokes the decision and the licence."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from approvals.models import CaseDecision
from approvals.reviews import delivery, instant
from departments.supervision.selectors import instant_shares
from hall.cases import applicants
from hall.cases.actions import CaseAction
from hall.intake import decisions as intake_decisions
from hall.intake import receiving
from hall.intake.common import MaterialMark
from hall.models import (
    Case,
    CaseEvent,
    CreditMark,
    ElectronicLicence,
    InstantApproval,
    Notice,
)
from tests.approvals.workflow_helpers import department_with_staff, make_clerk, staged_item

pytestmark = pytest.mark.postgres

RULES = [
    {"type": "applicant_type", "equals": "person"},
    {"type": "answer", "question": "agent", "equals": "no"},
    {"type": "no_credit_mark"},
    {"type": "materials_complete"},
]


@pytest.fixture
def dept(roles):
    return department_with_staff("GA", "区公安分局", roles)


@pytest.fixture
def clerk(roles):
    return make_clerk(roles)


def instant_item(dept, **overrides):
    fields = {
        "instant_approval": True,
        "instant_rules": RULES,
        "instant_sample_percent": 0,
        "licence_type": "seal-filing",
        "licence_name": "印章刻制备案证明",
        "lead_department": dept,
    }
    fields.update(overrides)
    return staged_item([[(dept, 3)]], **fields)


def person():
    return applicants.applicant_register(
        kind="person", name="张三", phone="13800138000", id_number="11010519491231002X"
    )


def accept_at_window(item, clerk, *, answers=None, applicant=None):
    case = receiving.case_receive(
        submission_key=uuid.uuid4(),
        applicant=applicant or person(),
        item=item,
        answers=answers or {"agent": "no"},
        received_by=clerk,
        channel=Case.Channel.WINDOW,
        window=clerk.clerk.window,
    )
    marks = {m.pk: MaterialMark("received") for m in case.materials.all()}
    intake_decisions.case_intake_decide(case=case, clerk=clerk, outcome="accept", marks=marks)
    case.refresh_from_db()
    return case


def test_a_filing_meeting_every_rule_is_decided_by_the_system_at_acceptance(dept, clerk):
    case = accept_at_window(instant_item(dept), clerk)
    assert case.status == Case.Status.DECIDED
    assert not case.steps.exists()  # no department review
    decision = CaseDecision.objects.get(case=case)
    assert decision.decision == CaseDecision.Decision.GRANT and decision.decided_by.username
    approval = InstantApproval.objects.get(case=case)
    assert [c["type"] for c in approval.conditions] == [r["type"] for r in RULES]
    assert approval.review == InstantApproval.Review.NOT_SAMPLED  # 0 %
    grant = Notice.objects.get(case=case, kind=Notice.Kind.GRANT)
    text = "".join(grant.content["paragraphs"])
    assert "秒批规则" in text and "申请人无未消除的失信记录" in text and "事后抽查" in text
    event = CaseEvent.objects.get(case=case, action=CaseAction.INSTANT_APPROVED)
    assert "申请材料齐全" in event.details["conditions"]
    assert ElectronicLicence.objects.filter(case=case, name="印章刻制备案证明").exists()
    # and it is delivered as any decided case is
    delivery.case_deliver(case=case, clerk=clerk, method="window")
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED


@pytest.mark.parametrize("spoil", ["answer", "credit_mark", "applicant_type"])
def test_a_failed_condition_sends_the_case_to_the_departments_and_says_which(
    spoil, dept, clerk, roles
):
    item = instant_item(dept)
    answers, applicant = {"agent": "no"}, person()
    if spoil == "answer":
        answers = {"agent": "yes"}
    elif spoil == "credit_mark":
        CreditMark.objects.create(applicant=applicant, reason="虚假承诺", marked_at=timezone.now())
    else:
        item.instant_rules = [{"type": "applicant_type", "equals": "enterprise"}]
        item.save(update_fields=["instant_rules"])
    if spoil == "answer":
        receiving_case = receiving.case_receive(
            submission_key=uuid.uuid4(),
            applicant=applicant,
            item=item,
            answers=answers,
            received_by=clerk,
            channel=Case.Channel.WINDOW,
            window=clerk.clerk.window,
        )
        marks = {m.pk: MaterialMark("received") for m in receiving_case.materials.all()}
        intake_decisions.case_intake_decide(
            case=receiving_case, clerk=clerk, outcome="accept", marks=marks
        )
        case = Case.objects.get(pk=receiving_case.pk)
    else:
        case = accept_at_window(item, clerk, applicant=applicant)
    assert case.status == Case.Status.ACCEPTED
    assert case.steps.filter(status="open").count() == 1  # ordinary review
    assert not InstantApproval.objects.filter(case=case).exists()
    declined = CaseEvent.objects.get(case=case, action=CaseAction.INSTANT_DECLINED)
    expected = {
        "answer": "“是否委托代理人办理”的回答为“否”",
        "credit_mark": "申请人无未消除的失信记录",
        "applicant_type": "申请人为企业",
    }[spoil]
    assert declined.details["condition"] == expected


def test_the_clerk_is_told_at_once(client, dept, clerk):
    item = instant_item(dept)
    case = receiving.case_receive(
        submission_key=uuid.uuid4(),
        applicant=person(),
        item=item,
        answers={"agent": "no"},
        received_by=clerk,
        channel=Case.Channel.WINDOW,
        window=clerk.clerk.window,
    )
    client.force_login(clerk)
    data = {"outcome": "accept"}
    data.update({f"status-{m.pk}": "received" for m in case.materials.all()})
    page = client.post(
        reverse("intake:case", args=[case.receipt_no]), data, follow=True
    ).content.decode()
    assert "秒批：申请满足全部秒批条件" in page


def test_sampled_instant_grants_are_reviewed_and_a_failed_review_revokes(dept, clerk, roles):
    case = accept_at_window(instant_item(dept, instant_sample_percent=100), clerk)
    approval = InstantApproval.objects.get(case=case)
    assert approval.review == InstantApproval.Review.PENDING
    reviewer = make_clerk(roles, username="supervisor-li")
    with pytest.raises(ValidationError, match="须说明理由"):
        instant.instant_review_record(approval=approval, reviewer=reviewer, passed=False, note="")
    instant.instant_review_record(
        approval=approval, reviewer=reviewer, passed=False, note="经核查，申请人非经营者本人。"
    )
    approval.refresh_from_db()
    assert approval.review == InstantApproval.Review.FAILED
    licence = ElectronicLicence.objects.get(case=case)
    assert licence.status == ElectronicLicence.Status.REVOKED
    assert CaseEvent.objects.filter(case=case, action=CaseAction.DECISION_REVOKED).count() == 1
    with pytest.raises(ValidationError, match="不在待抽查状态"):
        instant.instant_review_record(approval=approval, reviewer=reviewer, passed=True, note="")


def test_supervision_counts_the_instant_share_per_item(dept, clerk, roles):
    item = instant_item(dept)
    accept_at_window(item, clerk)
    accept_at_window(item, clerk, answers={"agent": "yes"})  # to the departments: not decided
    (share,) = [s for s in instant_shares() if s.item_code == item.code]
    assert (share.decided, share.instant, share.percent) == (1, 1, 100.0)


def test_an_online_filing_meeting_every_rule_is_decided_in_the_same_request(
    dept, make_user, settings, tmp_path
):
    from tests.hall.online.test_filing import files_for

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    from hall.online import filing

    user = make_user("13800138000", "applicant", last_name="张三")
    applicant = person()
    applicant.user = user
    applicant.save(update_fields=["user"])
    item = instant_item(dept)
    case = filing.online_case_file(
        user=user,
        submission_key=uuid.uuid4(),
        item=item,
        answers={"agent": "no"},
        files=files_for(item),
    )
    case.refresh_from_db()
    assert case.status == Case.Status.DECIDED and case.channel == Case.Channel.ONLINE
    assert InstantApproval.objects.filter(case=case).exists()
    # one that fails waits for the online desk, with the reason on its log
    CreditMark.objects.create(applicant=applicant, reason="虚假承诺", marked_at=timezone.now())
    waiting = filing.online_case_file(
        user=user,
        submission_key=uuid.uuid4(),
        item=item,
        answers={"agent": "no"},
        files=files_for(item),
    )
    waiting.refresh_from_db()
    assert waiting.status == Case.Status.RECEIVED
    assert waiting.materials.filter(status="pending").exists()  # the desk checks them
    assert CaseEvent.objects.filter(case=waiting, action=CaseAction.INSTANT_DECLINED).exists()


def test_the_supervision_page_lists_shares_and_records_a_review(client, dept, clerk, roles):
    from tests.factories import UserFactory

    case = accept_at_window(instant_item(dept, instant_sample_percent=100), clerk)
    supervisor = UserFactory(username="sup-zhao")
    supervisor.groups.add(roles["supervisor"])
    client.force_login(supervisor)
    page = client.get(reverse("supervision:instant")).content.decode()
    assert case.receipt_no in page and "100.0%" in page
    approval = InstantApproval.objects.get(case=case)
    response = client.post(
        reverse("supervision:instant_review", args=[approval.pk]), {"outcome": "passed"}
    )
    assert response.status_code == 302
    approval.refresh_from_db()
    assert approval.review == InstantApproval.Review.PASSED and approval.reviewed_by == supervisor
