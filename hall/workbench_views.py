"""The window clerk's workbench (综合受理工作台): thin views over hall.intake."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals.catalogue import bundle_current_items, items_current
from approvals.models import Bundle, ServiceItem
from hall import intake, selectors
from hall.forms import (
    ApplicantForm,
    ApplicantSearchForm,
    CaseLookupForm,
    QuestionsForm,
    ReferForm,
    RefuseForm,
    question_fields,
)
from hall.intake import MaterialMark
from hall.models import Applicant, Case, Notice
from hall.notice_pdf import notice_print_context
from hall.notices import notice_document
from hall.notifications import inbox_for

workbench_required = permission_required("hall.use_workbench", raise_exception=True)


def _window(request):
    clerk = getattr(request.user, "clerk", None)
    return clerk.window if clerk else None


@workbench_required
def home(request):
    return render(
        request,
        "hall/workbench/home.html",
        {
            "search_form": ApplicantSearchForm(),
            "lookup_form": CaseLookupForm(),
            "applicant_form": ApplicantForm(initial={"kind": Applicant.Kind.PERSON}),
            "cases": selectors.cases_owned_by(owner=request.user)[:50],
            "inbox": inbox_for(user=request.user).filter(read_at__isnull=True)[:10],
            "window": _window(request),
        },
    )


@workbench_required
def applicant_find(request):
    form = ApplicantSearchForm(request.GET)
    if form.is_valid():
        applicant = selectors.applicant_by_identity(identity=form.cleaned_data["identity"])
        if applicant is not None:
            return redirect("workbench:file", applicant_id=applicant.pk)
        messages.info(request, _("未找到该申请人，请登记。"))
    return redirect("workbench:home")


@workbench_required
@require_POST
def applicant_register(request):
    form = ApplicantForm(request.POST)
    if form.is_valid():
        try:
            applicant = intake.applicant_register(**form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect("workbench:file", applicant_id=applicant.pk)
    return render(
        request,
        "hall/workbench/home.html",
        {
            "search_form": ApplicantSearchForm(),
            "lookup_form": CaseLookupForm(),
            "applicant_form": form,
            "cases": selectors.cases_owned_by(owner=request.user)[:50],
            "inbox": inbox_for(user=request.user).filter(read_at__isnull=True)[:10],
            "window": _window(request),
        },
        status=400,
    )


@workbench_required
def file(request, applicant_id: int):
    """Pick an item or a bundle, answer its questions, and receive the materials."""
    applicant = get_object_or_404(Applicant, pk=applicant_id)
    items = list(items_current().filter(applicant_type__in=["any", applicant.kind]))
    bundles = list(Bundle.objects.order_by("code"))
    item = bundle = None
    chosen_items: list[ServiceItem] = []
    if request.GET.get("item") or request.POST.get("item"):
        item = get_object_or_404(
            items_current(), pk=request.GET.get("item") or request.POST.get("item")
        )
        chosen_items = [item]
    elif request.GET.get("bundle") or request.POST.get("bundle"):
        bundle = get_object_or_404(
            Bundle, code=request.GET.get("bundle") or request.POST.get("bundle")
        )
        chosen_items = bundle_current_items(bundle=bundle)
    fields = {}
    for chosen in chosen_items:
        fields.update(question_fields(list(chosen.questions.all()), prefix=f"{chosen.pk}__"))
    form = QuestionsForm(request.POST or None, fields=fields)
    if request.method == "POST" and chosen_items and form.is_valid():
        try:
            submission_key = uuid.UUID(request.POST.get("submission_key", ""))
        except ValueError:
            return HttpResponseBadRequest(_("提交标识无效，请刷新页面后重试。"))
        answers_by_item = {
            chosen.pk: {
                name.split("__", 1)[1]: value
                for name, value in form.cleaned_data.items()
                if name.startswith(f"{chosen.pk}__")
            }
            for chosen in chosen_items
        }
        common = {
            "applicant": applicant,
            "received_by": request.user,
            "channel": Case.Channel.WINDOW,
            "window": _window(request),
        }
        try:
            if bundle is not None:
                group = intake.case_group_receive(
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
                return redirect("workbench:case", receipt_no=first.receipt_no)
            case = intake.case_receive(
                submission_key=submission_key,
                item=item,
                answers=answers_by_item[item.pk],
                **common,
            )
            return redirect("workbench:case", receipt_no=case.receipt_no)
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                target = field if field in form.fields else None
                if target is None and item is not None and f"{item.pk}__{field}" in form.fields:
                    target = f"{item.pk}__{field}"
                form.add_error(target, messages_)
    return render(
        request,
        "hall/workbench/file.html",
        {
            "applicant": applicant,
            "items": items,
            "bundles": bundles,
            "item": item,
            "bundle": bundle,
            "chosen_items": chosen_items,
            "form": form,
            "submission_key": request.POST.get("submission_key") or uuid.uuid4(),
        },
    )


@workbench_required
def case_open(request):
    form = CaseLookupForm(request.GET)
    if form.is_valid():
        case = selectors.case_for_staff(receipt_no=form.cleaned_data["receipt_no"].strip())
        if case is not None:
            return redirect("workbench:case", receipt_no=case.receipt_no)
    messages.error(request, _("没有这个收件编号。"))
    return redirect("workbench:home")


def _marks_from(request, editable) -> dict[int, MaterialMark]:
    marks = {}
    for material in editable:
        status = request.POST.get(f"status-{material.pk}")
        if status:
            marks[material.pk] = MaterialMark(
                status=status,
                reason=request.POST.get(f"reason-{material.pk}", ""),
                scan=request.FILES.get(f"scan-{material.pk}"),
            )
    return marks


@workbench_required
def case_detail(request, receipt_no: str):
    case = selectors.case_for_staff(receipt_no=receipt_no)
    if case is None:
        raise Http404
    editable = selectors.materials_editable(case=case)
    refuse_form, refer_form = RefuseForm(prefix="refuse"), ReferForm(prefix="refer")
    if request.method == "POST":
        outcome = request.POST.get("outcome", "check")
        refuse_form = (
            RefuseForm(request.POST, prefix="refuse") if outcome == "refuse" else refuse_form
        )
        refer_form = ReferForm(request.POST, prefix="refer") if outcome == "refer" else refer_form
        extra = {}
        if outcome == "refuse" and refuse_form.is_valid():
            extra = {
                "reasons": refuse_form.cleaned_data["reasons"],
                "office": refuse_form.cleaned_data["office"],
            }
        elif outcome == "refer" and refer_form.is_valid():
            extra = {
                "reasons": refer_form.cleaned_data["reasons"],
                "office": refer_form.cleaned_data["office"],
            }
        if outcome in ("refuse", "refer") and not extra:
            messages.error(request, _("请填写理由和机关。"))
        else:
            try:
                if case.owner_id is None:
                    intake.case_owner_claim(case=case, clerk=request.user)
                notice = intake.case_intake_decide(
                    case=case,
                    clerk=request.user,
                    outcome=outcome,
                    marks=_marks_from(request, editable),
                    **extra,
                )
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                if notice is not None:
                    messages.success(
                        request,
                        _("已出具%(kind)s，文号 %(number)s。")
                        % {"kind": notice.get_kind_display(), "number": notice.number},
                    )
                else:
                    messages.success(request, _("材料核对结果已保存。"))
                return redirect("workbench:case", receipt_no=case.receipt_no)
    return render(
        request,
        "hall/workbench/case.html",
        {
            "case": case,
            "materials": case.materials.select_related("requirement").all(),
            "editable_ids": {m.pk for m in editable},
            "notices": case.notices.all(),
            "events": case.events.select_related("actor").all(),
            "refuse_form": refuse_form,
            "refer_form": refer_form,
            "statuses": [
                ("received", _("已收齐")),
                ("missing", _("缺少")),
                ("defective", _("有误")),
            ],
        },
    )


def _notice_for(request, receipt_no: str, notice_id: int) -> Notice:
    case = selectors.case_for_staff(receipt_no=receipt_no)
    if case is None:
        raise Http404
    return get_object_or_404(Notice, pk=notice_id, case=case)


@workbench_required
def notice_pdf(request, receipt_no: str, notice_id: int):
    notice = _notice_for(request, receipt_no, notice_id)
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


@workbench_required
def mine(request):
    return render(
        request,
        "hall/workbench/mine.html",
        {"cases": selectors.cases_owned_by(owner=request.user)},
    )
