"""好差评: once per visit or per item, the bad-rating follow-up with its due date, the answer,
the appeal and its answer, and the supervisor's and applicant's pages."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from approvals.clock.calendar import working_calendar
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
    assert caught.value.messages == [f"办件 {case.receipt_no} 已经评价过了，每个办件只能评价一次。"]
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


def test_a_bad_rating_needs_a_reason_and_opens_a_follow_up_due_in_15_working_days(clerk):
    ticket = served_ticket(clerk)
    with pytest.raises(ValidationError) as caught:
        ratings.rating_for_visit(ticket=ticket, level=2, reason="  ")
    assert "理由" in caught.value.message_dict["reason"][0]
    assert not ServiceRating.objects.exists()

    rating = ratings.rating_for_visit(ticket=ticket, level=2, reason="等候时间过长")
    follow_up = rating.follow_up
    assert follow_up.status == RatingFollowUp.Status.OPEN
    assert follow_up.due_date == working_calendar().add_working_days(timezone.localdate(), 15)
    assert follow_up.due_date > timezone.localdate()


def test_the_follow_up_answers_the_applicant_who_may_appeal_once(case, supervisor):
    rating = ratings.rating_for_case(case=case, level=1, reason="材料要求前后不一致")
    follow_up = rating.follow_up

    # When a supervisor answers, the applicant is told by SMS, email and the answer has the link
    answered = ratings.follow_up_answer(
        follow_up=follow_up, supervisor=supervisor, answer="已核实，已对窗口人员进行培训。"
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
        follow_up=follow_up, supervisor=supervisor, answer="已核实，已对窗口人员进行培训。"
    )
    with pytest.raises(ValidationError):
        ratings.follow_up_answer(follow_up=follow_up, supervisor=supervisor, answer="另一个答复")

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
    assert "待核实整改" in caught.value.messages[0]
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
    assert "态度差" in html and "待核实整改" in html

    detail = reverse("ratings:detail", args=[case_rating.follow_up.pk])
    empty = client.post(detail, {"answer": ""})
    assert empty.status_code == 400
    assert 'aria-invalid="true"' in empty.content.decode()
    response = client.post(detail, {"answer": "已核实整改。"})
    assert response.status_code == 302
    case_rating.follow_up.refresh_from_db()
    assert case_rating.follow_up.status == RatingFollowUp.Status.ANSWERED
    assert ticket_rating.follow_up.status == RatingFollowUp.Status.OPEN


def test_the_appeal_page_is_found_only_by_its_random_link(client, case, supervisor):
    """The attack as made: ids and receipt numbers tried from many addresses find nothing."""
    follow_up = ratings.rating_for_case(case=case, level=1, reason="态度差").follow_up
    ratings.follow_up_answer(follow_up=follow_up, supervisor=supervisor, answer="已核实整改。")
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
    ratings.follow_up_answer(follow_up=follow_up, supervisor=supervisor, answer="已核实整改。")
    url = reverse("ratings:appeal", args=[follow_up.link_token])
    # whoever holds the link but not the phone cannot appeal in the applicant's name
    refused = client.post(url, {"action": "appeal", "appeal": "没有解决。", "code": "123456"})
    assert refused.status_code == 400
    follow_up.refresh_from_db()
    assert follow_up.status == RatingFollowUp.Status.ANSWERED
    sent = client.post(url, {"action": "send_code", "appeal": "没有解决。"})
    assert sent.status_code == 200
    code_row = SmsCode.objects.get(phone=case.applicant.phone, purpose="appeal")
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
    ratings.follow_up_answer(follow_up=follow_up, supervisor=supervisor, answer="已核实整改。")
    client.force_login(user)
    url = reverse("ratings:appeal", args=[follow_up.link_token])
    assert client.post(url, {"action": "appeal", "appeal": "没有解决。"}).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == RatingFollowUp.Status.APPEALED
