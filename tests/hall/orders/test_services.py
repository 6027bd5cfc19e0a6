"""接诉即办 through its services: the closed loop, the return rules, the named clerk, the one
extension, the sweep's cards, 催办, listing and call-backs, and races on PostgreSQL."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from departments.models import Officer
from hall.cases.wording import MessageKind
from hall.models import ApiClient, Notification, WorkOrder, WorkOrderEvent, WorkOrderPart
from hall.orders import selectors
from hall.orders import services as orders
from hall.orders.actions import OrderAction
from hall.orders.services import Dispatch
from tests.concurrency import run_at_once
from tests.dates import shanghai

MONDAY = shanghai(2026, 3, 2, 9)  # a plain week: no holiday in March 2026


def complaint(categories, owner, **extra) -> WorkOrder:
    fields = {
        "channel": WorkOrder.Channel.WINDOW,
        "category": categories["complaint"],
        "title": "小区门口占道经营",
        "content": "每天傍晚占道，消防通道被堵。",
        "contact_name": "王五",
        "contact_phone": "13912345678",
        "owner": owner,
    }
    fields.update(extra)
    return orders.order_receive(**fields)


def actions(order: WorkOrder) -> list[str]:
    return list(order.events.order_by("at", "pk").values_list("action", flat=True))


def part_of(order, department) -> WorkOrderPart:
    return order.parts.filter(department=department).order_by("-round").first()


def test_the_closed_loop_with_a_return_a_late_answer_and_a_reopening(
    time_machine, categories, owner, housing, city, supervisor
):
    time_machine.move_to(MONDAY)
    order = complaint(categories, owner)
    # 13 working days from the day after receipt: Mar 3 … Mar 19, ending at 24:00
    assert order.due_at == shanghai(2026, 3, 20, 0)
    assert Notification.objects.filter(kind=MessageKind.ORDER_RECEIVED).count() == 1

    (zj, zj_officer), (cg, cg_officer) = housing, city
    orders.order_dispatch(
        order=order,
        actor=owner,
        parts=[Dispatch(zj, "核查占道经营的商户是否取得许可"), Dispatch(cg, "清理占道")],
    )
    # the same dispatch twice sends nothing more
    assert orders.order_dispatch(order=order, actor=owner, parts=[Dispatch(zj, "再派")]) == []
    assert order.parts.count() == 2

    # housing returns it once, within the working day; the owner insists
    time_machine.move_to(shanghai(2026, 3, 3, 10))
    orders.part_return(part=part_of(order, zj), actor=zj_officer, reason="占道经营属城管职责")
    assert Notification.objects.filter(
        kind=MessageKind.ORDER_RETURNED, recipient_user=owner
    ).exists()
    with pytest.raises(ValidationError):  # answering a returned part is refused
        orders.part_answer(part=part_of(order, zj), actor=zj_officer, answer="已核查")
    orders.part_insist(part=part_of(order, zj), actor=owner, note="需核查许可，住建负责")
    with pytest.raises(ValidationError) as once:
        orders.part_return(part=part_of(order, zj), actor=zj_officer, reason="仍不属本部门")
    assert "一次" in str(once.value)
    orders.part_answer(part=part_of(order, zj), actor=zj_officer, answer="商户无许可，已立案。")

    # the other department lets the limit pass: the sweep chases it the next day, once
    time_machine.move_to(shanghai(2026, 3, 20, 8))
    first = orders.orders_sweep()
    assert first["chased"] == 1 and first["red"] == 1
    assert orders.orders_sweep()["chased"] == 0
    chased = Notification.objects.filter(kind=MessageKind.ORDER_CHASED)
    assert set(chased.values_list("recipient_user", flat=True)) == {cg_officer.pk}

    orders.part_answer(part=part_of(order, cg), actor=cg_officer, answer="已清理，每日巡查。")
    order.refresh_from_db()
    assert order.status == WorkOrder.Status.ANSWERED
    with pytest.raises(ValidationError):  # only the owner replies
        orders.order_reply(order=order, actor=zj_officer, reply="已处理")
    orders.order_reply(order=order, actor=owner, reply="已清理占道并立案查处。")
    order = orders.order_close(order=order, actor=owner)
    assert order.closed_late and order.callback_on == datetime.date(2026, 3, 23)

    # the call-back SMS goes the next working day (Monday), with its link
    time_machine.move_to(shanghai(2026, 3, 23, 9))
    assert orders.orders_sweep()["callbacks"] == 1
    sms = Notification.objects.get(kind=MessageKind.ORDER_CALLBACK)
    assert order.callback_token in sms.body and sms.channel == Notification.Channel.SMS
    assert orders.orders_sweep()["callbacks"] == 0

    # "not resolved": the order is done again by the same departments, with a new limit
    orders.order_callback(
        order=order, satisfaction=WorkOrder.Satisfaction.DISSATISFIED, resolved=False, via="sms"
    )
    order.refresh_from_db()
    assert order.reopen_count == 1 and order.status == WorkOrder.Status.IN_HAND
    # 13 working days from Mar 23: Mar 24–27, Mar 30–Apr 3, Apr 7–10 (Qingming Apr 6 off)
    assert order.due_at == shanghai(2026, 4, 11, 0)
    again = order.parts.filter(round=1)
    assert set(again.values_list("department", flat=True)) == {zj.pk, cg.pk}
    with pytest.raises(ValidationError):  # a reopened part cannot be returned
        orders.part_return(part=part_of(order, cg), actor=cg_officer, reason="不属本部门")

    time_machine.move_to(shanghai(2026, 3, 25, 10))
    orders.part_answer(part=part_of(order, zj), actor=zj_officer, answer="已吊销。")
    orders.part_answer(part=part_of(order, cg), actor=cg_officer, answer="已设隔离栏。")
    orders.order_reply(order=order, actor=owner, reply="已设隔离栏并吊销违规商户。")
    order = orders.order_close(order=order, actor=owner)
    assert not order.closed_late and order.reopen_count == 1

    assert actions(order) == [
        OrderAction.RECEIVED,
        OrderAction.DISPATCHED,
        OrderAction.DISPATCHED,
        OrderAction.RETURNED,
        OrderAction.INSISTED,
        OrderAction.ANSWERED,
        OrderAction.WARNING,
        OrderAction.CHASED,
        OrderAction.ANSWERED,
        OrderAction.REPLIED,
        OrderAction.CLOSED,
        OrderAction.CALLBACK_SENT,
        OrderAction.CALLED_BACK,
        OrderAction.REOPENED,
        OrderAction.DISPATCHED,
        OrderAction.DISPATCHED,
        OrderAction.ANSWERED,
        OrderAction.ANSWERED,
        OrderAction.REPLIED,
        OrderAction.CLOSED,
    ]


def test_a_second_return_goes_to_the_supervisors(
    time_machine, categories, owner, housing, city, supervisor
):
    time_machine.move_to(MONDAY)
    order = complaint(categories, owner)
    (zj, zj_officer), (cg, cg_officer) = housing, city
    orders.order_dispatch(order=order, actor=owner, parts=[Dispatch(zj, "核查")])
    orders.part_return(part=part_of(order, zj), actor=zj_officer, reason="不属住建")
    orders.order_redirect(order=order, actor=owner, parts=[Dispatch(cg, "清理")])
    orders.part_return(part=part_of(order, cg), actor=cg_officer, reason="不属城管")
    order.refresh_from_db()
    assert order.escalated
    told = Notification.objects.filter(kind=MessageKind.ORDER_ESCALATED)
    assert list(told.values_list("recipient_user", flat=True)) == [supervisor.pk]
    assert order in selectors.order_lists(supervisor)["escalated"]
    # the supervisor decides; the escalation ends
    orders.part_insist(part=part_of(order, cg), actor=supervisor, note="占道属城管，须办理")
    order.refresh_from_db()
    assert not order.escalated and part_of(order, cg).status == WorkOrderPart.Status.PENDING


def test_a_return_after_one_working_day_is_refused(time_machine, categories, owner, housing):
    time_machine.move_to(shanghai(2026, 3, 6, 16))  # a Friday afternoon
    order = complaint(categories, owner)
    zj, zj_officer = housing
    orders.order_dispatch(order=order, actor=owner, parts=[Dispatch(zj, "核查")])
    time_machine.move_to(shanghai(2026, 3, 10, 0, 1))  # past Monday 24:00
    with pytest.raises(ValidationError) as late:
        orders.part_return(part=part_of(order, zj), actor=zj_officer, reason="不属本部门")
    assert "一个工作日" in str(late.value)


def test_a_complaint_about_a_named_clerk_never_reaches_that_clerk(
    time_machine, categories, owner, housing, make_user
):
    time_machine.move_to(MONDAY)
    zj, zj_officer = housing
    colleague = make_user("zj-sun", "officer")
    colleague.officer = None

    Officer.objects.create(user=colleague, department=zj)
    # the clerk complained of cannot receive it
    with pytest.raises(ValidationError):
        complaint(categories, zj_officer, about_clerk=zj_officer)
    order = complaint(categories, owner, about_clerk=zj_officer, anonymous=True)
    orders.order_dispatch(order=order, actor=owner, parts=[Dispatch(zj, "核查陈某服务态度")])
    dispatched = Notification.objects.filter(kind=MessageKind.ORDER_DISPATCHED)
    assert set(dispatched.values_list("recipient_user", flat=True)) == {colleague.pk}
    assert selectors.order_for(zj_officer, order.number) is None
    assert selectors.order_lists(zj_officer)["department"] == []
    assert selectors.order_for(colleague, order.number) == order
    with pytest.raises(ValidationError):
        orders.part_answer(part=part_of(order, zj), actor=zj_officer, answer="我没有")
    # anonymous to the department: it sees the contact masked
    name, phone = order.contact_for_department()
    assert "王五" not in name and "13912345678" not in phone and phone.endswith("5678")


def test_one_extension_decided_by_a_supervisor(
    time_machine, categories, owner, housing, supervisor
):
    time_machine.move_to(MONDAY)
    order = complaint(categories, owner)
    zj, zj_officer = housing
    orders.order_dispatch(order=order, actor=owner, parts=[Dispatch(zj, "核查")])
    orders.order_extension_request(
        order=order, actor=zj_officer, working_days=5, reason="需现场检测"
    )
    with pytest.raises(ValidationError):
        orders.order_extension_request(order=order, actor=owner, working_days=3, reason="再延")
    with pytest.raises(ValidationError):  # not the supervisor
        orders.order_extension_decide(order=order, actor=owner, approve=True)
    order = orders.order_extension_decide(order=order, actor=supervisor, approve=True)
    assert order.due_at == shanghai(2026, 3, 27, 0)
    assert part_of(order, zj).due_at == order.due_at
    # approving again is the same answer, refusing now is not possible
    orders.order_extension_decide(order=order, actor=supervisor, approve=True)
    with pytest.raises(ValidationError):
        orders.order_extension_decide(order=order, actor=supervisor, approve=False, note="不")


def test_an_urgent_order_turns_yellow_then_red_within_two_hours(time_machine, categories, owner):
    time_machine.move_to(shanghai(2026, 3, 7, 22))  # a Saturday night
    order = complaint(categories, owner, category=categories["urgent"], title="燃气泄漏")
    assert order.due_at == shanghai(2026, 3, 8, 0)
    time_machine.move_to(shanghai(2026, 3, 7, 23, 31))
    assert orders.orders_sweep()["yellow"] == 1
    time_machine.move_to(shanghai(2026, 3, 8, 0, 1))
    assert orders.orders_sweep()["red"] == 1
    assert orders.orders_sweep() == {
        "yellow": 0,
        "red": 0,
        "chased": 0,
        "listed": 0,
        "callbacks": 0,
    }
    warned = Notification.objects.filter(kind=MessageKind.ORDER_WARNING, recipient_user=owner)
    assert warned.count() == 2
    with pytest.raises(ValidationError):  # urgent orders are not extended
        orders.order_extension_request(order=order, actor=owner, working_days=1, reason="忙")


def test_a_part_unanswered_five_working_days_past_its_limit_is_listed(
    time_machine, categories, owner, housing
):
    time_machine.move_to(MONDAY)
    order = complaint(categories, owner, category=categories["help"])  # due end of Mar 5
    zj, _officer = housing
    orders.order_dispatch(order=order, actor=owner, parts=[Dispatch(zj, "协助")])
    time_machine.move_to(shanghai(2026, 3, 12, 23))  # four working days late
    assert orders.orders_sweep()["listed"] == 0
    time_machine.move_to(shanghai(2026, 3, 13, 0, 5))  # five
    assert orders.orders_sweep()["listed"] == 1
    assert selectors.publicly_listed_counts() == [{"department__name": zj.name, "count": 1}]


def test_a_consultation_answered_at_once_or_given_three_days_when_referred(
    time_machine, categories, owner, housing
):
    time_machine.move_to(MONDAY)
    direct = complaint(categories, owner, category=categories["consultation"], title="怎么办居住证")
    assert direct.due_at == shanghai(2026, 3, 3, 0)
    orders.order_reply(order=direct, actor=owner, reply="携带身份证到窗口办理。")
    assert orders.order_close(order=direct, actor=owner).status == WorkOrder.Status.CLOSED

    referred = complaint(categories, owner, category=categories["consultation"], title="装修报备")
    zj, _officer = housing
    orders.order_dispatch(order=referred, actor=owner, parts=[Dispatch(zj, "答复报备要求")])
    referred.refresh_from_db()
    assert referred.due_at == shanghai(2026, 3, 6, 0)


def test_bad_input_is_refused_with_a_message_and_writes_nothing(time_machine, categories, owner):
    time_machine.move_to(MONDAY)
    for bad in (
        {"title": ""},
        {"contact_phone": "12345"},
        {"channel": "fax"},
        {"platform_due_at": shanghai(2026, 3, 1)},
        {"escalate": True},  # only the 办不成事 window escalates at once
    ):
        with pytest.raises(ValidationError):
            complaint(categories, owner, **bad)
    assert not WorkOrder.objects.exists() and not WorkOrderEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_departments_answering_at_once_make_the_order_answered_once(
    time_machine, categories, owner, housing, city, on_postgres
):
    if not on_postgres:
        pytest.skip("row locks need PostgreSQL")
    time_machine.move_to(MONDAY)
    order = complaint(categories, owner)
    (zj, zj_officer), (cg, cg_officer) = housing, city
    orders.order_dispatch(order=order, actor=owner, parts=[Dispatch(zj, "甲"), Dispatch(cg, "乙")])
    results = run_at_once(
        lambda: orders.part_answer(part=part_of(order, zj), actor=zj_officer, answer="甲已办"),
        lambda: orders.part_answer(part=part_of(order, cg), actor=cg_officer, answer="乙已办"),
    )
    assert not any(isinstance(r, BaseException) for r in results), results
    order.refresh_from_db()
    assert order.status == WorkOrder.Status.ANSWERED
    assert Notification.objects.filter(kind=MessageKind.ORDER_ANSWERED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_sweep_racing_a_reply_leaves_both_right(time_machine, categories, owner, on_postgres):
    if not on_postgres:
        pytest.skip("row locks need PostgreSQL")
    time_machine.move_to(MONDAY)
    order = complaint(categories, owner, category=categories["consultation"])
    time_machine.move_to(shanghai(2026, 3, 3, 0, 30))  # past the day's limit
    results = run_at_once(
        lambda: orders.orders_sweep(),
        lambda: orders.order_reply(order=order, actor=owner, reply="已电话答复。"),
    )
    assert not any(isinstance(r, BaseException) for r in results), results
    order.refresh_from_db()
    assert order.status == WorkOrder.Status.REPLIED
    # the sweep either carded it or left the locked row for its next round: never both half
    orders.orders_sweep()
    order.refresh_from_db()
    assert order.light == "red"


@pytest.mark.django_db(transaction=True)
def test_the_same_platform_order_posted_twice_at_once_is_one_order(
    time_machine, categories, owner, on_postgres
):
    if not on_postgres:
        pytest.skip("unique index races need PostgreSQL")

    client = ApiClient.objects.create(name="12345", key_prefix="p12345", key_hash="x")
    time_machine.move_to(MONDAY)
    post = lambda: complaint(categories, None, client=client, external_no="SZ12345-0001")  # noqa: E731
    results = run_at_once(post, post)
    assert not any(isinstance(r, BaseException) for r in results), results
    assert results[0].pk == results[1].pk
    assert WorkOrder.objects.count() == 1
    assert WorkOrderEvent.objects.filter(action=OrderAction.RECEIVED).count() == 1
    with pytest.raises(ValidationError):
        complaint(categories, None, client=client, external_no="SZ12345-0001", title="另一件事")


def test_the_log_is_append_only_in_the_database(time_machine, categories, owner, on_postgres):
    time_machine.move_to(MONDAY)
    order = complaint(categories, owner)
    event = order.events.get()
    with pytest.raises(PermissionError):
        event.save()
    if on_postgres:
        with pytest.raises(DatabaseError), transaction.atomic():
            WorkOrderEvent.objects.filter(pk=event.pk).update(action="closed")
