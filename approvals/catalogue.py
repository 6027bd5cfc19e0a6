"""The service catalogue (事项清单 / 办事指南): versioning services and the selectors that read it.

Published per 行政许可法 Art. 30: every item shows its legal basis, conditions, procedure, time
limits and the full list of materials. The checklist rule (`required_materials`) lives here so that
the window, the online hall and the guide pages all apply the same one.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import (
    ApprovalStep,
    Bundle,
    IntakeQuestion,
    ItemStage,
    MaterialRequirement,
    ServiceItem,
)
from departments.models import Department

# --- Plans ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepPlan:
    """One department's part inside a stage (steps of one stage run in parallel)."""

    department: Department
    name: str
    promised_days: int
    deemed_approval: bool
    is_lead: bool
    step: ApprovalStep | None = None


@dataclass(frozen=True)
class StagePlan:
    """A stage with its parallel steps. Its promised days are the longest step's."""

    number: int
    name: str
    lead_department: Department | None
    steps: tuple[StepPlan, ...]
    stage: ItemStage | None = None

    @property
    def promised_days(self) -> int:
        """Parallel steps finish when the slowest one does."""
        return max((step.promised_days for step in self.steps), default=0)

    @property
    def serial_days(self) -> int:
        return sum(step.promised_days for step in self.steps)


class StagePlans(list[StagePlan]):
    """The stages of an item in order, with the totals the guide publishes.

    It is a plain list of `StagePlan` (iterate it, index it) that also answers the comparison the
    source article makes: the same steps one after another (`serial_days`) against stages whose
    steps run side by side (`parallel_days`).
    """

    serial: bool = False

    def __init__(self, stages: Iterable[StagePlan] = (), *, serial: bool = False) -> None:
        super().__init__(stages)
        self.serial = serial

    @property
    def serial_days(self) -> int:
        """Every step after the previous one: the old 串联审批."""
        return sum(stage.serial_days for stage in self)

    @property
    def parallel_days(self) -> int:
        """Stages in order, the steps of a stage at the same time: 并联审批."""
        return sum(stage.promised_days for stage in self)

    @property
    def promised_days(self) -> int:
        """The days the plan takes as configured (`ServiceItem.serial` picks the mode)."""
        return self.serial_days if self.serial else self.parallel_days

    @property
    def departments(self) -> list[Department]:
        """Every department that has a step or leads a stage, in order of first appearance."""
        seen: dict[int, Department] = {}
        for stage in self:
            if stage.lead_department is not None:
                seen.setdefault(stage.lead_department.pk, stage.lead_department)
            for step in stage.steps:
                seen.setdefault(step.department.pk, step.department)
        return list(seen.values())

    @property
    def step_count(self) -> int:
        return sum(len(stage.steps) for stage in self)


def item_stage_plan(*, item: ServiceItem) -> StagePlans:
    """The stages of `item` in order, each with its steps and days; two queries whatever the size.

    A stage's promised days are the maximum of its steps' (they run in parallel); the totals are on
    the returned `StagePlans`.
    """
    stages = (
        ItemStage.objects.filter(item=item)
        .select_related("lead_department")
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=ApprovalStep.objects.select_related("department").order_by("order", "pk"),
            )
        )
        .order_by("number")
    )
    plans = StagePlans(serial=item.serial)
    for stage in stages:
        steps = tuple(
            StepPlan(
                department=step.department,
                name=step.name,
                promised_days=step.promised_days,
                deemed_approval=step.deemed_approval,
                is_lead=step.department_id == stage.lead_department_id,
                step=step,
            )
            for step in stage.steps.all()
        )
        plans.append(
            StagePlan(
                number=stage.number,
                name=stage.name,
                lead_department=stage.lead_department,
                steps=steps,
                stage=stage,
            )
        )
    return plans


def bundle_stage_plan(*, items: Sequence[ServiceItem]) -> StagePlans:
    """A 一件事 as one stage: its items are filed together and handled side by side.

    Each item appears as one box with its lead department and its own promised days.
    `items` should come with `lead_department` selected.
    """
    steps = tuple(
        StepPlan(
            department=item.lead_department,
            name=item.name,
            promised_days=item.promised_days,
            # Deemed approval belongs to steps inside an item, not to a bundle's items.
            deemed_approval=True,
            is_lead=False,
        )
        for item in items
    )
    stage = StagePlan(
        number=1, name=_("一次提交，各部门同时办理"), lead_department=None, steps=steps
    )
    return StagePlans([stage])


# --- Selectors --------------------------------------------------------------------------------


