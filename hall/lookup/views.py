"""Progress lookup at /lookup/ (and on the kiosk with ?kiosk=1). No account needed.

See hall.lookup for the rules: the same answer for an unknown receipt and a wrong code, failure
limits per client address and per receipt or identity, and a short-lived access in the session.
"""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hall.accounts.sms_codes import sms_code_send, sms_code_verify
from hall.cases import selectors
from hall.common import validators
from hall.lookup import services as lookup
from hall.lookup.forms import IdentityCodeForm, IdentityForm, ReceiptForm
from hall.models import SmsCode
from hall.platform.attempts import request_source, session_requester

NO_MATCH = gettext_lazy("收件编号或查询验证码不正确，请核对受理通知书上的编号和验证码。")
CODE_WRONG = gettext_lazy("短信验证码不正确或已失效，请重新获取。")
TOO_MANY = gettext_lazy("尝试次数过多，请 15 分钟后再试。如有疑问，请到大厅咨询台咨询。")
SENT = gettext_lazy("如该证件号码已在大厅登记，验证码已发送至登记的手机号码，5 分钟内有效。")


def _kiosk(request: HttpRequest) -> bool:
    return (request.POST.get("kiosk") or request.GET.get("kiosk")) == "1"


def _suffix(kiosk: bool) -> str:
    return "?kiosk=1" if kiosk else ""


def _page(request, *, receipt_form=None, identity_form=None, code_form=None, status=200):
    kiosk = _kiosk(request)
    receipt = request.GET.get("receipt", "")
    return render(
        request,
        "hall/lookup/home.html",
        {
            "kiosk": kiosk,
            "receipt_form": receipt_form or ReceiptForm(initial={"receipt_no": receipt}),
            "identity_form": identity_form or IdentityForm(),
            "code_form": code_form,
            "active": "identity" if (identity_form or code_form) else "receipt",
        },
        status=status,
    )


@never_cache
def home(request: HttpRequest) -> HttpResponse:
    """The two lookup forms; POST checks a receipt number and its verification code."""
    if request.method != "POST":
        return _page(request)
    form = ReceiptForm(request.POST)
    if not form.is_valid():
        return _page(request, receipt_form=form, status=400)
    kiosk = _kiosk(request)
    receipt_no = lookup.normalize_receipt_no(form.cleaned_data["receipt_no"])
    if lookup.attempts_blocked(request, subject_kind="receipt", subject=receipt_no):
        form.add_error(None, TOO_MANY)
        return _page(request, receipt_form=form, status=429)
    case = lookup.case_by_receipt_and_code(receipt_no=receipt_no, code=form.cleaned_data["code"])
    if case is None:
        lookup.attempt_failed(request, subject_kind="receipt", subject=receipt_no)
        form.add_error(None, NO_MATCH)
        return _page(request, receipt_form=form, status=400)
    lookup.lookup_access_grant(request, receipts=[receipt_no], kiosk=kiosk)
    return redirect(reverse("lookup:case", args=[receipt_no]) + _suffix(kiosk))


@never_cache
@require_POST
def identity_send(request: HttpRequest) -> HttpResponse:
    """Send an SMS code to the phone registered for this identity, if there is one. The answer
    is the same whether or not there is."""
    form = IdentityForm(request.POST)
    if not form.is_valid():
        return _page(request, identity_form=form, status=400)
    identity = validators.normalize_id_number(form.cleaned_data["identity"])
    if not lookup.sms_send_allowed(request, group="lookup"):
        form.add_error(None, TOO_MANY)
        return _page(request, identity_form=form, status=429)
    applicant = selectors.applicant_by_identity(identity=identity)
    if applicant is not None:
        # Too soon, daily cap or a failed send: the same answer as for no applicant.
        with contextlib.suppress(ValidationError):
            sms_code_send(
                phone=applicant.phone,
                purpose=SmsCode.Purpose.LOOKUP,
                requester=session_requester(request),
                source=request_source(request),
            )
    messages.info(request, SENT)
    code_form = IdentityCodeForm(initial={"identity": identity})
    return _page(request, code_form=code_form)


@never_cache
@require_POST
def identity_verify(request: HttpRequest) -> HttpResponse:
    form = IdentityCodeForm(request.POST)
    if not form.is_valid():
        return _page(request, code_form=form, status=400)
    kiosk = _kiosk(request)
    identity = validators.normalize_id_number(form.cleaned_data["identity"])
    if lookup.attempts_blocked(request, subject_kind="identity", subject=identity):
        form.add_error(None, TOO_MANY)
        return _page(request, code_form=form, status=429)
    applicant = selectors.applicant_by_identity(identity=identity)
    # An unknown identity still runs a verification (against a phone no code was sent to).
    phone = applicant.phone if applicant is not None else "00000000000"
    valid = sms_code_verify(
        phone=phone,
        purpose=SmsCode.Purpose.LOOKUP,
        code=form.cleaned_data["code"],
        requester=session_requester(request),
    )
    if not valid or applicant is None:
        lookup.attempt_failed(request, subject_kind="identity", subject=identity)
        form.add_error("code", CODE_WRONG)
        return _page(request, code_form=form, status=400)
    receipts = list(applicant.cases.values_list("receipt_no", flat=True))
    lookup.lookup_access_grant(request, receipts=receipts, kiosk=kiosk)
    return redirect(reverse("lookup:cases") + _suffix(kiosk))


def _time_left(request: HttpRequest) -> dict[str, int]:
    seconds = lookup.lookup_access_seconds_left(request)
    return {"seconds_left": seconds, "minutes_left": max(1, -(-seconds // 60))}


def _expired(request: HttpRequest, kiosk: bool) -> HttpResponse:
    messages.info(request, _("查询已结束或已超时，请重新输入。"))
    return redirect(reverse("lookup:home") + _suffix(kiosk))


@never_cache
def cases(request: HttpRequest) -> HttpResponse:
    access = lookup.lookup_access(request)
    kiosk = _kiosk(request) or bool(access and access.get("kiosk"))
    if access is None:
        return _expired(request, kiosk)
    return render(
        request,
        "hall/lookup/cases.html",
        {
            "kiosk": kiosk,
            "cases": lookup.cases_for_lookup(receipts=access["receipts"]),
            **_time_left(request),
        },
    )


@never_cache
def case(request: HttpRequest, receipt_no: str) -> HttpResponse:
    access = lookup.lookup_access(request)
    kiosk = _kiosk(request) or bool(access and access.get("kiosk"))
    if not lookup.lookup_access_allows(request, receipt_no=receipt_no):
        return _expired(request, kiosk)
    found = lookup.cases_for_lookup(receipts=[receipt_no]).first()
    if found is None:
        return _expired(request, kiosk)
    return render(
        request,
        "hall/lookup/case.html",
        {
            "kiosk": kiosk,
            "case": found,
            "timeline": lookup.case_timeline(case=found),
            # 一件事: the other items' states too (names and dates, not their receipt numbers)
            "application": (
                selectors.application_status(group_id=found.group_id)
                if found.group_id is not None
                else None
            ),
            "decision": lookup.case_delivery(case=found),
            "revoked": lookup.case_revocation(case=found),
            "many": len(access["receipts"]) > 1,
            **_time_left(request),
        },
    )


@require_POST
def end(request: HttpRequest) -> HttpResponse:
    kiosk = _kiosk(request)
    lookup.lookup_access_end(request)
    messages.info(request, _("查询已结束。"))
    return redirect(reverse("lookup:home") + _suffix(kiosk))
