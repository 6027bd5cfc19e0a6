"""全程代办: the request, the supervisor's assignment, the agent's pages limited to assigned
cases, and every agent action logged as done for the applicant."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from hall.agency import services as agency
from hall.intake import decisions, receiving
from hall.models import AgencyRequest, Case, CaseEvent, Notification, ServiceRating
from tests.factories import ClerkFactory, PersonFactory, item_with_checklist


@pytest.fixture
def clerk(make_user):
    user = make_user("clerk-wang", "clerk", first_name="窗口", last_name="王")
    ClerkFactory(user=user)
    return user


@pytest.fixture
def supervisor(make_user):
    return make_user("sup-zhou", "supervisor")


@pytest.fixture
def agent(make_user):
    return make_user("agent-chen", "agent", first_name="代办", last_name="陈")


@pytest.fixture
def applicant_user(make_user):
    return make_user("zhangsan", "applicant")


@pytest.fixture
def item(db):
    return item_with_checklist(name="食品经营许可")


def new_case(item, clerk, applicant) -> Case:
    return receiving.case_receive(
        submission_key=uuid.uuid4(),
        applicant=applicant,
        item=item,
        answers={"agent": "yes"},
        received_by=clerk,
        channel=Case.Channel.WINDOW,
    )


@pytest.fixture
def case(item, clerk, applicant_user):
    return new_case(item, clerk, PersonFactory(user=applicant_user))


@pytest.fixture
def other_case(item, clerk):
    return new_case(item, clerk, PersonFactory(id_number="110105194912310045", name="李四"))


@pytest.fixture
def assigned(case, applicant_user, agent, supervisor):
    request = agency.agency_request(case=case, note="行动不便", requested_by=applicant_user)
    return agency.agency_assign(request=request, agent=agent, supervisor=supervisor)


# --- the request ----------------------------------------------------------------------------


def test_the_applicant_requests_an_agent_once(case, applicant_user):
    request = agency.agency_request(case=case, note=" 行动不便 ", requested_by=applicant_user)
    assert request.status == AgencyRequest.Status.REQUESTED
    assert request.note == "行动不便"
    again = agency.agency_request(case=case, note="再点一次", requested_by=applicant_user)
    assert again.pk == request.pk
    assert AgencyRequest.objects.count() == 1
    event = CaseEvent.objects.get(case=case, action="agency_requested")
    assert event.actor == applicant_user
    assert event.details == {"request_id": request.pk, "note": "行动不便"}


def test_window_staff_may_request_for_the_applicant_but_strangers_may_not(case, clerk, make_user):
    stranger = make_user("someone", "applicant")
    with pytest.raises(PermissionDenied):
        agency.agency_request(case=case, note="", requested_by=stranger)
    assert agency.agency_request(case=case, note="", requested_by=clerk).case_id == case.pk


def test_a_closed_case_cannot_ask_for_an_agent(case, applicant_user):
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    with pytest.raises(ValidationError) as caught:
        agency.agency_request(case=case, note="", requested_by=applicant_user)
    assert "不能再申请代办" in caught.value.messages[0]


# --- assignment -----------------------------------------------------------------------------


def test_a_supervisor_assigns_an_agent_and_both_sides_are_told(assigned, case, agent, supervisor):
    assert assigned.status == AgencyRequest.Status.ASSIGNED
    assert assigned.agent == agent and assigned.assigned_by == supervisor
    case.refresh_from_db()
    assert case.agent == agent
    event = CaseEvent.objects.get(case=case, action="agent_assigned")
    assert event.actor == supervisor and event.details["agent_id"] == agent.pk
    assert Notification.objects.filter(
        recipient_user=agent, kind="agency_assigned", case=case
    ).exists()
    sms = Notification.objects.get(channel=Notification.Channel.SMS, kind="agency_assigned")
    assert "陈代办" in sms.body
    # assigning the same agent again changes nothing
    again = agency.agency_assign(request=assigned, agent=agent, supervisor=supervisor)
    assert again.assigned_at == assigned.assigned_at
    assert CaseEvent.objects.filter(case=case, action="agent_assigned").count() == 1


def test_only_users_of_the_agent_group_can_be_assigned(case, applicant_user, clerk, supervisor):
    request = agency.agency_request(case=case, note="", requested_by=applicant_user)
    with pytest.raises(ValidationError) as caught:
        agency.agency_assign(request=request, agent=clerk, supervisor=supervisor)
    assert "agent" in caught.value.message_dict


def test_the_supervisor_page_lists_requests_and_assigns(
    client, case, applicant_user, agent, supervisor
):
    request = agency.agency_request(case=case, note="需要上门", requested_by=applicant_user)
    client.force_login(agent)
    assert client.get(reverse("agency:requests")).status_code == 403
    client.force_login(supervisor)
    page = client.get(reverse("agency:requests"))
    assert page.status_code == 200
    html = page.content.decode()
    assert case.receipt_no in html and "需要上门" in html and "陈代办" in html
    response = client.post(reverse("agency:assign", args=[request.pk]), {"agent": agent.pk})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.agent == agent


# --- the agent's pages and actions ----------------------------------------------------------


def test_the_agent_sees_only_assigned_cases(client, assigned, case, other_case, agent):
    client.force_login(agent)
    home = client.get(reverse("agency:home"))
    assert home.status_code == 200
    html = home.content.decode()
    assert case.receipt_no in html
    assert other_case.receipt_no not in html
    assert client.get(reverse("agency:case", args=[case.receipt_no])).status_code == 200
    assert client.get(reverse("agency:case", args=[other_case.receipt_no])).status_code == 404
    assert client.get(reverse("agency:case", args=["FT-NO-SUCH"])).status_code == 404
    assert (
        client.post(
            reverse("agency:case", args=[other_case.receipt_no]), {"action": "note", "note": "x"}
        ).status_code
        == 404
    )


def test_notices_of_the_assigned_case_only(client, assigned, case, other_case, agent, clerk):
    from hall.intake.common import MaterialMark

    def correction(target):
        marks = {m.pk: MaterialMark(status="missing") for m in target.materials.all()[:1]} | {
            m.pk: MaterialMark(status="received") for m in target.materials.all()[1:]
        }
        return decisions.case_intake_decide(
            case=target, clerk=clerk, outcome="correct", marks=marks
        )

    mine, theirs = correction(case), correction(other_case)
    client.force_login(agent)
    ok = client.get(reverse("agency:notice_pdf", args=[case.receipt_no, mine.pk]))
    assert ok.status_code == 200 and ok["Content-Type"] == "application/pdf"
    for receipt_no, notice in ((other_case.receipt_no, theirs), (case.receipt_no, theirs)):
        response = client.get(reverse("agency:notice_pdf", args=[receipt_no, notice.pk]))
        assert response.status_code == 404
    page = client.get(reverse("agency:case", args=[case.receipt_no])).content.decode()
    assert mine.number in page


def test_a_note_is_logged_as_done_for_the_applicant(client, assigned, case, agent):
    client.force_login(agent)
    url = reverse("agency:case", args=[case.receipt_no])
    response = client.post(url, {"action": "note", "note": "已代为递交补正材料"})
    assert response.status_code == 302
    client.post(url, {"action": "note", "note": "已代为递交补正材料"})  # double submit
    event = CaseEvent.objects.get(case=case, action="agent_note")
    assert event.actor == agent
    assert event.on_behalf_of == case.applicant
    assert event.details == {"note": "已代为递交补正材料"}
    page = client.get(url).content.decode()
    assert "由代办员代表申请人 张三" in page
    assert "已代为递交补正材料" in page


def test_the_agent_rates_for_the_applicant_once(client, assigned, case, agent):
    client.force_login(agent)
    url = reverse("agency:case", args=[case.receipt_no])
    missing_reason = client.post(url, {"action": "rate", "level": "2", "reason": ""})
    assert missing_reason.status_code == 400
    assert "理由" in missing_reason.content.decode()
    response = client.post(url, {"action": "rate", "level": "2", "reason": "补正要求反复"})
    assert response.status_code == 302
    rating = ServiceRating.objects.get(case=case)
    assert rating.level == 2 and rating.follow_up is not None
    event = CaseEvent.objects.get(case=case, action="rated")
    assert event.actor == agent and event.on_behalf_of == case.applicant
    assert "本办件已评价" in client.get(url).content.decode()
    with pytest.raises(ValidationError) as caught:
        agency.agent_rate(case=case, agent=agent, level=5)
    assert "只能评价一次" in caught.value.messages[0]


def test_another_agent_cannot_act_on_the_case(assigned, case, make_user):
    intruder = make_user("agent-liu", "agent")
    with pytest.raises(PermissionDenied):
        agency.agent_note_record(case=case, agent=intruder, note="x")
    with pytest.raises(PermissionDenied):
        agency.agent_rate(case=case, agent=intruder, level=5)
    assert not CaseEvent.objects.filter(action__in=["agent_note", "rated"]).exists()


def test_withdrawing_the_request_ends_the_agents_access(
    client, assigned, case, agent, applicant_user
):
    done = agency.agency_withdraw(request=assigned, by=applicant_user)
    assert done.status == AgencyRequest.Status.WITHDRAWN
    case.refresh_from_db()
    assert case.agent is None
    client.force_login(agent)
    assert client.get(reverse("agency:case", args=[case.receipt_no])).status_code == 404
    # and a new request can be made afterwards
    again = agency.agency_request(case=case, note="", requested_by=applicant_user)
    assert again.pk != assigned.pk


def test_only_agents_open_the_agency_home(client, clerk):
    client.force_login(clerk)
    assert client.get(reverse("agency:home")).status_code == 403
