"""The online hall (网上办事大厅) at /me/: accounts, online filing and tracking. Thin views over
hall.accounts, hall.online_intake, hall.sms_codes and hall.lookup."""

from __future__ import annotations

import contextlib
import importlib
import uuid
from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from approvals.catalogue import required_materials
from approvals.models import Bundle
from hall import accounts, lookup, online_intake, validators
from hall.forms import QuestionsForm, question_fields
from hall.models import Applicant, Case, Notice, ServiceRating, SmsCode
from hall.notifications import inbox_for
from hall.sms_codes import sms_code_send

PORTAL_LOGIN = "portal:login"


def applicant_required(view: Callable) -> Callable:
    """Signed in (else to the portal's sign-in page) and allowed to use the portal (else 403)."""
    return login_required(
        permission_required("hall.use_applicant_portal", raise_exception=True)(view),
        login_url=PORTAL_LOGIN,
    )


def optional_service(module: str, name: str) -> Callable | None:
    """A service another part of the hall provides, if it is there yet."""
    try:
        found = importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name != module:
            raise
        return None
    return getattr(found, name, None)


def _service_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_messages)
    else:
        form.add_error(None, error.messages)


def _mask(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else phone


# --- forms ------------------------------------------------------------------------------------

PHONE_ATTRS = {"autocomplete": "tel", "inputmode": "numeric"}
CODE_ATTRS = {"autocomplete": "one-time-code", "inputmode": "numeric"}


class SmsSendForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("手机号码"), max_length=20, widget=forms.TextInput(attrs=PHONE_ATTRS)
    )

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        validators.validate_mobile(value)
        return validators.normalize_mobile(value)


