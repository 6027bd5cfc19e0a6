"""Stage decisions by the stage lead and the final decision by the item's lead department, with
the grant or refusal notice (Art. 38: a refusal states reasons and the review rights)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from approvals.clock.deadlines import compute_deadline, yellow_from
from approvals.models import (
    CaseDecision,
    CaseStage,
    CaseStep,
)
from approvals.reviews.common import AlreadyDecided, require_officer_of, review_calendar
from approvals.reviews.locks import DECISION_LOCKED, STAGE_LOCKED
from approvals.reviews.selectors import single_decision_applies
from approvals.reviews.steps import step_decide
from approvals.workflow.driver import complete_human_task, system_user
from hall.cases import wording
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.cases.licences import (
    licence_issue,
    licence_revoke,
    materials_with_lapsed_licence_q,
)
from hall.cases.locks import cases_locked
from hall.cases.notices import notice_issue
from hall.cases.status import case_status_set
from hall.cases.wording import MessageKind
from hall.common.bulk import fields_copy
from hall.common.compiled import DATE_MARKER, KEY_MARKER, CompiledRead
from hall.models import Case, CaseMaterial, Commitment, ElectronicLicence, Notice
from hall.outbox.queue import applicant_notify


def stage_decide(*, stage: CaseStage, officer: User, approve: bool, opinion: str) -> CaseStage:
    """The stage's lead department collects the opinions and decides the stage (Art. 26)."""
    require_officer_of(officer, stage.lead_department_id)
    if not approve and not opinion.strip():
        raise ValidationError({"opinion": [_("不同意的，须说明理由。")]})
    if stage.decision_task_id is None:
        raise ValidationError(_("该阶段尚未到决定环节。"))

    decided: list[CaseStage] = []

    def record(activation) -> bool:
        locked = STAGE_LOCKED.read(stage.pk)
        if locked.decision:
            raise AlreadyDecided()
        activation.process.artifact = locked.case  # the flow's gateways read this case
        locked.decision = CaseStage.Decision.APPROVED if approve else CaseStage.Decision.REFUSED
        locked.opinion = opinion.strip() or _("同意")
        locked.decided_at = timezone.now()
        locked.decided_by = officer
        locked.save(update_fields=["decision", "opinion", "decided_at", "decided_by"])
        decided.append(locked)
        event_record(
            case=locked.case,
            action=CaseAction.STAGE_DECIDED,
            actor=officer,
            details={"stage": locked.name, "decision": locked.get_decision_display()},
        )
        return True

    with transaction.atomic():
        if not complete_human_task(stage.decision_task_id, user=officer, apply=record):
            raise AlreadyDecided()
    return fields_copy(target=stage, source=decided[0])


def case_decide(*, case: Case, officer: User, grant: bool, reasons: str) -> Notice:
    """The item's lead department issues the decision document (准予 / 不予许可决定书).

    A refusal states its reasons and the applicant's rights to review or litigation (Art. 38).
    """
    require_officer_of(officer, case.item.lead_department_id)
    reasons = reasons.strip()
    if not grant and not reasons:
        raise ValidationError({"reasons": [_("不予许可的，须说明理由。")]})
    return _case_decide(case=case, officer=officer, grant=grant, reasons=reasons)


def case_decide_instant(*, case: Case, conditions: list[str]) -> Notice:
    """秒批: the system grants by the item's rules, every one of which held (`conditions`: what
    each one says); the notice and the case log name them. Called in the acceptance's
    transaction, on a flow started without stages, so the final decision is the open task."""
    reasons = wording.instant_reasons(conditions)
    return _case_decide(case=case, officer=system_user(), grant=True, reasons=reasons, instant=True)


def _case_decide(
    *, case: Case, officer: User, grant: bool, reasons: str, instant: bool = False
) -> Notice:
    issued: list[Notice] = []

    def record(activation) -> bool:
        locked = DECISION_LOCKED.read(decision.pk)
        if locked.decision:
            raise AlreadyDecided()
        the_case = _CASE_TO_DECIDE.read(case.pk, timezone.localdate())
        if grant:
            _grant_bars_check(the_case)
        locked.decision = CaseDecision.Decision.GRANT if grant else CaseDecision.Decision.REFUSE
        locked.reasons = reasons
        locked.decided_at = timezone.now()
        locked.decided_by = officer
        if grant:
            _issuance_open(locked, item=case.item)
        locked.save(update_fields=DECIDED_FIELDS)
        activation.process.artifact = the_case  # the delivery hook reads this case
        case_status_set(case=the_case, status=Case.Status.DECIDED)
        issued.append(
            _decision_notice(
                the_case, grant=grant, reasons=reasons, officer=officer, instant=instant
            )
        )
        if grant:
            licence_issue(case=the_case, officer=officer)  # the electronic licence, if any
        event_record(
            case=the_case,
            action=CaseAction.DECIDED,
            actor=officer,
            details={"decision": locked.get_decision_display(), "notice": issued[0].number},
        )
        applicant_notify(
            case=the_case,
            key=f"notice:{issued[0].pk}",
            kind=MessageKind.DECIDED,
            subject=wording.DECIDED.subject,
            body=wording.DECIDED.body
            % {
                "item": the_case.item.name,
                "decision": locked.get_decision_display(),
                "window": str(the_case.window) if the_case.window_id else _("服务大厅"),
            },
        )
        return True

    with transaction.atomic():
        decision = CaseDecision.objects.get(case=case)
        if decision.decision_task_id is None:
            raise ValidationError(_("该办件尚未到决定环节。"))
        if not complete_human_task(decision.decision_task_id, user=officer, apply=record):
            raise AlreadyDecided()
    return issued[0]


