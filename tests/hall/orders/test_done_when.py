"""Issue 31's Done-when, through the real parts: a 12345 order posted through the API is sent to
two departments, one returns it once, the other answers late and is chased by the sweep (run by
the live worker, and on its own by beat), the citizen is called back by SMS, says "unresolved",
and the reopened order is closed on time; the platform hears the replies and closings through
Standard Webhooks its own reference library verifies."""

from __future__ import annotations

import datetime
import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from hall.api.keys import api_key_issue
from hall.cases.wording import MessageKind
from hall.models import ApiClient, Notification, WebhookSubscription, WorkOrder, WorkOrderEvent
from hall.orders.actions import OrderAction
from hall.orders.services import order_receive
from hall.orders.tasks import sweep_orders
from tests.dates import shanghai
from tests.hall.outbox.test_webhooks import ReferenceReceiver, free_port
from tests.hall.platform.test_sweeps_survive_redis import _wait_for

MONDAY = shanghai(2026, 3, 2, 9)
ORDER = {
    "external_no": "SZ12345-20260302-0001",
    "category": "test-complaint",
    "title": "小区门口占道经营",
    "content": "每天傍晚占道，消防通道被堵。",
    "contact_name": "王五",
    "contact_phone": "13912345678",
}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def act(user, order: WorkOrder, action: str, **fields):
    data = {"action": action, **{f"{action}-{name}": value for name, value in fields.items()}}
    answer = signed_in(user).post(reverse("orders:detail", args=[order.number]), data, follow=True)
    page = answer.content.decode()
    problems = re.findall(r"(?:alert-danger|invalid-feedback)[^>]*>([^<]*)", page)
    assert answer.redirect_chain and "已保存" in page, f"{action}: {problems}"


def part_id(order, department) -> int:
    return order.parts.filter(department=department).order_by("-round").first().pk


def wait_for_events(receiver, count: int) -> list[dict]:
    deadline = time.monotonic() + 30
    while len(receiver.received) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    return receiver.received


