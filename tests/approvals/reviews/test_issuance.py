"""Art. 44: a grant's licence is issued and delivered within 10 working days (the item may
promise fewer); the deadline is warned yellow and red once each and recorded late when missed."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.clock.calendar import working_calendar
from approvals.models import CaseDecision
from approvals.reviews import decisions, delivery, sweeps
from approvals.reviews import steps as reviews_steps
from hall.models import Notification
from tests.approvals.workflow_helpers import (
    accepted_case,
    case_granted,
    department_with_staff,
    make_clerk,
    officer_of,
    open_steps,
    staged_item,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dept(roles):
    return department_with_staff("L0", "区市场监管局", roles)


@pytest.fixture
def clerk(roles):
    return make_clerk(roles)


def granted(dept, clerk, **item):
    case = accepted_case(staged_item([[(dept, 5)]], lead_department=dept, **item), clerk)
    case_granted(case, dept)
    case.refresh_from_db()
    return case


def test_a_grant_opens_ten_working_days_to_issue(dept, clerk):
    case = granted(dept, clerk)
    decision = CaseDecision.objects.get(case=case)
    decided_on = timezone.localdate(decision.decided_at)
    assert decision.issue_due_date == working_calendar().add_working_days(decided_on, 10)
    assert decision.issue_warn_on <= decision.issue_due_date
    assert not decision.issued_late


def test_an_item_may_promise_fewer_days(dept, clerk):
    case = granted(dept, clerk, issuance_days=3)
    decision = CaseDecision.objects.get(case=case)
    decided_on = timezone.localdate(decision.decided_at)
    assert decision.issue_due_date == working_calendar().add_working_days(decided_on, 3)


def test_a_refusal_owes_no_licence(dept, clerk):
    case = accepted_case(staged_item([[(dept, 5)]], lead_department=dept), clerk)
    (step,) = open_steps(case)
    reviews_steps.step_decide(step=step, officer=officer_of(dept), approve=False, opinion="不符合")
    stage = case.stages.get()
    decisions.stage_decide(stage=stage, officer=officer_of(dept), approve=False, opinion="不符合")
    decision = CaseDecision.objects.get(case=case)
    decisions.case_decide(case=case, officer=officer_of(dept), grant=False, reasons="条件不符")
    decision.refresh_from_db()
    assert decision.issue_due_date is None


def test_yellow_then_red_once_each_and_late_is_recorded(dept, clerk):
    case = granted(dept, clerk)
    decision = CaseDecision.objects.get(case=case)
    # When the sweep runs on the yellow day, twice
    yellow_day = datetime.datetime.combine(
        decision.issue_warn_on, datetime.time(9), tzinfo=timezone.get_current_timezone()
    )
    assert sweeps.issuance_warn_sweep(now=yellow_day) == 1
    assert sweeps.issuance_warn_sweep(now=yellow_day) == 0
    # and after the due moment, twice
    after = decision.issue_due_at + datetime.timedelta(hours=1)
    assert sweeps.issuance_warn_sweep(now=after) == 1
    assert sweeps.issuance_warn_sweep(now=after) == 0
    decision.refresh_from_db()
    assert decision.issued_late
    lights = [e.details["light"] for e in case.events.filter(action="warning")]
    assert lights == ["yellow", "red"]
    # the first-contact owner (through the log) and the lead department's head, each time
    assert (
        Notification.objects.filter(case=case, recipient_user=case.owner, kind="warning").count()
        == 2
    )
    head = officer_of(dept, head=True)
    assert (
        Notification.objects.filter(
            case=case, recipient_user=head, kind__startswith="warning_"
        ).count()
        == 2
    )
    # and a delivery after it keeps the mark
    delivery.case_deliver(case=case, clerk=clerk, method="window")
    decision.refresh_from_db()
    assert decision.issued_late and decision.delivered_at is not None
    assert case.events.get(action="delivered").details["issued_late"] is True


def test_a_delivery_in_time_is_not_late_and_ends_the_clock(dept, clerk):
    case = granted(dept, clerk)
    delivery.case_deliver(case=case, clerk=clerk, method="window")
    decision = CaseDecision.objects.get(case=case)
    assert not decision.issued_late
    after = decision.issue_due_at + datetime.timedelta(days=30)
    assert sweeps.issuance_warn_sweep(now=after) == 0


def test_supervision_lists_the_licences_owed(dept, clerk, client, make_user):
    case = granted(dept, clerk)
    client.force_login(make_user("sup", "supervisor"))
    page = client.get(reverse("supervision:home")).content.decode()
    assert "待颁发送达许可证件" in page and case.receipt_no in page


def test_the_decision_is_sealed_by_the_licensing_department_not_the_hall(dept, clerk, client):
    """A licensing decision is the lead department's (Art. 26, 38): its name by the seal of the
    grant notice, in the PDF's stored document and in the print view; intake notices stay the
    hall's."""
    from hall.cases.pdf.layout import render_notice_pdf
    from hall.cases.rendering import notice_document
    from hall.models import Notice

    case = granted(dept, clerk)
    grant = Notice.objects.get(case=case, kind=Notice.Kind.GRANT)
    document = notice_document(grant)
    assert document.sealed_by == dept.name and document.hall_name != dept.name
    assert render_notice_pdf(document)[:5] == b"%PDF-"
    acceptance = notice_document(Notice.objects.get(case=case, kind=Notice.Kind.ACCEPTANCE))
    assert acceptance.sealed_by == acceptance.hall_name
