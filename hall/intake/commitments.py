"""证明事项告知承诺制 (国办发〔2020〕42号, the State Council's guidance on written commitments
in place of proof materials and business licences).

The catalogue says which items apply it (never one directly touching public safety, the
environment, or health and life) and which of their proof materials a written commitment may
replace, with the commitment's text, the liability for a false one, and how many working days
the competent department has to verify it. At the window the clerk marks such a material
"以告知承诺替代"; on acceptance the hall issues the numbered, printable 证明事项告知承诺书 for the
applicant to sign, and opens its verification. A commitment found false revokes the decision
(and its licence), puts a credit mark on the applicant and tells them; supervision lists the
verifications due and overdue.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.clock.calendar import working_calendar
from approvals.models import ServiceItem
from approvals.reviews.decisions import REVOKE_BASIS_FALSE_COMMITMENT, case_decision_revoke
from hall.cases import wording
from hall.cases.actions import CaseAction
from hall.cases.credit import credit_mark_record
from hall.cases.events import event_record
from hall.cases.notices import notice_issue
from hall.cases.pdf.document import NoticeTable, format_chinese_date
from hall.cases.wording import MessageKind
from hall.models import Case, CaseMaterial, Commitment
from hall.outbox.queue import applicant_notify


def commitment_possible(item: ServiceItem, requirement) -> bool:
    """Whether a written commitment may replace this material of this item: the item applies
    commitments, touches no excluded risk domain, and marks the material."""
    return (
        item.commitment_allowed
        and item.risk_domain == ServiceItem.RiskDomain.NONE
        and requirement.commitment_allowed
    )


def commitment_allowed(material: CaseMaterial, *, item: ServiceItem | None = None) -> bool:
    """`commitment_possible` for a material of a case."""
    return commitment_possible(item or material.case.item, material.requirement)


def commitment_sign_locked(*, case: Case, clerk: User | None, materials) -> Commitment:
    """At acceptance (in its transaction, the case locked): the 告知承诺书 for the materials the
    applicant committed to, and the verification it opens. Each material must allow it."""
    refused = [m.name for m in materials if not commitment_allowed(m, item=case.item)]
    if refused:
        raise ValidationError(
            _("“%(names)s”不能以告知承诺替代。") % {"names": "、".join(refused)},
            code="commitment_not_allowed",
        )
    item = case.item
    today = timezone.localdate()
    verify_due = working_calendar().add_working_days(today, item.commitment_verify_days)
    notice = notice_issue(
        case=case,
        kind="commitment",
        issued_by=clerk,
        paragraphs=[
            f"申请人就“{item.name}”申请，对以下证明事项作出书面承诺，不再提交相应证明材料：",
            f"承诺内容：{item.commitment_text}",
            f"承诺不实的责任：{item.commitment_liability}",
            f"主管部门将于{format_chinese_date(verify_due)}前对承诺内容进行核查。",
            "申请人签名（盖章）：＿＿＿＿＿＿＿＿　　日期：＿＿＿＿＿＿",
        ],
        table=NoticeTable(
            header=("以承诺替代的证明材料", "承诺"),
            rows=[(m.name, "已具备该材料所证明的条件") for m in materials],
        ),
        footer_notes=[
            "依据《国务院办公厅关于全面推行证明事项和涉企经营许可事项告知承诺制的指导意见》（国办发〔2020〕42号）。"
        ],
    )
    commitment = Commitment.objects.create(
        case=case,
        notice=notice,
        materials=[m.name for m in materials],
        signed_at=timezone.now(),
        # online the applicant confirmed with an SMS code when filing; at the window they sign
        signed_via="sms" if case.channel == Case.Channel.ONLINE else "window",
        verify_due=verify_due,
    )
    event_record(
        case=case,
        action=CaseAction.COMMITMENT_SIGNED,
        actor=clerk,
        details={
            "notice": notice.number,
            "materials": commitment.materials,
            "verify_due": verify_due.isoformat(),
        },
    )
    return commitment


def commitment_verify(*, commitment: Commitment, by: User, truthful: bool, note: str) -> Commitment:
    """The competent department's (or supervision's) verification outcome. A false commitment
    revokes the decision and its licence, marks the applicant's credit and tells them."""
    note = note.strip()
    if not truthful and not note:
        raise ValidationError({"note": [_("承诺不实的，须写明核查情况。")]})
    with transaction.atomic():
        locked = (
            Commitment.objects.select_for_update(of=("self",))
            .select_related("case", "case__item", "case__applicant")
            .get(pk=commitment.pk)
        )
        if locked.outcome != Commitment.Outcome.PENDING:
            raise ValidationError(_("该告知承诺已核查。"))
        locked.outcome = Commitment.Outcome.TRUE if truthful else Commitment.Outcome.FALSE
        locked.verified_at = timezone.now()
        locked.verified_by = by
        locked.note = note
        locked.save(update_fields=["outcome", "verified_at", "verified_by", "note"])
        case = locked.case
        event_record(
            case=case,
            action=CaseAction.COMMITMENT_VERIFIED,
            actor=by,
            details={"outcome": locked.get_outcome_display(), "note": note},
        )
        if truthful:
            return locked
        reason = _("告知承诺不实：%(note)s") % {"note": note}
        credit_mark_record(applicant=case.applicant, case=case, reason=reason, by=by)
        revoked = case_decision_revoke(
            case=case,
            by=by,
            reason=reason,
            basis=REVOKE_BASIS_FALSE_COMMITMENT,
            notify_key=f"commitment:{locked.pk}:revoked",
        )
        applicant_notify(
            case=case,
            key=f"commitment:{locked.pk}:false",
            kind=MessageKind.COMMITMENT_FALSE,
            subject=wording.COMMITMENT_FALSE.subject,
            body=wording.COMMITMENT_FALSE.body
            % {
                "item": case.item.name,
                "note": note,
                "revoked": _("许可决定已依法撤销。")
                if revoked
                else _("在作出决定前核查不实的，不予许可。"),
            },
        )
        return locked


def commitments_to_verify(*, limit: int = 100):
    """Verifications still open, soonest due first (supervision marks the overdue)."""
    return (
        Commitment.objects.filter(outcome=Commitment.Outcome.PENDING)
        .select_related("case", "case__item", "notice")
        .order_by("verify_due", "pk")[:limit]
    )
