"""Follow-up of bad ratings (差评回访) for supervisors, and the applicant's appeal page.

Included at /ratings/ by hall.urls. Supervisor pages need hall.view_supervision. The appeal
page is found by the follow-up's random link token (sent to the applicant by SMS; a wrong token
is a 404, and the page is rate-limited per address). Reading the answer needs the link; an
appeal also needs proof of being the person served: signed in to the portal as them, or an SMS
code sent to the phone the hall has for them.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from hall.accounts.sms_codes import sms_code_send, sms_code_verify
from hall.common.forms import form_add_service_errors
from hall.common.permissions import supervision_required
from hall.common.personal_data import masked_phone
from hall.models import RatingFollowUp, ServiceRating, SmsCode
from hall.platform.attempts import request_source, session_requester
from hall.platform.replica import reads_from_replica
from hall.ratings import selectors
from hall.ratings import services as ratings
from hall.ratings.forms import (
    AnswerForm,
    AppealAnswerForm,
    AppealForm,
    ClaimForm,
    ExtendForm,
    ReviewForm,
    StartForm,
)


@never_cache
@supervision_required
def follow_up_list(request):
    status = request.GET.get("status", "")
    if status not in RatingFollowUp.Status.values:
        status = ""
    return render(
        request,
        "hall/ratings/list.html",
        {
            "follow_ups": ratings.follow_ups_for_supervision(status=status or None)[:200],
            "status": status,
            "statuses": RatingFollowUp.Status.choices,
            "today": timezone.localdate(),
        },
    )


ACTIONS = {
    # action: (form, service, the states it is offered in, keyword arguments from the form)
    "start": (StartForm, ratings.follow_up_start, ("open",), lambda d: {"measures": d["measures"]}),
    "answer": (
        AnswerForm,
        ratings.follow_up_answer,
        ("open", "rectifying"),
        lambda d: {"answer": d["answer"], "callback": d["callback"]},
    ),
    "extend": (
        ExtendForm,
        ratings.follow_up_extend,
        ("open", "rectifying"),
        lambda d: {"reason": d["extension_reason"]},
    ),
    "claim": (
        ClaimForm,
        ratings.follow_up_claim,
        ("open", "rectifying"),
        lambda d: {"kind": d["kind"], "reason": d["claim"]},
    ),
    "review": (
        ReviewForm,
        ratings.follow_up_review,
        ("invalid_review", "unfixable_review"),
        lambda d: {"uphold": d["uphold"], "note": d["review_note"]},
    ),
    "appeal_answer": (
        AppealAnswerForm,
        ratings.follow_up_appeal_answer,
        ("appealed",),
        lambda d: {"answer": d["appeal_answer"]},
    ),
}


@never_cache
@supervision_required
@require_http_methods(["GET", "POST"])
def follow_up_detail(request, pk: int):
    follow_up = ratings.follow_up_for_supervision(pk=pk)
    if follow_up is None:
        raise Http404
    forms_ = {
        name: form_class(prefix=name)
        for name, (form_class, _call, states, _args) in ACTIONS.items()
        if follow_up.status in states
    }
    failed = False
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in forms_:
            messages.error(
                request,
                _("该差评整改当前为“%(status)s”，不能进行此操作。")
                % {"status": follow_up.get_status_display()},
            )
            return redirect("ratings:detail", pk=follow_up.pk)
        form_class, call, _states, arguments = ACTIONS[action]
        form = forms_[action] = form_class(request.POST, prefix=action)
        if form.is_valid():
            try:
                call(follow_up=follow_up, supervisor=request.user, **arguments(form.cleaned_data))
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, _("已保存。"))
                return redirect("ratings:detail", pk=follow_up.pk)
        failed = True
    return render(
        request,
        "hall/ratings/detail.html",
        {
            "follow_up": follow_up,
            "rating": follow_up.rating,
            "forms": forms_,
            "appeal_path": ratings.appeal_path(follow_up),
            "named": ratings.rated_applicant(follow_up) is not None,
            "today": timezone.localdate(),
        },
        status=400 if failed else 200,
    )


def _is_the_applicant_signed_in(request, applicant) -> bool:
    return (
        applicant is not None
        and applicant.user_id is not None
        and request.user.is_authenticated
        and request.user.pk == applicant.user_id
    )


@never_cache
@ratelimit(key="ip", rate="30/m", method=ratelimit.ALL, block=True)
@require_http_methods(["GET", "POST"])
def appeal(request, token: str):
    """The applicant reads the answer to their bad rating and may appeal it once."""
    follow_up = ratings.follow_up_for_applicant(token=token)
    if follow_up is None:
        raise Http404
    applicant = ratings.rated_applicant(follow_up)
    signed_in = _is_the_applicant_signed_in(request, applicant)
    form = AppealForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "send_code":
        form = AppealForm(initial={"appeal": request.POST.get("appeal", "")})
        if applicant is None or not applicant.phone:
            raise Http404
        try:
            sms_code_send(
                phone=applicant.phone,
                purpose=SmsCode.Purpose.RATING_APPEAL,
                requester=session_requester(request),
                source=request_source(request),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.info(
                request,
                _("验证码已发送到 %(phone)s，%(minutes)s 分钟内有效。")
                % {"phone": masked_phone(applicant.phone), "minutes": 5},
            )
    elif request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip()
        if not signed_in and not (
            applicant is not None
            and code
            and sms_code_verify(
                phone=applicant.phone,
                purpose=SmsCode.Purpose.RATING_APPEAL,
                code=code,
                requester=session_requester(request),
            )
        ):
            form.add_error("code", _("请输入发送到您登记手机的短信验证码。"))
        else:
            try:
                ratings.follow_up_appeal(follow_up=follow_up, appeal=form.cleaned_data["appeal"])
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, _("申诉已提交，我们会尽快答复。"))
                return redirect("ratings:appeal", token=token)
    return render(
        request,
        "hall/ratings/appeal.html",
        {
            "follow_up": follow_up,
            "rating": follow_up.rating,
            "form": form,
            "needs_code": not signed_in,
            "phone": masked_phone(applicant.phone) if applicant and applicant.phone else "",
        },
        status=400 if form.errors else 200,
    )


@reads_from_replica
@require_http_methods(["GET"])
def statistics(request):
    """好差评 statistics for everyone (公开): per department, item, window and clerk."""
    return render(
        request,
        "hall/ratings/statistics.html",
        {"stats": selectors.ratings_statistics(), "levels": ServiceRating.LEVELS},
    )
