"""亲友代办: asking with the principal's code, granting at the window, acting within the scope,
and revoking, which stops the next act at once."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError

from hall.cases.proxies import age_on, proxy_offered
from hall.intake import decisions, ownership
from hall.intake.common import MaterialMark
from hall.models import Case, CaseEvent, Notice, Notification, ProxyAuthorisation
from hall.online import filing
from hall.proxies import services
from tests.concurrency import run_at_once
from tests.factories import ClerkFactory
from tests.hall.online.test_filing import png
from tests.hall.proxies.conftest import (
    DAUGHTER_PHONE,
    FATHER_PHONE,
    authorise,
    consent_code,
    sms_to,
)


def files_for(item) -> dict:
    return {
        filing.material_field(item, requirement): [png()]
        for requirement in item.materials.filter(name__in=("申请表", "身份证明"))
    }


def file_for_father(daughter_user, authorisation, item, **overrides) -> Case:
    arguments = {
        "user": daughter_user,
        "submission_key": uuid.uuid4(),
        "item": item,
        "answers": {"agent": "no"},
        "files": files_for(item),
        "proxy_code": authorisation.code,
    }
    arguments.update(overrides)
    return filing.online_case_file(**arguments)


# --- asking and confirming ---------------------------------------------------------------------


def test_the_father_reads_his_code_to_his_daughter_and_the_authorisation_starts(
    daughter_user, father, item, sms_file
):
    authorisation = authorise(daughter_user, father, sms_file, item_codes=[item.code])

    # the consent SMS went to the phone the hall holds for him, saying who asks and for what
    (text,) = sms_to(sms_file, FATHER_PHONE)
    assert "张小红" in text and "137****7000" in text and "高龄津贴申领" in text
    assert "2027-01-10" in text
    assert authorisation.principal == father and authorisation.proxy.name == "张小红"
    assert authorisation.confirmed_via == "sms" and authorisation.valid_from.isoformat() == (
        "2026-10-12"
    )
    assert authorisation.state_on(datetime.date(2026, 10, 12)) == "active"
    # and he is told it is in force (by SMS: he has no account)
    told = Notification.objects.get(kind="proxy_granted")
    assert (
        told.channel == "sms" and told.recipient_address == FATHER_PHONE and "张小红" in told.body
    )


def test_asking_about_someone_the_hall_does_not_know_answers_the_same_and_sends_nothing(
    daughter_user, father, item, sms_file
):
    pending = services.proxy_request_start(
        proxy_user=daughter_user,
        principal_name="张大海",  # the wrong name for his ID number
        principal_id_number=father.id_number,
        relationship="child",
        item_codes=[item.code],
        valid_until=datetime.date(2026, 12, 1),
        requester="s",
    )
    # no error that would tell the asker anything, and no SMS to anyone
    assert pending.principal_id is None and sms_to(sms_file, FATHER_PHONE) == []
    with pytest.raises(ValidationError) as raised:
        services.proxy_request_confirm(
            proxy_user=daughter_user, pending=pending, code="123456", requester="s"
        )
    assert raised.value.message_dict["code"] == [str(services.WRONG_CODE)]
    assert not ProxyAuthorisation.objects.exists()


def test_a_wrong_code_makes_nothing_and_the_same_confirmation_twice_makes_one(
    daughter_user, father, item, sms_file
):
    pending = services.proxy_request_start(
        proxy_user=daughter_user,
        principal_name="张大山",
        principal_id_number=father.id_number,
        relationship="child",
        item_codes=[item.code],
        valid_until=datetime.date(2026, 12, 1),
        requester="s",
    )
    code = consent_code(sms_file)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(ValidationError):
        services.proxy_request_confirm(
            proxy_user=daughter_user, pending=pending, code=wrong, requester="s"
        )
    assert not ProxyAuthorisation.objects.exists()
    first = services.proxy_request_confirm(
        proxy_user=daughter_user, pending=pending, code=code, requester="s"
    )
    again = services.proxy_request_confirm(
        proxy_user=daughter_user, pending=pending, code=code, requester="s"
    )
    assert first.pk == again.pk and ProxyAuthorisation.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"item_codes": []}, "item_codes", "请至少选择一个代办事项。"),
        ({"item_codes": ["44039999-XK-0000"]}, "item_codes", "所选事项不存在或已停止办理"),
        ({"valid_until": datetime.date(2027, 10, 13)}, "valid_until", "授权期限最长一年"),
        ({"valid_until": datetime.date(2026, 10, 11)}, "valid_until", "截止日期不能早于今天"),
        ({"relationship": "boss"}, "relationship", "请选择与被代办人的关系"),
        ({"principal_id_number": "110105195003020110"}, "principal_id_number", "校验"),
    ],
)
def test_bad_asking_says_what_is_wrong_and_sends_nothing(
    daughter_user, father, item, sms_file, change, field, message
):
    arguments = {
        "proxy_user": daughter_user,
        "principal_name": "张大山",
        "principal_id_number": father.id_number,
        "relationship": "child",
        "item_codes": [item.code],
        "valid_until": datetime.date(2026, 12, 1),
        "requester": "s",
    }
    arguments.update(change)
    with pytest.raises(ValidationError) as raised:
        services.proxy_request_start(**arguments)
    assert message in " ".join(raised.value.message_dict[field])
    assert sms_to(sms_file, FATHER_PHONE) == []


def test_nobody_authorises_themselves(daughter_user, item, sms_file):
    from tests.hall.proxies.conftest import DAUGHTER_ID

    with pytest.raises(ValidationError) as raised:
        services.proxy_request_start(
            proxy_user=daughter_user,
            principal_name="张小红",
            principal_id_number=DAUGHTER_ID,
            relationship="child",
            item_codes=[item.code],
            valid_until=datetime.date(2026, 12, 1),
            requester="s",
        )
    assert "不能授权自己" in str(raised.value)


# --- acting ----------------------------------------------------------------------------------


def test_the_daughter_files_for_her_father_and_everything_says_by_whom(
    daughter_user, father, item, sms_file, make_user
):
    authorisation = authorise(daughter_user, father, sms_file, item_codes=[item.code])
    case = file_for_father(daughter_user, authorisation, item)

    # the case is his, filed under the authorisation
    assert case.applicant == father and case.proxy_authorisation == authorisation
    # the log says she did it for him
    act = CaseEvent.objects.get(case=case, action="proxy_acted")
    assert act.actor == daughter_user and act.on_behalf_of == father
    assert act.details["act"] == "filed" and act.details["proxy"] == "张小红"
    # he is told by SMS
    told = Notification.objects.get(kind="proxy_acted", case=case)
    assert (
        told.recipient_address == FATHER_PHONE
        and "张小红" in told.body
        and case.receipt_no in told.body
    )
    # and the acceptance notice names her beside him
    clerk = make_user("clerk-wang", "clerk", first_name="窗口", last_name="王")
    ClerkFactory(user=clerk)
    case = ownership.case_owner_claim(case=case, clerk=clerk)
    decisions.case_materials_check(
        case=case,
        clerk=clerk,
        marks={m.pk: MaterialMark("received") for m in case.materials.all()},
    )
    decisions.case_accept(case=Case.objects.get(pk=case.pk), clerk=clerk)
    notice = Notice.objects.get(case=case, kind="acceptance")
    assert notice.content["applicant_name"] == "张大山（亲友代办人：张小红，子女）"


def test_items_outside_the_authorisation_are_refused_and_nothing_is_written(
    daughter_user, father, item, other_item, sms_file
):
    authorisation = authorise(daughter_user, father, sms_file, item_codes=[item.code])
    with pytest.raises(ValidationError) as raised:
        file_for_father(daughter_user, authorisation, other_item, files=files_for(other_item))
    assert "不在代办授权范围内" in str(raised.value)
    assert not Case.objects.exists()


def test_someone_elses_authorisation_is_no_authorisation(
    daughter_user, stranger_user, father, item, sms_file
):
    authorisation = authorise(daughter_user, father, sms_file, item_codes=[item.code])
    with pytest.raises(ValidationError) as raised:
        file_for_father(stranger_user, authorisation, item)
    assert "没有这项代办授权" in str(raised.value)
    assert not Case.objects.exists()


def test_a_revoked_or_expired_authorisation_stops_the_next_act(
    daughter_user, father, item, sms_file, time_machine
):
    from tests.dates import shanghai

    authorisation = authorise(
        daughter_user, father, sms_file, item_codes=[item.code], until=datetime.date(2026, 10, 30)
    )
    case = file_for_father(daughter_user, authorisation, item)
    # expired: the day after the last day
    time_machine.move_to(shanghai(2026, 10, 31))
    with pytest.raises(ValidationError) as raised:
        file_for_father(daughter_user, authorisation, item)
    assert "已于2026-10-30到期" in str(raised.value)
    time_machine.move_to(shanghai(2026, 10, 20))
    # revoked by the father at the window: both are told, and the next act stops
    services.proxy_authorisation_revoke(
        authorisation=authorisation, by=daughter_user, reason="不用了"
    )
    told = Notification.objects.filter(kind="proxy_revoked", channel="sms")
    assert {n.recipient_address for n in told} == {FATHER_PHONE, DAUGHTER_PHONE}
    with pytest.raises(ValidationError) as raised:
        filing.case_correction_upload(
            user=daughter_user,
            case=case,
            submission_key=uuid.uuid4(),
            files={},
            proxy_code=authorisation.code,
        )
    assert "已撤销" in str(raised.value)
    assert Case.objects.count() == 1


def test_revoking_twice_changes_nothing_and_strangers_cannot_revoke(
    daughter_user, stranger_user, father, item, sms_file
):
    authorisation = authorise(daughter_user, father, sms_file, item_codes=[item.code])
    with pytest.raises(ValidationError):
        services.proxy_authorisation_revoke(authorisation=authorisation, by=stranger_user)
    first = services.proxy_authorisation_revoke(authorisation=authorisation, by=daughter_user)
    second = services.proxy_authorisation_revoke(authorisation=authorisation, by=daughter_user)
    assert first.revoked_at == second.revoked_at
    assert Notification.objects.filter(kind="proxy_revoked", channel="sms").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_revocation_and_a_filing_at_once_never_file_after_the_revocation(
    roles, daughter_user, father, item, sms_file, on_postgres
):
    if not on_postgres:
        pytest.skip("row locks need PostgreSQL")
    authorisation = authorise(daughter_user, father, sms_file, item_codes=[item.code])

    def file():
        try:
            return file_for_father(daughter_user, authorisation, item)
        except ValidationError as error:
            return error

    def revoke():
        return services.proxy_authorisation_revoke(authorisation=authorisation, by=daughter_user)

    filed, _revoked = run_at_once(file, revoke)
    revoked_at = ProxyAuthorisation.objects.get().revoked_at
    if isinstance(filed, Case):
        # it passed first: the whole filing committed before the revocation did
        act = CaseEvent.objects.get(case=filed, action="proxy_acted")
        assert act.at < revoked_at
    else:
        assert "已撤销" in str(filed) and not Case.objects.exists()


# --- the window --------------------------------------------------------------------------------


def test_the_window_grants_one_case_with_both_present(daughter_user, father, item, make_user):
    from hall.intake import receiving
    from tests.hall.proxies.conftest import DAUGHTER_ID

    clerk = make_user("clerk-wang", "clerk", first_name="窗口", last_name="王")
    ClerkFactory(user=clerk)
    case = receiving.case_receive(
        submission_key=uuid.uuid4(),
        applicant=father,
        item=item,
        answers={"agent": "no"},
        received_by=clerk,
        channel="window",
    )
    common = {
        "clerk": clerk,
        "request_key": uuid.uuid4(),
        "principal": father,
        "proxy_id_number": DAUGHTER_ID,
        "relationship": "child",
        "case": case,
        "valid_until": datetime.date(2026, 11, 30),
    }
    with pytest.raises(ValidationError) as raised:
        services.proxy_grant_at_window(**common, both_present=False)
    assert "双方均在场" in str(raised.value) and not ProxyAuthorisation.objects.exists()
    authorisation = services.proxy_grant_at_window(**common, both_present=True)
    assert authorisation.scope == "case" and authorisation.case == case
    assert authorisation.confirmed_by == clerk and authorisation.confirmed_via == "window"
    # one case's authorisation files nothing new
    with pytest.raises(ValidationError):
        file_for_father(daughter_user, authorisation, item)


def test_a_proxy_must_be_registered_before_the_window_grants(father, item, make_user):
    from tests.hall.proxies.conftest import id_number

    clerk = make_user("clerk-wang", "clerk")
    ClerkFactory(user=clerk)
    with pytest.raises(ValidationError) as raised:
        services.proxy_grant_at_window(
            clerk=clerk,
            request_key=uuid.uuid4(),
            principal=father,
            proxy_id_number=id_number("19800101", "044"),
            relationship="friend",
            item_codes=[item.code],
            valid_until=datetime.date(2026, 11, 30),
            both_present=True,
        )
    assert "代办人尚未登记" in raised.value.message_dict["proxy_id_number"][0]


@pytest.mark.parametrize(
    ("born", "on", "age", "offered"),
    [
        ("19561012", datetime.date(2026, 10, 12), 70, True),  # the birthday itself
        ("19561013", datetime.date(2026, 10, 12), 69, False),  # one day short
        ("19560229", datetime.date(2026, 2, 28), 69, False),  # born on 29 February
        ("19560229", datetime.date(2026, 3, 1), 70, True),
    ],
)
def test_people_aged_70_or_over_are_offered_a_relatives_help(born, on, age, offered):
    from hall.models import Applicant
    from tests.hall.proxies.conftest import id_number

    person = Applicant(kind="person", name="王", id_number=id_number(born))
    assert age_on(person, on) == age
    assert proxy_offered(person, on) is offered
