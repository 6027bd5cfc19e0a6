"""The electronic licence library: issuing a licence with a grant, sealing its PDF, revoking it,
checking a file, and the lookup that lets intake take a licence instead of demanding it.

国务院令第716号《优化营商环境条例》第七条（电子证照）、第十条（可通过电子证照共享获取的，
不得要求申请人提供）. A licence is issued in the grant's transaction; its PDF is rendered and
sealed after the commit (the task `hall.tasks.render_licence`, and the notices' render sweep
for a task that was lost), as the notices are.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import CaseDecision
from hall.cases import wording
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.cases.numbering import licence_number_next
from hall.cases.pdf.sealing import SealCheck, pdf_seal_check
from hall.cases.tasks import render_licence
from hall.cases.wording import MessageKind
from hall.models import Applicant, Case, ElectronicLicence
from hall.outbox.queue import applicant_notify
from hall.platform.broker import broker_publish

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off paper
CODE_LENGTH = 12  # 31^12 ≈ 2^59: not to be guessed, and the page is rate-limited too


def _valid_until(valid_from: datetime.date, years: int | None) -> datetime.date | None:
    if not years:
        return None
    try:
        end = valid_from.replace(year=valid_from.year + years)
    except ValueError:  # 29 February
        end = valid_from.replace(year=valid_from.year + years, day=28)
    return end - datetime.timedelta(days=1)


def licence_issue(*, case: Case, officer: User | None) -> ElectronicLicence | None:
    """Issue the electronic licence of a granted case (in the grant's transaction); None when
    the item issues no licence. A second call returns the licence already issued."""
    item = case.item
    if not item.licence_type:
        return None
    existing = ElectronicLicence.objects.filter(case=case).first()
    if existing is not None:
        return existing
    now = timezone.now()
    today = timezone.localdate(now)
    applicant = case.applicant
    licence = ElectronicLicence(
        licence_type=item.licence_type,
        name=item.licence_name or item.name,
        holder=applicant,
        holder_name=applicant.name,
        holder_number=applicant.id_number or applicant.uscc or "",
        department_id=item.lead_department_id,
        case=case,
        scope=item.name,
        valid_from=today,
        valid_until=_valid_until(today, item.licence_validity_years),
        verification_code="".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)),
        issued_at=now,
    )
    licence.number = licence_number_next(on=today)  # the gap-free counter last, as ever
    licence.save(force_insert=True)
    event_record(
        case=case,
        action=CaseAction.LICENCE_ISSUED,
        actor=officer,
        details={
            "number": licence.number,
            "name": licence.name,
            "valid_until": licence.valid_until.isoformat() if licence.valid_until else None,
        },
    )
    transaction.on_commit(lambda: _render_enqueue(licence.pk))
    return licence


def _render_enqueue(licence_id: int) -> None:
    broker_publish(lambda: render_licence.delay(licence_id), what=f"licence {licence_id}")


def licence_revoke(*, licence: ElectronicLicence, by: User, reason: str) -> ElectronicLicence:
    """Revoke a licence (a false commitment, a decision revoked): recorded with who and why,
    shown on the verification page, and no longer taken at intake. Once only."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"revoked_reason": [_("撤销电子证照须说明理由。")]})
    with transaction.atomic():
        locked = (
            ElectronicLicence.objects.select_for_update(of=("self",))
            .select_related("case")
            .get(pk=licence.pk)
        )
        if locked.status == ElectronicLicence.Status.REVOKED:
            return locked
        locked.status = ElectronicLicence.Status.REVOKED
        locked.revoked_at = timezone.now()
        locked.revoked_by = by
        locked.revoked_reason = reason
        locked.save(update_fields=["status", "revoked_at", "revoked_by", "revoked_reason"])
        if locked.case_id is not None:
            event_record(
                case=locked.case,
                action=CaseAction.LICENCE_REVOKED,
                actor=by,
                details={"number": locked.number, "reason": reason},
            )
            applicant_notify(
                case=locked.case,
                key=f"licence:{locked.pk}:revoked",
                kind=MessageKind.LICENCE_REVOKED,
                subject=wording.LICENCE_REVOKED.subject,
                body=wording.LICENCE_REVOKED.body
                % {"name": locked.name, "number": locked.number, "reason": reason},
            )
        return locked


# --- reads ---------------------------------------------------------------------------------


def licence_valid_q(*, on: datetime.date, prefix: str = "") -> Q:
    """A licence valid on `on`: not revoked, begun, not expired (`prefix`: the path to the
    licence from the queried model, e.g. "licence__" from a case's material)."""
    return Q(
        **{f"{prefix}status": ElectronicLicence.Status.VALID, f"{prefix}valid_from__lte": on}
    ) & (Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": on}))


def licences_valid(*, holder_id: int, on: datetime.date):
    """The holder's licences valid on `on`: not revoked, begun, not expired."""
    return ElectronicLicence.objects.filter(licence_valid_q(on=on), holder_id=holder_id)


def materials_with_lapsed_licence_q(*, on: datetime.date, holder) -> Q:
    """A case's materials taken from the licence library (免证办) whose licence no longer holds
    on `on` (revoked, expired, not begun) or is no longer the applicant's (`holder`: an id or
    an OuterRef). Acceptance and the decision check them again: sharing holds only while the
    licence does."""
    return Q(licence__isnull=False) & ~(
        licence_valid_q(on=on, prefix="licence__") & Q(licence__holder_id=holder)
    )


def licence_valid_for(
    *, holder: Applicant, licence_type: str, on: datetime.date
) -> ElectronicLicence | None:
    """A licence of this type the holder holds, valid on `on`: the newest. An expired or
    revoked licence is never taken at intake."""
    return (
        licences_valid(holder_id=holder.pk, on=on)
        .filter(licence_type=licence_type)
        .order_by("-issued_at")
        .first()
    )


def licences_satisfying(*, holder: Applicant, requirements, on: datetime.date) -> dict:
    """{requirement id: licence} for the requirements a valid licence of the holder satisfies
    (国务院令第716号第十条: what can be obtained by sharing is not demanded of the applicant)."""
    if holder.pk is None:
        return {}
    found = {}
    for requirement in requirements:
        if requirement.licence_type:
            licence = licence_valid_for(holder=holder, licence_type=requirement.licence_type, on=on)
            if licence is not None:
                found[requirement.pk] = licence
    return found


def licence_revocation_basis(licence: ElectronicLicence) -> str:
    """The legal basis of the revocation of the grant behind `licence` ("" when its decision
    stands): the verification page states it beside the licence's own revocation."""
    if licence.case_id is None or licence.status != ElectronicLicence.Status.REVOKED:
        return ""
    return (
        CaseDecision.objects.filter(case_id=licence.case_id, revoked_at__isnull=False)
        .values_list("revocation_basis", flat=True)
        .first()
        or ""
    )


def licence_of_case(case: Case) -> ElectronicLicence | None:
    return ElectronicLicence.objects.select_related("department").filter(case=case).first()


def licence_by_code(code: str) -> ElectronicLicence | None:
    code = code.strip().upper()
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        return None
    return (
        ElectronicLicence.objects.select_related("department")
        .filter(verification_code=code)
        .first()
    )


def licence_file_check(pdf: bytes) -> tuple[SealCheck, ElectronicLicence | None]:
    """Whether an uploaded file is a licence the hall sealed, unchanged, and which one: the
    file's digest must be that of a licence the library issued."""
    check = pdf_seal_check(pdf)
    if not check.intact:
        return check, None
    digest = hashlib.sha256(pdf).hexdigest()
    licence = ElectronicLicence.objects.select_related("department").filter(sha256=digest).first()
    if licence is None:
        return SealCheck(False, check.signer, check.signed_at, "not a licence of this hall"), None
    return check, licence
