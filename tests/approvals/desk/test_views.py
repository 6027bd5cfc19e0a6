"""The officer desk over HTTP: inbox, task page, every action, the lead's decisions, the head's
extension decision, files, and the department scoping (another department's ids are 404)."""

from __future__ import annotations

import datetime
import io
import uuid

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from approvals.clock.deadlines import SHANGHAI
from approvals.models import CaseDecision, CaseStep, StepExtension
from approvals.reviews import extensions, suspensions
from approvals.reviews import steps as reviews_steps
from approvals.reviews import sweeps as reviews_sweeps
from hall.intake import decisions as intake_decisions
from hall.intake import receiving
from hall.intake.common import MaterialMark
from hall.models import Case, Notice, Notification
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    officer_of,
    open_steps,
    staged_item,
)
from tests.factories import PersonFactory

# the approver confirms: the decision cannot be undone (issue 32)
APPROVE_CONFIRMED = {"extension-decision": "approve", "extension-confirm": "on"}


@pytest.fixture
def depts(roles):
    return [
        department_with_staff("PL", "区规划局", roles),
        department_with_staff("FS", "区消防局", roles),
        department_with_staff("EP", "区环保局", roles),
    ]


@pytest.fixture
def clerk(roles):
    return make_clerk(roles)


@pytest.fixture
def two_departments(depts, clerk):
    """A case reviewed in parallel by 规划 (lead) and 消防."""
    item = staged_item([[(depts[0], 10), (depts[1], 10)]], lead_department=depts[0])
    case = accepted_case(item, clerk)
    planning, fire = open_steps(case)
    return case, planning, fire


def login(client, user):
    client.force_login(user)
    return client


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def make_due(step: CaseStep, due_date: datetime.date) -> None:
    CaseStep.objects.filter(pk=step.pk).update(
        due_date=due_date,
        due_at=datetime.datetime.combine(
            due_date + datetime.timedelta(days=1), datetime.time.min, tzinfo=SHANGHAI
        ),
    )


def step_url(name: str, step: CaseStep) -> str:
    return reverse(f"desk:{name}", args=[step.pk])


# --- the inbox --------------------------------------------------------------------------------


def test_inbox_lists_own_open_steps_soonest_first_with_a_card_in_words(client, depts, clerk):
    # Given three cases for 规划: one overdue (deemed approval off, so it stays open), one due
    # within the yellow window, one far off; and a case only 消防 reviews
    item = staged_item([[(depts[0], 10)]], lead_department=depts[0], name="建设用地规划许可")
    far, near, late = (open_steps(accepted_case(item, clerk))[0] for _ in range(3))
    today = timezone.localdate()
    make_due(near, today)
    make_due(late, today - datetime.timedelta(days=7))
    CaseStep.objects.filter(pk=late.pk).update(deemed_approval=False)
    other = staged_item([[(depts[1], 10)]], lead_department=depts[1], name="消防验收")
    foreign = open_steps(accepted_case(other, clerk))[0]

    # When the 规划 officer opens the desk
    response = login(client, officer_of(depts[0])).get(reverse("desk:home"))

    # Then the department's steps are listed by deadline, each card with its words
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.step.pk for row in rows] == [late.pk, near.pk, far.pk]
    assert [row.clock.light for row in rows] == ["red", "yellow", "green"]
    assert rows[1].clock.remaining == 0 and rows[0].clock.remaining < 0
    assert rows[2].clock.remaining == 10
    body = response.content.decode()
    for words in ("红牌超时", "黄牌预警", "正常", "今日到期", "剩余 10 个工作日", "已超期"):
        assert words in body
    assert far.case.receipt_no in body and "建设用地规划许可" in body and "张三" in body
    assert foreign.case.receipt_no not in body
    # a department without steps sees none
    response = login(client, officer_of(depts[2])).get(reverse("desk:home"))
    assert response.context["rows"] == []


def test_a_suspended_step_shows_its_clock_stopped_not_a_card(client, two_departments, depts):
    _case, planning, _fire = two_departments
    suspensions.step_special_procedure_start(
        step=planning, officer=officer_of(depts[0]), kind="testing", reason="检测", expected_days=5
    )
    response = login(client, officer_of(depts[0])).get(reverse("desk:home"))
    (row,) = response.context["rows"]
    assert row.clock.paused and row.clock.light is None
    assert "计时中止" in response.content.decode()