class IdentityFields(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("申请人类型"), choices=Applicant.Kind.choices, widget=forms.RadioSelect
    )
    name = forms.CharField(
        label=gettext_lazy("姓名或企业名称"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=gettext_lazy("居民身份证号码（个人）"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("18 位，末位可为 X"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    uscc = forms.CharField(
        label=gettext_lazy("统一社会信用代码（企业）"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("18 位"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    legal_representative = forms.CharField(
        label=gettext_lazy("法定代表人（企业）"), max_length=100, required=False
    )
    email = forms.EmailField(
        label=gettext_lazy("电子邮箱（选填）"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class RegisterForm(IdentityFields):
    phone = forms.CharField(
        label=gettext_lazy("手机号码"),
        max_length=20,
        help_text=gettext_lazy("登录账号；请先获取短信验证码"),
        widget=forms.TextInput(attrs=PHONE_ATTRS),
    )
    code = forms.CharField(
        label=gettext_lazy("短信验证码"),
        max_length=10,
        widget=forms.TextInput(attrs=CODE_ATTRS),
    )
    password1 = forms.CharField(
        label=gettext_lazy("设置密码"),
        strip=False,
        help_text=gettext_lazy("至少 8 位，不能全是数字，不能与手机号或姓名相近"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=gettext_lazy("再次输入密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    field_order = ["phone", "code", "password1", "password2", "kind", "name"]

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") != data.get("password1"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data

    def service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict") and "password" in error.error_dict:
            error.error_dict["password1"] = error.error_dict.pop("password")
        _service_errors(self, error)


class BindForm(IdentityFields):
    phone = forms.CharField(
        label=gettext_lazy("手机号码"), max_length=20, widget=forms.TextInput(attrs=PHONE_ATTRS)
    )
    code = forms.CharField(
        label=gettext_lazy("短信验证码"), max_length=10, widget=forms.TextInput(attrs=CODE_ATTRS)
    )
    field_order = ["phone", "code", "kind", "name"]


class PhoneLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": gettext_lazy("手机号码或密码不正确。"),
        "inactive": gettext_lazy("该账号已停用。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("手机号码")
        self.fields["username"].widget.attrs.update(PHONE_ATTRS | {"autocomplete": "username"})
        self.fields["password"].label = _("密码")

    def clean_username(self):
        value = self.cleaned_data["username"]
        return validators.normalize_mobile(value) if validators.is_valid_mobile(value) else value


class CodeLoginForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("手机号码"), max_length=20, widget=forms.TextInput(attrs=PHONE_ATTRS)
    )
    code = forms.CharField(
        label=gettext_lazy("短信验证码"), max_length=10, widget=forms.TextInput(attrs=CODE_ATTRS)
    )


class AgencyForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("代办需求（选填）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label=gettext_lazy("评价"), coerce=int, choices=[("", gettext_lazy("请选择"))]
    )
    reason = forms.CharField(
        label=gettext_lazy("评价理由（“不满意”时请填写）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", _("请选择")), *ServiceRating.LEVELS]


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# --- accounts ---------------------------------------------------------------------------------


@never_cache
def register(request: HttpRequest) -> HttpResponse:
    """Register with mobile + SMS code + password, and the applicant's identity."""
    initial = {"kind": Applicant.Kind.PERSON, "phone": request.session.get("hall.portal.phone")}
    form = RegisterForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = accounts.account_register(
                    phone=data["phone"],
                    password=data["password1"],
                    code=data["code"],
                    kind=data["kind"],
                    name=data["name"],
                    id_number=data["id_number"],
                    uscc=data["uscc"],
                    legal_representative=data["legal_representative"],
                    email=data["email"],
                )
            except ValidationError as error:
                form.service_errors(error)
            else:
                auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("注册成功，欢迎使用网上办事大厅。"))
                return redirect("portal:home")
        status = 400
    return render(
        request,
        "hall/portal/register.html",
        {"form": form, "send_form": SmsSendForm(initial=initial)},
        status=status,
    )


@require_POST
def sms_send(request: HttpRequest) -> HttpResponse:
    """Send a registration or sign-in code. For sign-in the answer never says whether the
    phone has an account."""
    purpose = request.POST.get("purpose")
    back = {
        SmsCode.Purpose.REGISTER: "portal:register",
        SmsCode.Purpose.LOGIN: "portal:login_code",
        "bind": "portal:identity",
    }.get(purpose)
    if back is None:
        raise Http404
    form = SmsSendForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("phone", []):
            messages.error(request, error)
        return redirect(back)
    phone = form.cleaned_data["phone"]
    request.session["hall.portal.phone"] = phone
    if not lookup.sms_send_allowed(request, group="portal"):
        messages.error(request, _("获取验证码过于频繁，请稍后再试。"))
        return redirect(back)
    if purpose == SmsCode.Purpose.LOGIN:
        if accounts.account_for_phone(phone=phone) is not None:
            # Whatever happens, the same answer as for an unknown phone.
            with contextlib.suppress(ValidationError):
                sms_code_send(phone=phone, purpose=SmsCode.Purpose.LOGIN)
        messages.info(
            request,
            _("如该手机号已注册，验证码已发送至 %(phone)s，5 分钟内有效。")
            % {"phone": _mask(phone)},
        )
        return redirect(back)
    try:
        sms_code_send(phone=phone, purpose=SmsCode.Purpose.REGISTER)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.info(
            request,
            _("验证码已发送至 %(phone)s，5 分钟内有效。") % {"phone": _mask(phone)},
        )
    return redirect(back)


@never_cache
def login(request: HttpRequest) -> HttpResponse:
    """Sign in with mobile number and password; failures are limited per address and phone."""
    form = PhoneLoginForm(request, data=request.POST or None)
    status = 200
    blocked = ""
    if request.method == "POST":
        phone = validators.normalize_mobile(request.POST.get("username", ""))
        if lookup.attempts_blocked(request, subject_kind="login", subject=phone):
            form = PhoneLoginForm(request, initial={"username": phone})
            blocked = _("登录失败次数过多，请 15 分钟后再试，或使用短信验证码登录。")
            status = 429
        elif form.is_valid():
            auth_login(request, form.get_user())
            return redirect(_safe_next(request, reverse("home")))
        else:
            lookup.attempt_failed(request, subject_kind="login", subject=phone)
            status = 400
    return render(
        request,
        "hall/portal/login.html",
        {"form": form, "next": _safe_next(request, ""), "blocked": blocked},
        status=status,
    )


@never_cache
def login_code(request: HttpRequest) -> HttpResponse:
    """Sign in with an SMS code instead of the password."""
    initial = {"phone": request.session.get("hall.portal.phone")}
    form = CodeLoginForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        phone = validators.normalize_mobile(form.cleaned_data["phone"])
        if lookup.attempts_blocked(request, subject_kind="login", subject=phone):
            form.add_error(None, _("登录失败次数过多，请 15 分钟后再试。"))
            status = 429
        else:
            user = accounts.account_sign_in_by_code(phone=phone, code=form.cleaned_data["code"])
            if user is not None:
                auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect(_safe_next(request, reverse("portal:home")))
            lookup.attempt_failed(request, subject_kind="login", subject=phone)
            form.add_error("code", _("短信验证码不正确或已失效，请重新获取。"))
            status = 400
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "hall/portal/login_code.html",
        {"form": form, "send_form": SmsSendForm(initial=initial), "next": _safe_next(request, "")},
        status=status,
    )


@applicant_required
def identity(request: HttpRequest) -> HttpResponse:
    """Bind an account without an identity (e.g. created by an administrator) to its applicant."""
    if online_intake.applicant_for(user=request.user) is not None:
        return redirect("portal:home")
    initial = {"kind": Applicant.Kind.PERSON, "phone": request.session.get("hall.portal.phone")}
    form = BindForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                accounts.account_identity_bind(
                    user=request.user,
                    phone=data["phone"],
                    code=data["code"],
                    kind=data["kind"],
                    name=data["name"],
                    id_number=data["id_number"],
                    uscc=data["uscc"],
                    legal_representative=data["legal_representative"],
                    email=data["email"],
                )
            except ValidationError as error:
                _service_errors(form, error)
            else:
                messages.success(request, _("身份信息已绑定。"))
                return redirect("portal:home")
        status = 400
    return render(
        request,
        "hall/portal/identity.html",
        {"form": form, "send_form": SmsSendForm(initial=initial)},
        status=status,
    )


# --- home and catalogue -----------------------------------------------------------------------


def _applicant_or_bind(request: HttpRequest):
    applicant = online_intake.applicant_for(user=request.user)
    if applicant is None:
        messages.info(request, _("请先完善身份信息，再在线申报或查看办件。"))
    return applicant


@never_cache
@applicant_required
def home(request: HttpRequest) -> HttpResponse:
    applicant = online_intake.applicant_for(user=request.user)
    if applicant is None:
        return render(request, "hall/portal/home_unbound.html")
    return render(
        request,
        "hall/portal/home.html",
        {
            "applicant": applicant,
            "cases": online_intake.cases_of_applicant(user=request.user)[:100],
            "inbox": inbox_for(user=request.user).filter(read_at__isnull=True)[:10],
        },
    )


@applicant_required
def catalogue(request: HttpRequest) -> HttpResponse:
    applicant = _applicant_or_bind(request)
    if applicant is None:
        return redirect("portal:identity")
    return render(
        request,
        "hall/portal/catalogue.html",
        {
            "applicant": applicant,
            "items": online_intake.online_items_for(applicant=applicant).order_by(
                "queue_category", "code"
            ),
            "bundles": online_intake.online_bundles_for(applicant=applicant),
        },
    )


# --- filing -----------------------------------------------------------------------------------


@applicant_required
def file_item(request: HttpRequest, item_id: int) -> HttpResponse:
    applicant = _applicant_or_bind(request)
    if applicant is None:
        return redirect("portal:identity")
    item = get_object_or_404(online_intake.online_items_for(applicant=applicant), pk=item_id)
    return _file(request, applicant=applicant, items=[item], bundle=None)


@applicant_required
def file_bundle(request: HttpRequest, code: str) -> HttpResponse:
    applicant = _applicant_or_bind(request)
    if applicant is None:
        return redirect("portal:identity")
    for bundle, items in online_intake.online_bundles_for(applicant=applicant):
        if bundle.code == code:
            return _file(request, applicant=applicant, items=items, bundle=bundle)
    raise Http404


def _file(request: HttpRequest, *, applicant: Applicant, items: list, bundle: Bundle | None):
    """Step 1 answers the intake questions (GET); step 2 uploads the checklist (POST)."""
    fields = {}
    for item in items:
        fields.update(question_fields(list(item.questions.all()), prefix=f"{item.pk}__"))
    source = request.POST if request.method == "POST" else request.GET
    answered = not fields or source.get("answered") == "1"
    questions = QuestionsForm(
        source if fields and answered else None,
        initial={name: source[name] for name in fields if name in source},
        fields=fields,
    )
    context = {"applicant": applicant, "items": items, "bundle": bundle, "questions": questions}
    if fields and (not answered or not questions.is_valid()):
        return render(
            request, "hall/portal/file_questions.html", context, status=400 if answered else 200
        )
    cleaned = questions.cleaned_data if fields else {}
    answers_by_item = {
        item.pk: {
            name.split("__", 1)[1]: value
            for name, value in cleaned.items()
            if name.startswith(f"{item.pk}__")
        }
        for item in items
    }
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            submission_key = uuid.UUID(request.POST.get("submission_key", ""))
        except ValueError:
            errors["__all__"] = [_("提交标识无效，请刷新页面后重试。")]
        else:
            files = {key: request.FILES.getlist(key) for key in request.FILES}
            try:
                if bundle is None:
                    case = online_intake.online_case_file(
                        user=request.user,
                        submission_key=submission_key,
                        item=items[0],
                        answers=answers_by_item[items[0].pk],
                        files=files,
                    )
                else:
                    group = online_intake.online_group_file(
                        user=request.user,
                        submission_key=submission_key,
                        bundle=bundle,
                        answers_by_item=answers_by_item,
                        files=files,
                    )
                    case = group.cases.order_by("pk").first()
            except ValidationError as error:
                errors = (
                    error.message_dict
                    if hasattr(error, "error_dict")
                    else {"__all__": error.messages}
                )
            else:
                messages.success(
                    request,
                    _("已提交网上申报，收件编号 %(receipt)s。窗口将在 5 个工作日内作出受理决定。")
                    % {"receipt": case.receipt_no},
                )
                return redirect("portal:case", receipt_no=case.receipt_no)
    checklist = [
        {
            "item": item,
            "materials": [
                {
                    "requirement": requirement,
                    "field": online_intake.material_field(item, requirement),
                    "errors": errors.get(online_intake.material_field(item, requirement), []),
                }
                for requirement in required_materials(
                    item=item, applicant_type=applicant.kind, answers=answers_by_item[item.pk]
                )
            ],
        }
        for item in items
    ]
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


def _max_mb() -> str:
    return f"{settings.HALL_UPLOAD_MAX_BYTES / (1024 * 1024):g}"


# --- tracking ---------------------------------------------------------------------------------


def _own_case(request: HttpRequest, receipt_no: str) -> Case:
    case = online_intake.case_of_applicant(user=request.user, receipt_no=receipt_no)
    if case is None:
        raise Http404
    return case


@never_cache
@applicant_required
def case_detail(request: HttpRequest, receipt_no: str) -> HttpResponse:
    case = _own_case(request, receipt_no)
    return _case_page(request, case)


def _case_page(request, case: Case, *, status: int = 200, correction_errors=None, **extra):
    timeline = lookup.case_timeline(case=case)
    rating_service = _rating_service()
    agency_request = optional_service("hall.agency", "agency_request")
    finished = case.status in (Case.Status.DECIDED, Case.Status.CLOSED, Case.Status.NOT_ACCEPTED)
    context = {
        "case": case,
        "timeline": timeline,
        "uploads": online_intake.uploads_of_case(case=case),
        "correction_materials": [
            {"material": material, "field": online_intake.correction_field(material)}
            for material in online_intake.open_correction_materials(case=case)
        ],
        "correction_errors": correction_errors or {},
        "correction_key": uuid.uuid4(),
        "agency_available": agency_request is not None
        and case.status not in Case.FINAL_STATUSES
        and not case.agent_id
        and not case.agency_requests.filter(status__in=["requested", "assigned"]).exists(),
        "agency_form": extra.pop("agency_form", None) or AgencyForm(),
        "rating_available": rating_service is not None,
        "can_rate": finished and not case.ratings.exists(),
        "rating": case.ratings.first(),
        "rating_form": extra.pop("rating_form", None) or RatingForm(),
        "max_mb": _max_mb(),
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
        online_intake.case_correction_upload(
            user=request.user, case=case, submission_key=submission_key, files=files
        )
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        return _case_page(request, case, status=400, correction_errors=errors)
    messages.success(request, _("补正材料已提交，等待窗口核对。"))
    return redirect("portal:case", receipt_no=case.receipt_no)


@applicant_required
def notice_pdf(request: HttpRequest, receipt_no: str, notice_id: int) -> HttpResponse:
    case = _own_case(request, receipt_no)
    notice = get_object_or_404(Notice, pk=notice_id, case=case)
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
def upload_file(request: HttpRequest, upload_id: int) -> HttpResponse:
    """An uploaded material, to those allowed to see the case; 404 to everyone else. Served as
    a download with the type detected at upload, never sniffed."""
    upload = online_intake.upload_for_user(user=request.user, upload_id=upload_id)
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
    agency_request = optional_service("hall.agency", "agency_request")
    if agency_request is None:
        raise Http404
    form = AgencyForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, agency_form=form)
    try:
        agency_request(case=case, note=form.cleaned_data["note"], requested_by=request.user)
    except ValidationError as error:
        _service_errors(form, error)
        return _case_page(request, case, status=400, agency_form=form)
    messages.success(request, _("已提交代办申请，大厅将指派代办员与您联系。"))
    return redirect("portal:case", receipt_no=case.receipt_no)


def _rating_service() -> Callable | None:
    """hall.ratings' service for rating a case online, if that module is there yet."""
    return optional_service("hall.ratings", "rating_for_case") or optional_service(
        "hall.ratings", "rating_submit"
    )


@applicant_required
def rate(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """Rate a finished case online, once per item (国办发〔2019〕51号)."""
    case = _own_case(request, receipt_no)
    rating_service = _rating_service()
    if rating_service is None:
        return render(request, "hall/portal/rating_unavailable.html", {"case": case})
    if request.method != "POST":
        return redirect("portal:case", receipt_no=case.receipt_no)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, rating_form=form)
    try:
        rating_service(
            case=case,
            level=form.cleaned_data["level"],
            reason=form.cleaned_data["reason"],
            channel=ServiceRating.Channel.ONLINE,
            actor=request.user,
        )
    except ValidationError as error:
        _service_errors(form, error)
        return _case_page(request, case, status=400, rating_form=form)
    messages.success(request, _("感谢您的评价。"))
    return redirect("portal:case", receipt_no=case.receipt_no)
