"""Loading the demo catalogue into the database; safe to run again."""

from __future__ import annotations

from django.db import transaction

from approvals.catalogue.rules import item_conditions
from approvals.demo import catalogue_en
from approvals.demo.catalogue import (
    BENEFITS,
    BUNDLES,
    DEMO_OFFICER_DEPARTMENT,
    DEMO_OFFICER_USERNAME,
    DEPARTMENTS,
    EFFECTIVE_FROM,
    HALL_ADDRESS,
    ITEMS,
    ORDER_CATEGORIES,
    DemoDepartment,
    DemoItem,
)
from approvals.models import (
    ApprovalStep,
    Benefit,
    Bundle,
    IntakeQuestion,
    ItemStage,
    MaterialRequirement,
    ServiceItem,
    WorkOrderCategory,
)
from departments.models import Department, Officer
from hall.demo.users import DEMO_LOGINS, demo_user_ensure
from hall.roles import roles_sync


class _Counter:
    def __init__(self) -> None:
        self.created = 0

    def __call__(self, result):
        instance, created = result
        self.created += int(created)
        return instance


def _department_seed(spec: DemoDepartment, count: _Counter) -> Department:
    department = count(
        Department.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "short_name": spec.short_name,
                "level": spec.level,
                "phone": spec.phone,
                "address": f"{HALL_ADDRESS} {spec.window}",
            },
        )
    )
    department.full_clean()
    return department


def _officer_bind(*, user, department: Department, title: str, count: _Counter) -> Officer:
    officer = count(
        Officer.objects.update_or_create(
            user=user, defaults={"department": department, "title": title}
        )
    )
    officer.full_clean()
    return officer


def _item_seed(spec: DemoItem, departments: dict[str, Department], count: _Counter) -> ServiceItem:
    item = count(
        ServiceItem.objects.update_or_create(
            code=spec.code,
            version=1,
            defaults={
                "name": spec.name,
                "name_en": catalogue_en.ITEMS.get(spec.name, ""),
                "conditions_en": catalogue_en.CONDITIONS.get(spec.name, ""),
                "fee_en": catalogue_en.FEES.get(spec.fee, ""),
                "handling_type": spec.handling_type,
                "applicant_type": spec.applicant_type,
                "queue_category": spec.queue_category,
                "legal_basis": spec.legal_basis,
                "conditions": spec.conditions,
                "fee": spec.fee,
                "online_filing": spec.online_filing,
                "max_visits": spec.max_visits,
                "lead_department": departments[spec.lead],
                "statutory_days": spec.statutory_days,
                "limit_legal_basis": spec.limit_legal_basis,
                "promised_days": spec.promised_days,
                "serial": spec.serial,
                "licence_type": spec.licence_type,
                "licence_name": spec.licence_name,
                "licence_validity_years": spec.licence_validity_years,
                "instant_approval": bool(spec.instant_rules),
                "instant_rules": [dict(rule) for rule in spec.instant_rules],
                "instant_sample_percent": spec.instant_sample_percent,
                "commitment_allowed": bool(spec.commitment_text),
                "commitment_text": spec.commitment_text,
                "commitment_liability": spec.commitment_liability,
                "commitment_verify_days": spec.commitment_verify_days,
                # effective_to is left alone: an administrator may have closed v1 for a v2.
                "effective_from": EFFECTIVE_FROM,
            },
        )
    )
    item.full_clean()
    for order, question in enumerate(spec.questions, start=1):
        count(
            IntakeQuestion.objects.update_or_create(
                item=item,
                key=question.key,
                defaults={"text": question.text, "choices": question.choices, "order": order},
            )
        ).full_clean()
    for order, material in enumerate(spec.materials, start=1):
        count(
            MaterialRequirement.objects.update_or_create(
                item=item,
                name=material.name,
                defaults={
                    "name_en": catalogue_en.MATERIALS.get(material.name, ""),
                    "form": material.form,
                    "copies": material.copies,
                    "applicant_type": material.applicant_type,
                    "question_key": material.question_key,
                    "question_answer": material.question_answer,
                    "notes": material.notes,
                    "licence_type": material.licence_type,
                    "secondary": material.secondary,
                    "commitment_allowed": material.commitment_allowed,
                    "material_code": material.code,
                    "order": order,
                },
            )
        ).full_clean()
    for number, stage_spec in enumerate(spec.stages, start=1):
        stage = count(
            ItemStage.objects.update_or_create(
                item=item,
                number=number,
                defaults={"name": stage_spec.name, "lead_department": departments[stage_spec.lead]},
            )
        )
        stage.full_clean()
        for order, step in enumerate(stage_spec.steps, start=1):
            count(
                ApprovalStep.objects.update_or_create(
                    stage=stage,
                    department=departments[step.department],
                    defaults={
                        "name": step.name,
                        "promised_days": step.days,
                        "deemed_approval": step.deemed_approval,
                        "order": order,
                    },
                )
            ).full_clean()
    if item.instant_approval:
        item_conditions(item)  # the demo's rules parse against its questions, or the seed fails
    return item


