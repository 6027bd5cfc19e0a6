"""The window clerk's workbench (综合受理工作台): thin views over hall.intake."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals.catalogue.selectors import bundle_current_items, items_current
from approvals.models import Bundle, CaseStep, ServiceItem
from approvals.reviews import delivery
from approvals.reviews import selectors as review_selectors
from hall.cases import applicants, selectors
from hall.cases.pdf.fonts import glyphs_missing
from hall.cases.pdf.printing import notice_print_context
from hall.cases.proxies import proxies_active_count, proxy_offered
from hall.cases.rendering import notice_document, notice_ready
from hall.common import validators
from hall.common.permissions import workbench_required
from hall.intake import decisions as intake_decisions
from hall.intake import ownership, receiving, referrals, tolerance
from hall.intake.commitments import commitment_allowed
from hall.intake.department_corrections import department_correction_receive
from hall.intake.forms import (
    ApplicantForm,
    ApplicantSearchForm,
    CaseLookupForm,
    DeliveryForm,
    QuestionsForm,
    ReferForm,
    ReferralCloseForm,
    RefuseForm,
    SupplementForm,
    ToleranceForm,
)
from hall.intake.posting import (
    INCOMPLETE_MESSAGE,
    intake_post_read,
    intake_result_tell,
    material_marks_read,
)
from hall.intake.questions import one_form
from hall.models import Applicant, Case, CaseMaterial, Notice, PersonalDataAccess
from hall.outbox.selectors import inbox_for
from hall.platform import audit
from hall.platform.guard import int_or_none


def _window(request):
    return selectors.clerk_window(user=request.user)


def _reminders(messages_) -> list[dict]:
    """The unread inbox, one line per distinct message (the same reminder sent again is counted,
    not repeated), newest first, at most ten. The messages are named rows (case_id,
    case__receipt_no, subject, body), not model instances."""
    lines: dict[tuple, dict] = {}
    for message in messages_:
        key = (message.case_id, message.subject, message.body)
        if key in lines:
            lines[key]["count"] += 1
        else:
            lines[key] = {"message": message, "count": 1}
    return list(lines.values())[:10]


def _home(request, *, search_form=None, applicant_form=None, status: int = 200):
    return render(
        request,
        "hall/intake/home.html",
        {
            "search_form": search_form or ApplicantSearchForm(),
            "lookup_form": CaseLookupForm(),
            "applicant_form": applicant_form
            or ApplicantForm(initial={"kind": Applicant.Kind.PERSON}),
            "cases": selectors.case_rows_owned_by(owner=request.user)[:50],
            # what a reminder line shows: the sealed address and the case's sealed columns
            # are not opened for it
            "inbox": _reminders(
                inbox_for(user=request.user)
                .filter(read_at__isnull=True)
                .values_list("case_id", "case__receipt_no", "subject", "body", named=True)[:30]
            ),
            "window": _window(request),
        },
        status=status,
    )


@workbench_required
def home(request):
    return _home(request)


@workbench_required
def applicant_find(request):
    form = ApplicantSearchForm(request.GET)
    if form.is_valid():
        identity = form.cleaned_data["identity"]
        applicant = selectors.applicant_by_identity(identity=identity)
        if applicant is not None:
            return redirect("intake:file", applicant_id=applicant.pk)
        messages.info(request, _("未找到该申请人，请登记。"))
        # What was looked up goes into the registration form: the clerk does not type it again.
        value = validators.normalize_id_number(identity)
        if validators.is_valid_uscc(value):
            initial = {"kind": Applicant.Kind.ENTERPRISE, "uscc": value}
        else:
            initial = {"kind": Applicant.Kind.PERSON, "id_number": value}
        return _home(request, search_form=form, applicant_form=ApplicantForm(initial=initial))
    return redirect("intake:home")


@workbench_required
@require_POST
def applicant_register(request):
    form = ApplicantForm(request.POST)
    if form.is_valid():
        try:
            applicant = applicants.applicant_register(
                **form.cleaned_data,
                changed_by=request.user,
                source_address=audit.client_address(request),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect("intake:file", applicant_id=applicant.pk)
    return _home(request, applicant_form=form, status=400)


def _chosen_item(applicant: Applicant, raw: str) -> tuple[ServiceItem | None, str]:
    """The current item picked by pk, if it takes this applicant's type; else the reason."""
    pk = int_or_none(raw)
    if pk is None:
        raise Http404
    item = get_object_or_404(items_current(), pk=pk)
    if item.applicant_type not in (ServiceItem.ApplicantType.ANY, applicant.kind):
        return None, _("“%(item)s”只受理%(type)s申请人。") % {
            "item": item.name,
            "type": item.get_applicant_type_display(),
        }
    return item, ""