_outstanding_supplements = CaseMaterial.objects.filter(
    case=OuterRef("pk"), deferred_until__isnull=False, supplied_at__isnull=True
)
# 容缺受理: a supplement recorded after the date the 容缺受理通知书 set is no supplement
_late_supplements = CaseMaterial.objects.filter(
    case=OuterRef("pk"), deferred_until__isnull=False, supplied_at__date__gt=F("deferred_until")
)
# 告知承诺制: a commitment found false before the decision
_false_commitment = Commitment.objects.filter(case=OuterRef("pk"), outcome=Commitment.Outcome.FALSE)


def _lapsed_licences(today):
    return CaseMaterial.objects.filter(
        materials_with_lapsed_licence_q(on=today, holder=OuterRef("applicant_id")),
        case=OuterRef("pk"),
    )


# The case locked for its decision with what bars a grant, read with it rather than in queries
# of their own; compiled once per process (`hall.common.compiled`).
_CASE_TO_DECIDE = CompiledRead(
    lambda pk, today: (
        cases_locked(Case.objects.filter(pk=pk))
        .select_related("item", "item__lead_department", "applicant", "owner", "window")
        .annotate(
            supplements_outstanding=Exists(_outstanding_supplements),
            supplements_late=Exists(_late_supplements),
            commitment_false=Exists(_false_commitment),
            licences_lapsed=Exists(_lapsed_licences(today)),
        )
    ),
    markers=(KEY_MARKER, DATE_MARKER),
)


def _grant_bars_check(case: Case) -> None:
    """What the law leaves a grant no room for: each one can only be refused (with reasons)."""
    if case.supplements_outstanding:
        raise ValidationError(
            _(
                "容缺受理的材料尚未补齐，不能作出准予许可决定；"
                "补齐期限届满仍未补齐的，应作出不予许可决定并说明理由。"
            ),
            code="supplements_outstanding",
        )
    if case.supplements_late:
        raise ValidationError(
            _(
                "容缺受理的材料补齐时已超过容缺受理通知书载明的期限，不能作出准予许可决定；"
                "应作出不予许可决定并说明理由。"
            ),
            code="supplements_late",
        )
    if case.commitment_false:
        commitment = Commitment.objects.select_related("notice").get(case=case)
        raise ValidationError(
            _(
                "告知承诺经核查不实（%(number)s：%(note)s），不能作出准予许可决定；"
                "应作出不予许可决定，并在理由中写明承诺不实（国办发〔2020〕42号）。"
            )
            % {"number": commitment.notice.number, "note": commitment.note},
            code="commitment_false",
        )
    if case.licences_lapsed:
        names = "、".join(
            CaseMaterial.objects.filter(
                materials_with_lapsed_licence_q(on=timezone.localdate(), holder=case.applicant_id),
                case=case,
            )
            .order_by("pk")
            .values_list("name", flat=True)
        )
        raise ValidationError(
            _(
                "“%(names)s”取自电子证照库的证照已撤销、过期或不再属于申请人，"
                "不能据此准予许可；应要求补正或作出不予许可决定。"
            )
            % {"names": names},
            code="licence_lapsed",
        )


DECIDED_FIELDS = (
    "decision",
    "reasons",
    "decided_at",
    "decided_by",
    "issue_due_date",
    "issue_due_at",
    "issue_warn_on",
)


