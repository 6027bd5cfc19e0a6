"""The catalogue's services and selectors: the checklist rule, versions, stage plans."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from approvals.catalogue.plans import item_stage_plan
from approvals.catalogue.selectors import (
    item_current_by_code,
    items_current,
    items_search,
    material_condition_text,
    required_materials,
)
from approvals.catalogue.services import item_new_version
from approvals.models import (
    ApprovalStep,
    Bundle,
    IntakeQuestion,
    ItemStage,
    MaterialRequirement,
    ServiceItem,
)
from departments.models import Department

JAN_1 = datetime.date(2025, 1, 1)


def make_item(department, **overrides) -> ServiceItem:
    fields = {
        "code": "44030400-XK-0901",
        "name": "测试许可",
        "handling_type": ServiceItem.HandlingType.PROMISED,
        "applicant_type": ServiceItem.ApplicantType.ANY,
        "legal_basis": "《中华人民共和国行政许可法》",
        "conditions": "符合条件。",
        "lead_department": department,
        "statutory_days": 20,
        "promised_days": 10,
        "effective_from": JAN_1,
    }
    fields.update(overrides)
    item = ServiceItem(**fields)
    item.full_clean()
    item.save()
    return item


@pytest.fixture
def item(department):
    """An item whose materials depend on the applicant type and on two questions."""
    item = make_item(department)
    IntakeQuestion.objects.create(
        item=item,
        key="agent",
        text="是否委托代理人",
        order=1,
        choices=[["yes", "是"], ["no", "否"]],
    )
    IntakeQuestion.objects.create(
        item=item,
        key="prior",
        text="是否涉及前置审批",
        order=2,
        choices=[["yes", "是"], ["no", "否"]],
    )
    IntakeQuestion.objects.create(
        item=item,
        key="unused",
        text="是否需要邮寄送达",
        order=3,
        choices=[["yes", "是"], ["no", "否"]],
    )
    for order, (name, applicant_type, key, answer) in enumerate(
        [
            ("申请书", "any", "", ""),
            ("营业执照", "enterprise", "", ""),
            ("身份证", "person", "", ""),
            ("授权委托书", "any", "agent", "yes"),
            ("前置审批文件", "enterprise", "prior", "yes"),
        ]
    ):
        MaterialRequirement.objects.create(
            item=item,
            name=name,
            form="original",
            applicant_type=applicant_type,
            question_key=key,
            question_answer=answer,
            order=order,
        )
    return item


def names(materials) -> list[str]:
    return [material.name for material in materials]


@pytest.mark.parametrize(
    ("applicant_type", "answers", "expected"),
    [
        ("person", {"agent": "no"}, ["申请书", "身份证"]),
        ("person", {"agent": "yes"}, ["申请书", "身份证", "授权委托书"]),
        # A person never sees the enterprise-only question's material, so need not answer it.
        ("person", {"agent": "no", "prior": "yes"}, ["申请书", "身份证"]),
        ("enterprise", {"agent": "no", "prior": "no"}, ["申请书", "营业执照"]),
        ("enterprise", {"agent": "yes", "prior": "no"}, ["申请书", "营业执照", "授权委托书"]),
        (
            "enterprise",
            {"agent": "yes", "prior": "yes", "unused": "no"},
            ["申请书", "营业执照", "授权委托书", "前置审批文件"],
        ),
    ],
)
def test_required_materials_follow_applicant_type_and_answers(
    item, applicant_type, answers, expected
):
    assert names(required_materials(item=item, applicant_type=applicant_type, answers=answers)) == (
        expected
    )


@pytest.mark.parametrize(
    ("applicant_type", "answers", "error_key", "words"),
    [
        ("enterprise", {"agent": "no"}, "prior", "是否涉及前置审批"),
        ("person", {}, "agent", "是否委托代理人"),
        ("person", {"agent": ""}, "agent", "是否委托代理人"),
        ("person", {"agent": "maybe"}, "agent", "maybe"),
        ("person", {"agent": "no", "nonsense": "yes"}, "nonsense", "nonsense"),
        ("any", {"agent": "no"}, "applicant_type", "申请人类型"),
        ("company", {"agent": "no"}, "applicant_type", "申请人类型"),
    ],
)
def test_required_materials_rejects_missing_and_invalid_answers(
    item, applicant_type, answers, error_key, words
):
    with pytest.raises(ValidationError) as raised:
        required_materials(item=item, applicant_type=applicant_type, answers=answers)
    assert error_key in raised.value.message_dict
    assert any(words in message for message in raised.value.message_dict[error_key])


def test_missing_answers_are_all_named_at_once(item):
    with pytest.raises(ValidationError) as raised:
        required_materials(item=item, applicant_type="enterprise", answers={})
    assert set(raised.value.message_dict) == {"agent", "prior"}
    assert "“是否委托代理人”" in raised.value.message_dict["agent"][0]


def test_required_materials_refuses_an_applicant_type_the_item_does_not_accept(department):
    enterprise_only = make_item(department, applicant_type="enterprise")
    with pytest.raises(ValidationError) as raised:
        required_materials(item=enterprise_only, applicant_type="person", answers={})
    assert "仅受理企业申请人" in raised.value.message_dict["applicant_type"][0]


def test_material_condition_text_in_words(item):
    questions = {question.key: question for question in item.questions.all()}
    texts = {
        material.name: material_condition_text(material=material, questions=questions)
        for material in item.materials.all()
    }
    assert texts["申请书"] == ""
    assert texts["营业执照"] == "仅企业申请人"
    assert texts["身份证"] == "仅个人申请人"
    assert texts["授权委托书"] == "当“是否委托代理人”为“是”时"
    assert texts["前置审批文件"] == "仅企业申请人；当“是否涉及前置审批”为“是”时"


@pytest.fixture
def staged_item(item):
    """Two stages: three departments in parallel (10, 20, 5), then one department (7)."""
    departments = [
        Department.objects.create(code=f"T-{index}", name=f"测试部门{index}") for index in range(4)
    ]
    first = ItemStage.objects.create(
        item=item, number=1, name="联合审查", lead_department=departments[0]
    )
    second = ItemStage.objects.create(
        item=item, number=2, name="发证", lead_department=departments[3]
    )
    for order, (department, days) in enumerate(zip(departments[:3], [10, 20, 5], strict=True)):
        ApprovalStep.objects.create(
            stage=first,
            department=department,
            name=f"审查{order}",
            promised_days=days,
            order=order,
            deemed_approval=order != 1,
        )
    ApprovalStep.objects.create(
        stage=second, department=departments[3], name="核发", promised_days=7
    )
    return item


def test_stage_plan_parallel_against_serial(staged_item):
    plan = item_stage_plan(item=staged_item)

    assert [stage.name for stage in plan] == ["联合审查", "发证"]
    assert [stage.promised_days for stage in plan] == [20, 7]
    assert [len(stage.steps) for stage in plan] == [3, 1]
    assert plan.parallel_days == 27
    assert plan.serial_days == 42
    assert plan.promised_days == 27
    assert plan[0].lead_department.code == "T-0"
    assert [step.is_lead for step in plan[0].steps] == [True, False, False]
    assert [step.deemed_approval for step in plan[0].steps] == [True, False, True]
    assert [department.code for department in plan.departments] == ["T-0", "T-1", "T-2", "T-3"]


def test_stage_plan_of_a_serial_item_promises_the_serial_days(staged_item):
    staged_item.serial = True
    staged_item.statutory_days = staged_item.promised_days = 45
    staged_item.save()

    assert item_stage_plan(item=staged_item).promised_days == 42


def test_stage_plan_runs_in_constant_queries(staged_item, django_assert_num_queries):
    with django_assert_num_queries(2):
        plan = item_stage_plan(item=staged_item)
        _ = [step.department.name for stage in plan for step in stage.steps]
        _ = [stage.lead_department.name for stage in plan]

    # Given three more stages of four steps each, the count does not change.
    departments = [
        Department.objects.create(code=f"U-{index}", name=f"另一部门{index}") for index in range(4)
    ]
    for number in range(3, 6):
        stage = ItemStage.objects.create(
            item=staged_item, number=number, name=f"阶段{number}", lead_department=departments[0]
        )
        for department in departments:
            ApprovalStep.objects.create(
                stage=stage, department=department, name="审查", promised_days=3
            )
    with django_assert_num_queries(2):
        plan = item_stage_plan(item=staged_item)
        _ = [step.department.name for stage in plan for step in stage.steps]
    assert plan.step_count == 16


def test_item_without_stages_has_an_empty_plan(department):
    assert item_stage_plan(item=make_item(department)) == []


# --- Versions -----------------------------------------------------------------------------------


def test_new_version_copies_children_and_closes_the_previous_one(staged_item):
    bundle = Bundle.objects.create(code="test-bundle", name="测试一件事")
    bundle.items.add(staged_item)

    # When the administrator publishes v2 from 1 July
    new = item_new_version(item=staged_item, effective_from=datetime.date(2025, 7, 1))

    # Then v1 ends on 30 June and v2 carries everything over
    staged_item.refresh_from_db()
    assert staged_item.effective_to == datetime.date(2025, 6, 30)
    assert (new.code, new.version) == (staged_item.code, 2)
    assert new.effective_from == datetime.date(2025, 7, 1)
    assert new.effective_to is None
    assert new.name == staged_item.name
    assert new.lead_department_id == staged_item.lead_department_id
    assert list(new.questions.values_list("key", "text", "choices", "order")) == list(
        staged_item.questions.values_list("key", "text", "choices", "order")
    )
    material_fields = (
        "name",
        "form",
        "copies",
        "applicant_type",
        "question_key",
        "question_answer",
        "order",
    )
    assert list(new.materials.values_list(*material_fields)) == list(
        staged_item.materials.values_list(*material_fields)
    )
    old_plan, new_plan = item_stage_plan(item=staged_item), item_stage_plan(item=new)
    assert [(s.number, s.name, s.lead_department) for s in new_plan] == [
        (s.number, s.name, s.lead_department) for s in old_plan
    ]
    step_fields = [
        [(t.department, t.name, t.promised_days, t.deemed_approval) for t in stage.steps]
        for stage in new_plan
    ]
    assert step_fields == [
        [(t.department, t.name, t.promised_days, t.deemed_approval) for t in stage.steps]
        for stage in old_plan
    ]
    # the copies are new rows, not the old ones moved
    assert not set(new.materials.values_list("pk", flat=True)) & set(
        staged_item.materials.values_list("pk", flat=True)
    )
    assert staged_item.materials.count() == 5
    assert set(bundle.items.all()) == {staged_item, new}


def test_new_version_must_start_after_the_latest_version(item):
    with pytest.raises(ValidationError) as raised:
        item_new_version(item=item, effective_from=JAN_1)
    assert "effective_from" in raised.value.message_dict
    item.refresh_from_db()
    assert item.effective_to is None
    assert ServiceItem.objects.filter(code=item.code).count() == 1


def test_new_version_from_an_older_version_numbers_after_the_latest(item):
    second = item_new_version(item=item, effective_from=datetime.date(2025, 3, 1))
    third = item_new_version(item=item, effective_from=datetime.date(2025, 6, 1))

    second.refresh_from_db()
    assert third.version == 3
    assert second.effective_to == datetime.date(2025, 5, 31)


def test_items_current_by_date(item):
    item_new_version(item=item, effective_from=datetime.date(2025, 7, 1))

    assert item_current_by_code(code=item.code, on=datetime.date(2024, 12, 31)) is None
    assert item_current_by_code(code=item.code, on=datetime.date(2025, 6, 30)).version == 1
    assert item_current_by_code(code=item.code, on=datetime.date(2025, 7, 1)).version == 2
    assert list(items_current(on=datetime.date(2025, 7, 1)).values_list("version", flat=True)) == [
        2
    ]


def test_items_current_defaults_to_today_in_shanghai(item):
    today = timezone.localdate()
    item.effective_to = today - datetime.timedelta(days=1)
    item.save()
    assert not items_current().exists()
    item.effective_to = today
    item.save()
    assert list(items_current()) == [item]


def test_versions_cannot_overlap(item):
    overlapping = ServiceItem(
        code=item.code,
        version=2,
        name=item.name,
        handling_type=item.handling_type,
        legal_basis="x",
        conditions="x",
        lead_department=item.lead_department,
        statutory_days=20,
        promised_days=10,
        effective_from=datetime.date(2025, 6, 1),
    )
    with pytest.raises(ValidationError) as raised:
        overlapping.full_clean()
    assert "effective_from" in raised.value.message_dict

    item.effective_to = datetime.date(2025, 5, 31)
    item.save()
    overlapping.full_clean()


def test_promised_days_beyond_statutory_are_rejected(department):
    with pytest.raises(ValidationError) as raised:
        make_item(department, statutory_days=20, promised_days=21)
    assert "不得超过法定时限" in raised.value.message_dict["promised_days"][0]


def test_only_on_the_spot_items_may_promise_zero_days(department):
    with pytest.raises(ValidationError) as raised:
        make_item(department, promised_days=0)
    assert "promised_days" in raised.value.message_dict
    make_item(department, promised_days=0, handling_type=ServiceItem.HandlingType.ON_THE_SPOT)


def test_material_condition_half_filled_is_reported_at_the_blank_field(item):
    material = MaterialRequirement(item=item, name="x", form="original", question_key="agent")
    with pytest.raises(ValidationError) as raised:
        material.full_clean()
    assert "question_answer" in raised.value.message_dict


# --- Search ---------------------------------------------------------------------------------------


def test_items_search_by_name_code_and_any_department(staged_item, department):
    other = make_item(department, code="44030400-XK-0902", name="户外广告设置许可")

    assert list(items_search(query="测试许可")) == [staged_item]
    assert list(items_search(query="xk-0902")) == [other]
    assert set(items_search(query="市场监督")) == {staged_item, other}  # lead department
    assert list(items_search(query="测试部门2")) == [staged_item]  # a step's department
    assert list(items_search(query="测试部门3 测试")) == [staged_item]  # every term must match
    assert not items_search(query="不存在的事项").exists()
