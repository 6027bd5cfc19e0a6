"""好差评: once per visit or per item, the bad-rating follow-up with its due date, the answer,
the appeal and its answer, and the supervisor's and applicant's pages."""

from __future__ import annotations

import datetime
import json
import re
import uuid
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from approvals.clock.calendar import working_calendar
from hall.common.personal_data import data_digest
from hall.intake import receiving as intake
from hall.models import (
    Case,
    CaseEvent,
    Notification,
    QueueTicket,
    RatingFollowUp,
    ServiceRating,
    SmsCode,
)
from hall.queue import services as queue
from hall.ratings import services as ratings
from tests.concurrency import run_at_once
from tests.factories import ClerkFactory, PersonFactory, WindowFactory, item_with_checklist


@pytest.fixture
def clerk(make_user):
    user = make_user("clerk-wang", "clerk", first_name="窗口", last_name="王")
    ClerkFactory(user=user, window=WindowFactory(number="03", categories=["general"]))
    return user


@pytest.fixture
def supervisor(make_user):
    return make_user("sup-zhou", "supervisor", first_name="监察", last_name="周")


def served_ticket(clerk) -> QueueTicket:
    ticket = queue.ticket_issue(category="general")
    queue.ticket_call_next(clerk=clerk)
    queue.ticket_serve(ticket=ticket, clerk=clerk)
    return queue.ticket_finish(ticket=ticket, clerk=clerk)


@pytest.fixture
def case(clerk):
    item = item_with_checklist(name="食品经营许可")
    return intake.case_receive(
        submission_key=uuid.uuid4(),
        applicant=PersonFactory(email="zhang@example.cn"),
        item=item,
        answers={"agent": "no"},
        received_by=clerk,
        channel=Case.Channel.WINDOW,
    )


# --- once per visit / once per item ---------------------------------------------------------


def test_a_visit_is_rated_once_and_names_the_clerk(clerk):
    ticket = served_ticket(clerk)
    rating = ratings.rating_for_visit(ticket=ticket, level=5)
    assert rating.clerk == clerk
    assert rating.channel == ServiceRating.Channel.KIOSK
    assert not hasattr(rating, "follow_up") or rating.follow_up is None

    # the same rating sent again (a double tap) is the first one
    assert ratings.rating_for_visit(ticket=ticket, level=5).pk == rating.pk
    # a different second rating is refused with a clear message, not a database error
    with pytest.raises(ValidationError) as caught:
        ratings.rating_for_visit(ticket=ticket, level=1, reason="态度差")
    assert caught.value.code == "duplicate"
    assert caught.value.messages == ["号码 A001 的这次办事已经评价过了，每次办事只能评价一次。"]
    assert ServiceRating.objects.count() == 1


def test_a_visit_not_yet_at_a_window_cannot_be_rated(clerk):
    ticket = queue.ticket_issue(category="general")
    with pytest.raises(ValidationError) as caught:
        ratings.rating_for_visit(ticket=ticket, level=4)
    assert "尚未在窗口办理" in caught.value.messages[0]


def test_levels_outside_the_five_are_refused(clerk):
    ticket = served_ticket(clerk)
    for level in (0, 6, "x", None):
        with pytest.raises(ValidationError) as caught:
            ratings.rating_for_visit(ticket=ticket, level=level)
        assert "level" in caught.value.message_dict


