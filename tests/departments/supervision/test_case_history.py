"""The case page shows the whole append-only log, in order, readable, with on-behalf-of."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection, transaction
from django.urls import reverse

from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.intake import ownership as intake
from hall.models import CaseEvent
from tests.approvals.workflow_helpers import accepted_case, make_clerk, staged_item
from tests.departments.builders import departments


@pytest.fixture
def case(roles):
    (planning,) = departments(roles, "区规划局")
    clerk = make_clerk(roles)
    return accepted_case(staged_item([[(planning, 5)]], lead_department=planning), clerk)


def history_rows(html: str) -> list[list[str]]:
    table = html.split('id="case-history"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        rows.append([re.sub(r"<[^>]+>", "", cell).strip() for cell in cells])
    return rows


def test_the_page_shows_every_event_in_order(client, make_user, case, roles):
    supervisor = make_user("sup", "supervisor", last_name="监", first_name="察")
    agent = make_user("agent-zhao", "agent", last_name="赵", first_name="代办")
    successor = make_user("clerk-li", "clerk", last_name="李", first_name="四")
    # an agent's action for the applicant, a handover with a reason, and an event written late
    # (a sweep that stamps the time it acted for) that belongs before the others
    event_record(
        case=case,
        action=CaseAction.CORRECTION_SUPPLIED,
        actor=agent,
        on_behalf_of=case.applicant,
        details={"materials": ["身份证明", "授权委托书"]},
    )
    intake.case_owner_handover(
        case=case, supervisor=supervisor, new_owner=successor, reason="原责任人休假"
    )
    first = case.events.order_by("at", "pk").first()
    CaseEvent(
        case=case,
        at=first.at - datetime.timedelta(minutes=5),
        action="warning",
        details={"light": "yellow", "department": "区规划局", "due": "2026-12-01"},
    ).save(force_insert=True)

    client.force_login(supervisor)
    html = client.get(reverse("supervision:case", args=[case.receipt_no])).content.decode()
    rows = history_rows(html)

    expected = list(case.events.order_by("at", "pk").values_list("action", flat=True))
    assert len(rows) == len(expected) == case.events.count()
    assert [row[0] for row in rows] == [str(n) for n in range(1, len(rows) + 1)]
    labels = [row[4] for row in rows]
    assert labels[0] == "期限预警"  # the backdated one comes first: ordered by time
    assert labels[-2:] == ["补正材料", "变更首问责任人"]
    times = [row[1] for row in rows]
    assert times == sorted(times)
    supplied, handover = rows[-2], rows[-1]
    assert supplied[2] == "赵代办" and supplied[3] == "张三"  # acted for the applicant
    assert supplied[5] == "材料：身份证明、授权委托书"
    assert handover[2] == "监察" and handover[3] == "—"
    assert handover[5] == "原责任人：clerk-wang新责任人：clerk-li理由：原责任人休假"
    assert rows[0][2] == "系统"
    assert "预警：黄牌预警" in rows[0][5]


@pytest.mark.postgres
def test_the_event_table_refuses_update_and_delete(case):
    event = case.events.first()
    before = case.events.count()
    for statement, param in (
        ("UPDATE hall_caseevent SET details = '{}'::jsonb WHERE id = %s", event.pk),
        ("DELETE FROM hall_caseevent WHERE id = %s", event.pk),
        ("UPDATE hall_caseevent SET at = at - interval '1 day' WHERE case_id = %s", case.pk),
        ("DELETE FROM hall_caseevent WHERE case_id = %s", case.pk),
    ):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [param])
    event.refresh_from_db()
    assert event.details != {}
    assert case.events.count() == before
