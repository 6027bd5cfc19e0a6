"""Reads of work orders: who may see which, the lists of each desk, the public page's counts."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet

from approvals.models import WorkOrderCategory
from departments.models import Department, Officer
from hall.models import Case, WorkOrder, WorkOrderEvent, WorkOrderPart
from hall.orders.actions import OrderAction
from hall.orders.knowledge import knowledge_search
from hall.roles import CLERK, SUPERVISOR


def category_by_code(code: str) -> WorkOrderCategory | None:
    return WorkOrderCategory.objects.filter(code=code, is_active=True).first()


def categories_active() -> QuerySet[WorkOrderCategory]:
    return WorkOrderCategory.objects.filter(is_active=True).order_by("kind", "code")


def case_by_receipt_no(receipt_no: str) -> Case | None:
    receipt_no = (receipt_no or "").strip()
    return Case.objects.filter(receipt_no=receipt_no).first() if receipt_no else None


def order_of_client(*, client_id: int, number: str) -> WorkOrder | None:
    """A platform sees the orders it sent, found by the hall's number or its own."""
    return (
        WorkOrder.objects.filter(source_client_id=client_id)
        .filter(Q(number=number) | Q(external_no=number))
        .select_related("category")
        .first()
    )


def user_department(user: User) -> Department | None:
    officer = Officer.objects.filter(user=user).select_related("department").first()
    return officer.department if officer else None


def is_supervisor(user: User) -> bool:
    return user.groups.filter(name=SUPERVISOR.group_name).exists()


def orders_visible_to(user: User) -> QuerySet[WorkOrder]:
    """The owner sees their orders; a supervisor every order; a clerk also the orders nobody
    has claimed; a department officer the orders with a part for the department — never one
    that complains of them."""
    orders = WorkOrder.objects.select_related("category", "owner")
    if is_supervisor(user):
        return orders
    department = user_department(user)
    visible = Q(owner=user)
    if user.groups.filter(name=CLERK.group_name).exists():
        visible |= Q(owner__isnull=True)  # waiting for the first clerk who claims it
    if department is not None:
        visible |= Q(parts__department=department)
    return orders.filter(visible).exclude(about_clerk=user).distinct()


def order_for(user: User, number: str) -> WorkOrder | None:
    return orders_visible_to(user).filter(number=number).first()


def order_lists(user: User) -> dict[str, list[WorkOrder]]:
    """The orders desk: what waits for this person, soonest due first."""
    visible = orders_visible_to(user).order_by("due_at")
    lists = {
        "mine": list(visible.filter(owner=user).exclude(status=WorkOrder.Status.CLOSED)[:200]),
        "unowned": [],
        "department": [],
        "escalated": [],
        "extensions": [],
    }
    if user.groups.filter(name__in=[CLERK.group_name, SUPERVISOR.group_name]).exists():
        lists["unowned"] = list(
            WorkOrder.objects.filter(owner__isnull=True)
            .exclude(status=WorkOrder.Status.CLOSED)
            .exclude(about_clerk=user)
            .order_by("due_at")[:200]
        )
    department = user_department(user)
    if department is not None:
        lists["department"] = list(
            WorkOrderPart.objects.filter(
                department=department,
                status__in=[WorkOrderPart.Status.PENDING, WorkOrderPart.Status.RETURNED],
            )
            .exclude(order__about_clerk=user)
            .select_related("order")
            .order_by("due_at")[:200]
        )
    if is_supervisor(user):
        open_orders = WorkOrder.objects.exclude(status=WorkOrder.Status.CLOSED)
        lists["escalated"] = list(open_orders.filter(escalated=True).order_by("due_at")[:200])
        lists["extensions"] = list(
            open_orders.filter(extension=WorkOrder.Extension.REQUESTED).order_by("due_at")[:200]
        )
    return lists


def order_timeline(order: WorkOrder) -> list[WorkOrderEvent]:
    """The order's log, each event with its action's label (`label`)."""
    events = list(order.events.select_related("actor").order_by("at", "pk"))
    codes = {e.details.get("department") for e in events if e.details.get("department")}
    names = dict(Department.objects.filter(code__in=codes).values_list("code", "name"))
    for event in events:
        event.label = OrderAction(event.action).label
        event.department_name = names.get(event.details.get("department"), "")
    return events


def order_parts(order: WorkOrder) -> list[WorkOrderPart]:
    return list(order.parts.select_related("department", "answered_by").order_by("round", "pk"))


def order_by_callback_token(token: str) -> WorkOrder | None:
    if not token or len(token) > 64:
        return None
    return WorkOrder.objects.filter(callback_token=token).first()


def publicly_listed_counts() -> list[dict]:
    """The public supervision page: per department, how many parts are listed (still
    unanswered 5 working days past their limit) — departments and counts, no person."""
    return list(
        WorkOrderPart.objects.filter(listed_at__isnull=False, status=WorkOrderPart.Status.PENDING)
        .values("department__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "department__name")
    )


def staff_who_may_be_named() -> QuerySet[User]:
    """The staff a complaint may name: window clerks and department officers."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name=CLERK.group_name) | Q(officer__isnull=False))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def part_of_user(order: WorkOrder, user: User) -> WorkOrderPart | None:
    """The part of the order's current round held by the user's department, if any."""
    department = user_department(user)
    if department is None or order.about_clerk_id == user.pk:
        return None
    return (
        order.parts.filter(department=department, round=order.reopen_count).order_by("-pk").first()
    )


def orders_today(*, now) -> dict[str, int]:
    """The supervision dashboard's line: open orders red and yellow now, parts chased."""
    open_orders = WorkOrder.objects.exclude(status=WorkOrder.Status.CLOSED)
    return {
        "red": open_orders.filter(due_at__lte=now).count(),
        "yellow": open_orders.filter(yellow_at__lte=now, due_at__gt=now).count(),
        "chased": WorkOrderPart.objects.filter(
            status=WorkOrderPart.Status.PENDING, chased_at__isnull=False
        ).count(),
        "escalated": open_orders.filter(escalated=True).count(),
    }


def orders_of_applicant(applicant) -> QuerySet[WorkOrder]:
    return (
        WorkOrder.objects.filter(applicant=applicant)
        .select_related("category")
        .order_by("-received_at")
    )


def case_of_applicant(applicant, receipt_no: str) -> Case | None:
    """A citizen links an order only to one of their own cases (no one else's can be named)."""
    receipt_no = (receipt_no or "").strip()
    if not receipt_no or applicant is None:
        return None
    return Case.objects.filter(receipt_no=receipt_no, applicant=applicant).first()


def knowledge_suggested(order: WorkOrder) -> list:
    """Entries that may answer the order: those matching a word of its title, then its
    category's name (a handful)."""
    found = []
    for words in (order.title, order.category.name):
        # Chinese has no spaces: two-character pieces of the first dozen characters
        for word in [words[i : i + 2] for i in range(0, min(len(words), 12), 2)]:
            for entry in knowledge_search(word)[:5]:
                if entry not in found:
                    found.append(entry)
            if len(found) >= 5:
                return found
    return found