def test_inbox_query_count_does_not_grow_with_rows(client, depts, clerk, roles):
    item = staged_item([[(depts[0], 10)]], lead_department=depts[0])
    officer = officer_of(depts[0])
    login(client, officer)
    client.get(reverse("desk:home"))  # the session's first request after sign-in writes it

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("desk:home"))
        assert response.status_code == 200
        return len(queries), len(response.context["rows"])

    accepted_case(item, clerk)
    one, rows = count()
    assert rows == 1
    for _ in range(19):
        step = open_steps(accepted_case(item, clerk))[0]
        reviews_steps.step_claim(step=step, officer=officer)
    twenty, rows = count()
    assert rows == 20
    assert twenty == one


def test_inbox_stays_within_a_fixed_number_of_queries(
    client, depts, clerk, django_assert_max_num_queries
):
    item = staged_item([[(depts[0], 10)]], lead_department=depts[0])
    for _ in range(20):
        accepted_case(item, clerk)
    head = officer_of(depts[0], head=True)
    login(client, head)
    client.get(reverse("desk:home"))  # the session's first request after sign-in writes it
    with django_assert_max_num_queries(14):
        response = client.get(reverse("desk:home"))
    assert len(response.context["rows"]) == 20


def test_the_side_lists_read_no_row_lazily(client, depts, clerk):
    """The lead's stage decisions and the written opinions owed are read with the columns
    their rows show (issue 27): three rows of each cost the queries one row of each does."""
    item = staged_item([[(depts[0], 10)]], lead_department=depts[0])
    head = officer_of(depts[0], head=True)

    def grow():
        waiting = accepted_case(item, clerk)  # its step decided: a stage decision waits
        (step,) = waiting.steps.all()
        reviews_steps.step_decide(step=step, officer=head, approve=True, opinion="")
        late = accepted_case(item, clerk)  # its step deemed: a written opinion is owed
        late.steps.update(due_at=timezone.now() - datetime.timedelta(days=1))
        reviews_sweeps.steps_deem_overdue_sweep()

    def queries():
        login(client, head)
        client.get(reverse("desk:home"))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("desk:home"))
        return len(captured), response

    grow()
    one, response = queries()
    # the deemed case waits for its stage decision too
    assert len(response.context["lead"]["stages"]) == 2 and len(response.context["owed"]) == 1
    grow()
    grow()
    three, response = queries()
    assert len(response.context["lead"]["stages"]) == 6 and len(response.context["owed"]) == 3
    html = response.content.decode()
    assert all(stage.case.receipt_no in html for stage in response.context["lead"]["stages"])
    assert all(step.case.item.name in html for step in response.context["owed"])
    assert three == one


