"""全程代办 pages; thin views over hall.agency. Included at /agency/ by hall.urls.

The agent's pages (hall.act_as_agent) reach only the cases assigned to them: any other receipt
number is a 404, the same as one that does not exist. The request queue is for supervisors
(hall.view_supervision).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hall.agency import services as agency
from hall.agency.forms import AgentRatingForm, NoteForm
from hall.cases.actions import action_label
from hall.cases.rendering import notice_ready
from hall.cases.selectors import case_notice, case_notices
from hall.common.forms import form_add_service_errors
from hall.common.people import display_name
from hall.common.permissions import agent_required, supervision_required
from hall.models import AgencyRequest, ServiceRating
from hall.outbox.selectors import inbox_for
from hall.platform import audit
from hall.platform.guard import int_or_none


def _agent_case(request, receipt_no: str):
    case = agency.case_for_agent(agent=request.user, receipt_no=receipt_no)
    if case is None:
        raise Http404
    return case


@agent_required
def home(request):
    """The agent's cases: only those assigned to them."""
    return render(
        request,
        "hall/agency/home.html",
        {
            "cases": agency.cases_for_agent(agent=request.user),
            "inbox": inbox_for(user=request.user).filter(read_at__isnull=True)[:10],
        },
    )


@agent_required
@require_http_methods(["GET", "POST"])
def case_detail(request, receipt_no: str):
    """The case file and its notices; the agent records notes and rates for the applicant."""
    case = _agent_case(request, receipt_no)
    note_form, rating_form = NoteForm(), AgentRatingForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "note":
                note_form = NoteForm(request.POST)
                if note_form.is_valid():
                    agency.agent_note_record(
                        case=case, agent=request.user, note=note_form.cleaned_data["note"]
                    )
                    messages.success(request, _("代办记录已保存。"))
                    return redirect("agency:case", receipt_no=case.receipt_no)
            elif action == "rate":
                rating_form = AgentRatingForm(request.POST)
                if rating_form.is_valid():
                    agency.agent_rate(
                        case=case,
                        agent=request.user,
                        level=rating_form.cleaned_data["level"],
                        reason=rating_form.cleaned_data["reason"],
                    )
                    messages.success(request, _("已代表申请人提交评价。"))
                    return redirect("agency:case", receipt_no=case.receipt_no)
            else:
                return redirect("agency:case", receipt_no=case.receipt_no)
        except ValidationError as error:
            form_add_service_errors(note_form if action == "note" else rating_form, error)
        except PermissionDenied as error:  # unassigned between the page load and the submit
            raise Http404 from error
    events = [
        {"event": event, "label": action_label(event.action)}
        for event in case.events.select_related("actor", "on_behalf_of").order_by("-at", "-pk")
    ]
    audit.personal_data_read(request=request, case=case)
    return render(
        request,
        "hall/agency/case.html",
        {
            "case": case,
            "materials": case.materials.select_related("requirement").all(),
            "notices": case_notices(case=case).order_by("issued_at", "pk"),
            "events": events,
            "rating": ServiceRating.objects.filter(case=case).first(),
            "note_form": note_form,
            "rating_form": rating_form,
        },
        status=400 if request.method == "POST" else 200,
    )


@agent_required
def notice_pdf(request, receipt_no: str, notice_id: int):
    case = _agent_case(request, receipt_no)
    notice = notice_ready(_notice_or_404(case, notice_id))
    return FileResponse(
        notice.pdf.open("rb"),
        content_type="application/pdf",
        filename=f"{notice.number}.pdf",
        as_attachment=False,
    )


def _notice_or_404(case, notice_id: int):
    notice = case_notice(case=case, notice_id=notice_id)
    if notice is None:
        raise Http404
    return notice


@supervision_required
def requests(request):
    """代办申请: the waiting ones first, with a picker of agents for each."""
    status = request.GET.get("status", "")
    if status not in AgencyRequest.Status.values:
        status = ""
    return render(
        request,
        "hall/agency/requests.html",
        {
            "requests": agency.agency_requests_for_supervision(status=status or None)[:200],
            "agents": list(agency.agents()),
            "status": status,
            "statuses": AgencyRequest.Status.choices,
        },
    )


@supervision_required
@require_POST
def assign(request, pk: int):
    agency_request = get_object_or_404(AgencyRequest, pk=pk)
    agent = agency.agents().filter(pk=int_or_none(request.POST.get("agent"))).first()
    if agent is None:
        messages.error(request, _("请选择代办员。"))
        return redirect("agency:requests")
    try:
        done = agency.agency_assign(request=agency_request, agent=agent, supervisor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("已为办件 %(receipt_no)s 指派代办员 %(agent)s。")
            % {"receipt_no": done.case.receipt_no, "agent": display_name(agent)},
        )
    return redirect("agency:requests")
