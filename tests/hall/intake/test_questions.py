"""一表申请: which questions of a bundle's items are asked once, and where the answers go."""

from __future__ import annotations

from approvals.models import IntakeQuestion
from hall.intake.questions import one_form
from tests.factories import item_with_checklist


def test_the_same_key_and_choices_is_one_question_and_different_choices_are_two(db):
    first = item_with_checklist(name="甲")
    second = item_with_checklist(name="乙")
    IntakeQuestion.objects.create(
        item=first, key="size", text="经营面积", choices=[["s", "小"], ["l", "大"]]
    )
    IntakeQuestion.objects.create(  # the same key, other choices: not the same question
        item=second, key="size", text="员工人数", choices=[["few", "10 人以下"], ["many", "更多"]]
    )
    asked = one_form([first, second])
    assert set(asked.fields) == {"all__agent", f"{first.pk}__size", f"{second.pk}__size"}
    assert asked.shared == {"all__agent": [first, second]}
    assert asked.own == {first.pk: [f"{first.pk}__size"], second.pk: [f"{second.pk}__size"]}
    answers = asked.answers_by_item(
        {"all__agent": "no", f"{first.pk}__size": "l", f"{second.pk}__size": "few"},
        [first, second],
    )
    assert answers == {
        first.pk: {"agent": "no", "size": "l"},
        second.pk: {"agent": "no", "size": "few"},
    }
    assert asked.field_for(second.pk, "agent") == "all__agent"
    assert asked.field_for(second.pk, "size") == f"{second.pk}__size"


def test_one_item_keeps_its_own_names(db):
    item = item_with_checklist()
    asked = one_form([item])
    assert list(asked.fields) == [f"{item.pk}__agent"] and not asked.shared
