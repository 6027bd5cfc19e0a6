"""The instant approval rule language: small, declarative, validated; nothing but data."""

from __future__ import annotations

import pytest

from approvals.catalogue.rules import Facts, rules_evaluate, rules_parse

QUESTIONS = {"agent": ("是否委托代理人办理", {"yes": "是", "no": "否"})}
RULES = [
    {"type": "applicant_type", "equals": "enterprise"},
    {"type": "answer", "question": "agent", "equals": "no"},
    {"type": "licence", "licence_type": "business-licence"},
    {"type": "no_credit_mark"},
    {"type": "materials_complete"},
]


def facts(**overrides) -> Facts:
    values = {
        "applicant_type": "enterprise",
        "answers": {"agent": "no"},
        "licence_types": frozenset({"business-licence"}),
        "credit_marked": False,
        "materials_complete": True,
    }
    values.update(overrides)
    return Facts(**values)


def test_every_condition_holds_and_each_says_what_it_means():
    conditions = rules_parse(RULES, questions=QUESTIONS)
    assert rules_evaluate(conditions, facts()) is None
    assert [c.text for c in conditions] == [
        "申请人为企业",
        "“是否委托代理人办理”的回答为“否”",
        "电子证照库中有申请人有效的证照（business-licence）",
        "申请人无未消除的失信记录",
        "申请材料齐全",
    ]


@pytest.mark.parametrize(
    ("spoiled", "failing_type"),
    [
        ({"applicant_type": "person"}, "applicant_type"),
        ({"answers": {"agent": "yes"}}, "answer"),
        ({"answers": {}}, "answer"),
        ({"licence_types": frozenset()}, "licence"),
        ({"credit_marked": True}, "no_credit_mark"),
        ({"materials_complete": False}, "materials_complete"),
    ],
)
def test_the_first_failing_condition_is_named(spoiled, failing_type):
    failed = rules_evaluate(rules_parse(RULES, questions=QUESTIONS), facts(**spoiled))
    assert failed is not None and failed.type == failing_type


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ("applicant_type", "须为条件列表"),
        ([], "至少需要一个条件"),
        ([{"type": "no_credit_mark"}] * 13, "最多 12 个条件"),
        ([{"type": "shell", "command": "rm -rf /"}], "不认识的条件类型“shell”"),
        ([{"type": "no_credit_mark", "extra": "x"}], "须有且只有这些字段"),
        ([{"type": "applicant_type", "equals": "robot"}], "person 或 enterprise"),
        ([{"type": "answer", "question": "pets", "equals": "no"}], "没有受理问题“pets”"),
        (
            [{"type": "answer", "question": "agent", "equals": "maybe"}],
            "不是“是否委托代理人办理”的选项",
        ),
        ([{"type": "licence", "licence_type": "Business Licence!"}], "小写字母"),
        ([{"type": "answer", "question": "agent", "equals": 1}], "须为文字"),
        (["no_credit_mark"], "须为带 type 的对象"),
    ],
)
def test_invalid_rules_are_refused_with_every_problem_named(rules, message):
    with pytest.raises(ValueError, match=message):
        rules_parse(rules, questions=QUESTIONS)


def test_all_problems_are_listed_together():
    with pytest.raises(ValueError) as error:
        rules_parse([{"type": "x"}, {"type": "no_credit_mark"}, {"type": "y"}], questions={})
    assert "第 1 个条件" in str(error.value) and "第 3 个条件" in str(error.value)
