"""Issue 29: staff see personal data masked; a whole value is revealed only with a reason, which
the access log keeps and the applicant sees."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from approvals.models import CaseStep
from hall.models import PersonalDataAccess
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    officer_of,
    staged_item,
)
from tests.dates import shanghai

ID_NUMBER = "11010519491231002X"
PHONE = "13800138000"


@pytest.fixture
def case_with_officers(db, roles, time_machine):
    time_machine.move_to(shanghai(2026, 10, 12))  # a Monday: the same working days on any date
    reviewing = department_with_staff("MSR", "区市场监督管理局", roles)
    other = department_with_staff("TAX", "区税务局", roles)
    case = accepted_case(staged_item([[(reviewing, 5)]]), make_clerk(roles))
    assert CaseStep.objects.filter(case=case, department=reviewing).exists()
    return case, officer_of(reviewing), officer_of(other)


def test_a_clerk_reveals_with_a_reason_and_the_look_is_recorded(client, case_with_officers):
    case, _officer, _other = case_with_officers
    clerk = get_user_model().objects.get(username="clerk-wang")
    client.force_login(clerk)
    url = reverse("privacy:case_reveal", args=[case.receipt_no])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert ID_NUMBER not in html and PHONE not in html
    assert "1101**********002X" in html and "138****8000" in html
    assert not PersonalDataAccess.objects.filter(what="reveal").exists()

    shown = client.post(url, {"reason": "电话联系申请人补正材料"})
    assert shown.status_code == 200
    assert ID_NUMBER in shown.content.decode() and PHONE in shown.content.decode()
    look = PersonalDataAccess.objects.get(what="reveal")
    assert (look.user_id, look.case_id, look.applicant_id) == (clerk.pk, case.pk, case.applicant_id)
    assert look.reason == "电话联系申请人补正材料" and look.role == "窗口工作人员"
    assert shown["Cache-Control"].startswith("max-age=0") or "no-cache" in shown["Cache-Control"]


@pytest.mark.parametrize("reason", ["", "   ", "看看", "x" * 301])
def test_no_reveal_without_a_proper_reason(client, case_with_officers, reason):
    case, officer, _other = case_with_officers
    client.force_login(officer)
    response = client.post(
        reverse("privacy:case_reveal", args=[case.receipt_no]), {"reason": reason}
    )
    assert response.status_code == 400
    assert ID_NUMBER not in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()  # the field says what is wrong
    assert not PersonalDataAccess.objects.filter(what="reveal").exists()


def test_only_staff_handling_the_case_may_reveal(client, case_with_officers, make_user):
    case, officer, other_officer = case_with_officers
    url = reverse("privacy:case_reveal", args=[case.receipt_no])
    assert client.get(url).status_code == 302  # not signed in: to the login page
    client.force_login(other_officer)  # a department with no step on the case
    assert client.post(url, {"reason": "核对身份信息"}).status_code == 404
    client.force_login(make_user("someone-applying", "applicant"))
    assert client.post(url, {"reason": "核对身份信息"}).status_code == 404
    missing = reverse("privacy:case_reveal", args=["FT2099010100001"])
    client.force_login(officer)
    assert client.get(missing).status_code == 404  # the same answer as for another's case
    assert client.post(url, {"reason": "核对身份信息"}).status_code == 200
    assert PersonalDataAccess.objects.filter(what="reveal").count() == 1
