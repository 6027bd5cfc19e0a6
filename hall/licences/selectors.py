"""What anyone may learn of a licence from its verification code: the public page and the API
answer from this one read, so they can never say different things."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from approvals.register.selectors import holder_public_name
from hall.cases.licences import licence_by_code, licence_revocation_basis
from hall.models import Applicant, ElectronicLicence


@dataclass(frozen=True)
class LicenceFacts:
    licence: ElectronicLicence
    state: str
    holder: str  # a person's family name only
    holder_number: str  # a person's ID number masked; an enterprise's credit code
    revocation_basis: str


def licence_facts(licence: ElectronicLicence) -> LicenceFacts:
    person = licence.holder.kind == Applicant.Kind.PERSON
    return LicenceFacts(
        licence=licence,
        state=licence.state_on(timezone.localdate()),
        holder=holder_public_name(licence.holder),
        holder_number=licence.holder.masked_identity if person else licence.holder_number,
        revocation_basis=licence_revocation_basis(licence),
    )


def licence_verified(*, code: str, number: str | None = None) -> LicenceFacts | None:
    """The licence with this verification code (and, when given, this number); None for any
    mismatch, unknown or malformed code alike, so nothing can be enumerated."""
    licence = licence_by_code(code or "")
    if licence is None or (number is not None and licence.number != number.strip()):
        return None
    return licence_facts(licence)