def items_current(*, on: datetime.date | None = None) -> QuerySet[ServiceItem]:
    """Items whose version is in force on `on` (default: today in the hall's time zone)."""
    day = on or timezone.localdate()
    return ServiceItem.objects.effective_on(day).order_by("code")


def item_current_by_code(*, code: str, on: datetime.date | None = None) -> ServiceItem | None:
    """The version of `code` in force on `on`, or None when no version is."""
    return items_current(on=on).filter(code=code).select_related("lead_department").first()


def item_versions(*, code: str) -> QuerySet[ServiceItem]:
    """Every version of `code`, newest first."""
    return ServiceItem.objects.filter(code=code).order_by("-version")


def items_search(*, query: str, on: datetime.date | None = None) -> QuerySet[ServiceItem]:
    """Current items whose name, code or any involved department matches `query`.

    Chinese has no word boundaries, so this is a substring match; every whitespace-separated term
    must match somewhere.
    """
    items = items_current(on=on)
    for term in query.split():
        department_match = Q(name__icontains=term) | Q(short_name__icontains=term)
        departments = Department.objects.filter(department_match).values("pk")
        items = items.filter(
            Q(name__icontains=term)
            | Q(code__icontains=term)
            | Q(lead_department__in=departments)
            | Q(
                pk__in=ItemStage.objects.filter(
                    Q(lead_department__in=departments) | Q(steps__department__in=departments)
                ).values("item_id")
            )
        )
    return items


def bundle_current_items(*, bundle: Bundle, on: datetime.date | None = None) -> list[ServiceItem]:
    """The versions in force on `on` of the items a bundle names, by code."""
    codes = bundle.items.values("code")
    return list(
        items_current(on=on)
        .filter(code__in=codes)
        .select_related("lead_department")
        .order_by("code")
    )


def bundles_with_current_items(
    *, on: datetime.date | None = None, query: str = ""
) -> list[tuple[Bundle, list[ServiceItem]]]:
    """Every bundle with the versions of its items in force on `on`.

    A bundle names item versions; when an item gets a new version the guide shows the current one
    of the same code. With `query`, only bundles whose name or description matches, or that hold a
    matching item.
    """
    day = on or timezone.localdate()
    bundles = list(Bundle.objects.prefetch_related("items").order_by("code"))
    codes = {item.code for bundle in bundles for item in bundle.items.all()}
    current = {
        item.code: item
        for item in items_current(on=day).filter(code__in=codes).select_related("lead_department")
    }
    matching_codes: set[str] | None = None
    if query.strip():
        matching_codes = set(
            items_search(query=query, on=day).filter(code__in=codes).values_list("code", flat=True)
        )
    result = []
    for bundle in bundles:
        bundle_codes = sorted({item.code for item in bundle.items.all()})
        items = [current[code] for code in bundle_codes if code in current]
        if matching_codes is not None:
            text = f"{bundle.name} {bundle.code} {bundle.description}".lower()
            terms = query.lower().split()
            if not (all(term in text for term in terms) or matching_codes & set(bundle_codes)):
                continue
        result.append((bundle, items))
    return result


# --- The checklist rule -----------------------------------------------------------------------


def _choice_values(question: IntakeQuestion) -> dict[str, str]:
    return {str(value): str(label) for value, label in question.choices}


def required_materials(
    *, item: ServiceItem, applicant_type: str, answers: Mapping[str, str]
) -> list[MaterialRequirement]:
    """The materials this applicant must hand in for `item`, in publication order.

    A material applies when its applicant type is "any" or the applicant's, and it has no
    condition question or the answer to that question equals its condition answer.

    Raises ValidationError (keyed by question key, or "applicant_type") when the applicant type is
    not one the item accepts, an answer is not one of the question's choices, an answer names no
    question of the item, or a question that decides one of this applicant's materials is
    unanswered. The window must ask before it prints the list (行政许可法 Art. 32: everything
    missing is told at once, so the list has to be complete).
    """
    applicant_types = {ServiceItem.ApplicantType.PERSON, ServiceItem.ApplicantType.ENTERPRISE}
    if applicant_type not in applicant_types:
        raise ValidationError(
            {"applicant_type": _("申请人类型须为“个人”或“企业”。")}, code="invalid_applicant_type"
        )
    if item.applicant_type not in (ServiceItem.ApplicantType.ANY, applicant_type):
        raise ValidationError(
            {
                "applicant_type": _("本事项仅受理%(type)s申请人。")
                % {"type": item.get_applicant_type_display()}
            },
            code="applicant_type_not_accepted",
        )

    questions = {question.key: question for question in item.questions.all()}
    materials = [
        material
        for material in item.materials.all()
        if material.applicant_type in (ServiceItem.ApplicantType.ANY, applicant_type)
    ]

    errors: dict[str, list[ValidationError]] = {}
    for key, answer in answers.items():
        question = questions.get(key)
        if question is None:
            errors.setdefault(key, []).append(
                ValidationError(
                    _("本事项没有受理问题“%(key)s”。"), code="unknown_question", params={"key": key}
                )
            )
        elif answer not in (None, "") and str(answer) not in _choice_values(question):
            errors.setdefault(key, []).append(
                ValidationError(
                    _("“%(answer)s”不是受理问题“%(question)s”的选项，可选：%(choices)s。"),
                    code="invalid_answer",
                    params={
                        "answer": answer,
                        "question": question.text,
                        "choices": "、".join(_choice_values(question).values()),
                    },
                )
            )

    # A material whose question was deleted can never apply; the admin keeps that from happening.
    deciding = {m.question_key for m in materials if m.question_key and m.question_key in questions}
    for key in sorted(deciding, key=lambda k: (questions[k].order, questions[k].pk)):
        if answers.get(key) in (None, ""):
            errors.setdefault(key, []).append(
                ValidationError(
                    _("请先回答受理问题“%(question)s”，它决定需要提交哪些材料。"),
                    code="unanswered",
                    params={"question": questions[key].text},
                )
            )
    if errors:
        raise ValidationError(errors)

    return [
        material
        for material in materials
        if not material.question_key
        or str(answers.get(material.question_key)) == material.question_answer
    ]


