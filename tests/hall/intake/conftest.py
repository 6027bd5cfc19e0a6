"""Fixtures of the intake tests: a window clerk, a supervisor, an item with a checklist, a
person; and the helpers that receive a case and mark its materials."""

from __future__ import annotations

import uuid

import pytest

from hall.intake import decisions, receiving
from hall.intake.common import MaterialMark
from hall.models import (
    Case,
)
from tests.factories import ClerkFactory, PersonFactory, item_with_checklist


def uscc_with_check(body17: str) -> str:
    from hall.common.validators import uscc_check_char

    return body17 + uscc_check_char(body17)


@pytest.fixture
def clerk(make_user):
    user = make_user("clerk-wang", "clerk", first_name="窗口", last_name="王")
    ClerkFactory(user=user)
    return user


@pytest.fixture
def supervisor(make_user):
    return make_user("sup-zhou", "supervisor")


@pytest.fixture
def item(db):
    return item_with_checklist(name="食品经营许可")


@pytest.fixture
def person(db):
    return PersonFactory()


def receive(item, person, clerk, answers=None, key=None):
    return receiving.case_receive(
        submission_key=key or uuid.uuid4(),
        applicant=person,
        item=item,
        answers=answers if answers is not None else {"agent": "no"},
        received_by=clerk,
        channel=Case.Channel.WINDOW,
        window=clerk.clerk.window,
    )


def mark_all(case, clerk, status="received", **overrides):
    marks = {m.pk: MaterialMark(overrides.get(m.name, status)) for m in case.materials.all()}
    for material in case.materials.all():
        if isinstance(overrides.get(material.name), MaterialMark):
            marks[material.pk] = overrides[material.name]
    return decisions.case_materials_check(case=case, clerk=clerk, marks=marks)
