"""免申即享 (benefits without applying): find, offer, answer, confirm as a list, grant. Steps 2
and 3 are here; 1 in hall.benefits.finding and 4 in hall.benefits.grants.

1. `benefit_offers_find` (the daily sweep) runs every active benefit's rules over what the hall
   holds and offers each person or enterprise that qualifies, once ever: an SMS with a link that
   answers in one tap, and the portal. The conditions SQL can see (applicant type, a valid
   licence, a recent grant) filter in the query; the ID number's birth date and region are read
   from the sealed column in batches.
2. `benefit_offer_answer`: the person confirms or declines, once (the same answer again changes
   nothing).
3. `benefit_batch_confirm`: the item's lead department confirms the confirmed offers as one
   list, the rules and the legal basis as they stood kept with it.
4. `benefit_grants_issue` (after the commit and by the minute sweep): each offer of a confirmed
   list becomes a case with no application, accepted and granted by the department's decision
   with its notice, like any other; the rules are checked again first, and someone who no
   longer qualifies is not granted (and is told why).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.catalogue.selectors import item_current_by_code
from approvals.models import Benefit
from approvals.reviews.common import require_officer_of
from hall.benefits.finding import benefit_conditions, token_digest
from hall.benefits.tasks import grants_issue_enqueue
from hall.common.advisory import advisory_xact_lock
from hall.models import (
    BenefitBatch,
    BenefitOffer,
)

# --- 2. the person's answer ----------------------------------------------------------------------


def benefit_offer_by_token(token: str) -> BenefitOffer | None:
    if not token or len(token) > 64:
        return None
    return (
        BenefitOffer.objects.select_related("benefit", "applicant")
        .filter(token_digest=token_digest(token))
        .first()
    )


def benefit_offer_answer(
    *, offer: BenefitOffer, accept: bool, via: str, user: User | None = None
) -> BenefitOffer:
    """Confirm (accept) or decline an offer, once. `user` answering in the portal must be the
    offer's own applicant; the SMS link's token is its own proof."""
    if via == BenefitOffer.Via.PORTAL and (user is None or offer.applicant.user_id != user.pk):
        raise ValidationError(_("没有这项免申即享。"))
    wanted = BenefitOffer.Status.CONFIRMED if accept else BenefitOffer.Status.DECLINED
    with transaction.atomic():
        locked = BenefitOffer.objects.select_for_update().get(pk=offer.pk)
        if locked.status == wanted:
            return locked
        if locked.status != BenefitOffer.Status.OFFERED:
            raise ValidationError(
                _("您已经答复过（%(status)s），不能再更改。如有疑问请到大厅窗口咨询。")
                % {"status": locked.get_status_display()}
            )
        locked.status = wanted
        locked.answered_at = timezone.now()
        locked.answered_via = via
        locked.save(update_fields=["status", "answered_at", "answered_via"])
        return locked


# --- 3. the department's list --------------------------------------------------------------------


def benefit_batch_confirm(
    *,
    benefit: Benefit,
    officer: User,
    offer_ids: Sequence[int],
    submission_key: uuid.UUID,
    checked: bool,
) -> BenefitBatch:
    """The item's lead department confirms the listed offers (each confirmed by its person) as
    one batch; their grants follow after the commit."""
    item = item_current_by_code(code=benefit.item_code)
    if item is None:
        raise ValidationError(_("该政策对应的事项已停止办理，不能确认。"))
    require_officer_of(officer, item.lead_department_id)
    existing = BenefitBatch.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing
    if not checked:
        raise ValidationError(
            {"checked": [_("请先核对名单、享受条件和政策依据，勾选确认后再提交。")]}
        )
    with transaction.atomic():
        advisory_xact_lock(f"hall.benefits.batch:{benefit.pk}")
        existing = BenefitBatch.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
        offers = list(
            BenefitOffer.objects.select_for_update()
            .filter(benefit=benefit, status=BenefitOffer.Status.CONFIRMED, pk__in=offer_ids)
            .order_by("pk")
        )
        if not offers:
            raise ValidationError(_("名单中没有待部门确认的对象（可能已被确认）。"))
        number = (
            BenefitBatch.objects.filter(benefit=benefit).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        batch = BenefitBatch.objects.create(
            benefit=benefit,
            number=number,
            decided_by=officer,
            decided_at=timezone.now(),
            rules=benefit.rules,
            legal_basis=benefit.legal_basis,
            offers_count=len(offers),
            submission_key=submission_key,
        )
        BenefitOffer.objects.filter(pk__in=[o.pk for o in offers]).update(
            status=BenefitOffer.Status.APPROVED, batch=batch
        )
        transaction.on_commit(grants_issue_enqueue)
        return batch


def benefit_conditions_text(benefit: Benefit) -> list[str]:
    """What each condition says (an invalid rule set says so instead)."""
    try:
        return [condition.text for condition in benefit_conditions(benefit)]
    except ValueError as error:
        return [_("享受条件无效：%(error)s") % {"error": error}]
