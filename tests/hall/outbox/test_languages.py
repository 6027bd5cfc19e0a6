"""Messages in the recipient's language (issue 32): a clerk working in English writes to a
Chinese-speaking applicant in Chinese, a clerk working in Chinese to an English-speaking one in
English; staff inboxes follow each person's own choice, kept when they switch the language."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from approvals.models import ServiceItem, WorkOrderCategory
from hall.cases.wording import MessageKind
from hall.common.localised import Localised, Template, in_language
from hall.models import Applicant, LanguagePreference, Notification, WorkOrder
from hall.orders import services as orders
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    officer_of,
    staged_item,
)

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def item(roles) -> ServiceItem:
    department = department_with_staff("LG", "区市场监管局", roles)
    return staged_item([[(department, 5)]], lead_department=department, name="Food licence")


def acceptance_sms() -> Notification:
    return Notification.objects.get(kind=MessageKind.ACCEPTED, channel=Notification.Channel.SMS)


def test_a_clerk_in_english_writes_to_a_chinese_applicant_in_chinese(item, roles):
    clerk = make_clerk(roles)
    with translation.override("en"):
        case = accepted_case(item, clerk)
    body = acceptance_sms().body
    assert "受理" in body and case.receipt_no in body and "accepted" not in body


def test_a_clerk_in_chinese_writes_to_an_english_applicant_in_english(item, roles):
    clerk = make_clerk(roles)
    Applicant.objects.create(
        kind="person",
        name="张三",
        phone="13800138000",
        id_number="11010519491231002X",
        language="en",
    )
    with translation.override("zh-hans"):
        case = accepted_case(item, clerk)
    sms = acceptance_sms()
    assert sms.body.startswith("Your application") and case.receipt_no in sms.body
    assert sms.subject and not CHINESE.search(sms.subject)


def test_staff_read_their_inbox_in_the_language_they_chose(roles, make_user):

    owner = make_user("desk-owner", "clerk")
    department = department_with_staff("ZJ", "区住房和建设局", roles)
    officer = officer_of(department)
    # the officer switches the interface to English while signed in: kept for their messages
    browser = Client()
    browser.force_login(officer)
    browser.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert LanguagePreference.objects.get(user=officer).language == "en"
    category = WorkOrderCategory.objects.create(code="c", name="占道", kind="complaint")
    order = orders.order_receive(
        channel=WorkOrder.Channel.WINDOW,
        category=category,
        title="占道经营",
        content="傍晚占道",
        owner=owner,
    )
    with translation.override("zh-hans"):
        orders.order_dispatch(order=order, actor=owner, parts=[orders.Dispatch(department, "清理")])
    told = Notification.objects.get(kind=MessageKind.ORDER_DISPATCHED, recipient_user=officer)
    assert told.subject.startswith("New work order") and order.number in told.subject
    assert "占道经营" in told.body  # the citizen's own words stay as written


def test_a_localised_text_is_a_string_that_can_be_written_again():
    template = Template(translation.gettext_lazy("工单退回 %(number)s"))
    with translation.override("zh-hans"):
        text = template % {"number": "GD1"}
    assert isinstance(text, str) and isinstance(text, Localised) and text == "工单退回 GD1"
    assert in_language(text, "en") == "Work order returned GD1"
    assert in_language("plain", "en") == "plain"
