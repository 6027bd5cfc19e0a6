"""Single-window intake: the four outcomes of Art. 32, the one-time rule, deemed acceptance,
first-contact responsibility, idempotency and concurrency."""

from __future__ import annotations

import datetime
import uuid
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from approvals.clock.calendar import working_calendar
from hall.cases import applicants
from hall.cases.rendering import notice_verify
from hall.cases.selectors import cases_owned_by
from hall.intake import decisions, ownership, receiving, referrals, sweeps
from hall.intake.common import MaterialMark, OneTimeNotificationError
from hall.models import (
    Applicant,
    Case,
    CaseEvent,
    CaseMaterial,
    Notice,
    Notification,
    SecurityEvent,
)
from tests.concurrency import run_at_once
from tests.dates import shanghai
from tests.factories import ClerkFactory, PersonFactory, item_with_checklist


def uscc_with_check(body17: str) -> str:
    from hall.common.validators import uscc_check_char

    return body17 + uscc_check_char(body17)


@pytest.fixture
def clerk(make_user):
    user = make_user("clerk-wang", "clerk", first_name="窗口", last_name="王")
    ClerkFactory(user=user)
    return user


@pytest.fixture
def supervisor(make_user):
    return make_user("sup-zhou", "supervisor")


@pytest.fixture
def item(db):
    return item_with_checklist(name="食品经营许可")


@pytest.fixture
def person(db):
    return PersonFactory()


def receive(item, person, clerk, answers=None, key=None):
    return receiving.case_receive(
        submission_key=key or uuid.uuid4(),
        applicant=person,
        item=item,
        answers=answers if answers is not None else {"agent": "no"},
        received_by=clerk,
        channel=Case.Channel.WINDOW,
        window=clerk.clerk.window,
    )


def mark_all(case, clerk, status="received", **overrides):
    marks = {m.pk: MaterialMark(overrides.get(m.name, status)) for m in case.materials.all()}
    for material in case.materials.all():
        if isinstance(overrides.get(material.name), MaterialMark):
            marks[material.pk] = overrides[material.name]
    return decisions.case_materials_check(case=case, clerk=clerk, marks=marks)


# --- applicants -----------------------------------------------------------------------------


def test_register_person_normalises_and_finds_again(db):
    first = applicants.applicant_register(
        kind="person", name="张三", phone="+86 138-0013-8000", id_number="11010519491231002x"
    )
    again = applicants.applicant_register(
        kind="person", name="张三", phone="13800138000", id_number="11010519491231002X"
    )
    assert first.pk == again.pk
    assert first.id_number == "11010519491231002X"
    assert first.phone == "13800138000"


def test_an_existing_id_number_does_not_silently_replace_name_and_phone(db):
    """The attack as made: registering a known ID number with the attacker's name and phone."""
    original = applicants.applicant_register(
        kind="person", name="张三", phone="13800138000", id_number="11010519491231002X"
    )
    with pytest.raises(ValidationError) as refused:
        applicants.applicant_register(
            kind="person", name="李四", phone="13900139000", id_number="11010519491231002X"
        )
    (error,) = refused.value.error_dict["confirm_contact_change"]
    assert error.code == "contact_change_unconfirmed"
    message = refused.value.message_dict["confirm_contact_change"][0]
    assert "138****8000" in message and "13800138000" not in message
    original.refresh_from_db()
    assert (original.name, original.phone) == ("张三", "13800138000")
    assert not SecurityEvent.objects.exists()


def test_a_confirmed_contact_change_is_logged_on_every_case_and_told_to_the_old_phone(
    db, make_user
):
    clerk = make_user("contact-clerk", "clerk")
    ClerkFactory(user=clerk)
    person = applicants.applicant_register(
        kind="person", name="张三", phone="13800138000", id_number="11010519491231002X"
    )
    cases = [receive(item_with_checklist(), person, clerk) for _n in range(2)]
    applicants.applicant_register(
        kind="person",
        name="张三",
        phone="13900139000",
        id_number="11010519491231002X",
        confirm_contact_change=True,
        changed_by=clerk,
        source_address="192.0.2.8",
    )
    person.refresh_from_db()
    assert person.phone == "13900139000"
    logged = SecurityEvent.objects.get(kind="contact_changed")
    assert (logged.user_id, logged.ip_address) == (clerk.pk, "192.0.2.8")
    assert logged.details["changes"]["phone"] == {"from": "138****8000", "to": "139****9000"}
    for case in cases:
        assert case.events.filter(action="applicant_contact_changed", actor=clerk).count() == 1
    told = Notification.objects.get(kind="applicant_contact_changed")
    assert told.recipient_address == "13800138000"  # the old phone, not the new one
    assert "手机号码" in told.body


