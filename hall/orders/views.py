"""接诉即办's pages: the orders desk of clerks, officers and supervisors, receiving at the
complaint desk and the "办不成事" window, one order with the steps its viewer may take, the
citizen's call-back page (found by the SMS link's random token), the public list of overdue
departments, and the figures. Included at /orders/ by hall.urls."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from hall.common.forms import form_add_service_errors
from hall.common.moments import limit_end_shown
from hall.common.permissions import orders_staff_required, supervision_required, workbench_required
from hall.common.personal_data import masked_name, masked_phone
from hall.models import PersonalDataAccess, WorkOrder, WorkOrderPart
from hall.online.portal.access import applicant_or_bind, applicant_required
from hall.orders import figures, knowledge, selectors
from hall.orders import services as orders
from hall.orders.forms import (
    AnswerForm,
    CallbackForm,
    CitizenOrderForm,
    ClaimForm,
    CloseForm,
    DispatchForm,
    ExtensionDecideForm,
    ExtensionRequestForm,
    InsistForm,
    KioskOrderForm,
    KnowledgeForm,
    KnowledgeReviseForm,
    PhoneCallbackForm,
    ReceiveForm,
    ReplyForm,
    ReturnForm,
    RevealForm,
)
from hall.orders.knowledge import knowledge_current
from hall.platform import audit
from hall.platform.guard import date_or_none

Status = WorkOrder.Status


@never_cache
@orders_staff_required
def desk(request):
    return render(
        request,
        "hall/orders/desk.html",
        {"lists": selectors.order_lists(request.user), "now": timezone.now()},
    )


@never_cache
@workbench_required
@require_http_methods(["GET", "POST"])
def receive(request):
    form = ReceiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = orders.order_receive(
                channel=data["channel"],
                category=data["category"],
                title=data["title"],
                content=data["content"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                anonymous=data["anonymous"],
                about_clerk=data["about_clerk"],
                case=selectors.case_by_receipt_no(data["receipt_no"]),
                owner=request.user,
                escalate=data["escalate"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已受理，工单编号 %(number)s。您是首接责任人，负责到办结。")
                % {"number": order.number},
            )
            return redirect("orders:detail", number=order.number)
    return render(
        request, "hall/orders/receive.html", {"form": form}, status=400 if form.errors else 200
    )


def _parts_by_id(order: WorkOrder, cleaned) -> WorkOrderPart:
    part = order.parts.filter(pk=cleaned["part"]).first()
    if part is None:
        raise ValidationError(_("找不到该派单。"))
    return part


# action: (form, what it calls with (order, user, cleaned data))
ACTIONS = {
    "claim": (ClaimForm, lambda o, u, d: orders.order_claim(order=o, actor=u)),
    "dispatch": (
        DispatchForm,
        lambda o, u, d: orders.order_redirect(
            order=o,
            actor=u,
            parts=[orders.Dispatch(department, d["task"]) for department in d["departments"]],
        ),
    ),
    "insist": (
        InsistForm,
        lambda o, u, d: orders.part_insist(part=_parts_by_id(o, d), actor=u, note=d["note"]),
    ),
    "answer": (
        AnswerForm,
        lambda o, u, d: orders.part_answer(part=_parts_by_id(o, d), actor=u, answer=d["answer"]),
    ),
    "return": (
        ReturnForm,
        lambda o, u, d: orders.part_return(part=_parts_by_id(o, d), actor=u, reason=d["reason"]),
    ),
    "extension_request": (
        ExtensionRequestForm,
        lambda o, u, d: orders.order_extension_request(
            order=o, actor=u, working_days=d["working_days"], reason=d["reason"]
        ),
    ),
    "extension_decide": (
        ExtensionDecideForm,
        lambda o, u, d: orders.order_extension_decide(
            order=o, actor=u, approve=d["approve"], note=d["note"]
        ),
    ),
    "reply": (
        ReplyForm,
        lambda o, u, d: orders.order_reply(
            order=o, actor=u, reply=d["reply"], knowledge=knowledge_current(d["knowledge"])
        ),
    ),
    "close": (CloseForm, lambda o, u, d: orders.order_close(order=o, actor=u)),
    "phone_callback": (
        PhoneCallbackForm,
        lambda o, u, d: orders.order_callback(
            order=o,
            satisfaction=d["satisfaction"],
            resolved=d["resolved"],
            via="phone",
            actor=u,
            note=d["note"],
        ),
    ),
}


def _offered(order: WorkOrder, user, part: WorkOrderPart | None) -> set[str]:
    """The steps this person may take on the order now (the services check again)."""
    supervisor = selectors.is_supervisor(user)
    leads = order.owner_id == user.pk or (order.escalated and supervisor)
    offered = set()
    if order.status == Status.CLOSED:
        if order.owner_id == user.pk and order.callback_at is None:
            offered.add("phone_callback")
        return offered
    if order.owner_id is None and user.groups.filter(name="clerk").exists():
        offered.add("claim")
    if leads and order.status in (Status.RECEIVED, Status.IN_HAND):
        offered.add("dispatch")
        if order.parts.filter(status=WorkOrderPart.Status.RETURNED).exists():
            offered.add("insist")
    if part is not None and part.status == WorkOrderPart.Status.PENDING:
        offered.add("answer")
        if part.returned_at is None and timezone.now() < part.return_until:
            offered.add("return")
    if (
        not order.extension
        and order.kind != "urgent"
        and (order.owner_id == user.pk or (part is not None and part.status == "pending"))
    ):
        offered.add("extension_request")
    if supervisor and order.extension == WorkOrder.Extension.REQUESTED:
        offered.add("extension_decide")
    if order.owner_id == user.pk:
        if order.status == Status.ANSWERED or (
            order.status == Status.RECEIVED and not order.parts.exists()
        ):
            offered.add("reply")
        if order.status == Status.REPLIED:
            offered.add("close")
    return offered


def _may_reveal(order: WorkOrder, user, part: WorkOrderPart | None) -> bool:
    if order.owner_id == user.pk or selectors.is_supervisor(user):
        return True
    return part is not None and not order.anonymous


@never_cache
@orders_staff_required
@require_http_methods(["GET", "POST"])
def detail(request, number: str):
    order = selectors.order_for(request.user, number)
    if order is None:
        raise Http404
    part = selectors.part_of_user(order, request.user)
    offered = _offered(order, request.user, part)
    # the category's usual department is ticked when dispatching; a reply may cite an answer
    initial = {"dispatch": {"departments": [order.category.default_department_id]}}
    extra = {"reply": {"suggestions": selectors.knowledge_suggested(order)}}
    forms_ = {
        name: ACTIONS[name][0](prefix=name, initial=initial.get(name), **extra.get(name, {}))
        for name in ACTIONS
        if name in offered
    }
    reveal_form = RevealForm(prefix="reveal")
    revealed = None
    failed = False
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "reveal" and _may_reveal(order, request.user, part):
            reveal_form = RevealForm(request.POST, prefix="reveal")
            if reveal_form.is_valid() and len(reveal_form.cleaned_data["reason"].strip()) >= 4:
                audit.personal_data_read(
                    request=request,
                    applicant_id=order.applicant_id,
                    what=PersonalDataAccess.What.REVEAL,
                    reason=f"{order.number}：{reveal_form.cleaned_data['reason']}",
                )
                revealed = (order.contact_name, order.contact_phone)
            else:
                reveal_form.add_error("reason", _("请写明查看完整联系方式的事由（至少 4 个字）。"))
                failed = True
        elif action not in forms_:
            messages.error(
                request,
                _("工单当前为“%(status)s”，您不能进行此操作。")
                % {"status": order.get_status_display()},
            )
            return redirect("orders:detail", number=order.number)
        else:
            form_class, call = ACTIONS[action]
            form = forms_[action] = form_class(request.POST, prefix=action, **extra.get(action, {}))
            if form.is_valid():
                try:
                    call(order, request.user, form.cleaned_data)
                except ValidationError as error:
                    form_add_service_errors(form, error)
                else:
                    messages.success(request, _("已保存。"))
                    return redirect("orders:detail", number=order.number)
            failed = True
    if (
        order.anonymous
        and order.owner_id != request.user.pk
        and not selectors.is_supervisor(request.user)
    ):
        contact = order.contact_for_department()
    else:
        contact = (masked_name(order.contact_name or ""), masked_phone(order.contact_phone or ""))
    return render(
        request,
        "hall/orders/detail.html",
        {
            "order": order,
            "part": part,
            "parts": selectors.order_parts(order),
            "timeline": selectors.order_timeline(order),
            "forms": forms_,
            "contact": revealed or contact,
            "revealed": revealed is not None,
            "reveal_form": reveal_form if _may_reveal(order, request.user, part) else None,
            "now": timezone.now(),
        },
        status=400 if failed else 200,
    )


@never_cache
@ratelimit(key="ip", rate="30/m", method=ratelimit.ALL, block=True)
@require_http_methods(["GET", "POST"])
def callback(request, token: str):
    """The citizen answers the call-back from the SMS link: resolved or not, and how satisfied."""
    order = selectors.order_by_callback_token(token)
    if order is None:
        raise Http404
    form = CallbackForm(request.POST or None)
    done = order.callback_at is not None
    if request.method == "POST" and not done and form.is_valid():
        try:
            orders.order_callback(
                order=order,
                satisfaction=form.cleaned_data["satisfaction"],
                resolved=form.cleaned_data["resolved"],
                via="sms",
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("谢谢您的评价。"))
            return redirect("orders:callback", token=token)
    return render(
        request,
        "hall/orders/callback.html",
        {"order": order, "form": form, "done": done, "open": order.status != Status.CLOSED},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET"])
def public(request):
    """The public supervision list: departments with orders unanswered five working days past
    their limit, and how many — no person named."""
    return render(
        request, "hall/orders/public.html", {"listed": selectors.publicly_listed_counts()}
    )


@never_cache
@supervision_required
@require_http_methods(["GET"])
def figures_page(request):
    month = date_or_none(f"{request.GET.get('month', '')}-01") if request.GET.get("month") else None
    month = month or timezone.localdate().replace(day=1)
    rows = figures.order_figures(month=month)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="orders-{month:%Y-%m}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow([str(label) for _key, label in figures.COLUMNS])
        for row in rows:
            writer.writerow([row[key] for key, _label in figures.COLUMNS])
        return response
    return render(
        request,
        "hall/orders/figures.html",
        {
            "rows": rows,
            "month": month,
            "columns": figures.COLUMNS,
            "today": selectors.orders_today(now=timezone.now()),
        },
    )


@never_cache
@applicant_required
@require_http_methods(["GET", "POST"])
def citizen_orders(request):
    """The portal's 我要反映: the applicant's requests and complaints, and a new one. Nobody in
    particular receives it: the first clerk who claims it leads it."""
    applicant = applicant_or_bind(request)
    if applicant is None:
        return redirect("portal:identity")
    form = CitizenOrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = orders.order_receive(
                channel=WorkOrder.Channel.PORTAL,
                category=data["category"],
                title=data["title"],
                content=data["content"],
                anonymous=data["anonymous"],
                applicant=applicant,
                case=selectors.case_of_applicant(applicant, data["receipt_no"]),
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已收到，工单编号 %(number)s，将于 %(due)s 前答复您。")
                % {"number": order.number, "due": limit_end_shown(order.due_at)},
            )
            return redirect("orders:citizen")
    return render(
        request,
        "hall/orders/citizen.html",
        {"form": form, "orders": selectors.orders_of_applicant(applicant)[:50]},
        status=400 if form.errors else 200,
    )


@never_cache
@ratelimit(key="ip", rate="10/m", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def kiosk_order(request):
    """The kiosk's 我要反映, in large type: a phone for the reply and the call-back."""
    form = KioskOrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = orders.order_receive(
                channel=WorkOrder.Channel.KIOSK,
                category=data["category"],
                title=data["title"],
                content=data["content"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                anonymous=data["anonymous"],
                case=selectors.case_by_receipt_no(data["receipt_no"]),
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            return render(request, "hall/orders/kiosk_done.html", {"order": order})
    return render(
        request, "hall/orders/kiosk.html", {"form": form}, status=400 if form.errors else 200
    )


@never_cache
@orders_staff_required
@require_http_methods(["GET", "POST"])
def knowledge_page(request):
    """The knowledge base at the window: search; supervisors add entries and see the ones due
    for review (outdated, or not cited for half a year)."""
    query = request.GET.get("q", "")[:100]
    may_edit = selectors.is_supervisor(request.user)
    form = KnowledgeForm(request.POST or None) if may_edit else None
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                entry = knowledge.knowledge_add(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, _("已加入知识库。"))
                return redirect(f"{reverse('orders:knowledge')}?q={entry.key}")
    return render(
        request,
        "hall/orders/knowledge.html",
        {
            "query": query,
            "entries": knowledge.knowledge_search(query)[: knowledge.SEARCH_MAX],
            "form": form,
            "for_review": list(knowledge.knowledge_for_review()[:50]) if may_edit else [],
        },
        status=400 if form is not None and form.errors else 200,
    )


@never_cache
@supervision_required
@require_http_methods(["GET", "POST"])
def knowledge_revise(request, pk: int):
    entry = knowledge_current(pk)
    if entry is None:
        raise Http404
    form = KnowledgeReviseForm(
        request.POST or None,
        initial={
            "question": entry.question,
            "answer": entry.answer,
            "source_kind": entry.source_kind,
            "source": entry.source,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            knowledge.knowledge_revise(entry=entry, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("已修订，旧版本保留。"))
            return redirect("orders:knowledge")
    return render(
        request,
        "hall/orders/knowledge_revise.html",
        {"entry": entry, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET"])
def answers(request):
    """The knowledge base online, for everyone: the answers and their sources."""
    query = request.GET.get("q", "")[:100]
    return render(
        request,
        "hall/orders/answers.html",
        {"query": query, "entries": knowledge.knowledge_search(query)[: knowledge.SEARCH_MAX]},
    )
