"""亲友代办 / 授权代办 (国办发〔2020〕45号): asking for an authorisation, the principal's consent by
SMS code, granting one at the window with both people present, and revoking.

Asking online reveals nothing about the person named: whether or not the name and ID number
match someone the hall knows (with a phone), the answer is the same "if they match, the code
went to their phone", and a wrong code reads the same either way. What the asking session
keeps between the two steps (`ProxyRequest`) lives in the server-side session only.
"""

from __future__ import annotations

import datetime
import logging
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.accounts.sms_codes import sms_code_send, sms_code_verify
from hall.cases import wording
from hall.cases.wording import MessageKind
from hall.common import validators
from hall.common.personal_data import masked_phone
from hall.models import Applicant, Case, Notification, ProxyAuthorisation, SmsCode
from hall.online.selectors import applicant_for
from hall.outbox.queue import messages_queue, notification_build
from hall.proxies.selectors import MAX_PERIOD_DAYS, proxy_item_choices

logger = logging.getLogger(__name__)

WRONG_CODE = _("验证码不正确或已过期。请向被代办人核对短信中的验证码，或重新获取。")


@dataclass(frozen=True)
class ProxyRequest:
    """Between asking and the principal's code: kept in the (server-side) session."""

    request_key: str
    principal_id: int | None
    relationship: str
    item_codes: tuple[str, ...]
    valid_until: str

    def as_session(self) -> dict:
        return {**asdict(self), "item_codes": list(self.item_codes)}

    @classmethod
    def from_session(cls, value: object) -> ProxyRequest | None:
        if not isinstance(value, dict):
            return None
        try:
            return cls(
                request_key=str(value["request_key"]),
                principal_id=value["principal_id"],
                relationship=str(value["relationship"]),
                item_codes=tuple(value["item_codes"]),
                valid_until=str(value["valid_until"]),
            )
        except (KeyError, TypeError):
            return None


def _terms_checked(
    *, relationship: str, item_codes: Sequence[str], valid_until: datetime.date | None
) -> tuple[str, list[str], datetime.date]:
    errors: dict[str, list[str]] = {}
    if relationship not in ProxyAuthorisation.Relationship.values:
        errors["relationship"] = [_("请选择与被代办人的关系。")]
    known = {code for code, _name in proxy_item_choices()}
    codes = sorted({code for code in item_codes if code})
    if not codes:
        errors["item_codes"] = [_("请至少选择一个代办事项。")]
    elif any(code not in known for code in codes):
        errors["item_codes"] = [_("所选事项不存在或已停止办理，请重新选择。")]
    today = timezone.localdate()
    if valid_until is None:
        errors["valid_until"] = [_("请填写授权截止日期。")]
    elif valid_until < today:
        errors["valid_until"] = [_("截止日期不能早于今天。")]
    elif valid_until > today + datetime.timedelta(days=MAX_PERIOD_DAYS - 1):
        errors["valid_until"] = [_("授权期限最长一年，请到期后再续授权。")]
    if errors:
        raise ValidationError(errors)
    return relationship, codes, valid_until


def _proxy_applicant(user: User) -> Applicant:
    proxy = applicant_for(user=user)
    if proxy is None or proxy.kind != Applicant.Kind.PERSON:
        raise ValidationError(_("请先完成实名绑定，代办人须以本人身份办理。"))
    return proxy


def _scope_text(item_codes: Sequence[str], case: Case | None = None) -> str:
    if case is not None:
        return _("办件 %(receipt)s（%(item)s）") % {
            "receipt": case.receipt_no,
            "item": case.item.name,
        }
    names = dict(proxy_item_choices())
    return "、".join(f"“{names.get(code, code)}”" for code in item_codes)