def test_register_reports_errors_at_the_field_in_chinese(db):
    with pytest.raises(ValidationError) as caught:
        applicants.applicant_register(
            kind="person", name="", phone="12345", id_number="110105194912310021"
        )
    errors = caught.value.message_dict
    assert set(errors) == {"name", "phone", "id_number"}
    assert "校验" in " ".join(errors["id_number"])
    assert Applicant.objects.count() == 0


def test_register_enterprise_needs_valid_credit_code_and_legal_representative(db):
    code = uscc_with_check("91440300MA5F12345")
    with pytest.raises(ValidationError) as caught:
        applicants.applicant_register(
            kind="enterprise", name="深圳某科技有限公司", phone="13800138000", uscc=code
        )
    assert "legal_representative" in caught.value.message_dict
    company = applicants.applicant_register(
        kind="enterprise",
        name="深圳某科技有限公司",
        phone="13800138000",
        uscc=code.lower(),
        legal_representative="李四",
    )
    assert company.uscc == code
    broken = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(ValidationError) as caught:
        applicants.applicant_register(
            kind="enterprise",
            name="x",
            phone="13800138000",
            uscc=broken,
            legal_representative="李四",
        )
    assert "uscc" in caught.value.message_dict


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_registering_the_same_person_make_one_applicant():
    def register():
        return applicants.applicant_register(
            kind="person", name="张三", phone="13800138000", id_number="11010519491231002X"
        ).pk

    results = run_at_once(register, register, register, register)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert Applicant.objects.count() == 1


# --- receiving --------------------------------------------------------------------------------


def test_receive_builds_the_checklist_from_the_answers(item, person, clerk):
    case = receive(item, person, clerk, answers={"agent": "yes"})
    names = list(case.materials.values_list("name", flat=True))
    assert names == ["申请表", "身份证明", "授权委托书"]  # no business licence for a person
    assert case.owner == clerk
    assert case.status == Case.Status.RECEIVED
    assert case.intake_due_date == working_calendar().add_working_days(timezone.localdate(), 5)
    assert case.events.get().action == "received"


def test_receive_refuses_unanswered_questions(item, person, clerk):
    with pytest.raises(ValidationError) as caught:
        receive(item, person, clerk, answers={})
    assert "agent" in caught.value.message_dict
    assert Case.objects.count() == 0


def test_same_submission_twice_creates_one_case(item, person, clerk):
    key = uuid.uuid4()
    first = receive(item, person, clerk, key=key)
    second = receive(item, person, clerk, key=key)
    assert first.pk == second.pk
    assert Case.objects.count() == 1
    assert CaseMaterial.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_click_at_the_same_instant_creates_one_case_and_no_gap_in_numbers(make_user):
    item = item_with_checklist()
    person = PersonFactory()
    clerk = make_user("c1", "clerk")
    ClerkFactory(user=clerk)
    key = uuid.uuid4()
    results = run_at_once(*[lambda: receive(item, person, clerk, key=key).pk] * 4)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert Case.objects.count() == 1
    next_case = receive(item, person, clerk)
    first = Case.objects.get(pk=results[0])
    assert int(next_case.receipt_no[-5:]) == int(first.receipt_no[-5:]) + 1


# --- outcome 1: accept --------------------------------------------------------------------------


