"""Reads of the catalogue: current items and versions, search, bundles, and the materials an
application needs given the applicant's answers."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import (
    Bundle,
    IntakeQuestion,
    ItemStage,
    MaterialRequirement,
    ServiceItem,
)
from departments.models import Department


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


@dataclass(frozen=True)
class BundleMaterial:
    """A material of the bundle's one set (一套材料): handed in once for every item named."""

    name: str
    item_names: tuple[str, ...]


@dataclass(frozen=True)
class BundleSavings:
    """What filing the bundle as one saves against filing its items one by one, counted from
    the catalogue (for the applicant who needs every item and files without an agent):
    - steps: what the applicant does for each item — apply, then collect the result — against
      one application and one delivery of all results;
    - forms: one application form per item, against one merged form (一表申请);
    - materials: each item's own materials, against one set, a material several items share
      (the same material code) counted once (一套材料);
    - trips: the visits each item allows at most (at least one each), against one;
    - days: the items' promised working days one after another, against the longest of them
      (the departments work side by side)."""

    steps_apart: int
    forms_apart: int
    materials_apart: int
    materials_together: int
    trips_apart: int
    days_apart: int
    days_together: int
    materials: tuple[BundleMaterial, ...]
    steps_together: int = 2
    forms_together: int = 1
    trips_together: int = 1


def bundle_savings(*, items: list[ServiceItem]) -> BundleSavings:
    """The figures of `BundleSavings` for a bundle's items in force (one query)."""
    items = list(items)
    requirements = (
        MaterialRequirement.objects.filter(item__in=items, question_key="")
        .select_related("item")
        .order_by("item_id", "order", "pk")
    )
    names = {item.pk: item.name for item in items}
    # the applicant the bundle is for: its items' one applicant type (a person when they differ)
    kinds = {item.applicant_type for item in items} - {ServiceItem.ApplicantType.ANY}
    kind = kinds.pop() if len(kinds) == 1 else ServiceItem.ApplicantType.PERSON
    requirements = requirements.filter(applicant_type__in=[ServiceItem.ApplicantType.ANY, kind])
    combined: dict[str, tuple[str, list[str]]] = {}
    for requirement in requirements:
        key = requirement.material_code or f"#{requirement.pk}"
        combined.setdefault(key, (requirement.name, []))[1].append(names[requirement.item_id])
    return BundleSavings(
        steps_apart=2 * len(items),
        forms_apart=len(items),
        materials_apart=sum(len(item_names) for _name, item_names in combined.values()),
        materials_together=len(combined),
        trips_apart=sum(max(item.max_visits, 1) for item in items),
        days_apart=sum(item.promised_days for item in items),
        days_together=max((item.promised_days for item in items), default=0),
        materials=tuple(
            BundleMaterial(name=name, item_names=tuple(dict.fromkeys(item_names)))
            for name, item_names in combined.values()
        ),
    )