@pytest.mark.celery_worker
def test_a_12345_order_from_the_platform_to_its_reopened_closing(
    celery_worker, time_machine, categories, owner, housing, city, supervisor
):
    time_machine.move_to(MONDAY)
    (zj, zj_officer), (cg, cg_officer) = housing, city
    platform = ApiClient.objects.create(
        name="深圳12345平台", scopes=["orders:file"], acting_user=owner
    )
    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key_issue(client=platform)}")
    port = free_port()
    subscription = WebhookSubscription.objects.create(
        client=platform,
        url=f"http://127.0.0.1:{port}/hook",
        event_types=["order_replied", "order_extension_requested", "order_closed"],
    )
    receiver = ReferenceReceiver(subscription.secret, port)
    try:
        # bad input is a problem-details answer and writes nothing
        for bad, status in (
            ({**ORDER, "category": "no-such"}, 400),
            ({**ORDER, "due_at": "2026-03-01T10:00:00+08:00"}, 400),
            ({**ORDER, "title": ""}, 400),
        ):
            answer = http.post("/api/v1/work-orders/", bad, format="json")
            assert answer.status_code == status and answer["Content-Type"].startswith(
                "application/problem+json"
            ), answer.content
        assert not WorkOrder.objects.exists()

        posted = http.post("/api/v1/work-orders/", ORDER, format="json")
        assert posted.status_code == 201, posted.content
        again = http.post("/api/v1/work-orders/", ORDER, format="json")
        assert again.json()["number"] == posted.json()["number"]
        conflict = http.post("/api/v1/work-orders/", {**ORDER, "title": "另一件事"}, format="json")
        assert conflict.status_code == 409
        order = WorkOrder.objects.get()
        assert order.owner == owner and order.channel == WorkOrder.Channel.HOTLINE
        assert http.get(f"/api/v1/work-orders/{ORDER['external_no']}/").json()["status"] == (
            "received"
        )

        # dispatched to two departments from the owner's page
        act(owner, order, "dispatch", departments=[zj.pk, cg.pk], task="核查并清理占道经营")
        # housing returns it once; the owner insists
        act(zj_officer, order, "return", part=part_id(order, zj), reason="占道经营属城管职责")
        act(owner, order, "insist", part=part_id(order, zj), note="须核查商户许可")
        act(zj_officer, order, "answer", part=part_id(order, zj), answer="商户无许可，已立案")

        # the other lets the limit pass: the sweep, run by the worker, chases it
        time_machine.move_to(shanghai(2026, 3, 20, 8))
        swept = sweep_orders.delay().get(timeout=30)
        assert swept["chased"] == 1
        assert Notification.objects.filter(
            kind=MessageKind.ORDER_CHASED, recipient_user=cg_officer
        ).exists()
        act(cg_officer, order, "answer", part=part_id(order, cg), answer="已清理")
        act(owner, order, "reply", reply="已清理占道并立案查处。")
        act(owner, order, "close", confirm="on")
        order.refresh_from_db()
        assert order.closed_late

        # the call-back the next working day, by SMS link; the citizen says "unresolved"
        time_machine.move_to(shanghai(2026, 3, 23, 9))
        assert sweep_orders.delay().get(timeout=30)["callbacks"] == 1
        sms = Notification.objects.get(kind=MessageKind.ORDER_CALLBACK)
        link = reverse("orders:callback", args=[order.callback_token])
        assert link in sms.body
        citizen = Client()
        assert "问题是否已解决" in citizen.get(link).content.decode()
        assert (
            citizen.post(link, {"resolved": "no", "satisfaction": "dissatisfied"}).status_code
            == 302
        )
        order.refresh_from_db()
        assert order.reopen_count == 1 and order.status == WorkOrder.Status.IN_HAND

        # the reopened order is done again and closed on time
        time_machine.move_to(shanghai(2026, 3, 25, 10))
        act(zj_officer, order, "answer", part=part_id(order, zj), answer="已吊销违规商户许可")
        act(cg_officer, order, "answer", part=part_id(order, cg), answer="已设隔离栏")
        act(owner, order, "reply", reply="已设隔离栏并吊销违规商户。")
        act(owner, order, "close", confirm="on")
        order.refresh_from_db()
        assert order.status == WorkOrder.Status.CLOSED and not order.closed_late

        # the platform heard both replies and both closings, each verified by its library
        events = wait_for_events(receiver, 4)
    finally:
        receiver.close()
    assert receiver.rejected == 0
    assert [e["event"]["type"].rsplit(".", 1)[-1] for e in events] == [
        "order_replied",
        "order_closed",
        "order_replied",
        "order_closed",
    ]
    assert {e["event"]["data"]["external_no"] for e in events} == {ORDER["external_no"]}
    assert events[-1]["event"]["data"]["reopen_count"] == 1
    assert WorkOrderEvent.objects.filter(order=order, action=OrderAction.CHASED).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_beat_runs_the_order_sweep(categories, owner, private_redis, beat_and_worker):
    """An urgent order whose two hours have run out turns red by beat's schedule alone (beat and
    a worker as subprocesses on their own Redis, on the test session's clock)."""
    order = order_receive(
        channel=WorkOrder.Channel.WINDOW,
        category=categories["urgent"],
        title="燃气泄漏",
        content="楼道有燃气味",
        owner=owner,
    )
    # two hours later, as the database sees it (whatever today is)
    gone = timezone.now() - datetime.timedelta(minutes=1)
    WorkOrder.objects.filter(pk=order.pk).update(due_at=gone, yellow_at=gone)
    _processes, tmp_path = beat_and_worker
    _wait_for(
        lambda: WorkOrder.objects.filter(pk=order.pk, light="red").exists(),
        seconds=120,
        what="the order's red card from beat's sweep",
        logs=lambda: (tmp_path / "beat.log").read_text()[-2000:],
    )
    assert Notification.objects.filter(
        kind=MessageKind.ORDER_WARNING, recipient_user=owner
    ).exists()