def test_a_case_is_rated_once_and_the_log_records_it(case, clerk):
    rating = ratings.rating_for_case(case=case, level=4, actor=None)
    assert rating.clerk == clerk  # the first-contact owner
    assert rating.department == case.item.lead_department
    event = CaseEvent.objects.get(case=case, action="rated")
    assert event.details["level"] == 4 and event.details["bad"] is False
    with pytest.raises(ValidationError) as caught:
        ratings.rating_for_case(case=case, level=2, reason="慢")
    assert caught.value.messages == [
        f"办件 {case.receipt_no} 的“收件”环节已经评价过了，每个环节只能评价一次。"
    ]
    assert CaseEvent.objects.filter(case=case, action="rated").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_ratings_of_one_visit_at_once_give_one_rating_and_one_clear_refusal(make_user):
    user = make_user("c-race", "clerk")
    ClerkFactory(user=user, window=WindowFactory(number="07", categories=["general"]))
    ticket = served_ticket(user)
    results = run_at_once(
        lambda: ratings.rating_for_visit(ticket=ticket, level=5),
        lambda: ratings.rating_for_visit(ticket=ticket, level=1, reason="态度差"),
    )
    kinds = sorted(type(r).__name__ for r in results)
    assert kinds == ["ServiceRating", "ValidationError"], results
    refusal = next(r for r in results if isinstance(r, ValidationError))
    assert refusal.code == "duplicate"
    assert ServiceRating.objects.count() == 1


# --- bad ratings and their follow-up --------------------------------------------------------


def test_a_bad_rating_needs_a_reason_and_opens_a_follow_up_due_in_5_working_days(clerk):
    ticket = served_ticket(clerk)
    with pytest.raises(ValidationError) as caught:
        ratings.rating_for_visit(ticket=ticket, level=2, reason="  ")
    assert "理由" in caught.value.message_dict["reason"][0]
    assert not ServiceRating.objects.exists()

    rating = ratings.rating_for_visit(ticket=ticket, level=2, reason="等候时间过长")
    follow_up = rating.follow_up
    assert follow_up.status == RatingFollowUp.Status.OPEN
    assert follow_up.due_date == working_calendar().add_working_days(timezone.localdate(), 5)
    assert follow_up.due_date > timezone.localdate()


def test_the_follow_up_answers_the_applicant_who_may_appeal_once(case, supervisor):
    rating = ratings.rating_for_case(case=case, level=1, reason="材料要求前后不一致")
    follow_up = rating.follow_up

    # When a supervisor answers, the applicant is told by SMS, email and the answer has the link
    answered = ratings.follow_up_answer(
        follow_up=follow_up,
        supervisor=supervisor,
        answer="已核实，已对窗口人员进行培训。",
        callback="已电话回访。",
    )
    assert answered.status == RatingFollowUp.Status.ANSWERED
    assert answered.answered_by == supervisor and answered.answered_at is not None
    sms = Notification.objects.get(dedupe_key=f"rating-follow-up:{follow_up.pk}:answer:sms")
    assert sms.recipient_address == case.applicant.phone
    assert "已对窗口人员进行培训" in sms.body
    follow_up.refresh_from_db()
    assert f"/ratings/appeal/{follow_up.link_token}/" in sms.body
    assert len(follow_up.link_token) >= 43  # 256 random bits
    assert Notification.objects.filter(
        dedupe_key=f"rating-follow-up:{follow_up.pk}:answer:email"
    ).exists()
    # a repeat of the same answer is harmless; another answer is refused
    ratings.follow_up_answer(
        follow_up=follow_up,
        supervisor=supervisor,
        answer="已核实，已对窗口人员进行培训。",
        callback="已电话回访。",
    )
    with pytest.raises(ValidationError):
        ratings.follow_up_answer(
            follow_up=follow_up, supervisor=supervisor, answer="另一个答复", callback="回访"
        )

    # Then the applicant appeals, once
    appealed = ratings.follow_up_appeal(follow_up=follow_up, appeal="问题没有解决。")
    assert appealed.status == RatingFollowUp.Status.APPEALED
    assert appealed.appealed_at is not None
    assert Notification.objects.filter(
        recipient_user=supervisor, kind="rating_appeal", channel=Notification.Channel.INBOX
    ).exists()
    with pytest.raises(ValidationError):
        ratings.follow_up_appeal(follow_up=follow_up, appeal="再申诉一次")

    # And the supervisor answers the appeal, which closes the follow-up
    closed = ratings.follow_up_appeal_answer(
        follow_up=follow_up, supervisor=supervisor, answer="已约谈窗口负责人并回访。"
    )
    assert closed.status == RatingFollowUp.Status.CLOSED
    assert closed.closed_at is not None
    assert Notification.objects.filter(
        dedupe_key=f"rating-follow-up:{follow_up.pk}:appeal-answer:sms"
    ).exists()
    with pytest.raises(ValidationError) as caught:
        ratings.follow_up_appeal(follow_up=follow_up, appeal="还不满意")
    assert "已办结" in caught.value.messages[0]