@transaction.atomic
def demo_catalogue_seed() -> dict:
    """Load the demo catalogue; safe to run again (the second run creates nothing).

    Returns the codes and usernames it ensured and `created`, the number of rows it created.
    """
    count = _Counter()
    groups = roles_sync()
    departments = {spec.code: _department_seed(spec, count) for spec in DEPARTMENTS}

    officers = []
    for spec in DEPARTMENTS:
        department = departments[spec.code]
        user = demo_user_ensure(
            username=spec.username, role="officer", full_name=spec.officer_name, groups=groups
        )
        officer = _officer_bind(
            user=user, department=department, title=spec.officer_title, count=count
        )
        if department.head_id != officer.pk:
            department.head = officer
            department.save(update_fields=["head"])
        officers.append(spec.username)

    demo_login = next(login for login in DEMO_LOGINS if login.username == DEMO_OFFICER_USERNAME)
    user = demo_user_ensure(
        username=demo_login.username,
        role=demo_login.role,
        full_name=demo_login.full_name,
        groups=groups,
    )
    _officer_bind(
        user=user, department=departments[DEMO_OFFICER_DEPARTMENT], title="审批员", count=count
    )
    officers.append(demo_login.username)

    items = {spec.code: _item_seed(spec, departments, count) for spec in ITEMS}
    for spec in BUNDLES:
        bundle = count(
            Bundle.objects.update_or_create(
                code=spec.code,
                defaults={
                    "name": spec.name,
                    "description": spec.description,
                    "queue_category": spec.queue_category,
                    "lead_department": departments[spec.lead] if spec.lead else None,
                    "national_basis": spec.national_basis,
                },
            )
        )
        bundle.full_clean()
        # add(), not set(): later versions an administrator made stay in the bundle.
        bundle.items.add(*(items[code] for code in spec.items))

    for spec in BENEFITS:
        count(
            Benefit.objects.update_or_create(
                code=spec.code,
                defaults={
                    "name": spec.name,
                    "name_en": spec.name_en,
                    "item_code": spec.item_code,
                    "rules": list(spec.rules),
                    "legal_basis": spec.legal_basis,
                    "what_you_get": spec.what_you_get,
                },
            )
        )

    for spec in ORDER_CATEGORIES:
        count(
            WorkOrderCategory.objects.update_or_create(
                code=spec.code,
                defaults={
                    "name": spec.name,
                    "name_en": spec.name_en,
                    "kind": spec.kind,
                    "default_department": departments[spec.department] if spec.department else None,
                    "limit_working_days": spec.limit_working_days,
                    "limit_basis": spec.limit_basis,
                },
            )
        )

    return {
        "departments": sorted(departments),
        "officers": officers,
        "items": sorted(items),
        "bundles": [spec.code for spec in BUNDLES],
        "created": count.created,
    }
