"""预约 in the portal: the applicant's bookings, booking a slot, cancelling one."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from approvals.catalogue.selectors import items_current
from hall.common.forms import form_add_service_errors
from hall.models import Appointment
from hall.online.portal.access import (
    acting_for,
    applicant_or_bind,
    applicant_required,
    portal_applicant,
)
from hall.online.portal.forms import SlotForm
from hall.queue import appointment_selectors, appointments


@never_cache
@applicant_required
def appointment_list(request: HttpRequest) -> HttpResponse:
    """The applicant's bookings (acting for someone: theirs, 亲友代办)."""
    applicant = portal_applicant(request)
    if applicant is None:
        return redirect("portal:identity")
    return render(
        request,
        "hall/portal/appointments.html",
        {
            "appointments": appointment_selectors.appointments_of(applicant=applicant)[:50],
            "barred_until": appointment_selectors.booking_barred_until(applicant=applicant),
            "now": timezone.now(),
            "acting": acting_for(request),
        },
    )


@never_cache
@applicant_required
@require_http_methods(["GET", "POST"])
def appointment_new(request: HttpRequest) -> HttpResponse:
    """Choose the item and the day (a GET, so it works without script), then a slot (a POST).
    Acting for someone (亲友代办), for them and only for the items the authorisation covers."""
    applicant = portal_applicant(request)
    if applicant is None:
        return redirect("portal:identity")
    acting = acting_for(request)
    items = list(items_current().order_by("name"))
    if acting is not None:
        items = [item for item in items if acting.covers(item_code=item.code)]
    days = appointment_selectors.booking_days()
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = SlotForm(data, items=items, days=days)
    slots: list[appointment_selectors.SlotView] = []
    item = None
    if data is not None and form.is_valid():
        item = form.items.get(form.cleaned_data["item"])
        slots = appointment_selectors.slots_for(item=item, day=form.cleaned_data["day"])
        if request.method == "POST":
            try:
                starts_at = datetime.datetime.fromisoformat(form.cleaned_data["slot"])
            except ValueError:
                form.add_error("slot", _("请选择可预约的时段。"))
            else:
                try:
                    appointment = appointments.appointment_book(
                        applicant=applicant,
                        item=item,
                        starts_at=starts_at,
                        proxy_user=request.user if acting else None,
                        proxy_code=acting.code if acting else "",
                    )
                except ValidationError as error:
                    form_add_service_errors(form, error)
                    slots = appointment_selectors.slots_for(item=item, day=form.cleaned_data["day"])
                else:
                    messages.success(
                        request,
                        _("预约成功，预约码 %(code)s，已短信发送到您的手机。")
                        % {"code": appointment.code},
                    )
                    return redirect("portal:appointments")
    return render(
        request,
        "hall/portal/appointment_new.html",
        {
            "form": form,
            "item": item,
            "slots": slots,
            "barred_until": appointment_selectors.booking_barred_until(applicant=applicant),
        },
        status=400 if request.method == "POST" else 200,
    )


@applicant_required
@require_POST
def appointment_cancel(request: HttpRequest, code: str) -> HttpResponse:
    applicant = applicant_or_bind(request)
    if applicant is None:
        return redirect("portal:identity")
    appointment = Appointment.objects.filter(code=code, applicant=applicant).first()
    if appointment is None:
        raise Http404
    try:
        appointments.appointment_cancel(appointment=appointment, applicant=applicant)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已取消预约 %(code)s。") % {"code": code})
    return redirect("portal:appointments")
