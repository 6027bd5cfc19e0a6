"""免申即享 pages: the person's (portal list, the SMS link's one-tap answer) and the
department's (the list to confirm, earlier batches). Thin views over hall.benefits."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hall.benefits import selectors, services
from hall.benefits.forms import BatchConfirmForm
from hall.common.permissions import officer_desk_required
from hall.common.personal_data import masked_id_number, masked_name
from hall.models import BenefitOffer
from hall.online.portal.access import applicant_or_bind, applicant_required
from hall.platform.guard import int_or_none


@never_cache
@applicant_required
def portal_offers(request: HttpRequest) -> HttpResponse:
    applicant = applicant_or_bind(request)
    if applicant is None:
        return redirect("portal:identity")
    return render(
        request,
        "hall/benefits/portal_offers.html",
        {"offers": selectors.offers_of_applicant(applicant=applicant)},
    )


@applicant_required
@require_POST
def portal_answer(request: HttpRequest, offer_id: int) -> HttpResponse:
    applicant = applicant_or_bind(request)
    offer = get_object_or_404(BenefitOffer, pk=offer_id, applicant=applicant)
    _answer(request, offer, via=BenefitOffer.Via.PORTAL)
    return redirect("benefits:portal")


def _answer(request: HttpRequest, offer: BenefitOffer, *, via: str) -> bool:
    accept = request.POST.get("accept") == "1"
    try:
        services.benefit_offer_answer(offer=offer, accept=accept, via=via, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return False
    messages.success(
        request,
        _("已确认领取。部门核对名单后即予发放，结果会短信告知您。")
        if accept
        else _("已记录您不需要这项服务。"),
    )
    return True


@never_cache
def link_offer(request: HttpRequest, token: str) -> HttpResponse:
    """The SMS link: one tap to confirm or decline, no sign-in (the link is the proof)."""
    offer = services.benefit_offer_by_token(token)
    if offer is None:
        raise Http404
    if request.method == "POST":
        _answer(request, offer, via=BenefitOffer.Via.LINK)
        return redirect("benefits:link", token=token)
    return render(
        request,
        "hall/benefits/link.html",
        {
            "offer": offer,
            "shown_name": masked_name(offer.applicant.name),
            "shown_identity": masked_id_number(offer.applicant.identity),
        },
    )


@never_cache
@officer_desk_required
def desk_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "hall/benefits/desk_list.html",
        {"rows": selectors.benefits_of_department(officer=request.user)},
    )


@never_cache
@officer_desk_required
def desk_benefit(request: HttpRequest, code: str) -> HttpResponse:
    row = selectors.benefit_of_department(officer=request.user, code=code)
    if row is None:
        raise Http404
    benefit = row["benefit"]
    form = BatchConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            submission_key = uuid.UUID(request.POST.get("submission_key", ""))
        except ValueError:
            submission_key = None
        offer_ids = [
            pk for pk in (int_or_none(v) for v in request.POST.getlist("offer")) if pk is not None
        ]
        if submission_key is None:
            form.add_error(None, _("提交标识无效，请刷新页面后重试。"))
        else:
            try:
                batch = services.benefit_batch_confirm(
                    benefit=benefit,
                    officer=request.user,
                    offer_ids=offer_ids,
                    submission_key=submission_key,
                    checked=form.cleaned_data["checked"],
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    _("第 %(number)s 批名单已确认（%(n)s 人），系统将逐一作出准予决定并送达。")
                    % {"number": batch.number, "n": batch.offers_count},
                )
                return redirect("benefits:desk_benefit", code=benefit.code)
    offers = [
        {
            "offer": offer,
            "name": masked_name(offer.applicant.name),
            "identity": masked_id_number(offer.applicant.identity),
        }
        for offer in selectors.offers_to_confirm(benefit=benefit)[:500]
    ]
    return render(
        request,
        "hall/benefits/desk_benefit.html",
        {
            "row": row,
            "benefit": benefit,
            "conditions": services.benefit_conditions_text(benefit),
            "offers": offers,
            "batches": selectors.batches_of(benefit=benefit)[:20],
            "form": form,
            "submission_key": request.POST.get("submission_key") or uuid.uuid4(),
        },
        status=400 if request.method == "POST" else 200,
    )
