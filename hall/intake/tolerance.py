"""容缺受理: accepting a filing whose only missing materials are secondary ones, on the
applicant's signed commitment to supply them by a deadline (国办发〔2022〕32号 and the provinces'
容缺受理 rules).

The catalogue marks which materials are secondary (`MaterialRequirement.secondary`); a main
material is never tolerated. The deadline may not pass the item's promised limit. An applicant
with an open credit mark is not offered 容缺. The hall issues a 容缺受理通知书 naming each missing
material, how it is to be supplied and by when; the review starts at once, but no grant can be
made until every tolerated material is in (approvals.reviews.decisions refuses it), and after
the deadline only a refusal with reasons is left.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.clock.calendar import working_calendar
from approvals.clock.deadlines import compute_deadline
from hall.cases import wording
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.cases.locks import case_locked
from hall.cases.notices import notice_issue
from hall.cases.pdf.document import NoticeTable, format_chinese_date
from hall.cases.selectors import applicant_credit_marked
from hall.cases.wording import MessageKind
from hall.common.bulk import rows_update
from hall.intake.acceptance import case_accept_locked
from hall.models import Case, CaseMaterial, Notice
from hall.outbox.queue import applicant_notify

Form = CaseMaterial.SupplementForm


def tolerance_latest_deadline(case: Case, *, today: datetime.date) -> datetime.date:
    """The latest supplement deadline: the item's promised limit counted from today."""
    return compute_deadline(
        calendar=working_calendar(), start=today, working_days=max(case.item.promised_days, 1)
    ).due_date


def tolerance_offered(case: Case) -> bool:
    """Whether the window may offer 容缺 for this case at all: the item has a secondary material
    and the applicant has no open credit mark."""
    if case.status != Case.Status.RECEIVED:
        return False
    if not case.materials.filter(requirement__secondary=True).exists():
        return False
    return not applicant_credit_marked(applicant_id=case.applicant_id)


def case_accept_tolerant_locked(
    *,
    case: Case,
    clerk: User,
    deadline: datetime.date,
    supplement_form: str,
    commitment_signed: bool,
) -> Notice:
    """容缺受理 for a case this transaction holds locked, its marks recorded: the missing
    materials deferred to `deadline`, the acceptance and the 容缺受理通知书 issued, the review
    started. Returns the 容缺受理通知书."""
    if not commitment_signed:
        raise ValidationError(_("容缺受理须由申请人签署容缺受理承诺书。"))
    if applicant_credit_marked(applicant_id=case.applicant_id):
        raise ValidationError(_("申请人有未消除的失信记录，不适用容缺受理。"))
    if supplement_form not in Form.values:
        raise ValidationError(_("请选择容缺材料的补齐方式。"))
    today = timezone.localdate()
    latest = tolerance_latest_deadline(case, today=today)
    if deadline <= today:
        raise ValidationError(_("补齐期限须晚于今天。"))
    if deadline > latest:
        raise ValidationError(
            _("补齐期限不得超过本事项的承诺办结期限（%(latest)s）。")
            % {"latest": latest.isoformat()}
        )
    wanting = list(
        case.materials.select_related("requirement").exclude(status=CaseMaterial.Status.RECEIVED)
    )
    if not wanting:
        raise ValidationError(_("材料已齐全，请直接受理。"))
    if any(m.status == CaseMaterial.Status.PENDING for m in wanting):
        raise ValidationError(_("请先核对全部材料，再容缺受理。"))
    main = [m.name for m in wanting if not m.requirement.secondary]
    if main:
        raise ValidationError(
            _("“%(names)s”是主要材料，不能容缺受理，请出具一次性补正告知书。")
            % {"names": "、".join(main)}
        )
    for material in wanting:
        material.deferred_until = deadline
        material.supplement_form = supplement_form
    rows_update(list(wanting), ["deferred_until", "supplement_form"])
    case_accept_locked(case=case, clerk=clerk, deemed=False, tolerated=True)
    form_label = Form(supplement_form).label
    notice = notice_issue(
        case=case,
        kind=Notice.Kind.TOLERANCE,
        issued_by=clerk,
        paragraphs=[
            f"你（单位）提交的“{case.item.name}”申请，主要申请材料齐全、符合法定形式，"
            "次要材料暂缺。根据你（单位）签署的容缺受理承诺书，本机关予以容缺受理，"
            "审查即时开始。",
            f"请于{format_chinese_date(deadline)}前按下表补齐所缺材料。材料补齐前不作出准予许可"
            "决定；逾期未补齐的，本机关将依法作出不予许可决定。",
        ],
        table=NoticeTable(
            header=("所缺材料", "补齐方式", "补齐期限"),
            rows=[(m.name, str(form_label), deadline.isoformat()) for m in wanting],
        ),
        footer_notes=["申请人对所作承诺的真实性负责；承诺不实的，依法承担相应责任并记入信用记录。"],
    )
    event_record(
        case=case,
        action=CaseAction.TOLERANCE_ACCEPTED,
        actor=clerk,
        details={
            "notice": notice.number,
            "materials": [m.name for m in wanting],
            "deadline": deadline.isoformat(),
            "form": str(form_label),
        },
    )
    applicant_notify(
        case=case,
        key=f"notice:{notice.pk}",
        kind=MessageKind.TOLERANCE,
        subject=wording.TOLERANCE.subject,
        body=wording.TOLERANCE.body
        % {
            "item": case.item.name,
            "deadline": deadline.isoformat(),
            "names": "、".join(m.name for m in wanting),
        },
    )
    return notice


def tolerance_supplement_record(
    *, case: Case, material: CaseMaterial, by: User | None, via: str
) -> CaseMaterial:
    """A tolerated material arrived (at the window, online, or by post): recorded on the case.
    Once per material; after the deadline it is still recorded, but late."""
    if via not in Form.values:
        raise ValidationError(_("请选择补齐方式。"))
    with transaction.atomic():
        case = case_locked(case)
        locked = CaseMaterial.objects.select_for_update().get(pk=material.pk, case=case)
        if locked.deferred_until is None:
            raise ValidationError(_("该材料不是容缺受理的材料。"))
        if locked.supplied_at is not None:
            return locked
        now = timezone.now()
        locked.status = CaseMaterial.Status.RECEIVED
        locked.supplied_at = now
        locked.supplied_via = via
        locked.save(update_fields=["status", "supplied_at", "supplied_via", "updated_at"])
        event_record(
            case=case,
            action=CaseAction.TOLERANCE_SUPPLIED,
            actor=by,
            details={
                "material": locked.name,
                "via": str(Form(via).label),
                "late": timezone.localdate(now) > locked.deferred_until,
            },
        )
        return locked


def supplements_overdue(*, today: datetime.date, limit: int = 100):
    """Tolerated materials past their deadline and still missing, across cases: the lead
    department must now refuse (no grant is possible), which supervision follows up."""
    return (
        CaseMaterial.objects.filter(
            deferred_until__lt=today, supplied_at__isnull=True, case__status=Case.Status.ACCEPTED
        )
        .select_related("case", "case__item", "case__item__lead_department")
        .order_by("deferred_until", "pk")[:limit]
    )


def outstanding_supplements(case: Case) -> list[CaseMaterial]:
    return list(
        case.materials.filter(deferred_until__isnull=False, supplied_at__isnull=True).order_by("pk")
    )
