"""Portal pages: home, catalogue, filing an item or a bundle, tracking a case, corrections,
notices and uploads, agency requests and rating."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from approvals.catalogue.selectors import required_materials
from approvals.models import Bundle, CaseDecision
from approvals.reviews.delivery import case_delivery_choose
from hall.accounts.sms_codes import sms_code_send
from hall.agency import services as agency_services
from hall.agency.selectors import agency_request_open
from hall.agency.services import agency_request
from hall.cases.licences import licence_of_case, licences_satisfying
from hall.cases.rendering import licence_ready, notice_ready
from hall.cases.selectors import (
    ELDER_SHORT_LIST,
    application_status,
    case_instant_outcome,
    case_notice,
    items_most_filed,
)
from hall.common import validators
from hall.common.forms import form_add_service_errors
from hall.common.personal_data import masked_phone
from hall.intake import applications, tolerance
from hall.intake.commitments import commitment_possible
from hall.intake.forms import QuestionsForm
from hall.intake.questions import one_form
from hall.lookup import services as lookup
from hall.models import Applicant, Case, CaseGroup, ServiceRating, SmsCode
from hall.online import filing, selectors
from hall.online.portal.access import (
    PORTAL_LOGIN,
    acting_code,
    acting_for,
    applicant_required,
    portal_applicant,
)
from hall.online.portal.forms import AgencyForm, DeliveryChoiceForm, RatingForm
from hall.outbox.selectors import inbox_for
from hall.platform.attempts import request_source, session_requester
from hall.platform.guard import int_or_none
from hall.platform.sessions import elder_mode_on
from hall.ratings.services import rating_for_case, stages_to_rate


@never_cache
@applicant_required
def home(request: HttpRequest) -> HttpResponse:
    acting = acting_for(request)
    applicant = acting.principal if acting else selectors.applicant_for(user=request.user)
    if applicant is None:
        return render(request, "hall/portal/home_unbound.html")
    cases = (
        selectors.cases_for_proxy(authorisation=acting)
        if acting
        else selectors.cases_of_applicant(user=request.user)
    )
    return render(
        request,
        "hall/portal/home.html",
        {
            "applicant": applicant,
            "acting": acting,
            "cases": cases[:100],
            "inbox": inbox_for(user=request.user).filter(read_at__isnull=True)[:10],
        },
    )


@applicant_required
def catalogue(request: HttpRequest) -> HttpResponse:
    applicant = portal_applicant(request)
    if applicant is None:
        return redirect("portal:identity")
    items = list(_fileable_items(request, applicant).order_by("queue_category", "code"))
    # 长辈版 opens on the few this person may file that are filed most; the rest one link away
    short = elder_mode_on(request) and request.GET.get("all") != "1"
    return render(
        request,
        "hall/portal/catalogue.html",
        {
            "applicant": applicant,
            "acting": acting_for(request),
            "short": short,
            "item_count": len(items),
            "items": (
                items_most_filed(items, today=timezone.localdate(), limit=ELDER_SHORT_LIST)
                if short
                else items
            ),
            "bundles": [] if short else _fileable_bundles(request, applicant),
        },
    )


def _fileable_items(request: HttpRequest, applicant: Applicant):
    """The items this person may file online now: while acting for someone, only the items
    the authorisation names (one case's authorisation files nothing new)."""
    items = selectors.online_items_for(applicant=applicant)
    acting = acting_for(request)
    if acting is not None:
        items = items.filter(code__in=acting.item_codes if acting.item_codes else [])
    return items


def _fileable_bundles(request: HttpRequest, applicant: Applicant):
    acting = acting_for(request)
    return [
        (bundle, items)
        for bundle, items in selectors.online_bundles_for(applicant=applicant)
        if acting is None or all(item.code in acting.item_codes for item in items)
    ]


@applicant_required
def file_item(request: HttpRequest, item_id: int) -> HttpResponse:
    applicant = portal_applicant(request)
    if applicant is None:
        return redirect("portal:identity")
    item = get_object_or_404(_fileable_items(request, applicant), pk=item_id)
    return _file(request, applicant=applicant, items=[item], bundle=None)


@applicant_required
def file_bundle(request: HttpRequest, code: str) -> HttpResponse:
    applicant = portal_applicant(request)
    if applicant is None:
        return redirect("portal:identity")
    for bundle, items in _fileable_bundles(request, applicant):
        if bundle.code == code:
            return _file(request, applicant=applicant, items=items, bundle=bundle)
    raise Http404


def _file(request: HttpRequest, *, applicant: Applicant, items: list, bundle: Bundle | None):
    """Step 1 answers the intake questions (GET); step 2 uploads the checklist (POST)."""
    # 一表申请: a question several items ask is asked once
    asked = one_form(items)
    fields = asked.fields
    source = request.POST if request.method == "POST" else request.GET
    answered = not fields or source.get("answered") == "1"
    questions = QuestionsForm(
        source if fields and answered else None,
        initial={name: source[name] for name in fields if name in source},
        fields=fields,
    )
    context = {
        "applicant": applicant,
        "acting": acting_for(request),
        "items": items,
        "bundle": bundle,
        "questions": questions,
    }
    if fields and (not answered or not questions.is_valid()):
        return render(
            request, "hall/portal/file_questions.html", context, status=400 if answered else 200
        )
    cleaned = questions.cleaned_data if fields else {}
    answers_by_item = asked.answers_by_item(cleaned, items)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            submission_key = uuid.UUID(request.POST.get("submission_key", ""))
        except ValueError:
            errors["__all__"] = [_("提交标识无效，请刷新页面后重试。")]
        # The form says whom it was filled in for: if acting began or ended since (a revoked
        # authorisation), nothing is filed for the wrong person.
        if request.POST.get("acting_for", "") != acting_code(request):
            errors["__all__"] = [
                _("代办状态已经变化（授权可能已撤销或到期），本次申报未提交。请核对后重新填写。")
            ]
        if not errors:
            files = {key: request.FILES.getlist(key) for key in request.FILES}
            try:
                if bundle is None:
                    case = filing.online_case_file(
                        user=request.user,
                        submission_key=submission_key,
                        item=items[0],
                        answers=answers_by_item[items[0].pk],
                        files=files,
                        # 告知承诺制: the materials replaced by commitment, and its SMS code
                        committed=_committed_ids(request),
                        commitment_code=request.POST.get("commitment_code", ""),
                        commitment_requester=session_requester(request),
                        proxy_code=acting_code(request),
                    )
                else:
                    group = filing.online_group_file(
                        user=request.user,
                        submission_key=submission_key,
                        bundle=bundle,
                        answers_by_item=answers_by_item,
                        files=files,
                        committed=_committed_ids(request),
                        commitment_code=request.POST.get("commitment_code", ""),
                        commitment_requester=session_requester(request),
                        proxy_code=acting_code(request),
                    )
                    case = group.cases.order_by("pk").first()
            except ValidationError as error:
                errors = (
                    error.message_dict
                    if hasattr(error, "error_dict")
                    else {"__all__": error.messages}
                )
            else:
                outcome = case_instant_outcome(case) if case.item.instant_approval else None
                if outcome is not None and outcome.granted:
                    messages.success(
                        request,
                        _(
                            "秒批：收件编号 %(receipt)s 满足全部秒批条件，系统已当即受理并准予"
                            "许可，决定书和电子证照见下方。"
                        )
                        % {"receipt": case.receipt_no},
                    )
                else:
                    messages.success(
                        request,
                        _(
                            "已提交网上申报，收件编号 %(receipt)s。"
                            "窗口将在 5 个工作日内作出受理决定。"
                        )
                        % {"receipt": case.receipt_no},
                    )
                return redirect("portal:case", receipt_no=case.receipt_no)
    checklist = []
    by_item = []
    for item in items:
        requirements = required_materials(
            item=item, applicant_type=applicant.kind, answers=answers_by_item[item.pk]
        )
        shared = licences_satisfying(
            holder=applicant, requirements=requirements, on=timezone.localdate()
        )
        by_item.append((item, requirements, shared))
    # 一套材料: what several items of the bundle require is asked (and uploaded) once
    common = filing.bundle_shared_materials(
        {item: [r for r in reqs if r.pk not in shared] for item, reqs, shared in by_item}
    )
    if common:
        checklist.append(
            {
                "item": None,
                "common": True,
                "materials": [
                    {
                        "requirement": pairs[0][1],
                        "field": filing.shared_material_field(code),
                        "errors": errors.get(filing.shared_material_field(code), []),
                        "used_by": "、".join(item.name for item, _r in pairs),
                        # ticked once for every item it serves, each of which must allow it
                        "committable": all(commitment_possible(i, r) for i, r in pairs),
                        "committed": request.POST.get(f"commit-{pairs[0][1].pk}") == "on",
                    }
                    for code, pairs in common.items()
                ],
            }
        )
    for item, requirements, shared in by_item:
        checklist.append(
            {
                "item": item,
                "materials": [
                    {
                        "requirement": requirement,
                        "field": filing.material_field(item, requirement),
                        "errors": errors.get(filing.material_field(item, requirement), []),
                        "shared": shared.get(requirement.pk),  # 免证办: nothing to upload
                        "committable": commitment_possible(item, requirement),
                        "committed": request.POST.get(f"commit-{requirement.pk}") == "on",
                    }
                    for requirement in requirements
                    if requirement.pk in shared or requirement.material_code not in common
                ],
            }
        )
    known = {m["field"] for entry in checklist for m in entry["materials"]}
    general = [
        message
        for key, field_messages in errors.items()
        if key not in known
        for message in field_messages
    ]
    answers_shown = [
        (questions[name].label, dict(questions.fields[name].choices).get(value, value), name, value)
        for name, value in cleaned.items()
    ]
    context.update(
        {
            "committable": any(m["committable"] for e in checklist for m in e["materials"]),
            "commitment_item": items[0] if bundle is None else None,
            # 一件事: each item whose own rule lets a commitment replace one of its materials
            "commitment_items": [
                item
                for item, requirements, _shared in by_item
                if bundle is not None and any(commitment_possible(item, r) for r in requirements)
            ],
            "commitment_text": items[0].commitment_text if bundle is None else "",
            "commitment_liability": items[0].commitment_liability if bundle is None else "",
            "checklist": checklist,
            "general_errors": general,
            "has_errors": bool(errors),
            "answers": answers_shown,
            "edit_query": urlencode(cleaned),
            "submission_key": request.POST.get("submission_key") or uuid.uuid4(),
            "max_mb": _max_mb(),
        }
    )
    return render(request, "hall/portal/file_upload.html", context, status=400 if errors else 200)


def _committed_ids(request: HttpRequest) -> list[int]:
    """告知承诺制: the requirements ticked to be replaced by a commitment (odd fields ignored)."""
    return [
        material_id
        for key in request.POST
        if key.startswith("commit-")
        and (material_id := int_or_none(key.removeprefix("commit-"))) is not None
    ]


def _max_mb() -> str:
    return f"{settings.HALL_UPLOAD_MAX_BYTES / (1024 * 1024):g}"


@applicant_required
@require_POST
def application_delivery(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """一件事: all results at once when the last item is done, or each as it is ready."""
    case = _own_case(request, receipt_no)
    if case.group_id is None:
        raise Http404
    together = request.POST.get("together") != "0"
    applications.application_delivery_preference_set(
        group=CaseGroup.objects.get(pk=case.group_id), together=together
    )
    messages.success(
        request,
        _("已选择全部办结后一次送达。") if together else _("已选择逐项办结逐项送达。"),
    )
    return redirect("portal:case", receipt_no=case.receipt_no)


def _own_case(request: HttpRequest, receipt_no: str) -> Case:
    """The applicant's own case, or (acting for someone) a case the authorisation takes in;
    404 for every other."""
    acting = acting_for(request)
    case = (
        selectors.case_for_proxy(authorisation=acting, receipt_no=receipt_no)
        if acting
        else selectors.case_of_applicant(user=request.user, receipt_no=receipt_no)
    )
    if case is None:
        raise Http404
    return case


@never_cache
@applicant_required
def case_detail(request: HttpRequest, receipt_no: str) -> HttpResponse:
    case = _own_case(request, receipt_no)
    return _case_page(request, case)


def _case_page(
    request,
    case: Case,
    *,
    status: int = 200,
    correction_errors=None,
    supplement_errors=None,
    **extra,
):
    timeline = lookup.case_timeline(case=case)
    to_rate = stages_to_rate(case)
    licence = licence_of_case(case)
    agency_open = agency_request_open(case=case)
    context = {
        "case": case,
        # 一件事: the whole application's items, states and dates in one place
        "application": (
            application_status(group_id=case.group_id) if case.group_id is not None else None
        ),
        "acting": acting_for(request),
        "timeline": timeline,
        "licence": licence,
        "outstanding": [
            {"material": m, "field": filing.supplement_field(m)}
            for m in tolerance.outstanding_supplements(case)
        ],
        "supplement_errors": supplement_errors or {},
        "uploads": selectors.uploads_of_case(case=case),
        "correction_materials": [
            {"material": material, "field": filing.correction_field(material)}
            for material in selectors.open_correction_materials(case=case)
        ],
        "correction_errors": correction_errors or {},
        "correction_key": uuid.uuid4(),
        "agency_available": case.status not in Case.FINAL_STATUSES
        and not case.agent_id
        and agency_open is None,
        "agency_open": agency_open,
        "agency_form": extra.pop("agency_form", None) or AgencyForm(),
        "can_rate": bool(to_rate),
        "ratings": list(case.ratings.select_related("follow_up").order_by("created_at")),
        "rating_form": extra.pop("rating_form", None) or RatingForm(stages=to_rate),
        "max_mb": _max_mb(),
        "decision": CaseDecision.objects.filter(case=case).first(),
        "delivery_form": extra.pop("delivery_form", None)
        or DeliveryChoiceForm(
            initial={"method": case.delivery_choice or "window", "address": case.delivery_address}
        ),
    }
    context.update(extra)
    return render(request, "hall/portal/case.html", context, status=status)


@applicant_required
@require_POST
def correction_upload(request: HttpRequest, receipt_no: str) -> HttpResponse:
    case = _own_case(request, receipt_no)
    try:
        submission_key = uuid.UUID(request.POST.get("submission_key", ""))
    except ValueError:
        submission_key = uuid.uuid4()
    files = {key: request.FILES.getlist(key) for key in request.FILES}
    try:
        filing.case_correction_upload(
            user=request.user,
            case=case,
            submission_key=submission_key,
            files=files,
            proxy_code=acting_code(request),
        )
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        return _case_page(request, case, status=400, correction_errors=errors)
    messages.success(request, _("补正材料已提交，等待窗口核对。"))
    return redirect("portal:case", receipt_no=case.receipt_no)


@applicant_required
@require_POST
def supplement_upload(request: HttpRequest, receipt_no: str, material_id: int) -> HttpResponse:
    """容缺: upload a material the window accepted as missing."""
    case = _own_case(request, receipt_no)
    files = {key: request.FILES.getlist(key) for key in request.FILES}
    try:
        material = filing.case_supplement_upload(
            user=request.user,
            case=case,
            material_id=material_id,
            files=files,
            proxy_code=acting_code(request),
        )
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        return _case_page(request, case, status=400, supplement_errors=errors)
    messages.success(request, _("“%(name)s”已上传补齐。") % {"name": material.name})
    return redirect("portal:case", receipt_no=case.receipt_no)


@applicant_required
def notice_pdf(request: HttpRequest, receipt_no: str, notice_id: int) -> HttpResponse:
    case = _own_case(request, receipt_no)
    notice = case_notice(case=case, notice_id=notice_id)
    if notice is None:
        raise Http404
    notice = notice_ready(notice)
    response = FileResponse(
        notice.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=request.GET.get("download") == "1",
        filename=f"{notice.get_kind_display()}-{case.receipt_no}.pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required(login_url=PORTAL_LOGIN)
def licence_pdf(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """The sealed electronic licence of the applicant's own case."""
    case = _own_case(request, receipt_no)
    licence = licence_of_case(case)
    if licence is None:
        raise Http404
    licence = licence_ready(licence)
    response = FileResponse(
        licence.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=request.GET.get("download") == "1",
        filename=f"{licence.name}-{licence.number}.pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required(login_url=PORTAL_LOGIN)
def upload_file(request: HttpRequest, upload_id: int) -> HttpResponse:
    """An uploaded material, to those allowed to see the case; 404 to everyone else. Served as
    a download with the type detected at upload, never sniffed."""
    acting = acting_for(request)
    upload = (
        selectors.upload_for_proxy(authorisation=acting, upload_id=upload_id)
        if acting
        else selectors.upload_for_user(user=request.user, upload_id=upload_id)
    )
    if upload is None:
        raise Http404
    content_type = validators.UPLOAD_KINDS[upload.kind][2]
    extension = validators.UPLOAD_KINDS[upload.kind][1]
    response = FileResponse(
        upload.file.open("rb"),
        content_type=content_type,
        as_attachment=True,
        filename=f"{upload.material.name}-{upload.pk}{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@applicant_required
@require_POST
def agency(request: HttpRequest, receipt_no: str) -> HttpResponse:
    case = _own_case(request, receipt_no)
    form = AgencyForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, agency_form=form)
    try:
        agency_request(case=case, note=form.cleaned_data["note"], requested_by=request.user)
    except ValidationError as error:
        form_add_service_errors(form, error)
        return _case_page(request, case, status=400, agency_form=form)
    messages.success(request, _("已提交代办申请，大厅将指派代办员与您联系。"))
    return redirect("portal:case", receipt_no=case.receipt_no)


@applicant_required
@require_POST
def agency_withdraw(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """The applicant withdraws their agency request; an assigned agent no longer carries the
    case. A second post (or none open) changes nothing."""
    case = _own_case(request, receipt_no)
    open_request = agency_request_open(case=case)
    if open_request is not None:
        agency_services.agency_withdraw(request=open_request, by=request.user)
        messages.success(request, _("已撤回代办申请。"))
    return redirect("portal:case", receipt_no=case.receipt_no)


@applicant_required
@require_POST
def delivery_choose(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """The applicant chooses how the result reaches them (window, post, courier, locker)."""
    case = _own_case(request, receipt_no)
    form = DeliveryChoiceForm(request.POST)
    if form.is_valid():
        try:
            case_delivery_choose(
                case=case,
                method=form.cleaned_data["method"],
                address=form.cleaned_data["address"],
                proxy_user=request.user,
                proxy_code=acting_code(request),
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("已保存结果送达方式。"))
            return redirect("portal:case", receipt_no=case.receipt_no)
    return _case_page(request, case, status=400, delivery_form=form)


@applicant_required
def rate(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """Rate a finished case online, once per item (国办发〔2019〕51号)."""
    case = _own_case(request, receipt_no)
    if request.method != "POST":
        return redirect("portal:case", receipt_no=case.receipt_no)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, rating_form=form)
    try:
        rating_for_case(
            case=case,
            level=form.cleaned_data["level"],
            reason=form.cleaned_data["reason"],
            reason_codes=form.cleaned_data["reason_codes"],
            stage=form.cleaned_data["stage"] or None,
            channel=ServiceRating.Channel.ONLINE,
            actor=request.user,
            proxy_code=acting_code(request),
        )
    except ValidationError as error:
        form_add_service_errors(form, error)
        return _case_page(request, case, status=400, rating_form=form)
    messages.success(request, _("感谢您的评价。"))
    return redirect("portal:case", receipt_no=case.receipt_no)


@applicant_required
@require_POST
def commitment_code_send(request: HttpRequest, item_id: int) -> HttpResponse:
    """告知承诺制 online: send the SMS code that confirms the applicant's written commitment,
    then back to the same upload step (the answers travel in the form). Acting for someone,
    the code goes to the principal's phone: the commitment is theirs."""
    applicant = portal_applicant(request)
    if applicant is None:
        return redirect("portal:identity")
    item = get_object_or_404(_fileable_items(request, applicant), pk=item_id)
    answers = {k: v for k, v in request.POST.items() if k.startswith(f"{item.pk}__")}
    _commitment_code_send(request, applicant)
    query = urlencode({"answered": "1", **answers})
    return redirect(f"{reverse('portal:file_item', args=[item.pk])}?{query}")


@applicant_required
@require_POST
def commitment_code_send_bundle(request: HttpRequest, code: str) -> HttpResponse:
    """The same for a bundle (一件事): one code confirms the commitments of all its items."""
    applicant = portal_applicant(request)
    if applicant is None:
        return redirect("portal:identity")
    if not any(bundle.code == code for bundle, _items in _fileable_bundles(request, applicant)):
        raise Http404
    # the answers of the one form: shared questions (all__) and each item's own (<pk>__)
    answers = {k: v for k, v in request.POST.items() if "__" in k}
    _commitment_code_send(request, applicant)
    query = urlencode({"answered": "1", **answers})
    return redirect(f"{reverse('portal:file_bundle', args=[code])}?{query}")


def _commitment_code_send(request: HttpRequest, applicant: Applicant) -> None:
    if not lookup.sms_send_allowed(request, group="portal"):
        messages.error(request, _("获取验证码过于频繁，请稍后再试。"))
    else:
        try:
            sms_code_send(
                phone=applicant.phone,
                purpose=SmsCode.Purpose.COMMITMENT,
                requester=session_requester(request),
                source=request_source(request),
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.info(
                request,
                _("告知承诺确认验证码已发送至 %(phone)s，5 分钟内有效。")
                % {"phone": masked_phone(applicant.phone)},
            )
