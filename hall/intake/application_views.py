"""The window's page for a whole 一件事 application (`/window/case/<receipt>/application/`):
the items and their states in one place, one check of the materials (a material several items
share is one row), and one acceptance or one correction notice for all of them. The window and
the online desk both use it; only the first-contact owner acts."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hall.cases import selectors
from hall.cases.selectors import APPLICATION_ITEM_DONE
from hall.common.permissions import workbench_required
from hall.intake import applications
from hall.intake.commitments import commitment_possible
from hall.intake.common import MaterialMark
from hall.intake.forms import DeliveryForm
from hall.intake.posting import ALL_RECEIVED, intake_result_tell
from hall.models import Case, CaseGroup, CaseMaterial
from hall.platform import audit


@dataclass
class CheckRow:
    """One line of the application's check: a material, or one material several items share
    (一套材料: the same catalogue material code), checked once for all of them."""

    name: str
    requirement: object
    materials: list[CaseMaterial]
    items: list[str] = field(default_factory=list)
    editable: bool = False
    status: str = ""
    reason: str = ""
    # 告知承诺制: offered when every item the row serves lets a commitment replace it
    committable: bool = True

    @property
    def key(self) -> int:
        return self.materials[0].pk

    @property
    def shared(self) -> bool:
        return len(self.materials) > 1


def _check_rows(cases: list[Case], posted: HttpRequest | None = None) -> list[CheckRow]:
    rows: list[CheckRow] = []
    by_code: dict[tuple, CheckRow] = {}
    for case in cases:
        materials, editable = selectors.materials_with_editable(case=case)
        for material in materials:
            code = material.requirement.material_code if material.requirement_id else ""
            is_editable = material.pk in editable
            key = (code, is_editable, material.status)
            row = by_code.get(key) if code else None
            if row is None:
                row = CheckRow(
                    name=material.name,
                    requirement=material.requirement,
                    materials=[],
                    editable=is_editable,
                    status=material.status,
                    reason=material.defect_reason,
                )
                rows.append(row)
                if code:
                    by_code[key] = row
            row.materials.append(material)
            row.items.append(case.item.name)
            row.committable = row.committable and commitment_possible(
                case.item, material.requirement
            )
    if posted is not None:
        for row in rows:
            if row.editable:
                row.status = posted.POST.get(f"status-{row.key}", "")
                row.reason = posted.POST.get(f"reason-{row.key}", "")
    return rows


def _marks_read(request: HttpRequest, rows: list[CheckRow]) -> dict[int, MaterialMark]:
    """The clerk's mark of each row, given to every material of the row."""
    all_received = request.POST.get("outcome") == ALL_RECEIVED
    marks: dict[int, MaterialMark] = {}
    for row in rows:
        if not row.editable:
            continue
        status = "received" if all_received else request.POST.get(f"status-{row.key}")
        if not status:
            continue
        for material in row.materials:
            marks[material.pk] = MaterialMark(
                status=status,
                reason=request.POST.get(f"reason-{row.key}", ""),
                scan=request.FILES.get(f"scan-{row.key}"),
            )
    return marks


def _group_of(receipt_no: str) -> tuple[Case, CaseGroup]:
    case = selectors.case_for_staff(receipt_no=receipt_no)
    if case is None or case.group_id is None:
        raise Http404
    return case, CaseGroup.objects.select_related("bundle").get(pk=case.group_id)


def _cases(group: CaseGroup) -> list[Case]:
    return list(
        Case.objects.filter(group_id=group.pk)
        .select_related("item", "applicant", "owner", "window")
        .order_by("pk")
    )


def _open(cases: list[Case]) -> list[Case]:
    """The items still at intake: the ones the application's check shows and reads (the same
    rows both ways, so a posted row key is the row the clerk saw)."""
    return [c for c in cases if c.status in applications.AT_INTAKE]


@workbench_required
def application(request: HttpRequest, receipt_no: str) -> HttpResponse:
    case, group = _group_of(receipt_no)
    if request.method != "POST":
        return _page(request, case, group)
    outcome = request.POST.get("outcome", "check")
    decided = "check" if outcome == ALL_RECEIVED else outcome
    try:
        notice = applications.application_intake_decide(
            group=group,
            clerk=request.user,
            outcome=decided,
            marks=_marks_read(request, _check_rows(_open(_cases(group)))),
        )
    except ValidationError as error:
        return _page(request, case, group, errors=error.messages, posted=request, status=400)
    intake_result_tell(request, notice)
    return redirect("intake:application", receipt_no=case.receipt_no)


@workbench_required
@require_POST
def application_deliver(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """一次送达: the application's results delivered together by its owner."""
    case, group = _group_of(receipt_no)
    form = DeliveryForm(request.POST, prefix="delivery")
    if form.is_valid():
        try:
            delivered = applications.application_deliver(
                group=group,
                clerk=request.user,
                method=form.cleaned_data["method"],
                note=form.cleaned_data["note"],
                carrier=form.cleaned_data["carrier"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("已一次送达 %(n)s 个事项的结果，整件申请已办结。") % {"n": len(delivered)},
            )
            return redirect("intake:application", receipt_no=case.receipt_no)
    return _page(request, case, group, delivery_form=form, status=400)


@workbench_required
@require_POST
def application_claim(request: HttpRequest, receipt_no: str) -> HttpResponse:
    case, group = _group_of(receipt_no)
    applications.application_owner_claim(group=group, clerk=request.user)
    messages.success(request, _("您已成为该一件事申请的首问责任人。"))
    return redirect("intake:application", receipt_no=case.receipt_no)


def _page(
    request, case, group, *, errors=(), posted=None, delivery_form=None, status: int = 200
) -> HttpResponse:
    cases = _cases(group)
    decided = [c for c in cases if c.status == Case.Status.DECIDED]
    audit.personal_data_read(request=request, case=case)
    owners = {c.owner_id for c in cases if c.owner_id}
    open_cases = _open(cases)
    return render(
        request,
        "hall/intake/application.html",
        {
            "case": case,
            "group": group,
            "status": selectors.application_status(group_id=group.pk),
            "rows": _check_rows(open_cases, posted),
            "open": bool(open_cases),
            "notices": group.notices.order_by("issued_at", "pk"),
            "is_owner": bool(open_cases) and owners <= {request.user.pk} and bool(owners),
            "unclaimed": any(c.owner_id is None for c in open_cases),
            "errors": list(errors),
            # 一次送达: offered once every item is done and a result waits
            "can_deliver": bool(decided)
            and all(c.status in APPLICATION_ITEM_DONE for c in cases)
            and all(c.owner_id == request.user.pk for c in decided),
            "delivery_form": delivery_form or DeliveryForm(prefix="delivery", case=cases[0]),
            "statuses": [
                ("received", _("已收齐")),
                ("missing", _("缺少")),
                ("defective", _("有误")),
            ],
        },
        status=status,
    )
