"""免申即享, step 1: the daily sweep that finds who qualifies and offers it to them once ever
(see hall.benefits.services for the whole journey)."""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from approvals.catalogue.benefit_rules import (
    BenefitCondition,
    BenefitFacts,
    benefit_rules_evaluate,
    benefit_rules_parse,
)
from approvals.catalogue.selectors import item_current_by_code
from approvals.models import Benefit, CaseDecision
from hall.cases import wording
from hall.cases.licences import licence_valid_q
from hall.cases.wording import MessageKind
from hall.common.advisory import advisory_xact_lock
from hall.common.validators import id_number_birth_date
from hall.models import (
    Applicant,
    BenefitOffer,
    ElectronicLicence,
    Notification,
)
from hall.outbox.queue import messages_queue, notification_build

logger = logging.getLogger(__name__)

# Conditions the candidates' query applies itself; the rest are read from the ID number.
_IN_SQL = {"applicant_type", "licence", "case_granted"}
FIND_BATCH = 2000


def token_digest(token: str) -> str:
    return hashlib.sha256(f"hall.benefit.link:{token}".encode()).hexdigest()


def benefit_link(token: str) -> str:
    return f"{settings.HALL_PUBLIC_URL}/benefits/{token}/"


def benefit_conditions(benefit: Benefit) -> list[BenefitCondition]:
    return benefit_rules_parse(benefit.rules)


# --- 1. finding and offering --------------------------------------------------------------------


def _candidates(benefit: Benefit, conditions: Sequence[BenefitCondition], today: datetime.date):
    offered = BenefitOffer.objects.filter(benefit=benefit, applicant=OuterRef("pk"))
    rows = Applicant.objects.filter(contact_anonymised_at__isnull=True).exclude(Exists(offered))
    for condition in conditions:
        if condition.type == "applicant_type":
            rows = rows.filter(kind=condition.params["equals"])
        elif condition.type == "licence":
            rows = rows.filter(
                Exists(
                    ElectronicLicence.objects.filter(
                        licence_valid_q(on=today),
                        holder=OuterRef("pk"),
                        licence_type=condition.params["licence_type"],
                    )
                )
            )
        elif condition.type == "case_granted":
            since = today - datetime.timedelta(days=condition.params["within_days"])
            rows = rows.filter(
                Exists(
                    CaseDecision.objects.filter(
                        case__applicant=OuterRef("pk"),
                        case__item__code=condition.params["item_code"],
                        decision=CaseDecision.Decision.GRANT,
                        decided_at__date__gte=since,
                    )
                )
            )
    return rows.order_by("pk")


def _identity_facts(
    applicant_kind: str, id_number: str | None, today: datetime.date
) -> BenefitFacts:
    return BenefitFacts(
        today=today,
        applicant_type=applicant_kind,
        birth_date=id_number_birth_date(id_number) if id_number else None,
        id_region=(id_number or "")[:6],
        licence_types=frozenset(),
    )


def benefit_offers_find(*, today: datetime.date | None = None) -> int:
    """The daily sweep: offer every active benefit to whoever qualifies and has not been
    offered it. Two sweeps at once offer nobody twice (one advisory lock per benefit, and the
    unique pair underneath). Returns how many were offered."""
    today = today or timezone.localdate()
    offered = 0
    for benefit in Benefit.objects.filter(active=True).order_by("pk"):
        try:
            conditions = benefit_conditions(benefit)
        except ValueError as error:
            logger.error("benefit %s: rules invalid: %s", benefit.code, error)
            continue
        if item_current_by_code(code=benefit.item_code) is None:
            logger.error("benefit %s: item %s not in force", benefit.code, benefit.item_code)
            continue
        in_python = [c for c in conditions if c.type not in _IN_SQL]
        after = 0
        while True:
            with transaction.atomic():
                advisory_xact_lock(f"hall.benefits.find:{benefit.pk}")
                rows = list(
                    _candidates(benefit, conditions, today)
                    .filter(pk__gt=after)
                    .values_list("pk", "kind", "id_number", "name", "phone", "user_id")[:FIND_BATCH]
                )
                if not rows:
                    break
                after = rows[-1][0]
                found = [
                    row
                    for row in rows
                    if benefit_rules_evaluate(in_python, _identity_facts(row[1], row[2], today))
                    is None
                ]
                offered += _offers_make(benefit, found)
    return offered


def _offers_make(benefit: Benefit, found: list[tuple]) -> int:
    now = timezone.now()
    tokens = {row[0]: secrets.token_urlsafe(16) for row in found}
    offers = BenefitOffer.objects.bulk_create(
        [
            BenefitOffer(
                benefit=benefit,
                applicant_id=row[0],
                offered_at=now,
                token_digest=token_digest(tokens[row[0]]),
            )
            for row in found
        ]
    )
    messages: list[Notification] = []
    for offer, (applicant_id, _kind, _id, name, phone, user_id) in zip(offers, found, strict=True):
        token = tokens[applicant_id]
        link = benefit_link(token)
        common = {
            "kind": MessageKind.BENEFIT_OFFERED,
            "subject": wording.BENEFIT_OFFERED.subject % {"benefit": benefit.name},
            "body": wording.BENEFIT_OFFERED.body
            % {"name": name, "benefit": benefit.name, "what": benefit.what_you_get, "link": link},
        }
        if phone:
            # the link is the key to answering: kept masked in the outbox, sealed until sent
            messages.append(
                notification_build(
                    dedupe_key=f"benefit-offer:{offer.pk}:sms",
                    channel=Notification.Channel.SMS,
                    address=phone,
                    secret=token,
                    **common,
                )
            )
        if user_id:
            messages.append(
                notification_build(
                    dedupe_key=f"benefit-offer:{offer.pk}:inbox",
                    channel=Notification.Channel.INBOX,
                    user_id=user_id,
                    kind=common["kind"],
                    subject=common["subject"],
                    body=wording.BENEFIT_OFFERED.body
                    % {
                        "name": name,
                        "benefit": benefit.name,
                        "what": benefit.what_you_get,
                        "link": f"{settings.HALL_PUBLIC_URL}/me/benefits/",
                    },
                )
            )
    messages_queue(messages)
    return len(offers)