def test_accept_issues_a_hashed_acceptance_notice_with_promised_date(item, person, clerk):
    case = receive(item, person, clerk)
    mark_all(case, clerk)
    notice = decisions.case_accept(case=case, clerk=clerk)
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED
    calendar = working_calendar()
    assert case.promised_due_date == calendar.add_working_days(case.accepted_on, item.promised_days)
    assert case.statutory_due_date == calendar.add_working_days(
        case.accepted_on, item.statutory_days
    )
    assert notice.kind == Notice.Kind.ACCEPTANCE
    assert notice.number.startswith("福田政服受字〔")
    assert notice_verify(notice)
    assert notice.content["receipt_no"] == case.receipt_no
    assert notice.content["verification_code"] == case.verification_code
    assert notice.content["owner_name"] == "王窗口"
    assert case.promised_due_date.strftime("%Y年").lstrip("0") in " ".join(
        notice.content["paragraphs"]
    )
    # the applicant hears of it by SMS, once
    sms = Notification.objects.filter(case=case, channel="sms", kind="accepted")
    assert sms.count() == 1
    assert case.verification_code in sms.get().body


def test_accept_twice_returns_the_same_notice(item, person, clerk):
    case = receive(item, person, clerk)
    mark_all(case, clerk)
    first = decisions.case_accept(case=case, clerk=clerk)
    second = decisions.case_accept(case=case, clerk=clerk)
    assert first.pk == second.pk
    assert Notice.objects.filter(case=case).count() == 1


def test_accept_refuses_while_materials_are_missing(item, person, clerk):
    case = receive(item, person, clerk)
    mark_all(case, clerk, 身份证明="missing")
    with pytest.raises(ValidationError, match="身份证明"):
        decisions.case_accept(case=case, clerk=clerk)
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED


def test_a_failed_acceptance_leaves_nothing_half_written(item, person, clerk):
    case = receive(item, person, clerk)
    mark_all(case, clerk)
    events_before = CaseEvent.objects.count()
    # the workflow start is the last write of the acceptance: it fails after the case row,
    # the notice, the event and the message were written in the same transaction
    failing_start = mock.patch(
        "hall.intake.acceptance.approval_start", side_effect=RuntimeError("workflow down")
    )
    with failing_start, pytest.raises(RuntimeError):
        decisions.case_accept(case=case, clerk=clerk)
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED
    assert case.accepted_at is None
    assert Notice.objects.count() == 0
    assert CaseEvent.objects.count() == events_before
    assert not Notification.objects.filter(kind="accepted").exists()


@pytest.mark.django_db(transaction=True)
def test_a_notice_is_rendered_after_the_commit_and_a_lost_render_is_not_lost(item, person, clerk):
    from hall.cases import rendering

    case = receive(item, person, clerk)
    mark_all(case, clerk)
    # the render task never runs here (no worker): the notice is issued without its file
    with mock.patch("hall.cases.notices.render_notice.delay", side_effect=OSError("broker")):
        notice = decisions.case_accept(case=case, clerk=clerk)
    notice.refresh_from_db()
    assert notice.rendered_at is None and not notice.pdf and notice.number
    # the render fails the first time: the notice stays, waiting, and the sweep retries it
    with (
        mock.patch(
            "hall.cases.rendering.render_notice_pdf", side_effect=RuntimeError("printer on fire")
        ),
        pytest.raises(RuntimeError),
    ):
        rendering.notices_render_sweep(grace=datetime.timedelta(0))
    notice.refresh_from_db()
    assert notice.rendered_at is None
    assert rendering.notices_render_sweep(grace=datetime.timedelta(0)) == 1
    notice.refresh_from_db()
    assert notice.rendered_at is not None and rendering.notice_verify(notice)
    # rendering again changes nothing: the file and its hash are the first ones
    first_hash = notice.sha256
    assert rendering.notice_render(notice_id=notice.pk).sha256 == first_hash
    assert rendering.notices_render_sweep(grace=datetime.timedelta(0)) == 0


