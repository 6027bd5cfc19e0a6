"""The demo catalogue: idempotent, realistic in shape, wired into `seed_demo`."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import HttpRequest

from approvals.catalogue.plans import item_stage_plan
from approvals.demo.catalogue import CONSTRUCTION_PERMIT, DEPARTMENTS
from approvals.demo.seed import demo_catalogue_seed
from approvals.models import (
    ApprovalStep,
    Benefit,
    Bundle,
    IntakeQuestion,
    ItemStage,
    MaterialRequirement,
    ServiceItem,
)
from departments.models import Department, Officer
from hall.demo.users import DEMO_PASSWORD

MODELS = (
    Department,
    Officer,
    ServiceItem,
    IntakeQuestion,
    MaterialRequirement,
    ItemStage,
    ApprovalStep,
    Bundle,
)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The demo creates 17 users; the production hasher would spend seconds on their passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts["users"] = get_user_model().objects.count()
    counts["bundle items"] = Bundle.items.through.objects.count()
    return counts


def test_seed_twice_creates_nothing_new(roles):
    first = demo_catalogue_seed()
    after_first = counts()

    second = demo_catalogue_seed()

    assert first["created"] > 0
    assert second["created"] == 0
    assert counts() == after_first
    assert {key: value for key, value in first.items() if key != "created"} == {
        key: value for key, value in second.items() if key != "created"
    }


def test_seed_shape(roles):
    result = demo_catalogue_seed()

    assert Department.objects.count() >= 12
    assert len(result["departments"]) == len(DEPARTMENTS)
    assert all(department.phone and department.address for department in Department.objects.all())
    # every department has a head who is its own officer
    for department in Department.objects.select_related("head"):
        assert department.head is not None and department.head.department_id == department.pk
    handling_types = set(ServiceItem.objects.values_list("handling_type", flat=True))
    assert {"on_the_spot", "promised", "joint"} <= handling_types
    # every item one applies for has at least one conditional material that a question
    # decides; a 免申即享 item asks nothing (the hall holds what it needs)
    granted_without_applying = set(Benefit.objects.values_list("item_code", flat=True))
    assert granted_without_applying
    for item in ServiceItem.objects.exclude(code__in=granted_without_applying):
        assert item.materials.exclude(question_key="").exists(), item.code
    for item in ServiceItem.objects.filter(code__in=granted_without_applying):
        assert not item.materials.exists() and not item.questions.exists(), item.code
    assert MaterialRequirement.objects.filter(applicant_type="enterprise").exists()
    assert ApprovalStep.objects.filter(deemed_approval=False).exists()
    # the business bundle fans out to single-department items of different departments
    bundle = Bundle.objects.get(code="qiye-kaiban")
    leads = {item.lead_department_id for item in bundle.items.all()}
    assert bundle.items.count() >= 3 and len(leads) == bundle.items.count()
    for item in bundle.items.all():
        plan = item_stage_plan(item=item)
        assert {step.department.pk for stage in plan for step in stage.steps} == {
            item.lead_department_id
        }
    # the joint item: three departments in parallel in one stage
    joint = ServiceItem.objects.get(code="44030400-XK-0005")
    [stage] = item_stage_plan(item=joint)
    assert len({step.department.pk for step in stage.steps}) == 3


def test_construction_item_spans_many_departments_in_three_stages(roles):
    demo_catalogue_seed()
    item = ServiceItem.objects.get(code=CONSTRUCTION_PERMIT.code)

    plan = item_stage_plan(item=item)

    assert [stage.name for stage in plan] == ["立项用地规划许可", "工程建设许可", "施工许可"]
    assert len({step.department.pk for stage in plan for step in stage.steps}) >= 8
    assert plan.serial_days >= 300
    assert plan.parallel_days <= plan.serial_days / 4
    assert plan.parallel_days <= item.promised_days <= item.statutory_days <= 120


def test_every_item_promises_at_least_what_its_plan_needs(roles):
    demo_catalogue_seed()
    for item in ServiceItem.objects.all():
        assert item_stage_plan(item=item).promised_days <= item.promised_days, item.code


def test_officer_login_is_an_ordinary_officer_of_the_market_regulator(roles, client):
    call_command("seed_demo")

    officer = Officer.objects.select_related("department").get(user__username="officer")
    assert officer.department.code == "FT-SCJG"
    assert "市场监督" in officer.department.name
    assert not officer.is_head
    assert client.login(request=HttpRequest(), username="officer", password=DEMO_PASSWORD)
    for spec in DEPARTMENTS:
        assert Officer.objects.get(user__username=spec.username).department.code == spec.code
