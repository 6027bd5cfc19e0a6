"""Finding or registering the applicant at the window (ID number, USCC and mobile validated)."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hall.common import validators
from hall.models import (
    Applicant,
)


def identity_errors(
    *, kind: str, name: str, id_number: str, uscc: str, legal_representative: str
) -> dict[str, list[str]]:
    """What is wrong with an applicant's identity, by field: empty when it is valid.

    The one check of an identity, at the window and in the online hall: a person by the 18-digit
    resident identity number, an enterprise by its unified social credit code and its legal
    representative.
    """
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("请填写姓名或企业名称。")]
    if kind == Applicant.Kind.PERSON:
        try:
            validators.validate_id_number(id_number)
        except ValidationError as error:
            errors["id_number"] = error.messages
    elif kind == Applicant.Kind.ENTERPRISE:
        try:
            validators.validate_uscc(uscc)
        except ValidationError as error:
            errors["uscc"] = error.messages
        if not legal_representative.strip():
            errors["legal_representative"] = [_("请填写法定代表人。")]
    else:
        errors["kind"] = [_("请选择申请人类型。")]
    return errors


def applicant_details_errors(
    *, kind: str, name: str, phone: str, id_number: str, uscc: str, legal_representative: str
) -> tuple[dict[str, list[str]], str]:
    """The identity check plus the mobile number: the errors by field, and the phone in its
    normal form (as given when it is invalid)."""
    errors = identity_errors(
        kind=kind,
        name=name,
        id_number=id_number,
        uscc=uscc,
        legal_representative=legal_representative,
    )
    try:
        validators.validate_mobile(phone)
        phone = validators.normalize_mobile(phone)
    except ValidationError as error:
        errors["phone"] = error.messages
    return errors, phone


def applicant_register(
    *,
    kind: str,
    name: str,
    phone: str,
    id_number: str = "",
    uscc: str = "",
    legal_representative: str = "",
    email: str = "",
) -> Applicant:
    """Find the applicant by identity number or credit code, or register them. Concurrent calls
    for the same person create one row; contact details are brought up to date."""
    name = name.strip()
    errors, phone = applicant_details_errors(
        kind=kind,
        name=name,
        phone=phone,
        id_number=id_number,
        uscc=uscc,
        legal_representative=legal_representative,
    )
    if errors:
        raise ValidationError(errors)

    if kind == Applicant.Kind.PERSON:
        lookup = {"id_number": validators.normalize_id_number(id_number)}
    else:
        lookup = {"uscc": validators.normalize_uscc(uscc)}
    details = {
        "name": name,
        "phone": phone,
        "legal_representative": legal_representative.strip(),
        "email": email.strip(),
    }
    try:
        with transaction.atomic():
            existing = Applicant.objects.filter(**lookup).first()
            if existing is not None:
                return _applicant_refresh(existing, details)
            applicant = Applicant(kind=kind, **lookup, **details)
            # the database checks the uniqueness and the constraints; the fields are checked here
            applicant.full_clean(validate_unique=False, validate_constraints=False)
            applicant.save(force_insert=True)
            return applicant
    except IntegrityError:
        # Another clerk registered the same identity a moment ago: use their row.
        with transaction.atomic():
            return _applicant_refresh(Applicant.objects.get(**lookup), details)


def _applicant_refresh(applicant: Applicant, details: Mapping[str, str]) -> Applicant:
    changed = [
        field for field, value in details.items() if value and getattr(applicant, field) != value
    ]
    if changed:
        for field in changed:
            setattr(applicant, field, details[field])
        applicant.save(update_fields=changed)
    return applicant
