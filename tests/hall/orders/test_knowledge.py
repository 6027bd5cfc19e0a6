"""The knowledge base: entries with their sources, versions that keep the old text, search at
the window and online, a consultation answered from an entry citing it, and the review list."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from hall.models import KnowledgeEntry, WorkOrder, WorkOrderEvent
from hall.orders import knowledge
from hall.orders import services as orders
from hall.orders.actions import OrderAction
from tests.concurrency import run_at_once
from tests.dates import shanghai

MONDAY = shanghai(2026, 3, 2, 9)


def entry(**extra) -> KnowledgeEntry:
    fields = {
        "key": "juzhuzheng-xuqian",
        "question": "居住证到期怎么续签？",
        "answer": "到期前 30 日内持身份证到派出所申请。",
        "source_kind": "law",
        "source": "《居住证暂行条例》第十四条",
        "actor": None,
    }
    fields.update(extra)
    return knowledge.knowledge_add(**fields)


def test_an_entry_needs_its_source_and_a_revision_keeps_the_old_version(time_machine, db):
    time_machine.move_to(MONDAY)
    with pytest.raises(ValidationError) as missing:
        entry(source="")
    assert "依据" in str(missing.value)
    first = entry()
    second = knowledge.knowledge_revise(
        entry=first,
        question=first.question,
        answer="到期前 30 日内持身份证和居住登记凭证申请，也可网上办理。",
        source_kind="law",
        source=first.source,
        actor=None,
    )
    first.refresh_from_db()
    assert (first.is_current, first.version, second.is_current, second.version) == (
        False,
        1,
        True,
        2,
    )
    assert "派出所" in first.answer  # the old text as it was
    assert list(knowledge.knowledge_search("居住证")) == [second]
    with pytest.raises(ValidationError):  # revising a version no longer current
        knowledge.knowledge_revise(
            entry=first, question="x", answer="y", source_kind="law", source="z", actor=None
        )


@pytest.mark.django_db(transaction=True)
def test_two_revisions_at_once_make_one_version(on_postgres):
    if not on_postgres:
        pytest.skip("races need PostgreSQL")
    first = entry()
    revise = lambda text: knowledge.knowledge_revise(  # noqa: E731
        entry=first, question="q", answer=text, source_kind="law", source="s", actor=None
    )
    results = run_at_once(lambda: revise("甲"), lambda: revise("乙"))
    assert sum(isinstance(r, KnowledgeEntry) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    assert KnowledgeEntry.objects.filter(key=first.key, is_current=True).count() == 1


def test_a_consultation_answered_from_the_knowledge_base_cites_it(time_machine, categories, owner):
    time_machine.move_to(MONDAY)
    cited = entry()
    order = orders.order_receive(
        channel=WorkOrder.Channel.WINDOW,
        category=categories["consultation"],
        title="居住证续签",
        content="要带什么？",
        contact_phone="13912345678",
        owner=owner,
    )
    order = orders.order_reply(order=order, actor=owner, reply="", knowledge=cited)
    assert cited.answer in order.reply and cited.source in order.reply
    event = WorkOrderEvent.objects.get(order=order, action=OrderAction.REPLIED)
    assert event.details["knowledge"] == cited.pk and event.details["version"] == 1
    cited.refresh_from_db()
    assert cited.use_count == 1 and cited.last_used_at is not None


def test_entries_outdated_or_unused_are_listed_for_review(time_machine, db):
    time_machine.move_to(MONDAY)
    old = entry(key="old-entry")
    used = entry(key="used-entry")
    time_machine.move_to(MONDAY + datetime.timedelta(days=200))
    knowledge.knowledge_cited(entry=used)
    assert list(knowledge.knowledge_for_review()) == [old]
    time_machine.move_to(MONDAY + datetime.timedelta(days=370))  # past the yearly review date
    assert set(knowledge.knowledge_for_review()) == {old, used}


def test_the_window_searches_and_only_supervisors_add(make_user, supervisor, owner, db):
    entry()
    clerk = Client()
    clerk.force_login(owner)
    page = clerk.get(reverse("orders:knowledge"), {"q": "居住证"}).content.decode()
    assert "第十四条" in page and "新增条目" not in page
    assert clerk.post(reverse("orders:knowledge"), {"key": "x"}).status_code == 403
    lead = Client()
    lead.force_login(supervisor)
    added = lead.post(
        reverse("orders:knowledge"),
        {
            "key": "banshi-shijian",
            "question": "大厅几点上班？",
            "answer": "工作日 9:00–18:00。",
            "source_kind": "notice",
            "source": "大厅服务公告",
        },
    )
    assert added.status_code == 302
    public = Client().get(reverse("orders:answers"), {"q": "上班"}).content.decode()
    assert "9:00–18:00" in public and "大厅服务公告" in public
