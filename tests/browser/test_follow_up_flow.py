"""Issue 25 and 26 pages in a real browser, screenshots under artifacts/screenshots/: a grant
revoked after a false commitment is marked revoked in the public register and in the lookup's
case page of the portal; the first-contact owner closes a referred case with its outcome."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from approvals.models import MaterialRequirement
from hall.intake import commitments, referrals
from hall.intake import decisions as intake_decisions
from hall.intake.common import MaterialMark
from hall.models import Case, Commitment
from tests.approvals.workflow_helpers import (
    case_granted,
    department_with_staff,
    make_clerk,
    officer_of,
    received_case,
    staged_item,
)
from tests.browser.conftest import screenshot, signed_in


@pytest.fixture
def revoked_case(transactional_db, roles):
    dept = department_with_staff("RB", "区市场监督管理局", roles)
    clerk = make_clerk(roles)
    item = staged_item(
        [[(dept, 5)]],
        lead_department=dept,
        name="食品经营许可",
        commitment_allowed=True,
        commitment_text="申请人承诺对住所依法享有使用权。",
        commitment_liability="承诺不实的，撤销许可并记入信用记录。",
        commitment_verify_days=20,
    )
    MaterialRequirement.objects.create(
        item=item, name="住所使用证明", form="copy", commitment_allowed=True, order=7
    )
    case = received_case(item, clerk)
    marks = {
        m.pk: MaterialMark("committed" if m.name == "住所使用证明" else "received")
        for m in case.materials.all()
    }
    intake_decisions.case_intake_decide(case=case, clerk=clerk, outcome="accept", marks=marks)
    case = Case.objects.get(pk=case.pk)
    case_granted(case, dept)
    commitments.commitment_verify(
        commitment=Commitment.objects.get(case=case),
        by=officer_of(dept, head=True),
        truthful=False,
        note="住所为他人所有",
    )
    return case


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_a_revoked_grant_in_the_public_register(page: Page, revoked_case, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(reverse("register:grants"))
    entry = page.locator("li.card", has_text=revoked_case.item.code)
    expect(entry).to_contain_text("撤销")
    expect(entry).to_contain_text("第六十九条")
    expect(entry).not_to_contain_text("有效期至")
    screenshot(page, f"register-revoked-{width}")


def test_the_owner_closes_a_referral(browser, live_server, roles, transactional_db):
    clerk = make_clerk(roles)
    dept = department_with_staff("RF", "区民政局", roles)
    case = received_case(staged_item([[(dept, 5)]], lead_department=dept), clerk)
    referrals.case_refer(case=case, clerk=clerk, office="市公安局出入境管理支队", reason="出入境")
    context = signed_in(browser, live_server, clerk)
    page = context.new_page()
    page.goto(reverse("intake:case", args=[case.receipt_no]))
    section = page.locator("section", has=page.get_by_role("heading", name="转办跟进（首问负责）"))
    expect(section).to_be_visible()
    screenshot(page, "referral-follow-up-form")
    page.get_by_label("承接机关的办理结果").fill("已由出入境支队办结，申请人已领证")
    page.get_by_role("button", name="登记结果并办结").click()
    expect(page.locator(".alert-success")).to_contain_text("已登记转办结果")
    screenshot(page, "referral-closed")
    context.close()
    assert Case.objects.get(pk=case.pk).status == Case.Status.CLOSED


def test_the_officer_inbox_marks_a_provisional_deadline(browser, live_server, roles):
    from approvals.models import CaseStep
    from tests.approvals.workflow_helpers import accepted_case, open_steps

    dept = department_with_staff("PV", "区规划和自然资源局", roles)
    case = accepted_case(staged_item([[(dept, 20)]], lead_department=dept), make_clerk(roles))
    (step,) = open_steps(case)
    CaseStep.objects.filter(pk=step.pk).update(calendar_assumed_years=[2031])
    context = signed_in(browser, live_server, officer_of(dept))
    page = context.new_page()
    page.goto(reverse("desk:home"))
    row = page.get_by_role("row", name=case.receipt_no)
    badge = row.locator(".desk-provisional")
    expect(badge).to_have_text("暂定期限")
    expect(badge).to_have_attribute("title", re.compile("2031 年的调休安排尚未公布"))
    screenshot(page, "desk-provisional")
    context.close()
