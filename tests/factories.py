"""Factories for the catalogue and the front of house (factory_boy)."""

from __future__ import annotations

import datetime
import uuid

import factory
from django.contrib.auth.models import User

from approvals.models import (
    ApprovalStep,
    IntakeQuestion,
    ItemStage,
    MaterialRequirement,
    ServiceItem,
)
from departments.models import Department, Officer
from hall.models import Applicant, Clerk, Window


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"测试部门{n:03d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "三"
    last_name = "张"


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer

    user = factory.SubFactory(UserFactory)
    department = factory.SubFactory(DepartmentFactory)


class WindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Window
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: f"{n + 1:02d}")
    name = "综合受理窗口"
    categories = ["general"]


class ClerkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clerk

    user = factory.SubFactory(UserFactory)
    window = factory.SubFactory(WindowFactory)


class ServiceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceItem

    code = factory.Sequence(lambda n: f"44030400-XK-{n:04d}")
    name = factory.Sequence(lambda n: f"测试事项{n}")
    handling_type = ServiceItem.HandlingType.PROMISED
    legal_basis = "《中华人民共和国行政许可法》"
    conditions = "符合法定条件"
    lead_department = factory.SubFactory(DepartmentFactory)
    statutory_days = 20
    promised_days = 10
    effective_from = datetime.date(2025, 1, 1)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Applicant

    kind = Applicant.Kind.PERSON
    name = "张三"
    id_number = "11010519491231002X"
    phone = "13800138000"


def item_with_checklist(**overrides) -> ServiceItem:
    """An item with an always-required material, an enterprise-only one, and one that depends on
    whether an agent files for the applicant."""
    item = ServiceItemFactory(**overrides)
    IntakeQuestion.objects.create(
        item=item, key="agent", text="是否委托代理人办理", choices=[["yes", "是"], ["no", "否"]]
    )
    MaterialRequirement.objects.create(
        item=item, name="申请表", form=MaterialRequirement.Form.ORIGINAL, order=1
    )
    MaterialRequirement.objects.create(
        item=item, name="身份证明", form=MaterialRequirement.Form.COPY, order=2
    )
    MaterialRequirement.objects.create(
        item=item,
        name="授权委托书",
        form=MaterialRequirement.Form.ORIGINAL,
        question_key="agent",
        question_answer="yes",
        order=3,
    )
    MaterialRequirement.objects.create(
        item=item,
        name="营业执照",
        form=MaterialRequirement.Form.COPY,
        applicant_type=ServiceItem.ApplicantType.ENTERPRISE,
        order=4,
    )
    return item


def item_with_stages(stages: list[list[tuple[Department, int]]], **overrides) -> ServiceItem:
    """An item whose stages each hold the given (department, promised days) steps."""
    item = item_with_checklist(**overrides)
    for number, steps in enumerate(stages, start=1):
        stage = ItemStage.objects.create(
            item=item, number=number, name=f"第{number}阶段", lead_department=steps[0][0]
        )
        for order, (department, days) in enumerate(steps):
            ApprovalStep.objects.create(
                stage=stage,
                department=department,
                name=f"{department.name}审查",
                promised_days=days,
                order=order,
            )
    return item


def new_key() -> uuid.UUID:
    return uuid.uuid4()