def test_claim_and_release_from_the_inbox(client, two_departments, depts):
    _case, planning, _fire = two_departments
    officer, head = officer_of(depts[0]), officer_of(depts[0], head=True)
    response = login(client, officer).post(step_url("step_claim", planning), follow=True)
    planning.refresh_from_db()
    assert planning.claimed_by == officer
    assert "已认领" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("desk:home")
    # someone else cannot take it, and cannot release it
    response = login(client, head).post(step_url("step_claim", planning), follow=True)
    assert "已由他人认领" in response.content.decode()
    login(client, head).post(step_url("step_release", planning))
    planning.refresh_from_db()
    assert planning.claimed_by == officer
    # the claimant releases it, back to the task page it came from
    response = login(client, officer).post(
        step_url("step_release", planning), {"next": step_url("step", planning)}
    )
    assert response["Location"] == step_url("step", planning)
    planning.refresh_from_db()
    assert planning.claimed_by is None
    # an outside "next" is ignored
    response = client.post(step_url("step_claim", planning), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("desk:home")


def test_lead_work_and_owed_written_opinions_are_listed(client, two_departments, depts):
    case, planning, fire = two_departments
    reviews_steps.step_decide(step=fire, officer=officer_of(depts[1]), approve=True, opinion="同意")
    CaseStep.objects.filter(pk=planning.pk).update(due_at=timezone.now())
    assert reviews_sweeps.steps_deem_overdue_sweep() == 1
    response = login(client, officer_of(depts[0])).get(reverse("desk:home"))
    assert [s.case_id for s in response.context["lead"]["stages"]] == [case.pk]
    assert [s.pk for s in response.context["owed"]] == [planning.pk]
    body = response.content.decode()
    assert reverse("desk:stage", args=[case.stages.get().pk]) in body
    assert "补交书面意见" in body


# --- the task page ----------------------------------------------------------------------------


def test_task_page_shows_the_case_file_and_other_opinions(client, two_departments, depts):
    case, planning, fire = two_departments
    reviews_steps.step_decide(
        step=fire, officer=officer_of(depts[1]), approve=True, opinion="消防合格"
    )
    response = login(client, officer_of(depts[0])).get(step_url("step", planning))
    assert response.status_code == 200
    body = response.content.decode()
    assert case.applicant.masked_identity in body
    assert case.applicant.id_number not in body  # identity masked
    assert "申请表" in body and "已收齐" in body
    assert "受理通知书" in body
    assert reverse("desk:notice_pdf", args=[case.notices.get().pk]) in body
    assert "区消防局" in body and "消防合格" in body
    assert planning.due_date.isoformat() in body
    assert "最多 10 个工作日" in body  # the extension cap


def test_approve_with_an_opinion(client, two_departments, depts):
    _case, planning, _fire = two_departments
    response = login(client, officer_of(depts[0])).post(
        step_url("step_decide", planning),
        {"decide-decision": "approve", "decide-opinion": "符合控制性详细规划"},
    )
    assert response["Location"] == reverse("desk:home")
    planning.refresh_from_db()
    assert planning.status == CaseStep.Status.APPROVED
    assert planning.opinion == "符合控制性详细规划"
    assert planning.decided_by == officer_of(depts[0])
    # deciding again (a second tab, or the sweep was first) shows AlreadyDecided's message
    response = client.post(
        step_url("step_decide", planning), {"decide-decision": "refuse", "decide-opinion": "x"}
    )
    assert response.status_code == 409
    assert "已由他人处理" in response.content.decode()


def test_refusing_without_reasons_shows_the_error_at_the_field(client, two_departments, depts):
    _case, planning, _fire = two_departments
    response = login(client, officer_of(depts[0])).post(
        step_url("step_decide", planning), {"decide-decision": "refuse", "decide-opinion": "  "}
    )
    assert response.status_code == 400
    form = response.context["forms"]["decide"]
    assert form.errors["opinion"] == ["不同意的，须说明理由。"]
    body = response.content.decode()
    assert 'aria-invalid="true"' in body and "不同意的，须说明理由。" in body
    assert 'value="refuse" checked' in body  # what was posted stays
    planning.refresh_from_db()
    assert planning.status == CaseStep.Status.OPEN
    # no decision chosen at all
    response = client.post(step_url("step_decide", planning), {"decide-opinion": "x"})
    assert response.status_code == 400
    assert "请选择同意或不同意。" in response.content.decode()


def test_a_step_claimed_by_a_colleague_cannot_be_decided(client, two_departments, depts):
    _case, planning, _fire = two_departments
    reviews_steps.step_claim(step=planning, officer=officer_of(depts[0]))
    response = login(client, officer_of(depts[0], head=True)).post(
        step_url("step_decide", planning), {"decide-decision": "approve"}
    )
    assert response.status_code == 400
    assert "认领" in str(response.context["forms"]["decide"].non_field_errors())


def test_correction_lists_case_materials_and_free_text_ones(client, two_departments, depts):
    case, planning, _fire = two_departments
    material = case.materials.get(name="申请表")
    url = step_url("step_correction", planning)
    login(client, officer_of(depts[0]))
    # nothing chosen
    response = client.post(url, {})
    assert response.status_code == 400
    assert "请至少列出一项" in response.content.decode()
    # a material ticked without a reason, a free-text name without a reason
    response = client.post(
        url, {f"correction-material_{material.pk}": "on", "correction-extra_name_1": "总平面图"}
    )
    form = response.context["forms"]["correction"]
    assert form.errors[f"reason_{material.pk}"] == ["请说明补正原因。"]
    assert form.errors["extra_reason_1"] == ["请说明补正原因。"]
    assert " open" in response.content.decode()  # the correction panel stays open
    planning.refresh_from_db()
    assert planning.status == CaseStep.Status.OPEN
    # when everything is listed with reasons, one notice lists it all and the clock stops
    response = client.post(
        url,
        {
            f"correction-material_{material.pk}": "on",
            f"correction-reason_{material.pk}": "未签字",
            "correction-extra_name_1": "总平面图",
            "correction-extra_reason_1": "比例不符",
        },
        follow=True,
    )
    assert "已出具一次性补正告知书" in response.content.decode()
    notice = case.notices.get(kind=Notice.Kind.CORRECTION)
    assert [row[:2] for row in notice.content["table"]["rows"]] == [
        ["申请表", "未签字"],
        ["总平面图", "比例不符"],
    ]
    planning.refresh_from_db()
    assert planning.status == CaseStep.Status.SUSPENDED
    assert "不能再次要求" in response.content.decode()
    # and a second request is refused by the one-time rule
    response = client.post(
        url, {"correction-extra_name_1": "又一份", "correction-extra_reason_1": "x"}
    )
    assert response.status_code == 400


def test_special_procedure_start_and_end(client, two_departments, depts):
    _case, planning, _fire = two_departments
    login(client, officer_of(depts[0]))
    response = client.post(
        step_url("step_special_start", planning),
        {"special-kind": "", "special-reason": "", "special-expected_days": "0"},
    )
    assert response.status_code == 400
    errors = response.context["forms"]["special"].errors
    assert errors["kind"] == ["请选择特别程序类型。"]
    assert errors["reason"] == ["请说明事由。"]
    assert errors["expected_days"] == ["预计时间须为 1 至 250 个工作日。"]
    response = client.post(
        step_url("step_special_start", planning),
        {
            "special-kind": "expert_review",
            "special-reason": "组织专家评审",
            "special-expected_days": "5",
        },
        follow=True,
    )
    assert "特别程序已启动" in response.content.decode()
    planning.refresh_from_db()
    assert planning.status == CaseStep.Status.SUSPENDED
    assert planning.case.notices.filter(kind=Notice.Kind.SPECIAL_PROCEDURE).exists()
    body = response.content.decode()
    assert "结束特别程序" in body and "专家评审进行中" in body
    response = client.post(step_url("step_special_end", planning), follow=True)
    assert "审查期限恢复计算" in response.content.decode()
    planning.refresh_from_db()
    assert planning.status == CaseStep.Status.OPEN
    # ending again: the service's message at the form
    response = client.post(step_url("step_special_end", planning))
    assert response.status_code == 400
    assert "没有进行中的特别程序" in response.content.decode()


def test_extension_request_and_the_heads_decision(client, two_departments, depts):
    _case, planning, _fire = two_departments
    officer, head = officer_of(depts[0]), officer_of(depts[0], head=True)
    login(client, officer)
    response = client.post(
        step_url("step_extension", planning),
        {"extension-days": "11", "extension-reason": "情况复杂"},
    )
    assert response.status_code == 400
    assert response.context["forms"]["extension"].errors["days"] == [
        "延长期限须为 1 至 10 个工作日。"
    ]
    response = client.post(
        step_url("step_extension", planning),
        {"extension-days": "5", "extension-reason": "需现场核查"},
        follow=True,
    )
    assert "等待部门负责人审批" in response.content.decode()
    extension = StepExtension.objects.get(step=planning)
    assert "待负责人审批" in response.content.decode()

    # the officer does not see the heads' list, and cannot approve
    assert login(client, officer).get(reverse("desk:home")).context["extensions"] == []
    url = reverse("desk:extension", args=[extension.pk])
    response = client.post(url, APPROVE_CONFIRMED)
    assert response.status_code == 400
    assert "延长审批期限须由部门负责人批准。" in response.content.decode()
    extension.refresh_from_db()
    assert extension.status == StepExtension.Status.REQUESTED

    # the head sees it waiting and approves it
    response = login(client, head).get(reverse("desk:home"))
    assert [e.pk for e in response.context["extensions"]] == [extension.pk]
    page = client.get(url)
    assert page.status_code == 200 and "需现场核查" in page.content.decode()
    before = planning.due_date
    response = client.post(url, APPROVE_CONFIRMED, follow=True)
    assert "已批准延长 5 个工作日" in response.content.decode()
    extension.refresh_from_db()
    planning.refresh_from_db()
    assert extension.status == StepExtension.Status.APPROVED and extension.decided_by == head
    assert planning.due_date > before
    assert planning.case.notices.filter(kind=Notice.Kind.EXTENSION).exists()
    # a second extension is refused by the service
    response = login(client, officer).post(
        step_url("step_extension", planning), {"extension-days": "2", "extension-reason": "再延"}
    )
    assert response.status_code == 400
    assert "每个办件只能延长一次" in response.content.decode()


def test_head_rejects_an_extension(client, two_departments, depts):
    _case, planning, _fire = two_departments
    extension = extensions.step_extension_request(
        step=planning, officer=officer_of(depts[0]), days=3, reason="等待资料"
    )
    before = planning.due_date
    url = reverse("desk:extension", args=[extension.pk])
    head = login(client, officer_of(depts[0], head=True))
    # a rejection cannot be undone: it needs the confirmation and a reason (issue 32)
    for data in (
        {"extension-decision": "reject", "extension-reason": "资料已齐，无需延长"},
        {"extension-decision": "reject", "extension-confirm": "on"},
    ):
        response = head.post(url, data)
        assert response.status_code == 400
        form = response.context["form"]
        assert set(form.errors) & {"confirm", "reason"}
        extension.refresh_from_db()
        assert extension.status == StepExtension.Status.REQUESTED
    response = head.post(
        url,
        {
            "extension-decision": "reject",
            "extension-confirm": "on",
            "extension-reason": "资料已齐，无需延长",
        },
        follow=True,
    )
    assert "不批准" in response.content.decode()
    extension.refresh_from_db()
    planning.refresh_from_db()
    assert extension.status == StepExtension.Status.REJECTED
    assert extension.decision_reason == "资料已齐，无需延长"
    assert planning.due_date == before
    told = Notification.objects.get(recipient_user=officer_of(depts[0]), kind="extension_rejected")
    assert "资料已齐，无需延长" in told.body


def test_written_opinion_after_a_deemed_approval(client, two_departments, depts):
    _case, planning, _fire = two_departments
    CaseStep.objects.filter(pk=planning.pk).update(due_at=timezone.now())
    reviews_sweeps.steps_deem_overdue_sweep()
    login(client, officer_of(depts[0]))
    response = client.post(step_url("step_written_opinion", planning), {"written-opinion": ""})
    assert response.context["forms"]["written"].errors["opinion"] == ["请填写书面意见。"]
    response = client.post(
        step_url("step_written_opinion", planning), {"written-opinion": "同意，补交书面意见"}
    )
    assert response["Location"] == reverse("desk:home")
    planning.refresh_from_db()
    assert planning.written_opinion == "同意，补交书面意见"


# --- department scoping ---------------------------------------------------------------------


def test_another_departments_step_is_not_found(client, two_departments, depts):
    _case, planning, _fire = two_departments
    login(client, officer_of(depts[2]))  # 环保 has no step on this case
    assert client.get(step_url("step", planning)).status_code == 404
    for name, data in (
        ("step_decide", {"decide-decision": "approve"}),
        ("step_claim", {}),
        ("step_release", {}),
        ("step_correction", {"correction-extra_name_1": "x", "correction-extra_reason_1": "y"}),
        ("step_special_start", {"special-kind": "testing", "special-reason": "x"}),
        ("step_special_end", {}),
        ("step_extension", {"extension-days": "2", "extension-reason": "x"}),
        ("step_written_opinion", {"written-opinion": "x"}),
    ):
        assert client.post(step_url(name, planning), data).status_code == 404, name
    # even a co-department on the same case cannot open a sibling's step
    login(client, officer_of(depts[1]))
    assert client.get(step_url("step", planning)).status_code == 404
    planning.refresh_from_db()
    assert planning.status == CaseStep.Status.OPEN and planning.claimed_by is None


def test_lead_pages_and_extensions_of_others_are_not_found(client, two_departments, depts):
    case, planning, fire = two_departments
    for step, dept in ((planning, depts[0]), (fire, depts[1])):
        reviews_steps.step_decide(step=step, officer=officer_of(dept), approve=True, opinion="")
    extension_of_fire = StepExtension.objects.create(
        step=fire,
        days=2,
        reason="x",
        requested_by=officer_of(depts[1]),
        requested_at=timezone.now(),
    )
    login(client, officer_of(depts[1]))  # a co-department, not the lead
    stage = case.stages.get()
    assert client.get(reverse("desk:stage", args=[stage.pk])).status_code == 404
    assert client.post(reverse("desk:stage", args=[stage.pk]), {}).status_code == 404
    assert client.get(reverse("desk:decision", args=[case.receipt_no])).status_code == 404
    login(client, officer_of(depts[0], head=True))
    extension_url = reverse("desk:extension", args=[extension_of_fire.pk])
    assert client.get(extension_url).status_code == 404
    assert client.post(extension_url, APPROVE_CONFIRMED).status_code == 404


def test_desk_needs_the_permission_and_an_officer_profile(client, make_user, two_departments):
    _case, planning, _fire = two_departments
    assert login(client, make_user("c", "clerk")).get(reverse("desk:home")).status_code == 403
    unbound = make_user("o", "officer")
    response = login(client, unbound).get(reverse("desk:home"))
    assert response.status_code == 200 and "尚未绑定审批部门" in response.content.decode()
    assert client.get(step_url("step", planning)).status_code == 404


# --- files ----------------------------------------------------------------------------------


def test_scan_download_is_for_departments_on_the_case(client, depts, clerk):
    item = staged_item([[(depts[0], 10)]], lead_department=depts[0])
    case = receiving.case_receive(
        submission_key=uuid.uuid4(),
        applicant=PersonFactory(),
        item=item,
        answers={"agent": "no"},
        received_by=clerk,
        channel=Case.Channel.WINDOW,
        window=clerk.clerk.window,
    )
    materials = list(case.materials.all())
    scan = ContentFile(png_bytes(), name="申请表.html")
    marks = {m.pk: MaterialMark("received") for m in materials}
    marks[materials[0].pk] = MaterialMark("received", scan=scan)
    intake_decisions.case_materials_check(case=case, clerk=clerk, marks=marks)
    intake_decisions.case_accept(case=case, clerk=clerk)
    url = reverse("desk:material_scan", args=[materials[0].pk])

    response = login(client, officer_of(depts[0])).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"  # as detected, whatever the name said
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert not response["Content-Disposition"].startswith("attachment")  # an image is shown
    assert b"".join(response.streaming_content) == png_bytes()
    page = client.get(step_url("step", open_steps(case)[0]))
    assert url in page.content.decode()
    # a material without a scan, and a department without a step on the case
    assert client.get(reverse("desk:material_scan", args=[materials[1].pk])).status_code == 404
    assert login(client, officer_of(depts[1])).get(url).status_code == 404
    notice = case.notices.get()
    assert client.get(reverse("desk:notice_pdf", args=[notice.pk])).status_code == 404


# --- the lead department's decisions ----------------------------------------------------------


def test_stage_and_final_decision_pages(client, two_departments, depts):
    case, planning, fire = two_departments
    lead = officer_of(depts[0])
    reviews_steps.step_decide(step=planning, officer=lead, approve=True, opinion="符合规划")
    stage = case.stages.get()
    stage_url = reverse("desk:stage", args=[stage.pk])
    login(client, lead)
    # before every department answered there is nothing to decide
    response = client.get(stage_url)
    assert response.status_code == 200 and not response.context["can_decide"]
    reviews_steps.step_decide(
        step=fire, officer=officer_of(depts[1]), approve=True, opinion="消防合格"
    )

    response = client.get(stage_url)
    assert response.context["can_decide"]
    assert "消防合格" in response.content.decode() and "符合规划" in response.content.decode()
    response = client.post(stage_url, {"stage-decision": "refuse", "stage-opinion": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["opinion"] == ["不同意的，须说明理由。"]
    response = client.post(
        stage_url, {"stage-decision": "approve", "stage-opinion": "各部门均同意"}, follow=True
    )
    assert "已作出阶段决定" in response.content.decode()
    stage.refresh_from_db()
    assert stage.decision == "approved" and stage.opinion == "各部门均同意"
    response = client.post(stage_url, {"stage-decision": "approve"})
    assert response.status_code == 409  # the form is gone; a replay is refused
    assert "已由他人处理" in response.content.decode()

    # the final decision waits in the lead's list
    home = client.get(reverse("desk:home"))
    assert [d.case_id for d in home.context["lead"]["decisions"]] == [case.pk]
    decision_url = reverse("desk:decision", args=[case.receipt_no])
    response = client.post(decision_url, {"decision-decision": "refuse", "decision-reasons": ""})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["reasons"] == ["不予许可的，须说明理由。"]
    assert "不能撤回" in errors["confirm"][0]  # a refusal is confirmed first (issue 32)
    response = client.post(
        decision_url, {"decision-decision": "grant", "decision-reasons": ""}, follow=True
    )
    notice = case.notices.get(kind=Notice.Kind.GRANT)
    body = response.content.decode()
    assert f"已出具准予许可决定书，文号 {notice.number}" in body
    pdf_url = reverse("desk:notice_pdf", args=[notice.pk])
    assert pdf_url in body
    pdf = client.get(pdf_url)
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    case.refresh_from_db()
    assert case.status == Case.Status.DECIDED
    assert CaseDecision.objects.get(case=case).decision == "grant"
    # deciding again shows AlreadyDecided's message
    response = client.post(
        decision_url,
        {"decision-decision": "refuse", "decision-reasons": "x", "decision-confirm": "on"},
    )
    assert response.status_code == 409
    assert "已由他人处理" in response.content.decode()
    assert CaseDecision.objects.get(case=case).decision == "grant"


def test_a_busy_inbox_is_paged_soonest_deadline_first(client, roles):
    from approvals.desk.selectors import INBOX_PAGE_SIZE
    from approvals.models import CaseStep

    department = department_with_staff("PG", "区分页局", roles)
    clerk = make_clerk(roles, username="clerk-page")
    item = staged_item([[(department, 5)]], lead_department=department)
    for _ in range(INBOX_PAGE_SIZE + 3):
        accepted_case(item, clerk)
    steps = list(CaseStep.objects.filter(department=department).order_by("pk"))
    for offset, step in enumerate(steps):
        CaseStep.objects.filter(pk=step.pk).update(
            due_at=step.due_at + datetime.timedelta(minutes=offset)
        )
    client.force_login(officer_of(department))
    first = client.get(reverse("desk:home"))
    assert len(first.context["rows"]) == INBOX_PAGE_SIZE
    assert first.context["inbox"].count == INBOX_PAGE_SIZE + 3
    assert first.context["rows"][0].step.pk == steps[0].pk
    cursor = first.context["inbox"].next_cursor
    assert f"?after={cursor}" in first.content.decode()
    # the next page starts after the last row shown, by (deadline, id): keyset, not offset
    second = client.get(reverse("desk:home"), {"after": cursor})
    assert [row.step.pk for row in second.context["rows"]] == [s.pk for s in steps[-3:]]
    assert second.context["inbox"].next_cursor is None
    assert "回到第一页" in second.content.decode()
    # a cursor edited by hand shows the first page, never an error
    for bad in ("x", "1e400_1", "_", "12.5_abc", "9" * 60):
        response = client.get(reverse("desk:home"), {"after": bad})
        assert response.status_code == 200
        assert response.context["rows"][0].step.pk == steps[0].pk


def test_inbox_count_is_capped_and_side_lists_show_the_oldest(client, roles, monkeypatch):
    from approvals.desk import selectors

    department = department_with_staff("PC", "区计数局", roles)
    clerk = make_clerk(roles, username="clerk-cap")
    item = staged_item([[(department, 5)]], lead_department=department)
    for _ in range(4):
        accepted_case(item, clerk)
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    client.force_login(officer_of(department))
    response = client.get(reverse("desk:home"))
    assert response.context["inbox"].count == 3
    assert response.context["inbox"].count_capped
    assert ">3+</span>" in response.content.decode()
