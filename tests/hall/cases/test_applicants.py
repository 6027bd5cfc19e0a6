"""Who the applicant is (hall.cases.applicants): registering a person or an enterprise,
finding them again, a contact change told to the old phone, and two clerks at once."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from hall.cases import applicants
from hall.models import (
    Applicant,
    Notification,
    SecurityEvent,
)
from tests.concurrency import run_at_once
from tests.factories import ClerkFactory, item_with_checklist
from tests.hall.intake.conftest import receive, uscc_with_check

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
