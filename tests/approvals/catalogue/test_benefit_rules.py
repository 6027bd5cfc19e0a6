"""The 免申即享 rule language: parsed strictly, evaluated by table."""

from __future__ import annotations

import datetime

import pytest

from approvals.catalogue.benefit_rules import (
    BenefitFacts,
    benefit_rules_evaluate,
    benefit_rules_parse,
    full_years,
)

D = datetime.date


def facts(**overrides) -> BenefitFacts:
    values = {
        "today": D(2026, 10, 12),
        "applicant_type": "person",
        "birth_date": D(1946, 10, 12),
        "id_region": "440304",
        "licence_types": frozenset({"business-licence"}),
        "grants": {"44030400-XK-0002": D(2026, 1, 5)},
    }
    values.update(overrides)
    return BenefitFacts(**values)


@pytest.mark.parametrize(
    ("born", "on", "years"),
    [
        (D(1946, 10, 12), D(2026, 10, 12), 80),  # the birthday itself
        (D(1946, 10, 13), D(2026, 10, 12), 79),
        (D(1948, 2, 29), D(2028, 2, 28), 79),  # born on 29 February, in a leap year
        (D(1948, 2, 29), D(2028, 2, 29), 80),
        (D(1948, 2, 29), D(2027, 3, 1), 79),
        (D(1948, 2, 29), D(2026, 2, 28), 77),
        (D(1948, 2, 29), D(2026, 3, 1), 78),  # no 29 February: a year older on 1 March
    ],
)
def test_full_years(born, on, years):
    assert full_years(born, on) == years


@pytest.mark.parametrize(
    ("rule", "changed", "holds"),
    [
        ({"type": "applicant_type", "equals": "person"}, {}, True),
        ({"type": "applicant_type", "equals": "enterprise"}, {}, False),
        ({"type": "age_at_least", "years": 80}, {}, True),
        ({"type": "age_at_least", "years": 80}, {"birth_date": D(1946, 10, 13)}, False),
        ({"type": "age_at_least", "years": 80}, {"birth_date": None}, False),  # an enterprise
        ({"type": "id_region", "prefixes": ["4403"]}, {}, True),
        ({"type": "id_region", "prefixes": ["1101", "4404"]}, {}, False),
        ({"type": "licence", "licence_type": "business-licence"}, {}, True),
        ({"type": "licence", "licence_type": "food-business"}, {}, False),
        (
            {"type": "case_granted", "item_code": "44030400-XK-0002", "within_days": 365},
            {},
            True,
        ),
        (
            {"type": "case_granted", "item_code": "44030400-XK-0002", "within_days": 200},
            {},
            False,  # granted 280 days ago
        ),
        (
            {"type": "case_granted", "item_code": "44030400-XK-0002", "within_days": 280},
            {},
            True,  # the last day of the window
        ),
        (
            {"type": "case_granted", "item_code": "44030400-XK-0009", "within_days": 365},
            {},
            False,
        ),
    ],
)
def test_each_condition(rule, changed, holds):
    (condition,) = benefit_rules_parse([rule])
    assert condition.holds(facts(**changed)) is holds


def test_the_first_failing_condition_is_named():
    conditions = benefit_rules_parse(
        [{"type": "applicant_type", "equals": "person"}, {"type": "age_at_least", "years": 90}]
    )
    failed = benefit_rules_evaluate(conditions, facts())
    assert failed is conditions[1] and "年满 90 周岁" in failed.text
    assert benefit_rules_evaluate(conditions[:1], facts()) is None


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([], "至少一个条件"),
        ("age>80", "至少一个条件"),
        ([{"type": "zodiac"}], "不认识的条件类型"),
        ([{"type": "age_at_least", "years": "80"}], "整数"),
        ([{"type": "age_at_least", "years": True}], "整数"),
        ([{"type": "age_at_least", "years": 80, "extra": 1}], "有且只有"),
        ([{"type": "id_region", "prefixes": []}], "地区码"),
        ([{"type": "id_region", "prefixes": ["44a3"]}], "地区码"),
        ([{"type": "licence", "licence_type": "Business Licence"}], "证照类型"),
        ([{"type": "case_granted", "item_code": "XK-0002", "within_days": 30}], "事项编码"),
        ([{"type": "case_granted", "item_code": "44030400-XK-0002", "within_days": 0}], "天数"),
        ([{"type": "applicant_type", "equals": "robot"}], "person 或 enterprise"),
    ],
)
def test_bad_rules_are_refused_with_the_reason(rules, message):
    with pytest.raises(ValueError, match=message):
        benefit_rules_parse(rules)


def test_every_problem_is_named_at_once():
    with pytest.raises(ValueError) as raised:
        benefit_rules_parse([{"type": "zodiac"}, {"type": "age_at_least", "years": -1}])
    assert "第 1 个条件" in str(raised.value) and "第 2 个条件" in str(raised.value)
