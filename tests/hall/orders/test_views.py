"""接诉即办's pages: who may see what, errors in one round, the logged look at a contact, the
citizen's call-back link, the public list, and the figures against a hand count on the demo."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from hall.models import Case, KnowledgeEntry, PersonalDataAccess, WorkOrder
from hall.orders import figures, services
from tests.dates import shanghai

DEMO_DAY = shanghai(2026, 3, 11, 10)  # a Wednesday: the demo's "yesterday" is a working day


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def demo(db, time_machine):
    time_machine.move_to(DEMO_DAY)
    call_command("seed_demo")


def test_the_desk_is_for_staff_only(demo):
    assert Client().get(reverse("orders:desk")).status_code == 302  # to the login
    assert signed_in("agent").get(reverse("orders:desk")).status_code == 403
    page = signed_in("clerk").get(reverse("orders:desk")).content.decode()
    assert "福华路小区门口占道经营" in page and "红牌超时" in page and "黄牌预警" in page


def test_a_complaint_about_the_demo_officer_is_hidden_from_him_and_masked_for_his_colleague(demo):
    order = WorkOrder.objects.get(title="审批人员答复不耐烦")
    url = reverse("orders:detail", args=[order.number])
    assert signed_in("officer").get(url).status_code == 404
    assert (
        "审批人员答复不耐烦"
        not in signed_in("officer").get(reverse("orders:desk")).content.decode()
    )
    colleague = signed_in("officer-scjg").get(url)
    assert colleague.status_code == 200
    page = colleague.content.decode()
    assert "钱七" not in page and "13912340004" not in page and "0004" in page
    assert "查看完整联系方式" not in page  # anonymous to the department: no look at all


def test_the_owner_looks_at_a_contact_with_a_reason_and_the_look_is_logged(demo):
    order = WorkOrder.objects.get(title="福华路小区门口占道经营")
    url = reverse("orders:detail", args=[order.number])
    owner = signed_in("clerk")
    assert "13912340001" not in owner.get(url).content.decode()
    refused = owner.post(url, {"action": "reveal", "reveal-reason": "回"})
    assert refused.status_code == 400 and "事由" in refused.content.decode()
    shown = owner.post(url, {"action": "reveal", "reveal-reason": "电话回访市民"})
    assert "13912340001" in shown.content.decode()
    access = PersonalDataAccess.objects.get(what=PersonalDataAccess.What.REVEAL)
    assert order.number in access.reason and access.username == "clerk"


def test_receiving_reports_every_error_at_once_and_writes_nothing(demo):
    before = WorkOrder.objects.count()
    answer = signed_in("clerk").post(
        reverse("orders:receive"),
        {"channel": "window", "title": "", "content": "", "contact_phone": "12"},
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert page.count("invalid-feedback") >= 3  # category, title, content at once
    assert WorkOrder.objects.count() == before


def test_a_step_not_offered_is_refused_with_a_message(demo):
    order = WorkOrder.objects.get(title="夜间施工噪声")  # closed
    answer = signed_in("clerk").post(
        reverse("orders:detail", args=[order.number]),
        {"action": "reply", "reply-reply": "再答复"},
        follow=True,
    )
    assert "不能进行此操作" in answer.content.decode()


def test_the_call_back_link_is_found_only_by_its_token(demo):
    assert Client().get(reverse("orders:callback", args=["x" * 43])).status_code == 404
    order = WorkOrder.objects.get(title="夜间施工噪声")
    page = Client().get(reverse("orders:callback", args=[order.callback_token]))
    assert "已回复过" in page.content.decode()


def test_the_public_list_names_departments_and_counts_only(demo):
    page = Client().get(reverse("orders:public")).content.decode()
    assert "目前没有通报的逾期工单" in page


def test_the_figures_match_a_hand_count_on_the_demo(demo):
    """By hand, from hall.demo.seed: 城管 got the vending order and answered in time; 市场监管
    got the vending order (open) and the complaint about its officer (open); 生态环境 got the
    noise order, answered, closed on time, called back satisfied and resolved; the urgent and
    the consultation orders were sent nowhere (the hall itself)."""
    rows = {
        (r["department"], r["category"]): r for r in figures.order_figures(month=DEMO_DAY.date())
    }
    names = {r["department"] for r in rows.values()}
    cg = next(r for (d, _c), r in rows.items() if "城市管理" in d)
    assert (cg["orders"], cg["response_rate"], cg["on_time_rate"], cg["chased"]) == (
        1,
        "100.0%",
        "—",
        0,
    )
    scjg = [r for (d, _c), r in rows.items() if "市场监督" in d]
    assert sorted(r["orders"] for r in scjg) == [1, 1]
    assert {r["response_rate"] for r in scjg} == {"0.0%"}
    noise = next(r for (d, _c), r in rows.items() if "生态环境" in d)
    assert (
        noise["orders"],
        noise["on_time_rate"],
        noise["resolution_rate"],
        noise["satisfaction_rate"],
        noise["reopen_rate"],
    ) == (1, "100.0%", "100.0%", "100.0%", "0.0%")
    hall = [r for (d, _c), r in rows.items() if d == str(figures.HALL_ITSELF)]
    assert sum(r["orders"] for r in hall) == 2
    assert len(names) == 4
    # the export says the same
    exported = signed_in("supervisor").get(
        reverse("orders:figures"), {"month": "2026-03", "format": "csv"}
    )
    table = list(csv.reader(io.StringIO(exported.content.decode().lstrip("\ufeff"))))
    assert len(table) == 1 + len(rows)
    assert signed_in("clerk").get(reverse("orders:figures")).status_code == 403


def test_an_order_about_a_case_is_shown_on_the_case_and_the_dashboard_counts_orders(demo):

    case = Case.objects.exclude(receipt_no="").order_by("pk").first()
    clerk = get_user_model().objects.get(username="clerk")
    order = services.order_receive(
        channel=WorkOrder.Channel.WINDOW,
        category=WorkOrder.objects.get(title="福华路小区门口占道经营").category,
        title="办件进度太慢",
        content="等了很久",
        case=case,
        owner=clerk,
    )
    page = signed_in("clerk").get(reverse("intake:case", args=[case.receipt_no])).content.decode()
    assert order.number in page
    dashboard = signed_in("supervisor").get(reverse("supervision:home")).content.decode()
    assert "红牌超时 1 件，黄牌预警 1 件" in dashboard


def test_a_citizen_reports_from_the_portal_and_a_clerk_claims_it(demo):
    portal = Client()
    applicant = next(u for u in get_user_model().objects.all() if hasattr(u, "applicant"))
    portal.force_login(applicant)
    other_case = Case.objects.exclude(applicant=applicant.applicant).first()
    answer = portal.post(
        reverse("orders:citizen"),
        {
            "category": WorkOrder.objects.get(title="夜间施工噪声").category_id,
            "title": "工地夜间施工",
            "content": "凌晨一点还在施工。",
            "receipt_no": other_case.receipt_no,  # not hers: not linked, and nothing said
        },
    )
    assert answer.status_code == 302
    order = WorkOrder.objects.get(title="工地夜间施工")
    assert order.channel == WorkOrder.Channel.PORTAL and order.owner is None
    assert order.case is None and order.contact_phone == applicant.applicant.phone
    assert "工地夜间施工" in portal.get(reverse("orders:citizen")).content.decode()
    # an unowned order waits for the first clerk who claims it
    clerk = signed_in("clerk")
    assert order.number in clerk.get(reverse("orders:desk")).content.decode()
    claimed = clerk.post(reverse("orders:detail", args=[order.number]), {"action": "claim"})
    assert claimed.status_code == 302
    order.refresh_from_db()
    assert order.owner.username == "clerk"


def test_the_kiosk_takes_a_complaint_with_a_phone(demo):
    kiosk = Client()
    category = WorkOrder.objects.get(title="夜间施工噪声").category_id
    refused = kiosk.post(
        reverse("orders:kiosk"),
        {"category": category, "title": "", "content": "", "contact_phone": "1"},
    )
    assert refused.status_code == 400 and refused.content.decode().count("invalid-feedback") >= 3
    done = kiosk.post(
        reverse("orders:kiosk"),
        {
            "category": category,
            "title": "排队太久",
            "content": "等了两小时",
            "contact_phone": "13912345670",
        },
    )
    assert done.status_code == 200 and "已收到" in done.content.decode()
    assert WorkOrder.objects.get(title="排队太久").channel == WorkOrder.Channel.KIOSK


def test_the_owner_answers_a_consultation_from_the_knowledge_base(demo):
    order = WorkOrder.objects.get(title="居住证续签要带什么材料")
    url = reverse("orders:detail", args=[order.number])
    owner = signed_in("clerk")
    page = owner.get(url).content.decode()
    cited = KnowledgeEntry.objects.get(key="juzhuzheng-xuqian")
    assert f'value="{cited.pk}"' in page  # suggested beside the reply
    done = owner.post(url, {"action": "reply", "reply-knowledge": cited.pk, "reply-reply": ""})
    assert done.status_code == 302
    order.refresh_from_db()
    assert order.status == WorkOrder.Status.REPLIED and cited.source in order.reply
