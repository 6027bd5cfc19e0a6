"""Who qualifies for a benefit without applying (免申即享), as data: conditions over what the hall
already holds, all of which must hold.

    {"type": "applicant_type", "equals": "person"}           a person or an enterprise
    {"type": "age_at_least", "years": 80}                    full years, from the ID number
    {"type": "id_region", "prefixes": ["4403"]}              the ID number's region code
    {"type": "licence", "licence_type": "business-licence"}  a valid licence in the library
    {"type": "case_granted", "item_code": "44030400-XK-0002", "within_days": 365}
                                                             a grant of that item, recently

`benefit_rules_parse` validates a list (ValueError naming every problem, in Chinese) and returns
typed conditions; `benefit_rules_evaluate` checks them against one person's facts and names the
first that fails. Pure: the facts are gathered by the caller (hall.benefits).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

APPLICANT_TYPES = {"person": "个人", "enterprise": "企业"}
_SLUG = re.compile(r"^[-a-z0-9_]{1,50}$")
_ITEM_CODE = re.compile(r"^\d{8}-[A-Z]{2}-\d{4}$")
_REGION = re.compile(r"^\d{2,6}$")
MAX_CONDITIONS = 8


@dataclass(frozen=True)
class BenefitFacts:
    """What the hall holds of one applicant on one day."""

    today: datetime.date
    applicant_type: str
    birth_date: datetime.date | None  # from the ID number (None: an enterprise)
    id_region: str  # the ID number's first six digits ("" for an enterprise)
    licence_types: frozenset[str]
    # item code -> the latest date a case of it was granted to this applicant
    grants: Mapping[str, datetime.date] = field(default_factory=dict)


def full_years(born: datetime.date, on: datetime.date) -> int:
    """Age in full years on `on` (someone born on 29 February turns a year older on 1 March)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@dataclass(frozen=True)
class BenefitCondition:
    type: str
    params: Mapping[str, object] = field(default_factory=dict)
    text: str = ""

    def holds(self, facts: BenefitFacts) -> bool:
        if self.type == "applicant_type":
            return facts.applicant_type == self.params["equals"]
        if self.type == "age_at_least":
            return (
                facts.birth_date is not None
                and full_years(facts.birth_date, facts.today) >= self.params["years"]
            )
        if self.type == "id_region":
            return any(facts.id_region.startswith(prefix) for prefix in self.params["prefixes"])
        if self.type == "licence":
            return self.params["licence_type"] in facts.licence_types
        if self.type == "case_granted":
            granted = facts.grants.get(self.params["item_code"])
            return (
                granted is not None and (facts.today - granted).days <= self.params["within_days"]
            )
        raise ValueError(f"unknown condition {self.type!r}")  # parse lets none through

    def as_data(self) -> dict:
        return {"type": self.type, **self.params}


_FIELDS = {
    "applicant_type": {"equals"},
    "age_at_least": {"years"},
    "id_region": {"prefixes"},
    "licence": {"licence_type"},
    "case_granted": {"item_code", "within_days"},
}


def benefit_rules_parse(rules: object) -> list[BenefitCondition]:
    if not isinstance(rules, list) or not rules:
        raise ValueError("享受条件须为至少一个条件的列表。")
    if len(rules) > MAX_CONDITIONS:
        raise ValueError(f"享受条件最多 {MAX_CONDITIONS} 个。")
    problems: list[str] = []
    conditions: list[BenefitCondition] = []
    for number, rule in enumerate(rules, start=1):
        try:
            conditions.append(_condition(rule))
        except ValueError as error:
            problems.append(f"第 {number} 个条件：{error}")
    if problems:
        raise ValueError("；".join(problems))
    return conditions


def _condition(rule: object) -> BenefitCondition:
    if not isinstance(rule, Mapping) or not isinstance(rule.get("type"), str):
        raise ValueError("须为带 type 的对象")
    kind = rule["type"]
    if kind not in _FIELDS:
        raise ValueError(f"不认识的条件类型“{kind}”")
    if set(rule) - {"type"} != _FIELDS[kind]:
        raise ValueError(f"“{kind}”须有且只有这些字段：{'、'.join(sorted(_FIELDS[kind]))}")
    params = {key: rule[key] for key in rule if key != "type"}
    if kind == "applicant_type":
        if params["equals"] not in APPLICANT_TYPES:
            raise ValueError("申请人类型须为 person 或 enterprise")
        text = f"申请人为{APPLICANT_TYPES[params['equals']]}"
    elif kind == "age_at_least":
        years = params["years"]
        if not isinstance(years, int) or isinstance(years, bool) or not 0 < years < 150:
            raise ValueError("年龄须为 1–149 的整数")
        text = f"年满 {years} 周岁（按身份证号码出生日期）"
    elif kind == "id_region":
        prefixes = params["prefixes"]
        if (
            not isinstance(prefixes, list)
            or not prefixes
            or not all(isinstance(p, str) and _REGION.match(p) for p in prefixes)
        ):
            raise ValueError("地区码须为 2–6 位数字的列表")
        text = f"身份证号码地区码为 {'、'.join(prefixes)}"
    elif kind == "licence":
        if not isinstance(params["licence_type"], str) or not _SLUG.match(params["licence_type"]):
            raise ValueError("证照类型须为小写字母、数字和连字符")
        text = f"电子证照库中有有效的证照（{params['licence_type']}）"
    else:
        code, days = params["item_code"], params["within_days"]
        if not isinstance(code, str) or not _ITEM_CODE.match(code):
            raise ValueError("事项编码格式不对")
        if not isinstance(days, int) or isinstance(days, bool) or not 0 < days <= 3660:
            raise ValueError("天数须为 1–3660 的整数")
        text = f"近 {days} 天内经本厅准予办理事项 {code}"
    return BenefitCondition(kind, params, text)


def benefit_rules_evaluate(
    conditions: Sequence[BenefitCondition], facts: BenefitFacts
) -> BenefitCondition | None:
    """The first condition that does not hold, or None when the person qualifies."""
    for condition in conditions:
        if not condition.holds(facts):
            return condition
    return None
