"""Follow-up of bad ratings (差评回访) for supervisors, and the applicant's appeal page.

Included at /ratings/ by hall.urls. Supervisor pages need hall.view_supervision. The appeal
page is found by the follow-up's random link token (sent to the applicant by SMS; a wrong token
is a 404, and the page is rate-limited per address). Reading the answer needs the link; an
appeal also needs proof of being the person served: signed in to the portal as them, or an SMS
code sent to the phone the hall has for them.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from hall.accounts.sms_codes import sms_code_send, sms_code_verify
from hall.common.forms import form_add_service_errors
from hall.common.permissions import supervision_required
from hall.models import RatingFollowUp, SmsCode
from hall.platform.messaging import masked_phone
from hall.ratings import services as ratings


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("核实整改答复"),
        max_length=ratings.TEXT_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=gettext_lazy("写明核实情况、整改措施；答复将通知申请人。"),
    )


class AppealAnswerForm(forms.Form):
    appeal_answer = forms.CharField(
        label=gettext_lazy("申诉答复"),
        max_length=ratings.TEXT_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=gettext_lazy("答复后本次差评回访办结，答复将通知申请人。"),
    )


class AppealForm(forms.Form):
    appeal = forms.CharField(
        label=gettext_lazy("申诉内容"),
        max_length=ratings.TEXT_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=gettext_lazy("请说明您对答复不满意的地方。每次评价可申诉一次。"),
    )
    code = forms.CharField(
        label=gettext_lazy("短信验证码"),
        max_length=8,
        required=False,
        help_text=gettext_lazy("为确认是您本人申诉，请获取并输入发送到您登记手机的验证码。"),
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


@never_cache
@supervision_required
@require_http_methods(["GET", "POST"])
def follow_up_detail(request, pk: int):
    follow_up = ratings.follow_up_for_supervision(pk=pk)
    if follow_up is None:
        raise Http404
    answer_form, appeal_answer_form = AnswerForm(), AppealAnswerForm()
    if request.method == "POST":
        if follow_up.status == RatingFollowUp.Status.OPEN:
            answer_form = AnswerForm(request.POST)
            form, call = answer_form, ratings.follow_up_answer
            field = "answer"
        else:
            appeal_answer_form = AppealAnswerForm(request.POST)
            form, call = appeal_answer_form, ratings.follow_up_appeal_answer
            field = "appeal_answer"
        if form.is_valid():
            try:
                call(follow_up=follow_up, supervisor=request.user, answer=form.cleaned_data[field])
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, _("已答复，并已通知申请人。"))
                return redirect("ratings:detail", pk=follow_up.pk)
    return render(
        request,
        "hall/ratings/detail.html",
        {
            "follow_up": follow_up,
            "rating": follow_up.rating,
            "answer_form": answer_form,
            "appeal_answer_form": appeal_answer_form,
            "appeal_path": ratings.appeal_path(follow_up),
            "today": timezone.localdate(),
        },
        status=400 if request.method == "POST" else 200,
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
            sms_code_send(phone=applicant.phone, purpose=SmsCode.Purpose.RATING_APPEAL)
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
                phone=applicant.phone, purpose=SmsCode.Purpose.RATING_APPEAL, code=code
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