def test_an_appeal_before_the_answer_and_an_empty_answer_are_refused(case, supervisor):
    follow_up = ratings.rating_for_case(case=case, level=2, reason="慢").follow_up
    with pytest.raises(ValidationError) as caught:
        ratings.follow_up_appeal(follow_up=follow_up, appeal="不满意")
    assert "待整改" in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        ratings.follow_up_answer(follow_up=follow_up, supervisor=supervisor, answer=" ")
    assert "answer" in caught.value.message_dict


# --- pages ----------------------------------------------------------------------------------


def test_supervisors_see_and_answer_follow_ups(client, clerk, supervisor, case):
    ticket_rating = ratings.rating_for_visit(ticket=served_ticket(clerk), level=2, reason="慢")
    case_rating = ratings.rating_for_case(case=case, level=1, reason="态度差")
    client.force_login(clerk)
    assert client.get(reverse("ratings:list")).status_code == 403

    client.force_login(supervisor)
    page = client.get(reverse("ratings:list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert case.receipt_no in html and "排队号 A001" in html
    assert "态度差" in html and "待整改" in html

    detail = reverse("ratings:detail", args=[case_rating.follow_up.pk])
    empty = client.post(detail, {"action": "answer", "answer-answer": ""})
    assert empty.status_code == 400
    assert 'aria-invalid="true"' in empty.content.decode()
    no_callback = client.post(detail, {"action": "answer", "answer-answer": "已核实整改。"})
    assert no_callback.status_code == 400 and "请先回访申请人" in no_callback.content.decode()
    response = client.post(
        detail,
        {"action": "answer", "answer-answer": "已核实整改。", "answer-callback": "电话回访。"},
    )
    assert response.status_code == 302
    case_rating.follow_up.refresh_from_db()
    assert case_rating.follow_up.status == RatingFollowUp.Status.ANSWERED
    assert ticket_rating.follow_up.status == RatingFollowUp.Status.OPEN


def test_the_appeal_page_is_found_only_by_its_random_link(client, case, supervisor):
    """The attack as made: ids and receipt numbers tried from many addresses find nothing."""
    follow_up = ratings.rating_for_case(case=case, level=1, reason="态度差").follow_up
    ratings.follow_up_answer(
        follow_up=follow_up, supervisor=supervisor, answer="已核实整改。", callback="已电话回访。"
    )
    guesses = [
        f"/ratings/appeal/{follow_up.pk}/{case.receipt_no}/",
        f"/ratings/appeal/{follow_up.pk}/",
        f"/ratings/appeal/{case.receipt_no}/",
        f"/ratings/appeal/{follow_up.link_token[:-1]}x/",
    ]
    for n, url in enumerate(guesses):
        assert client.get(url, REMOTE_ADDR=f"198.51.100.{n + 1}").status_code == 404
    page = client.get(reverse("ratings:appeal", args=[follow_up.link_token]))
    assert page.status_code == 200
    assert "已核实整改。" in page.content.decode()


def _code_sent_to(phone: str, settings) -> str:
    lines = [json.loads(line) for line in Path(settings.HALL_SMS_FILE).read_text().splitlines()]
    (text,) = [line["text"] for line in lines if line["phone"] == phone][-1:]
    return re.search(r"\d{6}", text).group(0)


def test_an_appeal_needs_the_applicants_sms_code(client, case, supervisor, settings, tmp_path):
    settings.HALL_SMS_BACKEND = "hall.platform.messaging.FileSmsBackend"
    settings.HALL_SMS_FILE = str(tmp_path / "sms.jsonl")
    follow_up = ratings.rating_for_case(case=case, level=1, reason="态度差").follow_up
    ratings.follow_up_answer(
        follow_up=follow_up, supervisor=supervisor, answer="已核实整改。", callback="已电话回访。"
    )
    url = reverse("ratings:appeal", args=[follow_up.link_token])
    # whoever holds the link but not the phone cannot appeal in the applicant's name
    refused = client.post(url, {"action": "appeal", "appeal": "没有解决。", "code": "123456"})
    assert refused.status_code == 400
    follow_up.refresh_from_db()
    assert follow_up.status == RatingFollowUp.Status.ANSWERED
    sent = client.post(url, {"action": "send_code", "appeal": "没有解决。"})
    assert sent.status_code == 200
    code_row = SmsCode.objects.get(
        phone_digest=data_digest(case.applicant.phone, purpose="phone"), purpose="appeal"
    )
    assert code_row.used_at is None
    code = _code_sent_to(case.applicant.phone, settings)
    response = client.post(url, {"action": "appeal", "appeal": "没有解决。", "code": code})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == RatingFollowUp.Status.APPEALED
    assert "提交申诉" not in client.get(url).content.decode()


def test_the_applicant_signed_in_to_the_portal_appeals_without_a_code(client, case, supervisor):
    from django.contrib.auth.models import User

    user = User.objects.create_user(username=case.applicant.phone)
    case.applicant.user = user
    case.applicant.save(update_fields=["user"])
    follow_up = ratings.rating_for_case(case=case, level=1, reason="态度差").follow_up
    ratings.follow_up_answer(
        follow_up=follow_up, supervisor=supervisor, answer="已核实整改。", callback="已电话回访。"
    )
    client.force_login(user)
    url = reverse("ratings:appeal", args=[follow_up.link_token])
    assert client.post(url, {"action": "appeal", "appeal": "没有解决。"}).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == RatingFollowUp.Status.APPEALED


# --- 一事多评, rectification states, the sweep, the statistics --------------------------------


def test_a_case_is_rated_at_each_point_of_contact_once(case, clerk):
    assert ratings.stages_open(case) == ["receipt"]
    ratings.rating_for_case(case=case, level=5, stage="receipt")
    with pytest.raises(ValidationError, match="尚未到“受理”环节"):
        ratings.rating_for_case(case=case, level=5, stage="acceptance")
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    case.refresh_from_db()
    assert ratings.stages_to_rate(case) == ["acceptance", "completion"]
    ratings.rating_for_case(case=case, level=4, stage="acceptance")
    bad = ratings.rating_for_case(
        case=case, level=2, stage="completion", reason_codes=["slow", "bogus"]
    )
    assert bad.reason_codes == ["slow"] and bad.reason_labels() == ["办理速度慢"]
    with pytest.raises(ValidationError, match="每个环节只能评价一次"):
        ratings.rating_for_case(case=case, level=3, stage="completion")
    assert ratings.stages_to_rate(case) == []


def test_ratings_cannot_be_edited_or_deleted(case):
    rating = ratings.rating_for_case(case=case, level=5)
    rating.level = 1
    with pytest.raises(PermissionError):
        rating.save()
    with pytest.raises(PermissionError):
        rating.delete()


@pytest.mark.postgres
def test_the_database_refuses_to_change_a_rating(case):
    from django.db import DatabaseError, transaction

    rating = ratings.rating_for_case(case=case, level=5)
    with pytest.raises(DatabaseError), transaction.atomic():
        ServiceRating.objects.filter(pk=rating.pk).update(level=1)
    assert ServiceRating.objects.get(pk=rating.pk).level == 5


def test_rectification_runs_through_its_states_with_one_extension(case, supervisor, make_user):
    other = make_user("sup-wu", "supervisor", first_name="监察", last_name="吴")
    follow_up = ratings.rating_for_case(case=case, level=1, reason_codes=["attitude"]).follow_up
    assert follow_up.status == "open" and follow_up.rating.reason_codes == ["attitude"]
    started = ratings.follow_up_start(follow_up=follow_up, supervisor=supervisor, measures="约谈")
    assert started.status == RatingFollowUp.Status.RECTIFYING
    due = started.due_date
    extended = ratings.follow_up_extend(follow_up=follow_up, supervisor=supervisor, reason="需调查")
    assert extended.due_date == working_calendar().add_working_days(due, 5) and extended.extended
    with pytest.raises(ValidationError, match="只能延期一次"):
        ratings.follow_up_extend(follow_up=follow_up, supervisor=supervisor, reason="再延")
    # a claim of 无效差评 is reviewed by another supervisor; rejected, back to 整改中
    ratings.follow_up_claim(
        follow_up=follow_up, supervisor=supervisor, kind="invalid", reason="恶意差评"
    )
    with pytest.raises(ValidationError, match="另一位监察人员"):
        ratings.follow_up_review(follow_up=follow_up, supervisor=supervisor, uphold=True, note="x")
    back = ratings.follow_up_review(
        follow_up=follow_up, supervisor=other, uphold=False, note="证据不足"
    )
    assert back.status == RatingFollowUp.Status.RECTIFYING
    # 无法整改, upheld: the applicant is told and may appeal
    ratings.follow_up_claim(
        follow_up=follow_up, supervisor=supervisor, kind="unfixable", reason="法定要求"
    )
    done = ratings.follow_up_review(
        follow_up=follow_up, supervisor=other, uphold=True, note="依法须提交该材料"
    )
    assert done.status == RatingFollowUp.Status.UNFIXABLE
    assert Notification.objects.filter(
        dedupe_key=f"rating-follow-up:{follow_up.pk}:answer:sms"
    ).exists()
    appealed = ratings.follow_up_appeal(follow_up=follow_up, appeal="不认可")
    assert appealed.status == RatingFollowUp.Status.APPEALED


def test_the_sweep_flags_overdue_follow_ups_and_invites_unrated_cases(case, clerk):
    follow_up = ratings.rating_for_case(case=case, level=2, reason="慢").follow_up
    later = timezone.now() + datetime.timedelta(days=20)
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.CLOSED, closed_at=timezone.now() - datetime.timedelta(days=4)
    )
    first = ratings.ratings_sweep(now=later - datetime.timedelta(days=16))
    assert first == {"overdue": 0, "invited": 1}
    invite = Notification.objects.get(kind="rating_invite")
    assert case.receipt_no in invite.body and invite.recipient_address == case.applicant.phone
    assert ratings.ratings_sweep(now=later) == {"overdue": 1, "invited": 0}
    follow_up.refresh_from_db()
    assert follow_up.overdue
    # rated at completion: no invitation for another case like it
    assert Notification.objects.filter(kind="rating_invite").count() == 1


def test_the_public_statistics_count_per_department_and_leave_out_invalid_ones(
    client, case, clerk, supervisor, make_user
):
    other = make_user("sup-wu", "supervisor")
    ratings.rating_for_case(case=case, level=5, stage="receipt")
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    bad = ratings.rating_for_case(case=case, level=1, stage="completion", reason="x")
    ratings.follow_up_claim(
        follow_up=bad.follow_up, supervisor=supervisor, kind="invalid", reason="误评"
    )
    page = client.get(reverse("ratings:statistics"))
    assert page.status_code == 200
    html = page.content.decode()
    assert case.item.lead_department.name in html and "共 2 条评价" in html
    ratings.follow_up_review(follow_up=bad.follow_up, supervisor=other, uphold=True, note="误评")
    html = client.get(reverse("ratings:statistics")).content.decode()
    assert "共 1 条评价，差评 0 条" in html and "100.0%" in html
