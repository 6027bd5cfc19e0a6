"""The window's Art. 32 outcomes (hall.intake.decisions): the one-time correction notice
and its return, the five-day limit, non-acceptance, and only the first-contact owner decides."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from hall.intake import decisions
from hall.intake.common import MaterialMark, OneTimeNotificationError
from hall.models import (
    Case,
    CaseEvent,
    Notice,
)
from tests.factories import ClerkFactory
from tests.hall.intake.conftest import mark_all, receive

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
    response = client.post(reverse("intake:case", args=[case.receipt_no]), fields)
    assert response.status_code in (400, 403, 404)
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED
    # the owner still can
    decisions.case_intake_decide(case=case, clerk=clerk, outcome="accept", marks=marks)
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED
