"""Progress lookup (办件进度查询): who may see a case without an account, and what they see.

Two ways in, both without an account:
- the receipt number with the verification code printed on the case's notices;
- an identity number with an SMS code sent to the phone registered for that identity.

No enumeration. A wrong code and an unknown receipt number give the same message, status code
and (as far as one database read and one constant-time comparison go) the same timing; failures
are limited per client address (`LOOKUP_FAILURES` per `LOOKUP_WINDOW_SECONDS`); a receipt number
or identity guessed at from many addresses is slowed down, never locked, so that nobody can lock
its owner out (hall.platform.attempts); the limits apply whether the receipt exists or not. The
identity path always answers "if this number is registered, a code was sent".

After a successful lookup the session holds access to those receipts only, for a short time
(3 minutes on the hall's kiosks, where the next person stands behind you).

The limiter uses django-ratelimit's counters in the shared cache (Redis when the hall has it):
fixed windows with a per-key offset, IPv6 clients counted per /64. If the cache fails, the
limiter fails closed (django-ratelimit's default) and the lookup refuses rather than opens up.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage

from approvals.models import CaseDecision, CaseStep, StepSuspension
from hall.cases.selectors import case_notices
from hall.cases.wording import ProxyAct
from hall.common import validators
from hall.common.personal_data import masked_name
from hall.models import Case, CorrectionItem, Notice, ProxyAuthorisation, UploadedMaterial
from hall.platform.attempts import AttemptRule, attempt_allowed, request_source
from hall.platform.attempts import attempt_failed as record_failure

LOOKUP_FAILURES = 5  # per client address, in LOOKUP_WINDOW_SECONDS
LOOKUP_WINDOW_SECONDS = 15 * 60
SUBJECT_SLOWDOWN_AFTER = 10  # failures on one receipt/identity/phone from all addresses, then
SUBJECT_INTERVAL_SECONDS = 10  # one attempt on it per this many seconds, whoever makes it
SEND_LIMIT = "10/h"  # SMS code requests per client address
ACCESS_SECONDS = 10 * 60
KIOSK_ACCESS_SECONDS = 3 * 60
SESSION_KEY = "hall.lookup.access"
RECEIPT_SHAPE = re.compile(r"[A-Z]{2}[0-9]{13}")


def _subject_key(subject: str) -> str:
    # Receipt numbers and identity numbers never reach the cache in clear.
    return hashlib.sha256(subject.encode()).hexdigest()


def _usage(request: HttpRequest, *, group: str, key, rate: str, increment: bool) -> dict | None:
    return get_usage(request, group=group, key=key, rate=rate, increment=increment)


def _rule(subject_kind: str) -> AttemptRule:
    return AttemptRule(
        name=f"lookup.{subject_kind}",
        per_source=LOOKUP_FAILURES,
        window_seconds=LOOKUP_WINDOW_SECONDS,
        slowdown_after=SUBJECT_SLOWDOWN_AFTER,
        interval_seconds=SUBJECT_INTERVAL_SECONDS,
    )


def attempts_blocked(request: HttpRequest, *, subject_kind: str, subject: str) -> bool:
    """True when this client address has failed too often, or this subject (a receipt number,
    an identity, a phone signing in) is being guessed at from many addresses and its one attempt
    of the interval is taken; checked before the attempt, whatever the subject is. Nobody can
    lock a subject's owner out: failures from elsewhere only slow the subject down
    (hall.platform.attempts)."""
    return not attempt_allowed(
        rule=_rule(subject_kind), source=request_source(request), subject=_subject_key(subject)
    )


def attempt_failed(request: HttpRequest, *, subject_kind: str, subject: str) -> None:
    record_failure(
        rule=_rule(subject_kind), source=request_source(request), subject=_subject_key(subject)
    )


def sms_send_allowed(request: HttpRequest, *, group: str) -> bool:
    """Counts one SMS code request from this client address; False past `SEND_LIMIT`."""
    usage = _usage(
        request, group=f"hall.sms.send.{group}", key="ip", rate=SEND_LIMIT, increment=True
    )
    return usage is None or not usage["should_limit"]


def normalize_receipt_no(value: str) -> str:
    return validators.normalize_uscc(value)  # NFKC, no spaces, upper case


def case_by_receipt_and_code(*, receipt_no: str, code: str) -> Case | None:
    """The case if the code is its verification code, else None, whichever part was wrong.

    Both outcomes run one query and one constant-time comparison of equal-length strings.
    """
    receipt_no = normalize_receipt_no(receipt_no)
    code = validators.normalize_id_number(code)  # NFKC folds full-width digits; no spaces
    case = None
    if RECEIPT_SHAPE.fullmatch(receipt_no):
        case = Case.objects.filter(receipt_no=receipt_no).only("pk", "verification_code").first()
    expected = case.verification_code if case is not None else f"{secrets.randbelow(10**6):06d}"
    matches = constant_time_compare(code, expected)
    return case if (case is not None and matches) else None


def _now() -> datetime.datetime:
    return timezone.now()


def lookup_access_grant(request: HttpRequest, *, receipts: Iterable[str], kiosk: bool) -> None:
    """Let this session see these receipts for a short while. A new session key is issued so
    that an access cannot ride on a session id someone else planted."""
    seconds = KIOSK_ACCESS_SECONDS if kiosk else ACCESS_SECONDS
    request.session.cycle_key()
    request.session[SESSION_KEY] = {
        "receipts": sorted(set(receipts)),
        "until": (_now() + datetime.timedelta(seconds=seconds)).timestamp(),
        "kiosk": kiosk,
    }


def lookup_access(request: HttpRequest) -> dict | None:
    """The live access of this session, or None (an expired one is removed)."""
    access = request.session.get(SESSION_KEY)
    if not access:
        return None
    if float(access.get("until", 0)) <= _now().timestamp():
        request.session.pop(SESSION_KEY, None)
        return None
    return access


def lookup_access_allows(request: HttpRequest, *, receipt_no: str) -> bool:
    access = lookup_access(request)
    return access is not None and receipt_no in access["receipts"]


def lookup_access_end(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def lookup_access_seconds_left(request: HttpRequest) -> int:
    access = lookup_access(request)
    return max(0, int(float(access["until"]) - _now().timestamp())) if access else 0


MILESTONES = {
    "received": _("收件"),
    "correction_requested": _("出具一次性补正告知书"),
    "correction_uploaded": _("网上提交补正材料，待窗口核对"),
    "correction_supplied": _("补正材料已核收"),
    "accepted": _("受理"),
    "deemed_accepted": _("逾期视为受理"),
    "not_accepted": _("不予受理"),
    "referred": _("转办"),
    "correction_asked_by_department": _("部门要求补正"),
    "department_correction_supplied": _("部门要求的补正材料已补齐"),
    "special_procedure_started": _("特别程序（不计入审批期限）"),
    "special_procedure_ended": _("特别程序结束，审查期限继续计算"),
    "special_procedure": _("特别程序（不计入审批期限）"),  # rows written before the split
    "proxy_acted": _("亲友代办"),
    "extension": _("延长审批期限"),
    "stage_decided": _("阶段审批完成"),
    "decided": _("作出审批决定"),
    "delivered": _("送达"),
    "closed": _("办结"),
}


def _milestone_label(event) -> str:
    label = str(MILESTONES[event.action])
    if event.action == "deemed_accepted" and event.details.get("accepted_on"):
        # Art. 32: say plainly from which day the law counts the filing as accepted.
        label += str(_("（自%(date)s起视为受理）") % {"date": event.details["accepted_on"]})
    if event.action == "proxy_acted":
        # "by X for Y": the proxy's family name only, for whoever holds the receipt and code
        details = event.details
        act = details.get("act", "")
        label += str(
            _("：%(proxy)s（%(relationship)s）代为%(act)s")
            % {
                "proxy": masked_name(details.get("proxy", "")),
                "relationship": ProxyAuthorisation.Relationship(details["relationship"]).label
                if details.get("relationship") in ProxyAuthorisation.Relationship.values
                else "",
                "act": ProxyAct(act).label if act in ProxyAct.values else act,
            }
        )
    return label


@dataclass(frozen=True)
class Milestone:
    at: datetime.datetime
    action: str
    label: str


@dataclass(frozen=True)
class StepRow:
    department: str
    name: str
    status: str
    status_label: str
    due_date: datetime.date | None
    suspension: str = ""


@dataclass(frozen=True)
class StageRow:
    number: int
    name: str
    decision: str
    decision_label: str
    steps: list[StepRow]

    @property
    def title(self) -> str:
        prefix = str(_("第%(number)s阶段") % {"number": self.number})
        return self.name if self.name.startswith(prefix) else f"{prefix} {self.name}"


@dataclass(frozen=True)
class OpenCorrection:
    source: str
    material: str
    reason: str
    notice_number: str
    material_id: int | None = None
    uploaded_pending_check: bool = False


@dataclass(frozen=True)
class CaseTimeline:
    case: Case
    milestones: list[Milestone]
    stages: list[StageRow]
    corrections: list[OpenCorrection]
    notices: list[Notice]
    promised_due_date: datetime.date | None
    statutory_due_date: datetime.date | None
    extra: dict = field(default_factory=dict)


def _intake_corrections(case: Case) -> list[OpenCorrection]:
    items = (
        CorrectionItem.objects.filter(material__case=case, supplied_at__isnull=True)
        .select_related("material", "notice")
        .order_by("notice__issued_at", "pk")
    )
    pending = set(
        UploadedMaterial.objects.filter(
            material__case=case,
            material__corrections__supplied_at__isnull=True,
            uploaded_at__gt=F("material__corrections__notice__issued_at"),
        ).values_list("material_id", flat=True)
    )
    seen: set[int] = set()
    rows = []
    for item in items:
        if item.material_id in seen:
            continue
        seen.add(item.material_id)
        rows.append(
            OpenCorrection(
                source=str(_("窗口受理")),
                material=item.material.name,
                reason=item.reason,
                notice_number=item.notice.number,
                material_id=item.material_id,
                uploaded_pending_check=item.material_id in pending,
            )
        )
    return rows


def _department_corrections(case: Case) -> list[OpenCorrection]:
    rows = []
    suspensions = StepSuspension.objects.filter(
        step__case=case,
        step__status=CaseStep.Status.SUSPENDED,
        kind=StepSuspension.Kind.CORRECTION,
        ends_on__isnull=True,
    ).select_related("step__department", "notice")
    for suspension in suspensions:
        table = (suspension.notice.content or {}).get("table") if suspension.notice else None
        listed = [tuple(row) for row in (table or {}).get("rows", [])] or [(suspension.reason, "")]
        for name, reason in listed:
            rows.append(
                OpenCorrection(
                    source=suspension.step.department.name,
                    material=name,
                    reason=reason,
                    notice_number=suspension.notice.number if suspension.notice else "",
                )
            )
    return rows


def case_timeline(*, case: Case) -> CaseTimeline:
    """What the applicant may know of a case: milestones, each department's step with its state
    and deadline, what is still to be corrected, the notices, and the promised date."""
    milestones = [
        Milestone(at=event.at, action=event.action, label=_milestone_label(event))
        for event in case.events.filter(action__in=list(MILESTONES)).order_by("at", "pk")
    ]
    open_suspensions = {
        suspension.step_id: suspension.get_kind_display()
        for suspension in StepSuspension.objects.filter(step__case=case, ends_on__isnull=True)
    }
    stages = []
    for stage in case.stages.order_by("number").prefetch_related("steps__department"):
        steps = [
            StepRow(
                department=step.department.name,
                name=step.name,
                status=step.status,
                status_label=step.get_status_display(),
                due_date=step.due_date,
                suspension=str(open_suspensions.get(step.pk, "")),
            )
            for step in sorted(stage.steps.all(), key=lambda s: (s.order, s.pk))
        ]
        stages.append(
            StageRow(
                number=stage.number,
                name=stage.name,
                decision=stage.decision,
                decision_label=stage.get_decision_display(),
                steps=steps,
            )
        )
    return CaseTimeline(
        case=case,
        milestones=milestones,
        stages=stages,
        corrections=_intake_corrections(case) + _department_corrections(case),
        notices=list(case_notices(case=case).order_by("issued_at", "pk")),
        promised_due_date=case.promised_due_date,
        statutory_due_date=case.statutory_due_date,
    )


def case_delivery(*, case: Case) -> CaseDecision | None:
    """The decision's delivery, once delivered (how, the carrier's tracking number, the
    locker), for the lookup page; None before."""
    return CaseDecision.objects.filter(case=case, delivered_at__isnull=False).first()


def case_revocation(*, case: Case) -> CaseDecision | None:
    """The case's grant if it was revoked afterwards (Art. 69: who, when, why, on what basis),
    for the applicant's lookup; None otherwise."""
    return CaseDecision.objects.filter(case=case, revoked_at__isnull=False).first()


def cases_for_lookup(*, receipts: Iterable[str]) -> QuerySet[Case]:
    return (
        Case.objects.filter(receipt_no__in=list(receipts))
        .select_related("item", "applicant")
        .order_by("-created_at")
    )
