"""The people and catalogue of 接诉即办's tests: a complaint desk clerk who owns what she
receives, two departments with their officers, a supervisor, and the four kinds' categories."""

from __future__ import annotations

import pytest

from approvals.models import WorkOrderCategory, WorkOrderKind
from departments.models import Department, Officer
from tests.hall.outbox.test_webhooks import (  # noqa: F401  (fixtures)
    receivers_on_this_machine_allowed,
)
from tests.hall.platform.test_sweeps_survive_redis import (  # noqa: F401  (fixtures)
    beat_and_worker,
    private_redis,
)


@pytest.fixture
def categories(db) -> dict[str, WorkOrderCategory]:
    return {
        kind: WorkOrderCategory.objects.create(code=f"test-{kind}", name=str(label), kind=kind)
        for kind, label in WorkOrderKind.choices
    }


@pytest.fixture
def owner(make_user):
    return make_user("desk-li", "clerk", first_name="投诉台", last_name="李")


@pytest.fixture
def supervisor(make_user):
    return make_user("sup-order", "supervisor", first_name="监察", last_name="吴")


@pytest.fixture
def housing(make_user):
    department = Department.objects.create(code="ZJ", name="区住房和建设局", short_name="住建")
    officer = make_user("zj-chen", "officer", first_name="住建", last_name="陈")
    Officer.objects.create(user=officer, department=department)
    return department, officer


@pytest.fixture
def city(make_user):
    department = Department.objects.create(code="CG", name="区城市管理局", short_name="城管")
    officer = make_user("cg-zhao", "officer", first_name="城管", last_name="赵")
    Officer.objects.create(user=officer, department=department)
    return department, officer
