"""The department officer's main path in a real browser, screenshots under artifacts/screenshots/.

A case runs in parallel through 区规划局 (the lead) and 区消防局. 消防 has already answered.
The 规划 officer logs in → finds the case in the inbox with its card → opens the task → approves
with an opinion → as the lead, decides the stage → issues the final decision and gets its PDF.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from approvals.models import CaseStep
from approvals.reviews import steps as reviews
from hall.models import Case, Notice
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    officer_of,
    open_steps,
    staged_item,
)
from tests.browser.conftest import screenshot

PASSWORD = "pw-Hall-2026!"


@pytest.fixture
def parallel_case(transactional_db, roles):
    planning = department_with_staff("PL", "区规划局", roles)
    fire = department_with_staff("FS", "区消防局", roles)
    item = staged_item(
        [[(planning, 10), (fire, 8)]], lead_department=planning, name="建设工程规划许可证核发"
    )
    case = accepted_case(item, make_clerk(roles))
    planning_step, fire_step = open_steps(case)
    reviews.step_decide(
        step=fire_step, officer=officer_of(fire), approve=True, opinion="消防设计审查合格"
    )
    officer = officer_of(planning)
    officer.set_password(PASSWORD)
    officer.save(update_fields=["password"])
    return case, planning_step, officer


@pytest.mark.parametrize("width", [1280, 800], ids=["desktop", "narrow"])
def test_officer_reviews_and_the_lead_decides(page: Page, parallel_case, width):
    case, step, officer = parallel_case
    page.set_viewport_size({"width": width, "height": 900})
    shot = f"desk-{width}"

    # Given the 规划 officer logs in
    page.goto("/accounts/login/?next=/desk/")
    page.get_by_label("用户名").fill(officer.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    # Then the inbox lists the case with its card in words and its remaining working days
    expect(page.get_by_role("heading", name="部门审批台", exact=True)).to_be_visible()
    inbox = page.get_by_role("region", name=re.compile("本部门待审查事项"))
    row = inbox.get_by_role("row", name=re.compile(case.receipt_no))
    expect(row).to_contain_text("正常")
    expect(row).to_contain_text("剩余 10 个工作日")
    expect(row).to_contain_text("建设工程规划许可证核发")
    screenshot(page, f"{shot}-01-inbox")

    # When they claim it (from the keyboard) and open the task
    claim = row.get_by_role("button", name=re.compile("认领"))
    claim.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("已认领")
    row = page.get_by_role("row", name=re.compile(case.receipt_no))
    expect(row).to_contain_text(officer.last_name + officer.first_name)
    row.get_by_role("link", name=re.compile("办理")).click()

    # Then the task page shows the case file, the other department's opinion and the clock
    expect(page.get_by_role("heading", name=re.compile("建设工程规划许可证核发"))).to_be_visible()
    expect(page.get_by_role("region", name="其他部门的审查意见")).to_contain_text(
        "消防设计审查合格"
    )
    expect(page.get_by_role("region", name="案卷")).to_contain_text(case.applicant.masked_identity)
    expect(page.get_by_role("region", name="审查期限")).to_contain_text(f"{step.due_date:%Y-%m-%d}")
    screenshot(page, f"{shot}-02-task")

    # When they refuse without reasons, the error is at the field and read with it
    decide = page.locator("form#decide")
    decide.get_by_label("不同意").check()
    decide.get_by_role("button", name="提交审查意见").click()
    opinion = page.locator("form#decide").get_by_label("审查意见")
    expect(opinion).to_have_attribute("aria-invalid", "true")
    expect(opinion).to_have_accessible_description(re.compile("须说明理由"))
    screenshot(page, f"{shot}-03-refuse-error")

    # and then approve with an opinion
    page.locator("form#decide").get_by_label("同意", exact=True).check()
    opinion.fill("符合控制性详细规划，同意")
    page.locator("form#decide").get_by_role("button", name="提交审查意见").click()
    expect(page.get_by_role("status")).to_contain_text("已提交审查意见（同意）")
    step.refresh_from_db()
    assert step.status == CaseStep.Status.APPROVED

    # Then, as the lead department, the stage decision waits for them
    lead = page.get_by_role("region", name=re.compile("牵头部门待决定"))
    expect(lead).to_contain_text(case.receipt_no)
    screenshot(page, f"{shot}-04-inbox-lead")
    lead.get_by_role("link", name=re.compile("作出阶段决定")).click()
    expect(page.get_by_role("heading", name=re.compile("阶段决定"), level=1)).to_be_visible()
    expect(page.get_by_role("region", name="本阶段各部门意见")).to_contain_text(
        "符合控制性详细规划"
    )
    page.get_by_label("同意", exact=True).check()
    page.get_by_label("阶段意见").fill("两部门均同意")
    screenshot(page, f"{shot}-05-stage")
    page.get_by_role("button", name="作出阶段决定").click()
    expect(page.get_by_role("status")).to_contain_text("已作出阶段决定")

    # And the final decision: grant, and the decision document is linked
    page.get_by_role("link", name="返回部门审批台").click()
    page.get_by_role("link", name=re.compile("作出审批决定")).click()
    expect(page.get_by_role("heading", name=re.compile("审批决定"), level=1)).to_be_visible()
    page.get_by_label("准予许可").check()
    screenshot(page, f"{shot}-06-decision")
    page.get_by_role("button", name="作出决定并出具决定书").click()
    grant = Notice.objects.get(case=case, kind=Notice.Kind.GRANT)
    expect(page.get_by_role("status")).to_contain_text(f"已出具准予许可决定书，文号 {grant.number}")
    pdf_link = page.get_by_role("link", name=re.compile(f"^下载准予许可决定书.*{grant.number}"))
    expect(pdf_link).to_be_visible()
    screenshot(page, f"{shot}-07-decided")
    response = page.request.get(pdf_link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
    case.refresh_from_db()
    assert case.status == Case.Status.DECIDED
