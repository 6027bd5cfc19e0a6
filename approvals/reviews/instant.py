"""Rule-based instant approval (秒批) and its after-the-fact sampling (事后抽查).

An item marked for instant approval carries its conditions as data (approvals.catalogue.rules).
When such a case is accepted, the conditions are checked against the filing's facts in the
acceptance's transaction: if every one holds, the workflow starts without department stages and
the system grants at once, the rules named on the case and the decision notice; if one fails,
the case goes to the departments as usual and the failed condition is recorded for the clerk.
A share of the instant grants, set per item, is drawn for review; one that fails review has
its decision and licence revoked.
"""

from __future__ import annotations

import datetime
import logging
import secrets

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.catalogue.rules import Condition, Facts, item_conditions, rules_evaluate
from approvals.reviews.decisions import (
    REVOKE_BASIS_CONDITIONS_NOT_MET,
    case_decide_instant,
    case_decision_revoke,
)
from approvals.reviews.start import approval_start
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.cases.licences import licences_valid
from hall.cases.selectors import applicant_credit_marked
from hall.models import Case, CaseMaterial, InstantApproval

logger = logging.getLogger(__name__)


def instant_facts(case: Case, *, materials_complete: bool | None = None) -> Facts:
    """The filing's facts. `materials_complete` is given for an online filing before any check:
    every material uploaded or taken from the licence library."""
    held = licences_valid(holder_id=case.applicant_id, on=timezone.localdate()).values_list(
        "licence_type", flat=True
    )
    return Facts(
        applicant_type=case.applicant.kind,
        answers={str(k): str(v) for k, v in (case.answers or {}).items()},
        licence_types=frozenset(held),
        credit_marked=applicant_credit_marked(applicant_id=case.applicant_id),
        materials_complete=materials_complete
        if materials_complete is not None
        else not case.materials.exclude(
            status__in=[CaseMaterial.Status.RECEIVED, CaseMaterial.Status.COMMITTED]
        ).exists(),
    )


def instant_check(
    case: Case, *, materials_complete: bool | None = None
) -> tuple[list[Condition], Condition | None]:
    """The item's conditions and the first that fails for this case (None: all hold). An item
    whose rules do not parse decides nothing instantly (and says so in the log)."""
    try:
        conditions = item_conditions(case.item)
    except ValueError as error:
        logger.error("item %s: instant approval rules invalid: %s", case.item.code, error)
        return [], Condition("invalid", {}, _("秒批规则无效"))
    facts = instant_facts(case, materials_complete=materials_complete)
    return conditions, rules_evaluate(conditions, facts)


def instant_decline_record(*, case: Case, failed: Condition) -> None:
    event_record(
        case=case,
        action=CaseAction.INSTANT_DECLINED,
        details={"condition": failed.text, "type": failed.type},
    )


def case_review_start(*, case: Case, starts_on: datetime.date) -> Condition | None:
    """Start the review of an accepted case: instantly decided when its item's rules all hold,
    otherwise by the departments. Returns the failed condition (None when decided instantly).
    Runs in the acceptance's transaction."""
    conditions, failed = instant_check(case)
    if failed is not None:
        instant_decline_record(case=case, failed=failed)
        approval_start(case=case, starts_on=starts_on)
        return failed
    approval_start(case=case, starts_on=starts_on, with_stages=False)
    texts = [condition.text for condition in conditions]
    notice = case_decide_instant(case=case, conditions=texts)
    sampled = secrets.randbelow(100) < case.item.instant_sample_percent
    InstantApproval.objects.create(
        case=case,
        conditions=[{**c.as_data(), "text": c.text} for c in conditions],
        decided_at=timezone.now(),
        review=InstantApproval.Review.PENDING if sampled else InstantApproval.Review.NOT_SAMPLED,
    )
    event_record(
        case=case,
        action=CaseAction.INSTANT_APPROVED,
        details={"conditions": texts, "notice": notice.number, "sampled": sampled},
    )
    return None


def instant_review_record(
    *, approval: InstantApproval, reviewer: User, passed: bool, note: str
) -> InstantApproval:
    """The outcome of a sampled instant approval's review. A failed one revokes the decision
    (and its licence), with the reviewer's reasons, and tells the applicant. Once only."""
    note = note.strip()
    if not passed and not note:
        raise ValidationError({"note": [_("抽查不合格的，须说明理由。")]})
    with transaction.atomic():
        locked = (
            InstantApproval.objects.select_for_update(of=("self",))
            .select_related("case", "case__item")
            .get(pk=approval.pk)
        )
        if locked.review != InstantApproval.Review.PENDING:
            raise ValidationError(_("该秒批办件不在待抽查状态。"))
        locked.review = InstantApproval.Review.PASSED if passed else InstantApproval.Review.FAILED
        locked.reviewed_at = timezone.now()
        locked.reviewed_by = reviewer
        locked.review_note = note
        locked.save(update_fields=["review", "reviewed_at", "reviewed_by", "review_note"])
        case = locked.case
        event_record(
            case=case,
            action=CaseAction.INSTANT_REVIEWED,
            actor=reviewer,
            details={"outcome": locked.get_review_display(), "note": note},
        )
        if not passed:
            case_decision_revoke(
                case=case,
                by=reviewer,
                reason=_("事后抽查不符合条件：%(note)s") % {"note": note},
                basis=REVOKE_BASIS_CONDITIONS_NOT_MET,
                notify_key=f"instant:{locked.pk}:revoked",
            )
        return locked
