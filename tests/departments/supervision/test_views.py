"""Supervision pages: the case history, the one-time override and the owner handover."""

import uuid

import pytest
from django.urls import reverse

from hall.intake import decisions, receiving
from hall.intake.common import MaterialMark
from hall.models import Case, Notice
from tests.factories import ClerkFactory, PersonFactory, item_with_checklist


@pytest.fixture
def clerk(make_user):
    user = make_user("clerk-wang", "clerk", first_name="窗口", last_name="王")
    ClerkFactory(user=user)
    return user


@pytest.fixture
def supervisor_client(client, make_user):
    client.force_login(make_user("sup", "supervisor"))
    return client


@pytest.fixture
def case_needing_more(clerk):
    """A case whose first notice listed one material; on return another turns out defective."""
    case = receiving.case_receive(
        submission_key=uuid.uuid4(),
        applicant=PersonFactory(),
        item=item_with_checklist(),
        answers={"agent": "no"},
        received_by=clerk,
        channel=Case.Channel.WINDOW,
        window=clerk.clerk.window,
    )
    form, identity = case.materials.order_by("pk")
    decisions.case_materials_check(
        case=case,
        clerk=clerk,
        marks={form.pk: MaterialMark("received"), identity.pk: MaterialMark("missing")},
    )
    decisions.case_request_correction(case=case, clerk=clerk)
    decisions.case_materials_check(
        case=case, clerk=clerk, marks={identity.pk: MaterialMark("received")}
    )
    return case


def test_clerks_cannot_open_supervision(client, clerk):
    client.force_login(clerk)
    assert client.get(reverse("supervision:home")).status_code == 403


def test_supervisor_approves_a_supplementary_notice_recorded_as_a_breach(
    supervisor_client, case_needing_more
):
    url = reverse("supervision:case", args=[case_needing_more.receipt_no])
    page = supervisor_client.get(url)
    assert "出具一次性补正告知书" in page.content.decode()  # the history is shown
    form = case_needing_more.materials.get(name="申请表")
    response = supervisor_client.post(
        url,
        {
            "action": "override",
            "override-material": form.pk,
            "override-defect": "缺少公章",
            "override-reason": "新规要求加盖公章",
        },
        follow=True,
    )
    assert "违反一次性告知" in response.content.decode()
    notice = Notice.objects.filter(case=case_needing_more).latest("issued_at")
    assert notice.breaches_one_time_rule
    assert [row[0] for row in notice.content["table"]["rows"]] == ["申请表"]
    home = supervisor_client.get(reverse("supervision:home")).content.decode()
    assert notice.number in home and "新规要求加盖公章" in home


def test_supervisor_hands_the_case_to_another_clerk(
    supervisor_client, case_needing_more, make_user
):
    successor = make_user("clerk-li", "clerk", first_name="四", last_name="李")
    url = reverse("supervision:case", args=[case_needing_more.receipt_no])
    response = supervisor_client.post(
        url,
        {"action": "handover", "handover-new_owner": successor.pk, "handover-reason": "调岗"},
    )
    assert response.status_code == 302
    case_needing_more.refresh_from_db()
    assert case_needing_more.owner == successor
    assert case_needing_more.events.filter(action="owner_changed").count() == 1


def test_case_open_by_receipt(supervisor_client, case_needing_more):
    response = supervisor_client.get(
        reverse("supervision:case_open"), {"receipt_no": case_needing_more.receipt_no}
    )
    assert response["Location"] == reverse("supervision:case", args=[case_needing_more.receipt_no])
    missing = supervisor_client.get(reverse("supervision:case_open"), {"receipt_no": "nope"})
    assert missing["Location"] == reverse("supervision:home")
