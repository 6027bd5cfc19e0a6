"""Finding or registering the applicant at the window (ID number, USCC and mobile validated)."""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.cases import wording
from hall.cases.actions import CaseAction
from hall.cases.events import event_record, events_batch
from hall.cases.wording import MessageKind
from hall.common import validators
from hall.common.personal_data import masked_phone
from hall.models import Applicant, Case, Notification, SecurityEvent
from hall.outbox.queue import notification_queue
from hall.platform import audit

# Contact details that decide where lookup codes, notices and SMS go: changing any of them on a
# registered applicant needs the clerk's explicit confirmation (identity document checked).
CONTACT_FIELDS = ("name", "phone", "legal_representative", "email")


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


def applicant_details_errors_in(data) -> dict[str, list[str]]:
    """`applicant_details_errors` for a form's cleaned data (the portal's registration and the
    window's), by field, so that a form reports them in its one round."""
    errors, _phone = applicant_details_errors(
        kind=data.get("kind") or "",
        name=data.get("name") or "",
        phone=data.get("phone") or "",
        id_number=data.get("id_number") or "",
        uscc=data.get("uscc") or "",
        legal_representative=data.get("legal_representative") or "",
    )
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
    confirm_contact_change: bool = False,
    changed_by: User | None = None,
    source_address: str | None = None,
) -> Applicant:
    """Find the applicant by identity number or credit code, or register them. Concurrent calls
    for the same person create one row.

    Contact details differing from a registered applicant's are changed only with
    `confirm_contact_change` (the clerk checked the identity document, or the online account
    proved the phone); otherwise a ValidationError (code `contact_change_unconfirmed`) shows
    the registered details masked. A change is recorded in the security log and on every case
    of the applicant, and the old phone is told."""
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
        identity = {"id_number": validators.normalize_id_number(id_number)}
        lookup = Applicant.id_number_lookup(identity["id_number"])
    else:
        identity = lookup = {"uscc": validators.normalize_uscc(uscc)}
    details = {
        "name": name,
        "phone": phone,
        "legal_representative": legal_representative.strip(),
        "email": email.strip(),
    }
    try:
        with transaction.atomic():
            existing = Applicant.objects.select_for_update().filter(**lookup).first()
            if existing is not None:
                return _applicant_refresh(
                    existing,
                    details,
                    confirmed=confirm_contact_change,
                    changed_by=changed_by,
                    source_address=source_address,
                )
            applicant = Applicant(kind=kind, **identity, **details)
            # the database checks the uniqueness and the constraints; the fields are checked here
            applicant.full_clean(validate_unique=False, validate_constraints=False)
            applicant.save(force_insert=True)
            return applicant
    except IntegrityError:
        # Another clerk registered the same identity a moment ago: use their row.
        with transaction.atomic():
            return _applicant_refresh(
                Applicant.objects.select_for_update().get(**lookup),
                details,
                confirmed=confirm_contact_change,
                changed_by=changed_by,
                source_address=source_address,
            )


def _label(field: str) -> str:
    return str(Applicant._meta.get_field(field).verbose_name)


def _masked(field: str, value: str) -> str:
    if not value:
        return ""
    if field == "phone":
        return masked_phone(value)
    if field == "email":
        local, _at, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    return value[:1] + "*" * max(len(value) - 1, 1)


def _applicant_refresh(
    applicant: Applicant,
    details: Mapping[str, str],
    *,
    confirmed: bool,
    changed_by: User | None,
    source_address: str | None,
) -> Applicant:
    changed = [
        field
        for field in CONTACT_FIELDS
        if details.get(field) and getattr(applicant, field) != details[field]
    ]
    if not changed:
        return applicant
    if not confirmed:
        registered = "，".join(
            f"{_label(field)}：{_masked(field, getattr(applicant, field))}"
            for field in changed
            if getattr(applicant, field)
        )
        message = _(
            "该证件已登记，登记的联系方式与本次填写的不同（%(registered)s）。"
            "请核对申请人证件后勾选“确认变更联系方式”再提交；未经确认不会修改。"
        ) % {"registered": registered}
        raise ValidationError(
            {
                "confirm_contact_change": [
                    ValidationError(message, code="contact_change_unconfirmed")
                ]
            }
        )
    before = {field: getattr(applicant, field) for field in changed}
    for field in changed:
        setattr(applicant, field, details[field])
    applicant.save(update_fields=changed)
    _contact_change_record(
        applicant=applicant, before=before, changed_by=changed_by, source_address=source_address
    )
    return applicant


def _contact_change_record(
    *,
    applicant: Applicant,
    before: Mapping[str, str],
    changed_by: User | None,
    source_address: str | None,
) -> None:
    masked = {
        field: {"from": _masked(field, old), "to": _masked(field, getattr(applicant, field))}
        for field, old in before.items()
    }
    event = audit.security_event_record(
        kind=SecurityEvent.Kind.CONTACT_CHANGED,
        user=changed_by,
        details={"applicant_id": applicant.pk, "changes": masked},
        ip_address=source_address,
    )
    with events_batch():
        for case in Case.objects.filter(applicant=applicant).only("pk", "applicant_id"):
            event_record(
                case=case,
                action=CaseAction.APPLICANT_CONTACT_CHANGED,
                actor=changed_by,
                details={"fields": list(before), "changes": masked},
            )
    # The phone on record before the change hears of it, so a change made by someone else
    # does not go unnoticed (the new phone is the one that may be the impostor's).
    old_phone = before.get("phone") or applicant.phone
    if old_phone:
        labels = "、".join(_label(field) for field in before)
        notification_queue(
            dedupe_key=f"contact-changed:{applicant.pk}:{event.pk}",
            channel=Notification.Channel.SMS,
            kind=MessageKind.APPLICANT_CONTACT_CHANGED,
            subject=wording.APPLICANT_CONTACT_CHANGED.subject,
            body=wording.APPLICANT_CONTACT_CHANGED.body
            % {"fields": labels, "at": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
            address=old_phone,
        )
