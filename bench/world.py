"""The bench's catalogue and people: five departments reviewing one item in parallel.

Built with the ORM, once; every function is safe to run again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

PASSWORD = "bench-Hall-2026!"
ITEM_CODES = ("44030400-BC-0001", "44030400-BC-0002", "44030400-BC-0003", "44030400-BC-0004")
DEPARTMENTS_PER_ITEM = 5  # the lifecycle's item is the first; the fixture spreads over all four
DEPARTMENTS = DEPARTMENTS_PER_ITEM * len(ITEM_CODES)
CLERKS = 8  # one per worker process at most; more than the cores of any machine of this kind
STEP_DAYS = 10


@dataclass(frozen=True)
class World:
    item_id: int  # the lifecycle's item (five departments in parallel)
    fixture_item_ids: list[int]
    department_ids: list[int]  # the lifecycle item's five
    officer_ids: list[int]  # one officer (not the head) per lifecycle department, in order
    lead_officer_id: int  # an officer of the item's (and the stage's) lead department
    clerk_ids: list[int]
    window_id: int
    supervisor_id: int


_hashed: list[str] = []


def _user(username: str, role_group, *, last: str, first: str):
    """A bench login. The password is hashed once and the hash reused: hashing costs ~0.3 s."""
    from django.contrib.auth.hashers import make_password

    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"last_name": last, "first_name": first}
    )
    if created:
        if not _hashed:
            _hashed.append(make_password(PASSWORD))
        user.password = _hashed[0]
        user.save(update_fields=["password"])
    user.groups.add(role_group)
    return user


@transaction.atomic
def world_ensure() -> World:
    from departments.models import Department, Officer
    from hall.models import Clerk, Window
    from hall.roles import roles_sync

    groups = roles_sync()
    departments = []
    officers = []
    for index in range(1, DEPARTMENTS + 1):
        department, _ = Department.objects.get_or_create(
            code=f"BENCH{index}",
            defaults={"name": f"压测部门{index}", "short_name": f"压测{index}"},
        )
        staff = []
        for number, title in enumerate(("科长", "科员")):
            user = _user(
                f"bench-d{index}-{number}", groups["officer"], last="压", first=f"测{index}{title}"
            )
            officer, _ = Officer.objects.get_or_create(
                user=user, defaults={"department": department, "title": title}
            )
            staff.append(officer)
        if department.head_id is None:
            department.head = staff[0]
            department.save(update_fields=["head"])
        departments.append(department)
        officers.append(staff[1].user_id)

    window, _ = Window.objects.get_or_create(number="B1", defaults={"name": "压测综合窗口"})
    clerks = []
    for index in range(CLERKS):
        user = _user(f"bench-clerk-{index}", groups["clerk"], last="窗", first=f"口{index}")
        Clerk.objects.get_or_create(user=user, defaults={"window": window})
        clerks.append(user.pk)
    supervisor = _user("bench-supervisor", groups["supervisor"], last="监", first="察")

    items = []
    for number, code in enumerate(ITEM_CODES):
        own = departments[number * DEPARTMENTS_PER_ITEM : (number + 1) * DEPARTMENTS_PER_ITEM]
        items.append(_item_ensure(code, number + 1, own))
    return World(
        item_id=items[0].pk,
        fixture_item_ids=[item.pk for item in items],
        department_ids=[d.pk for d in departments[:DEPARTMENTS_PER_ITEM]],
        officer_ids=officers[:DEPARTMENTS_PER_ITEM],
        lead_officer_id=officers[0],
        clerk_ids=clerks,
        window_id=window.pk,
        supervisor_id=supervisor.pk,
    )


BUNDLE_CODE = "bench-five"
BUNDLE_ITEM_CODES = tuple(f"44030400-BB-000{n}" for n in range(1, 6))


def bundle_ensure() -> str:
    """一件事 for the bench (issue 30): five items of one department each, filed as one
    application with one question (是否委托代理人办理) asked once; apart from the fixture's
    items, so the million-case fixture stays as it is. Returns the bundle's code."""
    from approvals.models import Bundle
    from departments.models import Department

    departments = list(Department.objects.filter(code__startswith="BENCH").order_by("pk")[:5])
    items = [
        _item_ensure(code, number, [departments[number - 1]], name=f"压测一件事事项{number}")
        for number, code in enumerate(BUNDLE_ITEM_CODES, start=1)
    ]
    bundle, _ = Bundle.objects.get_or_create(
        code=BUNDLE_CODE, defaults={"name": "压测五事项一件事", "lead_department": departments[0]}
    )
    bundle.items.add(*items)
    return bundle.code


def _item_ensure(code: str, number: int, departments, *, name: str = ""):
    from approvals.models import (
        ApprovalStep,
        IntakeQuestion,
        ItemStage,
        MaterialRequirement,
        ServiceItem,
    )

    item = ServiceItem.objects.filter(code=code, version=1).first()
    if item is not None:
        return item
    item = ServiceItem.objects.create(
        code=code,
        name=name or f"压测并联审批事项{number}（五部门）",
        handling_type=ServiceItem.HandlingType.PROMISED,
        legal_basis="《中华人民共和国行政许可法》",
        conditions="符合法定条件",
        lead_department=departments[0],
        statutory_days=20,
        promised_days=STEP_DAYS,
        effective_from=datetime.date(2025, 1, 1),
    )
    IntakeQuestion.objects.create(
        item=item, key="agent", text="是否委托代理人办理", choices=[["yes", "是"], ["no", "否"]]
    )
    for order, (name, form, key, answer) in enumerate(
        (
            ("申请表", MaterialRequirement.Form.ORIGINAL, "", ""),
            ("身份证明", MaterialRequirement.Form.COPY, "", ""),
            ("授权委托书", MaterialRequirement.Form.ORIGINAL, "agent", "yes"),
        ),
        start=1,
    ):
        MaterialRequirement.objects.create(
            item=item, name=name, form=form, question_key=key, question_answer=answer, order=order
        )
    stage = ItemStage.objects.create(
        item=item, number=1, name="并联审查", lead_department=departments[0]
    )
    for order, department in enumerate(departments):
        ApprovalStep.objects.create(
            stage=stage,
            department=department,
            name=f"{department.name}审查",
            promised_days=STEP_DAYS,
            order=order,
            deemed_approval=True,
        )
    return item


def id_number(n: int) -> str:
    """A valid resident identity number, distinct for each n < 36,500,000 (born 1920 onwards)."""
    from hall.common.validators import id_number_check_char

    born = datetime.date(1920, 1, 1) + datetime.timedelta(days=n // 1000)
    body = f"110105{born:%Y%m%d}{n % 1000:03d}"
    return body + id_number_check_char(body)
