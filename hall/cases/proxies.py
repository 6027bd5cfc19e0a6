"""亲友代办 in the case kernel: may this signed-in person act for that applicant, today, on this
item or this case; and the record of each act.

Every act takes the authorisation's row lock in the act's own transaction, and a revocation
takes the same lock: once a revocation has committed no act can pass, and an act that passed
first commits before the revocation does ("stops at once").
"""

from __future__ import annotations

import datetime
import uuid

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.cases import wording
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.cases.wording import MessageKind, ProxyAct
from hall.common.validators import id_number_birth_date
from hall.models import Applicant, Case, ProxyAuthorisation
from hall.outbox.queue import applicant_notify

# 国办发〔2020〕45号: the window and the kiosk offer a relative's help to people this old or older
ELDER_AGE = 70


class ProxyRefused(ValidationError):
    """The authorisation does not let this person do this (any more)."""


def proxy_authorisation_checked(
    *,
    user: User,
    code: str,
    item_code: str | None = None,
    case: Case | None = None,
    lock: bool = False,
) -> ProxyAuthorisation:
    """The signed-in proxy's own authorisation `code`, in force today and, when given, covering
    a new filing of `item_code` or the principal's `case`. With `lock`, read under its row lock
    (inside the act's transaction). Anything else raises ProxyRefused with the reason; an
    authorisation of someone else reads as one that does not exist."""
    rows = ProxyAuthorisation.objects.select_related("principal", "proxy")
    if lock:
        rows = rows.select_for_update(of=("self",))
    authorisation = rows.filter(code=code, proxy__user=user).first() if code else None
    if authorisation is None:
        raise ProxyRefused(_("没有这项代办授权。"), code="proxy_unknown")
    today = timezone.localdate()
    state = authorisation.state_on(today)
    if state == ProxyAuthorisation.State.REVOKED:
        raise ProxyRefused(
            _("这项代办授权已撤销，不能再代%(name)s办理。")
            % {"name": authorisation.principal.name},
            code="proxy_revoked",
        )
    if state == ProxyAuthorisation.State.EXPIRED:
        raise ProxyRefused(
            _("这项代办授权已于%(date)s到期，请重新申请授权。")
            % {"date": authorisation.valid_until.isoformat()},
            code="proxy_expired",
        )
    if state == ProxyAuthorisation.State.NOT_YET:
        raise ProxyRefused(
            _("这项代办授权自%(date)s起生效。") % {"date": authorisation.valid_from.isoformat()},
            code="proxy_not_yet",
        )
    if case is not None:
        if case.applicant_id != authorisation.principal_id or not authorisation.covers(
            item_code=case.item.code, case_id=case.pk
        ):
            raise ProxyRefused(_("这个办件不在代办授权范围内。"), code="proxy_scope")
    elif item_code is not None and not authorisation.covers(item_code=item_code):
        raise ProxyRefused(_("这个事项不在代办授权范围内。"), code="proxy_scope")
    return authorisation


def proxy_act_record(
    *, authorisation: ProxyAuthorisation, case: Case, act: ProxyAct, user: User
) -> None:
    """Log the act on the case as done by the proxy for the principal, and tell the principal
    (SMS, and their inbox when they have an account). Call inside the act's transaction."""
    event = event_record(
        case=case,
        action=CaseAction.PROXY_ACTED,
        actor=user,
        on_behalf_of=authorisation.principal,
        details={
            "act": act.value,
            "proxy": authorisation.proxy.name,
            "relationship": authorisation.relationship,
            "authorisation": authorisation.code,
        },
    )
    applicant_notify(
        case=case,
        key=f"proxy:{authorisation.pk}:{case.pk}:{act.value}:{event.pk or uuid.uuid4()}",
        kind=MessageKind.PROXY_ACTED,
        subject=wording.PROXY_ACTED.subject % {"receipt": case.receipt_no},
        body=wording.PROXY_ACTED.body
        % {
            "proxy": authorisation.proxy.name,
            "act": act.label,
            "item": case.item.name,
            "receipt": case.receipt_no,
        },
    )


def proxy_label(authorisation: ProxyAuthorisation) -> str:
    """ "张小红（子女）代张大山": how notices and pages name a proxy's act."""
    return _("%(proxy)s（%(relationship)s）代%(principal)s") % {
        "proxy": authorisation.proxy.name,
        "relationship": authorisation.get_relationship_display(),
        "principal": authorisation.principal.name,
    }


def age_on(applicant: Applicant, day: datetime.date) -> int | None:
    """Full years on `day`, from the ID number's birth date (None for an enterprise)."""
    return age_from_id_number(applicant.id_number, day) if applicant.id_number else None


def age_from_id_number(id_number: str, day: datetime.date) -> int | None:
    """Full years on `day` of the person with this ID number (None if it has no birth date)."""
    born = id_number_birth_date(id_number)
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def proxy_offered(applicant: Applicant, day: datetime.date) -> bool:
    """The window and the kiosk offer 亲友代办 to people aged 70 or over."""
    age = age_on(applicant, day)
    return age is not None and age >= ELDER_AGE


def proxies_active_count(*, principal: Applicant) -> int:
    today = timezone.localdate()
    return ProxyAuthorisation.objects.filter(
        principal=principal,
        revoked_at__isnull=True,
        valid_from__lte=today,
        valid_until__gte=today,
    ).count()