def material_condition_text(
    *, material: MaterialRequirement, questions: Mapping[str, IntakeQuestion]
) -> str:
    """The condition of a material in words, e.g. "仅企业申请人；当“是否委托代理人”为“是”时"."""
    parts = []
    if material.applicant_type == ServiceItem.ApplicantType.ENTERPRISE:
        parts.append(_("仅企业申请人"))
    elif material.applicant_type == ServiceItem.ApplicantType.PERSON:
        parts.append(_("仅个人申请人"))
    if material.question_key:
        question = questions.get(material.question_key)
        if question is None:
            text, answer = material.question_key, material.question_answer
        else:
            text = question.text
            answer = _choice_values(question).get(
                material.question_answer, material.question_answer
            )
        parts.append(_("当“%(question)s”为“%(answer)s”时") % {"question": text, "answer": answer})
    return "；".join(parts)


# --- Services ---------------------------------------------------------------------------------


def _copy(instance, **changes):
    """An unsaved copy of a model instance with `changes` applied."""
    fields = {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if not field.primary_key
    }
    fields.update(changes)
    return type(instance)(**fields)


@transaction.atomic
def item_new_version(*, item: ServiceItem, effective_from: datetime.date) -> ServiceItem:
    """Copy `item` with its questions, materials, stages and steps into the next version.

    The new version is in force from `effective_from`; the latest version until then is closed the
    day before, so versions of a code never overlap and a filed case keeps the version it was filed
    under. The new version joins the bundles the copied one belongs to.
    """
    # Lock every version of the code (in pk order) so two administrators cannot both add "v+1";
    # then read the versions again: a statement that started after the lock sees a version the
    # other administrator committed meanwhile.
    list(ServiceItem.objects.select_for_update().filter(code=item.code).order_by("pk"))
    latest = ServiceItem.objects.filter(code=item.code).order_by("-version").first()
    if effective_from <= latest.effective_from:
        raise ValidationError(
            {
                "effective_from": _(
                    "新版本的生效日期须晚于第 %(version)s 版的生效日期（%(date)s）。"
                )
                % {"version": latest.version, "date": latest.effective_from.isoformat()}
            }
        )
    if latest.effective_to is None or latest.effective_to >= effective_from:
        latest.effective_to = effective_from - datetime.timedelta(days=1)
        latest.full_clean()
        latest.save(update_fields=["effective_to"])
        if item.pk == latest.pk:
            item.effective_to = latest.effective_to

    new_item = _copy(
        item, version=latest.version + 1, effective_from=effective_from, effective_to=None
    )
    new_item.full_clean()
    new_item.save()

    for question in item.questions.all():
        copied = _copy(question, item_id=new_item.pk)
        copied.full_clean()
        copied.save()
    for material in item.materials.all():
        copied = _copy(material, item_id=new_item.pk)
        copied.full_clean()
        copied.save()
    for stage in item.stages.prefetch_related("steps"):
        new_stage = _copy(stage, item_id=new_item.pk)
        new_stage.full_clean()
        new_stage.save()
        for step in stage.steps.all():
            copied = _copy(step, stage_id=new_stage.pk)
            copied.full_clean()
            copied.save()
    for bundle in item.bundles.all():
        bundle.items.add(new_item)
    return new_item