def _add_receive_errors(form: QuestionsForm, error: ValidationError, item, asked) -> None:
    """A receiving service raises a dict (per question: ``<key>`` for one item, ``<item
    pk>__<key>`` for a bundle's) or a plain list (say, an item that does not take this applicant
    type): show each at the question that asked it, or at the top of the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages_ in error.message_dict.items():
        prefix, _sep, key = field.rpartition("__")
        item_pk = int_or_none(prefix) if prefix else (item.pk if item is not None else None)
        target = asked.field_for(item_pk, key) if item_pk is not None else None
        form.add_error(target if target in form.fields else None, messages_)


@workbench_required
def file(request, applicant_id: int):
    """Pick an item or a bundle, answer its questions, and receive the materials."""
    applicant = get_object_or_404(Applicant, pk=applicant_id)
    items = list(items_current().filter(applicant_type__in=["any", applicant.kind]))
    bundles = list(Bundle.objects.order_by("code"))
    item = bundle = None
    refused = ""
    chosen_items: list[ServiceItem] = []
    if request.GET.get("item") or request.POST.get("item"):
        item, refused = _chosen_item(applicant, request.GET.get("item") or request.POST.get("item"))
        chosen_items = [item] if item is not None else []
    elif request.GET.get("bundle") or request.POST.get("bundle"):
        bundle = get_object_or_404(
            Bundle, code=request.GET.get("bundle") or request.POST.get("bundle")
        )
        chosen_items = bundle_current_items(bundle=bundle)
    # 一表申请: a question several items of a bundle ask is asked once
    asked = one_form(chosen_items)
    form = QuestionsForm(request.POST or None, fields=asked.fields)
    if request.method == "POST" and chosen_items and form.is_valid():
        try:
            submission_key = uuid.UUID(request.POST.get("submission_key", ""))
        except ValueError:
            return HttpResponseBadRequest(_("提交标识无效，请刷新页面后重试。"))
        answers_by_item = asked.answers_by_item(form.cleaned_data, chosen_items)
        common = {
            "applicant": applicant,
            "received_by": request.user,
            "channel": Case.Channel.WINDOW,
            "window": _window(request),
        }
        try:
            if bundle is not None:
                group = receiving.case_group_receive(
                    submission_key=submission_key,
                    bundle=bundle,
                    items=chosen_items,
                    answers_by_item=answers_by_item,
                    **common,
                )
                first = group.cases.order_by("pk").first()
                messages.success(
                    request, _("一件事已收件，共 %(n)s 个事项。") % {"n": group.cases.count()}
                )
                return redirect("intake:application", receipt_no=first.receipt_no)
            case = receiving.case_receive(
                submission_key=submission_key,
                item=item,
                answers=answers_by_item[item.pk],
                **common,
            )
            return redirect("intake:case", receipt_no=case.receipt_no)
        except ValidationError as error:
            _add_receive_errors(form, error, item, asked)
    # The questions asked once for several items first, then each item's own under its heading.
    sections = (
        [{"item": None, "common": True, "fields": [form[name] for name in asked.shared]}]
        if asked.shared
        else []
    ) + [
        {"item": chosen, "fields": [form[name] for name in asked.own[chosen.pk]]}
        for chosen in chosen_items
    ]
    # the applicant's identity and phone are on this page
    audit.personal_data_read(
        request=request, applicant_id=applicant.pk, what=PersonalDataAccess.What.APPLICANT
    )
    return render(
        request,
        "hall/intake/file.html",
        {
            "applicant": applicant,
            "items": items,
            "bundles": bundles,
            "item": item,
            "bundle": bundle,
            "chosen_items": chosen_items,
            "sections": sections,
            "asked_shared": bool(asked.shared),
            "refused": refused,
            "form": form,
            "submission_key": request.POST.get("submission_key") or uuid.uuid4(),
            # 国办发〔2020〕45号: people aged 70 or over are offered a relative's help
            "proxy_offered": proxy_offered(applicant, timezone.localdate()),
            "proxy_count": proxies_active_count(principal=applicant),
        },
        status=400 if request.method == "POST" else 200,
    )


@workbench_required
def case_open(request):
    form = CaseLookupForm(request.GET)
    if form.is_valid():
        case = selectors.case_for_staff(receipt_no=form.cleaned_data["receipt_no"].strip())
        if case is not None:
            return redirect("intake:case", receipt_no=case.receipt_no)
    messages.error(request, _("没有这个收件编号。"))
    return redirect("intake:home")


def _material_rows(materials, editable_ids: set[int], posted=None) -> list[dict]:
    """The checklist rows. After a refused outcome the rows show what the clerk posted (status
    and reason per material), not the rolled-back rows; a chosen scan must be chosen again."""
    rows = []
    for material in materials:
        row = {
            "material": material,
            # 告知承诺制: a proof material the item lets the applicant replace by commitment
            "committable": commitment_allowed(material),
            "editable": material.pk in editable_ids,
            "status": material.status,
            "reason": material.defect_reason,
            "scan_again": False,
        }
        if posted is not None and row["editable"]:
            row["status"] = posted.POST.get(f"status-{material.pk}", "")
            row["reason"] = posted.POST.get(f"reason-{material.pk}", "")
            row["scan_again"] = f"scan-{material.pk}" in posted.FILES
        rows.append(row)
    return rows


def _case_page(
    request,
    case: Case,
    *,
    refuse_form=None,
    refer_form=None,
    delivery_form=None,
    referral_close_form=None,
    tolerance_form=None,
    errors=(),
    posted=None,
    status: int = 200,
):
    editable = selectors.materials_editable(case=case)
    materials = list(review_selectors.case_materials(case=case))
    decision = review_selectors.case_decision(case=case)
    is_owner = case.owner_id == request.user.pk
    audit.personal_data_read(request=request, case=case)
    return render(
        request,
        "hall/intake/case.html",
        {
            "case": case,
            "rows": _material_rows(materials, {m.pk for m in editable}, posted),
            "editable_ids": {m.pk for m in editable},
            "notices": selectors.case_notices(case=case).order_by("issued_at", "pk"),
            "events": case.events.select_related("actor").all(),
            "refuse_form": refuse_form or RefuseForm(prefix="refuse"),
            "refer_form": refer_form or ReferForm(prefix="refer"),
            "errors": list(errors),
            "statuses": [
                ("received", _("已收齐")),
                ("missing", _("缺少")),
                ("defective", _("有误")),
            ],
            "is_owner": is_owner,
            "corrections_waiting": list(review_selectors.corrections_waiting(case=case)),
            "decision": decision,
            "can_deliver": (
                decision is not None
                and case.status == Case.Status.DECIDED
                and decision.delivery_task_id is not None
                and decision.delivered_at is None
            ),
            "delivery_form": delivery_form or DeliveryForm(prefix="delivery", case=case),
            # 生僻字: what the notices would print as boxes, said before any is issued
            "glyphs_missing": sorted(
                glyphs_missing([case.applicant.name, case.applicant.legal_representative])
            ),
            "referral_close_form": referral_close_form or ReferralCloseForm(prefix="referral"),
            # 容缺受理: offered when the item has secondary materials and no credit mark bars it
            "tolerance_offered": tolerance.tolerance_offered(case),
            "tolerance_form": tolerance_form
            or ToleranceForm(
                prefix="tol",
                initial={
                    "deadline": tolerance.tolerance_latest_deadline(
                        case, today=timezone.localdate()
                    )
                },
            ),
            "outstanding": tolerance.outstanding_supplements(case),
            "today": timezone.localdate(),
            "supplement_form": SupplementForm(prefix="supply"),
        },
        status=status,
    )


def _staff_case(receipt_no: str) -> Case:
    case = selectors.case_for_staff(receipt_no=receipt_no)
    if case is None:
        raise Http404
    return case


@workbench_required
def case_detail(request, receipt_no: str):
    case = _staff_case(receipt_no)
    if request.method != "POST":
        return _case_page(request, case)
    editable = selectors.materials_editable(case=case)
    posted = intake_post_read(request)
    errors: list[str] = []
    if not posted.complete and posted.tolerance_form is not None:
        errors.extend(
            message for messages_ in posted.tolerance_form.errors.values() for message in messages_
        )
    elif not posted.complete:
        errors.append(str(INCOMPLETE_MESSAGE))
    else:
        try:
            if case.owner_id is None:
                ownership.case_owner_claim(case=case, clerk=request.user)
            notice = intake_decisions.case_intake_decide(
                case=case,
                clerk=request.user,
                outcome=posted.outcome,
                marks=material_marks_read(request, editable),
                **posted.extra,
            )
        except ValidationError as error:
            errors.extend(error.messages)
        else:
            intake_result_tell(request, notice)
            return redirect("intake:case", receipt_no=case.receipt_no)
    # Nothing was recorded (one transaction): show the form as the clerk filled it.
    return _case_page(
        request,
        _staff_case(receipt_no),
        refuse_form=posted.refuse_form,
        refer_form=posted.refer_form,
        tolerance_form=posted.tolerance_form,
        errors=errors,
        posted=request,
        status=400,
    )


@workbench_required
@require_POST
def correction_supplied(request, receipt_no: str, step_id: int):
    """The first-contact owner records that a department's correction arrived (its clock runs
    again). Only the owner receives it: the notice told the applicant to bring it to them."""
    case = _staff_case(receipt_no)
    step = get_object_or_404(CaseStep.objects.select_related("department"), pk=step_id, case=case)
    if case.owner_id != request.user.pk:
        return _case_page(
            request,
            case,
            errors=[_("补正材料由首问责任人接收。")],
            status=403,
        )
    material = None
    if request.POST.get("material"):
        material_id = int_or_none(request.POST["material"])
        material = (
            case.materials.filter(pk=material_id).first() if material_id is not None else None
        )
        if material is None:
            return _case_page(request, case, errors=[_("请选择本办件的材料。")], status=400)
    try:
        department_correction_receive(
            step=step,
            clerk=request.user,
            material=material,
            file=request.FILES.get("file"),
        )
    except ValidationError as error:
        return _case_page(request, case, errors=error.messages, status=400)
    messages.success(
        request,
        _("已登记%(department)s要求的补正材料已收到，审查期限恢复计算。")
        % {"department": step.department.name},
    )
    return redirect("intake:case", receipt_no=case.receipt_no)


@workbench_required
@require_POST
def case_deliver(request, receipt_no: str):
    """The result is collected at the window or posted (with the tracking number)."""
    case = _staff_case(receipt_no)
    form = DeliveryForm(request.POST, prefix="delivery")
    if case.owner_id != request.user.pk:
        form.is_valid()
        form.add_error(None, _("送达由首问责任人办理。"))
        return _case_page(request, case, delivery_form=form, status=403)
    if form.is_valid():
        try:
            delivery.case_deliver(
                case=case,
                clerk=request.user,
                method=form.cleaned_data["method"],
                note=form.cleaned_data["note"],
                carrier=form.cleaned_data["carrier"],
                locker_cell=form.cleaned_data["locker_cell"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("已送达，办件已办结。"))
            return redirect("intake:case", receipt_no=case.receipt_no)
    return _case_page(request, _staff_case(receipt_no), delivery_form=form, status=400)


@workbench_required
@require_POST
def referral_close(request, receipt_no: str):
    """首问负责: the owner records the outcome at the office the case was referred to."""
    case = _staff_case(receipt_no)
    form = ReferralCloseForm(request.POST, prefix="referral")
    if case.owner_id != request.user.pk:
        form.is_valid()
        form.add_error(None, _("转办结果由首问责任人登记。"))
        return _case_page(request, case, referral_close_form=form, status=403)
    if form.is_valid():
        try:
            referrals.case_referral_close(
                case=case, clerk=request.user, outcome=form.cleaned_data["outcome"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("已登记转办结果，办件已办结。"))
            return redirect("intake:case", receipt_no=case.receipt_no)
    return _case_page(request, _staff_case(receipt_no), referral_close_form=form, status=400)


def _notice_for(request, receipt_no: str, notice_id: int) -> Notice:
    case = selectors.case_for_staff(receipt_no=receipt_no)
    if case is None:
        raise Http404
    notice = selectors.case_notice(case=case, notice_id=notice_id)
    if notice is None:
        raise Http404
    return notice


@workbench_required
def notice_pdf(request, receipt_no: str, notice_id: int):
    notice = notice_ready(_notice_for(request, receipt_no, notice_id))
    return FileResponse(
        notice.pdf.open("rb"),
        content_type="application/pdf",
        filename=f"{notice.number}.pdf",
        as_attachment=False,
    )


@workbench_required
def notice_print(request, receipt_no: str, notice_id: int):
    notice = _notice_for(request, receipt_no, notice_id)
    return render(request, "hall/notices/print.html", notice_print_context(notice_document(notice)))


MINE_LIMIT = 500  # open states first; the lookup finds any other case by its receipt number


@workbench_required
def mine(request):
    return render(
        request,
        "hall/intake/mine.html",
        {
            "cases": selectors.case_rows_owned_by(owner=request.user)[:MINE_LIMIT],
            "limit": MINE_LIMIT,
        },
    )


@workbench_required
@require_POST
def supplement_received(request, receipt_no: str, material_id: int):
    """容缺: the first-contact owner records that a tolerated material arrived (at the window or
    by post); the applicant's own upload is recorded from the portal."""
    case = _staff_case(receipt_no)
    material = get_object_or_404(CaseMaterial, pk=material_id, case=case)
    if case.owner_id != request.user.pk:
        return _case_page(request, case, errors=[_("容缺材料由首问责任人接收。")], status=403)
    form = SupplementForm(request.POST, prefix="supply")
    if not form.is_valid():
        return _case_page(request, case, errors=[_("请选择补齐方式。")], status=400)
    try:
        tolerance.tolerance_supplement_record(
            case=case, material=material, by=request.user, via=form.cleaned_data["via"]
        )
    except ValidationError as error:
        return _case_page(request, case, errors=error.messages, status=400)
    messages.success(request, _("已登记“%(name)s”已补齐。") % {"name": material.name})
    return redirect("intake:case", receipt_no=case.receipt_no)
