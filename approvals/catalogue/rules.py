"""The rule language of instant approval (秒批): machine-checkable conditions kept as data in the
catalogue, never code. An item's rules are a list of conditions, all of which must hold:

    {"type": "applicant_type", "equals": "enterprise"}     the applicant is a person/enterprise
    {"type": "answer", "question": "cooked_food", "equals": "no"}   an intake answer
    {"type": "licence", "licence_type": "business-licence"}  a valid licence in the library
    {"type": "no_credit_mark"}                              no open credit mark (失信记录)
    {"type": "materials_complete"}                          every material received

`rules_parse` validates a list against the item's questions and returns typed conditions (or
raises ValueError with every problem, in Chinese); `rules_evaluate` checks them against the
facts of one filing and names the first condition that fails. Pure but for `item_conditions`,
which reads an item's questions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

APPLICANT_TYPES = {"person": "个人", "enterprise": "企业"}
_SLUG = re.compile(r"^[-a-z0-9_]{1,50}$")
MAX_CONDITIONS = 12


@dataclass(frozen=True)
class Facts:
    """What is known of one filing when instant approval is tried."""

    applicant_type: str
    answers: Mapping[str, str]
    licence_types: frozenset[str]  # types of the licences the applicant validly holds
    credit_marked: bool
    materials_complete: bool


@dataclass(frozen=True)
class Condition:
    type: str
    params: Mapping[str, str] = field(default_factory=dict)
    text: str = ""  # what it means, for the clerk, the notice and the case log

    def holds(self, facts: Facts) -> bool:
        if self.type == "applicant_type":
            return facts.applicant_type == self.params["equals"]
        if self.type == "answer":
            return facts.answers.get(self.params["question"]) == self.params["equals"]
        if self.type == "licence":
            return self.params["licence_type"] in facts.licence_types
        if self.type == "no_credit_mark":
            return not facts.credit_marked
        if self.type == "materials_complete":
            return facts.materials_complete
        raise ValueError(f"unknown condition {self.type!r}")  # parse() lets none through

    def as_data(self) -> dict:
        return {"type": self.type, **self.params}


def rules_parse(
    rules: object, *, questions: Mapping[str, tuple[str, Mapping[str, str]]]
) -> list[Condition]:
    """Typed conditions from the catalogue's data. `questions` maps each intake question's key
    to (its text, {choice value: label}). Raises ValueError listing every problem."""
    if not isinstance(rules, list):
        raise ValueError("秒批规则须为条件列表。")
    if not rules:
        raise ValueError("秒批规则至少需要一个条件。")
    if len(rules) > MAX_CONDITIONS:
        raise ValueError(f"秒批规则最多 {MAX_CONDITIONS} 个条件。")
    problems: list[str] = []
    conditions: list[Condition] = []
    for number, rule in enumerate(rules, start=1):
        try:
            conditions.append(_condition(rule, questions))
        except ValueError as error:
            problems.append(f"第 {number} 个条件：{error}")
    if problems:
        raise ValueError("；".join(problems))
    return conditions


def _condition(rule: object, questions) -> Condition:
    if not isinstance(rule, Mapping) or not isinstance(rule.get("type"), str):
        raise ValueError("须为带 type 的对象")
    kind = rule["type"]
    expected = {
        "applicant_type": {"type", "equals"},
        "answer": {"type", "question", "equals"},
        "licence": {"type", "licence_type"},
        "no_credit_mark": {"type"},
        "materials_complete": {"type"},
    }
    if kind not in expected:
        raise ValueError(f"不认识的条件类型“{kind}”")
    if set(rule) != expected[kind]:
        raise ValueError(f"“{kind}”须有且只有这些字段：{'、'.join(sorted(expected[kind]))}")
    params = {key: rule[key] for key in rule if key != "type"}
    if not all(isinstance(value, str) for value in params.values()):
        raise ValueError("字段值须为文字")
    if kind == "applicant_type":
        if params["equals"] not in APPLICANT_TYPES:
            raise ValueError("申请人类型须为 person 或 enterprise")
        text = f"申请人为{APPLICANT_TYPES[params['equals']]}"
    elif kind == "answer":
        if params["question"] not in questions:
            raise ValueError(f"该事项没有受理问题“{params['question']}”")
        question_text, choices = questions[params["question"]]
        if params["equals"] not in choices:
            raise ValueError(f"“{params['equals']}”不是“{question_text}”的选项")
        text = f"“{question_text}”的回答为“{choices[params['equals']]}”"
    elif kind == "licence":
        if not _SLUG.match(params["licence_type"]):
            raise ValueError("证照类型须为小写字母、数字和连字符")
        text = f"电子证照库中有申请人有效的证照（{params['licence_type']}）"
    elif kind == "no_credit_mark":
        text = "申请人无未消除的失信记录"
    else:
        text = "申请材料齐全"
    return Condition(kind, params, text)


def rules_evaluate(conditions: Sequence[Condition], facts: Facts) -> Condition | None:
    """The first condition that does not hold, or None when all hold."""
    for condition in conditions:
        if not condition.holds(facts):
            return condition
    return None


def item_conditions(item) -> list[Condition]:
    """An item's instant approval rules as typed conditions, checked against its questions
    (ValueError when they do not parse)."""
    questions = {
        question.key: (question.text, {str(value): str(label) for value, label in question.choices})
        for question in item.questions.all()
    }
    return rules_parse(item.instant_rules, questions=questions)