def _decision_notice(
    case: Case, *, grant: bool, reasons: str, officer: User, instant: bool = False
) -> Notice:
    if instant:
        paragraphs = wording.instant_grant_paragraphs(case=case, reasons=reasons)
        return notice_issue(
            case=case,
            kind=Notice.Kind.GRANT,
            issued_by=officer,
            paragraphs=paragraphs,
            issuer=case.item.lead_department.name,
        )
    opinions = [
        f"{step.department.name}：{step.get_status_display()}（{wording.clause(step.opinion)}）"
        for step in case.steps.select_related("department").order_by("case_stage__number", "order")
    ]
    if grant:
        paragraphs = wording.grant_paragraphs(case=case, opinions=opinions, reasons=reasons)
        return notice_issue(
            case=case,
            kind=Notice.Kind.GRANT,
            issued_by=officer,
            paragraphs=paragraphs,
            issuer=case.item.lead_department.name,  # the licensing organ seals its decision
        )
    paragraphs = wording.refusal_paragraphs(case=case, reasons=reasons)
    return notice_issue(
        case=case,
        kind=Notice.Kind.REFUSAL,
        issued_by=officer,
        paragraphs=paragraphs,
        footer_notes=[wording.REVIEW_RIGHTS],
        issuer=case.item.lead_department.name,
    )


def _issuance_open(decision: CaseDecision, *, item) -> None:
    """Art. 44: the licence is issued and delivered within 10 working days of the grant (the
    item may promise fewer). The deadline is stored and warned like a step's."""
    calendar = review_calendar()
    deadline = compute_deadline(
        calendar=calendar,
        start=timezone.localdate(decision.decided_at),
        working_days=item.issuance_days,
    )
    decision.issue_due_date = deadline.due_date
    decision.issue_due_at = deadline.due_at
    decision.issue_warn_on = yellow_from(
        calendar=calendar, due_date=deadline.due_date, yellow_days=settings.HALL_WARNING_YELLOW_DAYS
    )


# Legal bases of the two revocations the hall makes itself (行政许可法第六十九条).
REVOKE_BASIS_FALSE_COMMITMENT = _lazy(
    "《中华人民共和国行政许可法》第六十九条第二款；《国务院办公厅关于全面推行证明事项和涉企经营许可事项"
    "告知承诺制的指导意见》（国办发〔2020〕42号）"
)
REVOKE_BASIS_CONDITIONS_NOT_MET = _lazy(
    "《中华人民共和国行政许可法》第六十九条第一款第（四）项（对不符合法定条件的申请人准予行政许可）"
)


def case_decision_revoke(*, case: Case, by: User, reason: str, basis: str, notify_key: str) -> bool:
    """Revoke a case's grant found wanting after the fact (a failed sampling of an instant
    approval, a false written commitment): the decision itself becomes revoked (who, when, why,
    on what legal basis), its electronic licence is revoked, the revocation goes on the case's
    log and the applicant is told. False, and nothing done, when the case has no grant or the
    grant is revoked already (a second call changes nothing)."""
    with transaction.atomic():
        decision = (
            CaseDecision.objects.select_for_update(of=("self",))
            .filter(case=case, decision=CaseDecision.Decision.GRANT, revoked_at__isnull=True)
            .first()
        )
        if decision is None:
            return False
        decision.revoked_at = timezone.now()
        decision.revoked_by = by
        decision.revocation_reason = reason[:500]
        decision.revocation_basis = str(basis)[:200]
        decision.save(
            update_fields=["revoked_at", "revoked_by", "revocation_reason", "revocation_basis"]
        )
        licence = ElectronicLicence.objects.filter(case=case).first()
        if licence is not None:
            licence_revoke(licence=licence, by=by, reason=reason)
        event_record(
            case=case,
            action=CaseAction.DECISION_REVOKED,
            actor=by,
            details={"reason": reason, "basis": str(basis)},
        )
        applicant_notify(
            case=case,
            key=notify_key,
            kind=MessageKind.DECISION_REVOKED,
            subject=wording.DECISION_REVOKED.subject,
            body=wording.DECISION_REVOKED.body
            % {"item": case.item.name, "reason": reason, "basis": basis},
        )
    return True


def case_decide_at_once(*, step: CaseStep, officer: User, grant: bool, reasons: str) -> Notice:
    """The one decision of a one-department case: the step's opinion, the stage's decision and
    the decision notice, in one transaction (any refusal undoes all three)."""
    require_officer_of(officer, step.case.item.lead_department_id)
    if not single_decision_applies(step=step):
        raise ValidationError(_("该办件有多个审查部门或阶段，请分别提交审查意见和决定。"))
    reasons = reasons.strip()
    if not grant and not reasons:
        raise ValidationError({"opinion": [_("不予许可的，须说明理由。")]})
    with transaction.atomic():
        step_decide(step=step, officer=officer, approve=grant, opinion=reasons)
        stage = CaseStage.objects.get(case_id=step.case_id)
        stage_decide(stage=stage, officer=officer, approve=grant, opinion=reasons)
        case = Case.objects.select_related("item").get(pk=step.case_id)
        return case_decide(case=case, officer=officer, grant=grant, reasons=reasons)