def test_the_first_reader_renders_a_notice_still_waiting(client, item, person, clerk):
    case = receive(item, person, clerk)
    mark_all(case, clerk)
    notice = decisions.case_accept(case=case, clerk=clerk)  # on_commit never runs in this test
    assert Notice.objects.get(pk=notice.pk).rendered_at is None
    client.force_login(clerk)
    response = client.get(reverse("workbench:notice_pdf", args=[case.receipt_no, notice.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert Notice.objects.get(pk=notice.pk).rendered_at is not None


# --- outcome 2: one-time correction notice --------------------------------------------------


def test_correction_notice_lists_everything_missing_at_once(item, person, clerk):
    case = receive(item, person, clerk, answers={"agent": "yes"})
    mark_all(case, clerk, 身份证明="missing", 授权委托书=MaterialMark("defective", "未签字"))
    notice = decisions.case_request_correction(case=case, clerk=clerk)
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_CORRECTION
    assert case.intake_due_date is None and case.accepted_at is None  # the clock has not started
    rows = notice.content["table"]["rows"]
    assert [row[0] for row in rows] == ["身份证明", "授权委托书"]
    assert ["授权委托书", "未签字"] in [list(row) for row in rows]
    assert set(notice.corrections.values_list("material__name", flat=True)) == {
        "身份证明",
        "授权委托书",
    }


def test_correction_refused_while_materials_are_unchecked(item, person, clerk):
    case = receive(item, person, clerk)
    first = case.materials.first()
    decisions.case_materials_check(
        case=case, clerk=clerk, marks={first.pk: MaterialMark("missing")}
    )
    with pytest.raises(ValidationError, match="核对全部材料"):
        decisions.case_request_correction(case=case, clerk=clerk)


def test_a_check_that_supplies_nothing_keeps_the_case_waiting(item, person, clerk):
    case = receive(item, person, clerk)
    mark_all(case, clerk, 身份证明="missing")
    decisions.case_request_correction(case=case, clerk=clerk)
    identity = case.materials.get(name="身份证明")
    decisions.case_materials_check(
        case=case, clerk=clerk, marks={identity.pk: MaterialMark("missing")}
    )
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_CORRECTION
    assert case.intake_due_date is None
    assert not case.events.filter(action="correction_supplied").exists()


def test_on_return_only_the_listed_materials_are_checked(item, person, clerk):
    case = receive(item, person, clerk)
    mark_all(case, clerk, 身份证明="missing")
    decisions.case_request_correction(case=case, clerk=clerk)
    application_form = case.materials.get(name="申请表")
    with pytest.raises(ValidationError, match="不在补正告知书所列范围内"):
        decisions.case_materials_check(
            case=case, clerk=clerk, marks={application_form.pk: MaterialMark("defective", "x")}
        )
    identity = case.materials.get(name="身份证明")
    decisions.case_materials_check(
        case=case, clerk=clerk, marks={identity.pk: MaterialMark("received")}
    )
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED
    assert case.intake_due_date is not None  # materials arrived again: 5 days to decide
    assert identity.corrections.get().supplied_at is not None
    decisions.case_accept(case=case, clerk=clerk)
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED


def test_a_second_notice_even_one_that_repeats_needs_a_supervisor(item, person, clerk, supervisor):
    case = receive(item, person, clerk)
    mark_all(case, clerk, 身份证明="missing")
    first = decisions.case_request_correction(case=case, clerk=clerk)
    identity = case.materials.get(name="身份证明")
    decisions.case_materials_check(
        case=case, clerk=clerk, marks={identity.pk: MaterialMark("defective", "复印件不清晰")}
    )
    # Art. 32 allows one notice per filing: repeating what the first listed is a second notice
    with pytest.raises(OneTimeNotificationError) as refused:
        decisions.case_request_correction(case=case, clerk=clerk)
    assert "一次性告知" in refused.value.messages[0] and first.number in refused.value.messages[0]
    assert Notice.objects.filter(case=case, kind=Notice.Kind.CORRECTION).count() == 1
    # a supervisor may allow it, with a reason; the notice and the log record the breach
    second = decisions.case_request_correction(
        case=case, clerk=clerk, override_by=supervisor, override_reason="申请人补交后仍不清晰"
    )
    assert [row[0] for row in second.content["table"]["rows"]] == ["身份证明"]
    assert second.breaches_one_time_rule
    breach = case.events.get(action="one_time_breach")
    assert breach.details["first_notice"] == first.number
    assert breach.details["materials"] == ["身份证明"]


def test_the_same_marks_posted_again_are_no_return_and_no_second_notice(item, person, clerk):
    case = receive(item, person, clerk)
    mark_all(case, clerk, 身份证明=MaterialMark("defective", "照片模糊"))
    decisions.case_request_correction(case=case, clerk=clerk)
    identity = case.materials.get(name="身份证明")
    # When the window posts the case page again as it was (the same mark, the correct button)
    with pytest.raises(OneTimeNotificationError, match="一次性告知"):
        decisions.case_intake_decide(
            case=case,
            clerk=clerk,
            outcome="correct",
            marks={identity.pk: MaterialMark("defective", "照片模糊")},
        )
    # Then nothing happened: no return recorded, the clock did not restart, one notice
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_CORRECTION
    assert case.intake_due_date is None
    assert not case.events.filter(action="correction_supplied").exists()
    assert case.notices.count() == 1
    # and the same marks checked alone are not a return either
    decisions.case_materials_check(
        case=case, clerk=clerk, marks={identity.pk: MaterialMark("defective", "照片模糊")}
    )
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_CORRECTION


def test_after_the_fifth_working_day_the_window_can_no_longer_send_back_or_refuse(
    item, person, clerk
):
    from hall.intake.common import IntakeLimitPassed

    case = receive(item, person, clerk)
    mark_all(case, clerk, 身份证明="missing")
    # Given the five working days since the materials arrived are over (the sweep has not run)
    received_on = timezone.localdate(case.materials_received_at)
    Case.objects.filter(pk=case.pk).update(
        intake_due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    with pytest.raises(IntakeLimitPassed):
        decisions.case_request_correction(case=case, clerk=clerk)
    with pytest.raises(IntakeLimitPassed):
        decisions.case_refuse_intake(case=case, clerk=clerk, reasons="不符合条件")
    # When the clerk takes an outcome at the window
    with pytest.raises(IntakeLimitPassed, match="视为受理"):
        decisions.case_intake_decide(case=case, clerk=clerk, outcome="correct")
    # Then the law's answer stands: accepted from the day the materials arrived
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED and case.deemed_accepted
    assert case.accepted_on == received_on
    assert list(case.notices.values_list("kind", flat=True)) == [Notice.Kind.DEEMED_ACCEPTANCE]


def test_on_the_fifth_working_day_itself_a_notice_is_still_in_time(item, person, clerk):
    case = receive(item, person, clerk)
    mark_all(case, clerk, 身份证明="missing")
    Case.objects.filter(pk=case.pk).update(intake_due_date=timezone.localdate())
    notice = decisions.case_intake_decide(case=case, clerk=clerk, outcome="correct")
    assert notice.kind == Notice.Kind.CORRECTION


def test_second_notice_asking_for_more_is_refused_unless_a_supervisor_overrides(
    item, person, clerk, supervisor
):
    case = receive(item, person, clerk)
    mark_all(case, clerk, 身份证明="missing")
    decisions.case_request_correction(case=case, clerk=clerk)
    identity = case.materials.get(name="身份证明")
    decisions.case_materials_check(
        case=case, clerk=clerk, marks={identity.pk: MaterialMark("received")}
    )
    # a problem with a material the first notice did not list: the workbench no longer lets
    # the clerk check it, and a notice asking for it needs a supervisor's override
    form = case.materials.get(name="申请表")
    with pytest.raises(ValidationError, match="不在补正告知书所列范围内"):
        decisions.case_materials_check(
            case=case, clerk=clerk, marks={form.pk: MaterialMark("defective", "缺少公章")}
        )
    extra = {form.pk: MaterialMark("defective", "缺少公章")}
    with pytest.raises(OneTimeNotificationError):
        decisions.case_request_correction(case=case, clerk=clerk, additional=extra)
    with pytest.raises(ValidationError, match="只有监察人员"):
        decisions.case_request_correction(
            case=case, clerk=clerk, override_by=clerk, override_reason="x", additional=extra
        )
    with pytest.raises(ValidationError, match="说明理由"):
        decisions.case_request_correction(
            case=case, clerk=clerk, override_by=supervisor, additional=extra
        )
    assert Notice.objects.filter(case=case).count() == 1
    assert case.materials.get(name="申请表").status == "received"  # the refusals wrote nothing

    notice = decisions.case_request_correction(
        case=case,
        clerk=clerk,
        override_by=supervisor,
        override_reason="新政策要求加盖公章",
        additional=extra,
    )
    assert notice.breaches_one_time_rule
    assert notice.one_time_override_reason == "新政策要求加盖公章"
    breach = case.events.get(action="one_time_breach")
    assert breach.actor == supervisor
    assert breach.details["materials"] == ["申请表"]


# --- outcome 3 and 4: non-acceptance and referral -----------------------------------------


def test_non_acceptance_gives_reasons_office_and_rights(item, person, clerk):
    case = receive(item, person, clerk)
    with pytest.raises(ValidationError):
        decisions.case_refuse_intake(case=case, clerk=clerk, reasons="  ")
    notice = decisions.case_refuse_intake(
        case=case,
        clerk=clerk,
        reasons="申请事项依法不需要取得行政许可",
        competent_office="市场监督管理局",
    )
    case.refresh_from_db()
    assert case.status == Case.Status.NOT_ACCEPTED
    text = " ".join([*notice.content["paragraphs"], *notice.content["footer_notes"]])
    assert "申请事项依法不需要取得行政许可" in text
    assert "市场监督管理局" in text
    assert "行政复议" in text and "行政诉讼" in text
    assert decisions.case_refuse_intake(case=case, clerk=clerk, reasons="again").pk == notice.pk


def test_referral_is_followed_by_the_owner_to_its_end(item, person, clerk):
    case = receive(item, person, clerk)
    notice = referrals.case_refer(
        case=case, clerk=clerk, office="市公安局出入境管理支队", reason="出入境事项"
    )
    case.refresh_from_db()
    assert case.status == Case.Status.REFERRED
    assert "市公安局出入境管理支队" in " ".join(notice.content["paragraphs"])
    assert case in cases_owned_by(owner=clerk)
    referrals.case_referral_close(case=case, clerk=clerk, outcome="已由出入境支队办结")
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.events.filter(action="closed").exists()


# --- deemed acceptance (Art. 32) ------------------------------------------------------------


def _received_days_ago(item, person, clerk, days: int) -> Case:
    case = receive(item, person, clerk)
    arrived = timezone.now() - datetime.timedelta(days=days)
    due = working_calendar().add_working_days(timezone.localdate(arrived), 5)
    Case.objects.filter(pk=case.pk).update(materials_received_at=arrived, intake_due_date=due)
    case.refresh_from_db()
    return case


def test_deemed_acceptance_after_five_working_days_dates_from_arrival(
    item, person, clerk, time_machine
):
    # An ordinary June week: ten calendar days are more than five working days (around the
    # Spring Festival they are not, so the test pins its today)
    time_machine.move_to(shanghai(2026, 6, 10))
    late = _received_days_ago(item, person, clerk, days=10)
    on_time = _received_days_ago(item, person, clerk, days=1)
    assert sweeps.intake_deemed_acceptance_sweep() == 1
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.status == Case.Status.ACCEPTED
    assert late.deemed_accepted
    assert late.accepted_on == timezone.localdate(late.materials_received_at)
    assert late.promised_due_date == working_calendar().add_working_days(
        late.accepted_on, item.promised_days
    )
    assert on_time.status == Case.Status.RECEIVED
    event = late.events.get(action="deemed_accepted")
    assert event.actor is None
    assert event.details["window"] == clerk.clerk.window.number  # recorded against the window
    assert late.notices.get().kind == Notice.Kind.DEEMED_ACCEPTANCE
    # run again: nothing left to do
    assert sweeps.intake_deemed_acceptance_sweep() == 0
    assert late.notices.count() == 1


def test_a_correction_notice_in_time_prevents_deemed_acceptance(item, person, clerk):
    case = _received_days_ago(item, person, clerk, days=1)
    mark_all(case, clerk, 申请表="missing")
    decisions.case_request_correction(case=case, clerk=clerk)
    # the sweep runs long after the five days: the notice was in time, nothing is deemed
    later = timezone.localdate() + datetime.timedelta(days=30)
    assert sweeps.intake_deemed_acceptance_sweep(today=later) == 0
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_CORRECTION


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_accept_each_case_exactly_once(make_user, time_machine):
    time_machine.move_to(shanghai(2026, 6, 10))  # nine calendar days are five working days
    item = item_with_checklist()
    person = PersonFactory()
    clerk = make_user("c2", "clerk")
    ClerkFactory(user=clerk)
    cases = [_received_days_ago(item, person, clerk, days=9) for _ in range(12)]
    results = run_at_once(
        lambda: sweeps.intake_deemed_acceptance_sweep(batch=5),
        lambda: sweeps.intake_deemed_acceptance_sweep(batch=5),
    )
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 12
    assert Case.objects.filter(status=Case.Status.ACCEPTED, deemed_accepted=True).count() == 12
    assert Notice.objects.filter(kind=Notice.Kind.DEEMED_ACCEPTANCE).count() == 12
    assert CaseEvent.objects.filter(action="deemed_accepted").count() == 12
    assert {c.pk for c in cases} == set(Case.objects.values_list("pk", flat=True))


# --- first-contact responsibility -----------------------------------------------------------


def test_owner_is_told_of_changes_made_by_others_not_their_own(item, person, clerk, make_user):
    other = make_user("clerk-li", "clerk")
    case = receive(item, person, clerk)
    mark_all(case, clerk)  # by the owner: no message to self
    assert not Notification.objects.filter(recipient_user=clerk).exists()
    decisions.case_accept(case=case, clerk=other)
    inbox = Notification.objects.filter(recipient_user=clerk, channel="inbox")
    assert list(inbox.values_list("kind", flat=True)) == ["accepted"]
    assert case.receipt_no in inbox.get().subject


def test_only_a_supervisor_hands_a_case_over_with_a_reason(
    item, person, clerk, supervisor, make_user
):
    successor = make_user("clerk-zhao", "clerk")
    case = receive(item, person, clerk)
    with pytest.raises(ValidationError, match="只有监察人员"):
        ownership.case_owner_handover(
            case=case, supervisor=clerk, new_owner=successor, reason="休假"
        )
    with pytest.raises(ValidationError):
        ownership.case_owner_handover(
            case=case, supervisor=supervisor, new_owner=successor, reason=""
        )
    ownership.case_owner_handover(
        case=case, supervisor=supervisor, new_owner=successor, reason="休假"
    )
    case.refresh_from_db()
    assert case.owner == successor
    event = case.events.get(action="owner_changed")
    assert event.details == {"from": clerk.username, "to": successor.username, "reason": "休假"}
    # the previous owner hears of the handover; the new one owns it from now on
    assert Notification.objects.filter(recipient_user=clerk, kind="owner_changed").exists() is False
    assert case in cases_owned_by(owner=successor)


# --- the event log --------------------------------------------------------------------------


def test_events_cannot_be_edited_or_deleted_through_the_orm(item, person, clerk):
    event = receive(item, person, clerk).events.get()
    event.details = {"forged": True}
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


@pytest.mark.postgres
def test_database_refuses_update_and_delete_of_events(item, person, clerk):
    event = receive(item, person, clerk).events.get()
    for statement in (
        "UPDATE hall_caseevent SET action = 'forged' WHERE id = %s",
        "DELETE FROM hall_caseevent WHERE id = %s",
    ):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [event.pk])
    assert CaseEvent.objects.get(pk=event.pk).action == "received"
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(action="forged")


def test_only_the_first_contact_owner_decides_at_intake(client, item, person, clerk, make_user):
    """The attack as it was made: a second clerk accepted another clerk's case through the
    window page. The service refuses it, and nothing of the attempt is written."""
    other = make_user("clerk-li", "clerk", first_name="窗口", last_name="李")
    ClerkFactory(user=other)
    case = receive(item, person, clerk)
    marks = {m.pk: MaterialMark("received") for m in case.materials.all()}
    events_before = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(ValidationError, match="首问负责"):
        decisions.case_intake_decide(case=case, clerk=other, outcome="accept", marks=marks)
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED
    assert set(case.materials.values_list("status", flat=True)) == {"pending"}
    assert CaseEvent.objects.filter(case=case).count() == events_before
    # through the page: refused with the owner's name, not accepted
    client.force_login(other)
    fields = {"outcome": "accept"}
    fields.update({f"status-{m.pk}": "received" for m in case.materials.all()})
    response = client.post(reverse("workbench:case", args=[case.receipt_no]), fields)
    assert response.status_code in (400, 403, 404)
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED
    # the owner still can
    decisions.case_intake_decide(case=case, clerk=clerk, outcome="accept", marks=marks)
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED
