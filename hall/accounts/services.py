"""Online accounts of the online hall (网上办事大厅): registration, identity binding, sign-in.

An account is a Django user whose username is the mobile number's keyed digest
(`phone_account_username`: no phone number in the user table or the logs), in the "applicant" group,
bound one-to-one to an Applicant (the person by identity number, the enterprise by USCC).

Binding an account to an Applicant the hall already knows (registered at a window) would show
that applicant's cases to the account, so it needs more than knowing a name and an ID number:
the SMS code proves the phone, and that phone must be the one the hall has on record for the
applicant, with the same name. Anyone else is sent to a window with their identity document.
Those checks run only after the SMS code was accepted, so probing which identities the hall
knows costs one SMS code (60 s apart, a daily cap per phone) per guess.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hall.accounts.sms_codes import sms_code_verify
from hall.cases import applicants, selectors
from hall.common import validators
from hall.common.personal_data import phone_account_username
from hall.models import Applicant, LanguagePreference, SmsCode
from hall.roles import APPLICANT, roles_sync


def _applicant_group() -> Group:
    group = Group.objects.filter(name=APPLICANT.group_name).first()
    return group if group is not None else roles_sync()[APPLICANT.slug]


def _code_checked(*, phone: str, purpose: str, code: str, requester: str) -> None:
    if not sms_code_verify(phone=phone, purpose=purpose, code=code, requester=requester):
        raise ValidationError(
            {"code": [_("短信验证码不正确或已失效，请重新获取。")]}, code="sms_code_invalid"
        )


def _applicant_bind(
    *,
    user: User,
    kind: str,
    name: str,
    phone: str,
    id_number: str,
    uscc: str,
    legal_representative: str,
    email: str,
) -> Applicant:
    """Find or register the applicant and bind it to `user`; call inside a transaction."""
    identity = id_number if kind == Applicant.Kind.PERSON else uscc
    known = selectors.applicant_by_identity(identity=identity)
    field = "id_number" if kind == Applicant.Kind.PERSON else "uscc"
    if known is not None:
        if known.user_id is not None and known.user_id != user.pk:
            raise ValidationError(
                {
                    field: [
                        _(
                            "该证件已绑定其他网上办事账号。请用该账号登录；"
                            "如无法登录，请携带证件到大厅窗口办理。"
                        )
                    ]
                }
            )
        if known.phone != phone or known.name != name.strip():
            raise ValidationError(
                {
                    field: [
                        _(
                            "该证件已在大厅登记，登记的姓名（名称）或手机号码与本次填写的不一致。"
                            "请使用登记时的手机号码注册，或携带证件到大厅窗口更新信息。"
                        )
                    ]
                }
            )
    applicant = applicants.applicant_register(
        kind=kind,
        name=name,
        phone=phone,
        id_number=id_number,
        uscc=uscc,
        legal_representative=legal_representative,
        email=email,
        # the SMS code proved the registered phone, and name and phone were checked to match
        confirm_contact_change=True,
        changed_by=user,
    )
    applicant = Applicant.objects.select_for_update().get(pk=applicant.pk)
    if applicant.user_id is None:
        applicant.user = user
        applicant.save(update_fields=["user"])
    elif applicant.user_id != user.pk:  # bound by someone else a moment ago
        raise ValidationError({field: [_("该证件已绑定其他网上办事账号。")]})
    return applicant


def account_register(
    *,
    phone: str,
    password: str,
    code: str,
    kind: str,
    name: str,
    id_number: str = "",
    uscc: str = "",
    legal_representative: str = "",
    email: str = "",
    requester: str = "",
) -> User:
    """Create an online account and bind it to the applicant's identity.

    Every field is checked before the SMS code is used, so a typo does not burn the code.
    Errors are raised per field (``phone``, ``password``, ``code``, ``name``, ``id_number``,
    ``uscc``, ``legal_representative``). Not to be called inside another transaction: the code's
    attempt count must stay counted when the registration then fails.
    """
    errors, phone = applicants.applicant_details_errors(
        kind=kind,
        name=name,
        phone=phone,
        id_number=id_number,
        uscc=uscc,
        legal_representative=legal_representative,
    )
    try:
        password_validation.validate_password(
            password, user=User(username=phone, last_name=name.strip())
        )
    except ValidationError as error:
        errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)
    _code_checked(phone=phone, purpose=SmsCode.Purpose.REGISTER, code=code, requester=requester)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=phone_account_username(phone), password=password, last_name=name
            )
            user.groups.add(_applicant_group())
            _applicant_bind(
                user=user,
                kind=kind,
                name=name,
                phone=phone,
                id_number=id_number,
                uscc=uscc,
                legal_representative=legal_representative,
                email=email,
            )
            password_validation.password_changed(password, user)
            return user
    except IntegrityError as error:
        if User.objects.filter(username=phone_account_username(phone)).exists():
            raise ValidationError(
                {"phone": [_("该手机号码已注册网上办事账号，请直接登录。")]}
            ) from error
        raise


def account_identity_bind(
    *,
    user: User,
    phone: str,
    code: str,
    kind: str,
    name: str,
    id_number: str = "",
    uscc: str = "",
    legal_representative: str = "",
    email: str = "",
    requester: str = "",
) -> Applicant:
    """Bind an existing applicant account that has no identity yet (e.g. one an administrator
    created) to its applicant, with the same checks as registration. Safe to repeat."""
    existing = Applicant.objects.filter(user=user).first()
    if existing is not None:
        return existing
    errors, phone = applicants.applicant_details_errors(
        kind=kind,
        name=name,
        phone=phone,
        id_number=id_number,
        uscc=uscc,
        legal_representative=legal_representative,
    )
    if errors:
        raise ValidationError(errors)
    _code_checked(phone=phone, purpose=SmsCode.Purpose.REGISTER, code=code, requester=requester)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        existing = Applicant.objects.filter(user=locked).first()
        if existing is not None:
            return existing
        if not locked.groups.filter(name=APPLICANT.group_name).exists():
            locked.groups.add(_applicant_group())
        return _applicant_bind(
            user=locked,
            kind=kind,
            name=name,
            phone=phone,
            id_number=id_number,
            uscc=uscc,
            legal_representative=legal_representative,
            email=email,
        )


def account_for_phone(*, phone: str) -> User | None:
    """The active applicant account of a phone number, if any (selector)."""
    return (
        User.objects.filter(
            username=phone_account_username(validators.normalize_mobile(phone)),
            is_active=True,
            groups__name=APPLICANT.group_name,
        )
        .select_related("applicant")
        .first()
    )


def account_sign_in_by_code(*, phone: str, code: str, requester: str = "") -> User | None:
    """The account if `code` is the phone's live sign-in code, else None.

    The code is checked whether or not the phone has an account, so the answer does not tell.
    """
    valid = sms_code_verify(
        phone=phone, purpose=SmsCode.Purpose.LOGIN, code=code, requester=requester
    )
    return account_for_phone(phone=phone) if valid else None


def language_preference_set(*, user: User, language: str) -> bool:
    """Keep the language a signed-in person chose as the one their messages are written in
    (and, for an applicant, their SMS and notices). False for a language the hall does not
    offer."""
    if language not in dict(settings.LANGUAGES):
        return False
    with transaction.atomic():
        LanguagePreference.objects.update_or_create(user=user, defaults={"language": language})
        Applicant.objects.filter(user=user).exclude(language=language).update(language=language)
    return True
