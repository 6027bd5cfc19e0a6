"""Build accepted cases on items with departments, officers and heads."""

from __future__ import annotations

import uuid

from approvals.models import CaseStep
from departments.models import Department, Officer
from hall.cases import applicants
from hall.intake import decisions, receiving
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


def received_case(item, clerk, *, applicant=None, answers=None) -> Case:
    """Filed at the clerk's window by 张三 (or `applicant`), not yet checked."""
    return receiving.case_receive(
        submission_key=uuid.uuid4(),
        applicant=applicant
        or applicants.applicant_register(
            kind="person", name="张三", phone="13800138000", id_number="11010519491231002X"
        ),
        item=item,
        answers=answers or {"agent": "no"},
        received_by=clerk,
        channel=Case.Channel.WINDOW,
        window=clerk.clerk.window,
    )


def accepted_case(item, clerk) -> Case:
    case = received_case(item, clerk)
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


def case_granted(case, department) -> None:
    """Drive an accepted one-stage, one-department case to the lead's grant (service calls)."""
    from approvals.reviews import decisions
    from approvals.reviews import steps as reviews_steps

    (step,) = open_steps(case)
    officer = officer_of(department)
    reviews_steps.step_decide(step=step, officer=officer, approve=True, opinion="同意")
    stage = case.stages.get()
    decisions.stage_decide(stage=stage, officer=officer, approve=True, opinion="")
    decisions.case_decide(case=case, officer=officer, grant=True, reasons="")
