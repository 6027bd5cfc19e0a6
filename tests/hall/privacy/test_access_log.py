"""Issue 29: every look by staff at a person's data is recorded and shown to that person."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from hall.common.personal_data import phone_account_username
from hall.models import Notification, PersonalDataAccess
from hall.privacy import selectors as privacy
from tests.approvals.workflow_helpers import accepted_case, open_steps, staged_item
from tests.dates import shanghai

User = get_user_model()


def demo_applicant():
    """张三's online account (she signs in with her phone; the username is its digest)."""
    return User.objects.get(username=phone_account_username("13800138000"))


@pytest.fixture
def demo(db, time_machine):
    time_machine.move_to(shanghai(2026, 10, 12))  # a Monday: the same working days on any date
    call_command("seed_demo")
    officer = User.objects.get(username="officer")
    item = staged_item([[(officer.officer.department, 5)]], code="44030400-XK-9901")
    case = accepted_case(item, User.objects.get(username="clerk"))  # 张三, the demo applicant
    return case, officer


def test_the_demo_applicant_sees_the_clerk_and_the_officer_who_opened_her_case(client, demo):
    case, officer = demo
    clerk = User.objects.get(username="clerk")
    client.force_login(clerk)
    assert client.get(reverse("intake:case", args=[case.receipt_no])).status_code == 200
    client.force_login(officer)
    step = open_steps(case)[0]
    assert client.get(reverse("desk:step", args=[step.pk])).status_code == 200

    client.force_login(demo_applicant())
    page = client.get(reverse("portal:data_access"))
    assert page.status_code == 200
    looks = list(page.context["page"].object_list)
    assert [(look.role, look.department) for look in looks] == [
        ("部门审批人员", officer.officer.department.label),
        ("窗口工作人员", str(clerk.clerk.window)),
    ]
    html = page.content.decode()
    assert html.count(case.receipt_no) >= 2
    # by default the page names roles and departments, not people
    assert clerk.get_full_name() not in html and officer.get_full_name() not in html


def test_asking_why_tells_every_supervisor_once(client, demo):
    case, officer = demo
    client.force_login(officer)
    client.get(reverse("desk:step", args=[open_steps(case)[0].pk]))
    look = PersonalDataAccess.objects.get(case_id=case.pk, user_id=officer.pk)
    client.force_login(demo_applicant())
    for _ in range(2):  # a second ask about the same look sends nothing more
        response = client.post(reverse("portal:data_access_ask"), {"access": look.pk})
        assert response.status_code == 302
    questions = Notification.objects.filter(kind="access_question")
    supervisors = User.objects.filter(groups__name="supervisor", is_active=True)
    assert supervisors.exists()
    assert sorted(questions.values_list("recipient_user_id", flat=True)) == sorted(
        supervisors.values_list("pk", flat=True)
    )
    assert case.receipt_no in questions.first().body


def test_a_look_at_someone_else_cannot_be_asked_about_or_seen(client, demo, make_user):
    case, officer = demo
    client.force_login(officer)
    client.get(reverse("desk:step", args=[open_steps(case)[0].pk]))
    look = PersonalDataAccess.objects.get(case_id=case.pk, user_id=officer.pk)
    other = demo_applicant().applicant
    stranger = privacy.accesses_of(applicant=other).exclude(pk=look.pk)
    assert not stranger.exists()
    # the enterprise's account (another applicant) asks about 张三's record: refused as missing
    enterprise = case.applicant.__class__.objects.exclude(pk=case.applicant_id).first()
    user = make_user("enterprise-user", "applicant")
    enterprise.user = user
    enterprise.save(update_fields=["user"])
    client.force_login(user)
    page = client.get(reverse("portal:data_access"))
    assert case.receipt_no not in page.content.decode()
    response = client.post(reverse("portal:data_access_ask"), {"access": look.pk}, follow=True)
    assert "找不到这条查看记录" in response.content.decode()
    assert not Notification.objects.filter(kind="access_question").exists()
    for bad in ("", "abc", "99999999999999999999", "-1"):
        response = client.post(reverse("portal:data_access_ask"), {"access": bad}, follow=True)
        assert response.status_code == 200
    assert not Notification.objects.filter(kind="access_question").exists()
