"""Build accepted cases on items with departments, officers and heads."""

from __future__ import annotations

import uuid

from approvals.models import CaseStep
from departments.models import Department, Officer
from hall.intake import applicants, decisions, receiving
from hall.intake.common import MaterialMark
from hall.models import Case
from tests.factories import ClerkFactory, UserFactory, item_with_stages


def department_with_staff(code: str, name: str, roles) -> Department:
    department = Department.objects.create(code=code, name=name)
    for index, title in enumerate(("科长", "科员")):
        user = UserFactory(username=f"{code.lower()}-{index}", last_name=name[:1], first_name=title)
        user.groups.add(roles["officer"])
        officer = Officer.objects.create(user=user, department=department, title=title)
        if index == 0:
            department.head = officer
            department.save(update_fields=["head"])
    return department


def officer_of(department: Department, head: bool = False):
    officers = department.officers.select_related("user").order_by("pk")
    return (officers.first() if head else officers.last()).user


def make_clerk(roles, username="clerk-wang"):
    user = UserFactory(username=username, last_name="王", first_name="窗口")
    user.groups.add(roles["clerk"])
    ClerkFactory(user=user)
    return user


def accepted_case(item, clerk) -> Case:
    case = receiving.case_receive(
        submission_key=uuid.uuid4(),
        applicant=applicants.applicant_register(
            kind="person", name="张三", phone="13800138000", id_number="11010519491231002X"
        ),
        item=item,
        answers={"agent": "no"},
        received_by=clerk,
        channel=Case.Channel.WINDOW,
        window=clerk.clerk.window,
    )
    decisions.case_materials_check(
        case=case,
        clerk=clerk,
        marks={m.pk: MaterialMark("received") for m in case.materials.all()},
    )
    decisions.case_accept(case=case, clerk=clerk)
    case.refresh_from_db()
    return case


def staged_item(departments_by_stage, **overrides):
    return item_with_stages(
        [[(department, days) for department, days in stage] for stage in departments_by_stage],
        **overrides,
    )


def open_steps(case) -> list[CaseStep]:
    return list(case.steps.filter(status=CaseStep.Status.OPEN).order_by("pk"))