def proxy_request_start(
    *,
    proxy_user: User,
    principal_name: str,
    principal_id_number: str,
    relationship: str,
    item_codes: Sequence[str],
    valid_until: datetime.date | None,
    requester: str,
    source: str = "",
) -> ProxyRequest:
    """A relative or friend asks to act for the person named: when the name and ID number
    match a person the hall knows with a phone, that phone gets a code saying who asks, for
    what and until when. The answer is the same either way."""
    proxy = _proxy_applicant(proxy_user)
    errors: dict[str, list[str]] = {}
    try:
        relationship, codes, valid_until = _terms_checked(
            relationship=relationship, item_codes=item_codes, valid_until=valid_until
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    id_number = validators.normalize_id_number(principal_id_number)
    try:
        validators.validate_id_number(id_number)
    except ValidationError as error:
        errors["principal_id_number"] = error.messages
    else:
        if id_number == proxy.id_number:
            errors["principal_id_number"] = [_("不能授权自己代办自己的事项。")]
    name = (principal_name or "").strip()
    if not name:
        errors["principal_name"] = [_("请填写被代办人姓名。")]
    if errors:
        raise ValidationError(errors)
    principal = Applicant.objects.filter(
        kind=Applicant.Kind.PERSON, **Applicant.id_number_lookup(id_number)
    ).first()
    known = (
        principal is not None
        and principal.name == name
        and bool(principal.phone)
        and principal.contact_anonymised_at is None
    )
    if known:
        consent = wording.PROXY_CONSENT_SMS % {
            "hall": _escaped(settings.HALL_NAME),
            "proxy": _escaped(proxy.name),
            "proxy_phone": masked_phone(proxy.phone),
            "scope": _escaped(_scope_text(codes)),
            "until": valid_until.isoformat(),
            "code": "%(code)s",
            "minutes": "%(minutes)s",
        }
        try:
            sms_code_send(
                phone=principal.phone,
                purpose=SmsCode.Purpose.PROXY,
                requester=requester,
                source=source,
                text=consent,
            )
        except ValidationError as error:
            # Too soon, the day's cap, a failed gateway: saying so would tell the asker that
            # the person exists. The code sent before (if any) still works.
            logger.info("proxy consent code not sent: %s", error.code)
    return ProxyRequest(
        request_key=str(uuid.uuid4()),
        principal_id=principal.pk if known else None,
        relationship=relationship,
        item_codes=tuple(codes),
        valid_until=valid_until.isoformat(),
    )


def _escaped(value: str) -> str:
    return str(value).replace("%", "%%")


def proxy_request_confirm(
    *, proxy_user: User, pending: ProxyRequest, code: str, requester: str
) -> ProxyAuthorisation:
    """The principal's code, read out to the proxy, makes the authorisation (from today)."""
    proxy = _proxy_applicant(proxy_user)
    existing = ProxyAuthorisation.objects.filter(request_key=pending.request_key).first()
    if existing is not None and existing.proxy_id == proxy.pk:
        return existing
    principal = (
        Applicant.objects.filter(pk=pending.principal_id).first() if pending.principal_id else None
    )
    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": [_("请填写被代办人收到的验证码。")]})
    if principal is None or not sms_code_verify(
        phone=principal.phone, purpose=SmsCode.Purpose.PROXY, code=code, requester=requester
    ):
        raise ValidationError({"code": [WRONG_CODE]})
    relationship, codes, valid_until = _terms_checked(
        relationship=pending.relationship,
        item_codes=pending.item_codes,
        valid_until=datetime.date.fromisoformat(pending.valid_until),
    )
    return _authorisation_create(
        request_key=uuid.UUID(pending.request_key),
        principal=principal,
        proxy=proxy,
        relationship=relationship,
        item_codes=codes,
        case=None,
        valid_until=valid_until,
        confirmed_via=ProxyAuthorisation.Confirmation.SMS,
        confirmed_by=None,
    )


def proxy_grant_at_window(
    *,
    clerk: User,
    request_key: uuid.UUID,
    principal: Applicant,
    proxy_id_number: str,
    relationship: str,
    item_codes: Sequence[str] = (),
    case: Case | None = None,
    valid_until: datetime.date | None,
    both_present: bool,
) -> ProxyAuthorisation:
    """At the window, with both people and both ID cards there: the clerk records the
    authorisation (for named items, or for one of the principal's cases)."""
    if not clerk.has_perm("hall.use_workbench"):
        raise ValidationError(_("只有窗口人员可以在窗口办理代办授权。"))
    existing = ProxyAuthorisation.objects.filter(request_key=request_key).first()
    if existing is not None:
        return existing
    if principal.kind != Applicant.Kind.PERSON:
        raise ValidationError(_("亲友代办授权只适用于个人申请人。"))
    # Everything wrong is said at once (the clerk has two people waiting).
    errors: dict[str, list[str]] = {}
    if case is not None:
        if case.applicant_id != principal.pk or case.status in Case.FINAL_STATUSES:
            errors["case"] = [_("请选择被代办人本人尚未办结的办件。")]
        item_codes = [case.item.code]
    try:
        relationship, codes, valid_until = _terms_checked(
            relationship=relationship, item_codes=item_codes, valid_until=valid_until
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    id_number = validators.normalize_id_number(proxy_id_number)
    proxy = (
        Applicant.objects.filter(
            kind=Applicant.Kind.PERSON, **Applicant.id_number_lookup(id_number)
        ).first()
        if id_number
        else None
    )
    if proxy is None:
        errors["proxy_id_number"] = [_("代办人尚未登记，请先按身份证登记代办人，再办理授权。")]
    elif proxy.pk == principal.pk:
        errors["proxy_id_number"] = [_("代办人不能是被代办人本人。")]
    if not both_present:
        errors["both_present"] = [_("请核验双方身份证件原件，确认双方均在场后再办理。")]
    if errors:
        raise ValidationError(errors)
    return _authorisation_create(
        request_key=request_key,
        principal=principal,
        proxy=proxy,
        relationship=relationship,
        item_codes=[] if case is not None else codes,
        case=case,
        valid_until=valid_until,
        confirmed_via=ProxyAuthorisation.Confirmation.WINDOW,
        confirmed_by=clerk,
    )


def _authorisation_create(
    *,
    request_key: uuid.UUID,
    principal: Applicant,
    proxy: Applicant,
    relationship: str,
    item_codes: list[str],
    case: Case | None,
    valid_until: datetime.date,
    confirmed_via: str,
    confirmed_by: User | None,
) -> ProxyAuthorisation:
    now = timezone.now()
    try:
        with transaction.atomic():
            authorisation = ProxyAuthorisation.objects.create(
                code=secrets.token_urlsafe(12),
                request_key=request_key,
                principal=principal,
                proxy=proxy,
                relationship=relationship,
                scope=ProxyAuthorisation.Scope.CASE if case else ProxyAuthorisation.Scope.ITEMS,
                item_codes=item_codes,
                case=case,
                valid_from=timezone.localdate(now),
                valid_until=valid_until,
                confirmed_via=confirmed_via,
                confirmed_at=now,
                confirmed_by=confirmed_by,
            )
            scope = _scope_text(item_codes, case)
            _tell(
                people=[principal],
                key=f"proxy-granted:{authorisation.pk}",
                kind=MessageKind.PROXY_GRANTED,
                subject=str(wording.PROXY_GRANTED.subject),
                body=wording.PROXY_GRANTED.body
                % {
                    "proxy": proxy.name,
                    "relationship": authorisation.get_relationship_display(),
                    "scope": scope,
                    "from": authorisation.valid_from.isoformat(),
                    "until": valid_until.isoformat(),
                },
            )
            return authorisation
    except IntegrityError:
        existing = ProxyAuthorisation.objects.filter(request_key=request_key).first()
        if existing is None:
            raise
        return existing


def proxy_authorisation_revoke(
    *, authorisation: ProxyAuthorisation, by: User, reason: str = "", at_window: bool = False
) -> ProxyAuthorisation:
    """The principal, the proxy (giving it up) or a clerk at the window ends an authorisation
    at once; both people are told. Revoking one already revoked changes nothing."""
    with transaction.atomic():
        locked = (
            ProxyAuthorisation.objects.select_for_update(of=("self",))
            .select_related("principal", "proxy")
            .get(pk=authorisation.pk)
        )
        if at_window:
            if not by.has_perm("hall.use_workbench"):
                raise ValidationError(_("只有窗口人员可以在窗口撤销代办授权。"))
        elif by.pk not in (locked.principal.user_id, locked.proxy.user_id):
            raise ValidationError(_("没有这项代办授权。"))
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.revoked_by = by
        locked.revoke_reason = (reason or "").strip()[:200]
        locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        _tell(
            people=[locked.principal, locked.proxy],
            key=f"proxy-revoked:{locked.pk}",
            kind=MessageKind.PROXY_REVOKED,
            subject=str(wording.PROXY_REVOKED.subject),
            body=wording.PROXY_REVOKED.body
            % {
                "principal": locked.principal.name,
                "proxy": locked.proxy.name,
                "scope": _scope_text(locked.item_codes, locked.case),
                "at": timezone.localtime(locked.revoked_at).strftime("%Y-%m-%d %H:%M"),
            },
        )
        return locked


def _tell(*, people: Sequence[Applicant], key: str, kind: str, subject: str, body: str) -> None:
    """An SMS to each person, and their portal inbox when they have an account."""
    messages: list[Notification] = []
    for person in people:
        common = {"kind": kind, "subject": subject, "body": body}
        if person.phone:
            messages.append(
                notification_build(
                    dedupe_key=f"{key}:{person.pk}:sms",
                    channel=Notification.Channel.SMS,
                    address=person.phone,
                    **common,
                )
            )
        if person.user_id:
            messages.append(
                notification_build(
                    dedupe_key=f"{key}:{person.pk}:inbox",
                    channel=Notification.Channel.INBOX,
                    user_id=person.user_id,
                    **common,
                )
            )
    messages_queue(messages)
