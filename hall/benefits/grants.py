"""免申即享, step 4: each offer of a confirmed list becomes a granted case with no application;
the rules are checked again first (see hall.benefits.services)."""

from __future__ import annotations

import datetime
import logging
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from approvals.catalogue.benefit_rules import (
    BenefitFacts,
    benefit_rules_evaluate,
    benefit_rules_parse,
)
from approvals.catalogue.selectors import item_current_by_code
from approvals.models import CaseDecision
from approvals.reviews.decisions import case_decide
from hall.cases import wording
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.cases.licences import licences_valid
from hall.cases.wording import MessageKind
from hall.common.validators import id_number_birth_date
from hall.intake.acceptance import case_accept
from hall.intake.receiving import case_receive
from hall.models import (
    Applicant,
    BenefitOffer,
    Case,
    Notification,
)
from hall.outbox.queue import messages_queue, notification_build

logger = logging.getLogger(__name__)


# --- 4. the grants ----------------------------------------------------------------------------


def _facts(applicant: Applicant, today: datetime.date) -> BenefitFacts:
    grants = dict(
        CaseDecision.objects.filter(case__applicant=applicant, decision=CaseDecision.Decision.GRANT)
        .values("case__item__code")
        .annotate(latest=Max("decided_at"))
        .values_list("case__item__code", "latest")
    )
    return BenefitFacts(
        today=today,
        applicant_type=applicant.kind,
        birth_date=id_number_birth_date(applicant.id_number) if applicant.id_number else None,
        id_region=(applicant.id_number or "")[:6],
        licence_types=frozenset(
            licences_valid(holder_id=applicant.pk, on=today).values_list("licence_type", flat=True)
        ),
        grants={code: timezone.localdate(at) for code, at in grants.items()},
    )


def benefit_grants_issue(*, limit: int = 200) -> int:
    """Grant the offers of confirmed lists, one transaction each (a sweeper elsewhere skips the
    one being granted). Returns how many were decided (granted or lapsed)."""
    done = 0
    refused: list[int] = []  # offers the case services refused this round: retried next time
    for _n in range(limit):
        try:
            with transaction.atomic():
                offer = (
                    BenefitOffer.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("benefit", "applicant", "batch__decided_by")
                    .filter(status=BenefitOffer.Status.APPROVED)
                    .exclude(pk__in=refused)
                    .order_by("pk")
                    .first()
                )
                if offer is None:
                    break
                _grant(offer)
                done += 1
        except ValidationError as error:
            # the item's own rules refused the case (say, an administrator gave it a material
            # the hall cannot supply): nothing is half-written; the rest of the list goes on
            logger.error("benefit offer %s not granted: %s", offer.pk, "; ".join(error.messages))
            refused.append(offer.pk)
    return done


def _grant(offer: BenefitOffer) -> None:
    benefit, applicant, batch = offer.benefit, offer.applicant, offer.batch
    today = timezone.localdate()
    conditions = benefit_rules_parse(batch.rules)
    failed = benefit_rules_evaluate(conditions, _facts(applicant, today))
    if failed is not None:
        offer.status = BenefitOffer.Status.LAPSED
        offer.lapsed_reason = failed.text[:200]
        offer.save(update_fields=["status", "lapsed_reason"])
        if applicant.phone:
            messages_queue(
                [
                    notification_build(
                        dedupe_key=f"benefit-offer:{offer.pk}:lapsed",
                        channel=Notification.Channel.SMS,
                        address=applicant.phone,
                        kind=MessageKind.BENEFIT_LAPSED,
                        subject=wording.BENEFIT_LAPSED.subject % {"benefit": benefit.name},
                        body=wording.BENEFIT_LAPSED.body
                        % {
                            "name": applicant.name,
                            "benefit": benefit.name,
                            "condition": failed.text,
                        },
                    )
                ]
            )
        return
    item = item_current_by_code(code=benefit.item_code)
    case = case_receive(
        submission_key=uuid.uuid5(uuid.NAMESPACE_URL, f"hall:benefit-offer:{offer.pk}"),
        applicant=applicant,
        item=item,
        answers={},
        received_by=None,
        channel=Case.Channel.PROACTIVE,
    )
    event_record(
        case=case,
        action=CaseAction.BENEFIT_CONFIRMED,
        actor=batch.decided_by,
        details={
            "benefit": benefit.code,
            "batch": batch.number,
            "answered_at": offer.answered_at.isoformat() if offer.answered_at else None,
            "conditions": [c.text for c in conditions],
        },
    )
    case_accept(case=case, clerk=None)
    case_decide(
        case=case,
        officer=batch.decided_by,
        grant=True,
        reasons=wording.BENEFIT_GRANT_REASONS
        % {
            "basis": batch.legal_basis,
            "benefit": benefit.name,
            "batch": batch.number,
            "conditions": "；".join(c.text for c in conditions),
        },
    )
    offer.status = BenefitOffer.Status.GRANTED
    offer.case = case
    offer.save(update_fields=["status", "case"])
