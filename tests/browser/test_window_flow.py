"""The window clerk's main path in a real browser, screenshots kept under artifacts/screenshots/.

Login → register the applicant (a wrong check digit first) → pick the item and answer the intake
question → check the materials → one-time correction notice (PDF) → the applicant returns with
what was listed → accept → acceptance notice and promised date → print view.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from hall.models import Applicant, Case, CorrectionItem, Notice
from tests.browser.conftest import screenshot
from tests.factories import ClerkFactory, item_with_checklist

PASSWORD = "pw-Hall-2026!"  # tests/conftest.py make_user
WRONG_CHECK_DIGIT = "110105194912310021"
RIGHT_ID_NUMBER = "11010519491231002X"


@pytest.fixture
def clerk(make_user):
    user = make_user("clerk-wang", "clerk", first_name="窗口", last_name="王")
    ClerkFactory(user=user)
    return user


@pytest.fixture
def item(transactional_db):
    return item_with_checklist(name="食品经营许可")


def material_group(page: Page, name: str):
    """The radio group of one material row (a fieldset whose legend names the material)."""
    return page.get_by_role("group", name=f"{name}的核对结果")


@pytest.mark.parametrize("width", [1280, 800], ids=["desktop", "narrow"])
def test_clerk_files_corrects_and_accepts(page: Page, clerk, item, width):
    page.set_viewport_size({"width": width, "height": 900})
    shot = f"window-{width}"

    # Given a clerk at the login page
    page.goto("/accounts/login/?next=/window/")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_label("用户名").fill(clerk.username)
    page.get_by_label("密码").fill(PASSWORD)
    screenshot(page, f"{shot}-01-login")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="综合受理工作台")).to_be_visible()

    # When they register a person with a wrong check digit, the error is at the field
    page.get_by_label("个人").check()
    page.get_by_label("姓名/名称").fill("张三")
    page.get_by_label("居民身份证号码").fill(WRONG_CHECK_DIGIT)
    page.get_by_label("手机号码").fill("13800138000")
    page.get_by_role("button", name="登记并选择事项").click()
    id_field = page.get_by_label("居民身份证号码")
    expect(id_field).to_have_attribute("aria-invalid", "true")
    expect(id_field).to_have_accessible_description(re.compile("校验"))
    expect(page.get_by_role("alert")).to_contain_text("居民身份证号码")
    assert not Applicant.objects.exists()
    screenshot(page, f"{shot}-02-register-error")

    # and then with the right number they reach the file page
    id_field.fill(RIGHT_ID_NUMBER)
    page.get_by_role("button", name="登记并选择事项").click()
    expect(page.get_by_role("heading", name="选择事项并回答受理问题")).to_be_visible()
    page.get_by_label("单个事项").select_option(str(item.pk))
    page.get_by_role("button", name=re.compile(r"^选择\s*单个事项$")).click()
    question = page.get_by_label("是否委托代理人办理")
    question.select_option(label="是")
    screenshot(page, f"{shot}-03-file")
    page.get_by_role("button", name="收件并生成材料清单").click()

    # Then the checklist follows the answer: the agent's authorisation is required
    expect(page.get_by_role("heading", name=re.compile("食品经营许可"))).to_be_visible()
    case = Case.objects.get()
    for name in ("申请表", "身份证明", "授权委托书"):
        expect(material_group(page, name)).to_be_visible()
    expect(material_group(page, "营业执照")).to_have_count(0)
    screenshot(page, f"{shot}-04-checklist")

    # When one material is missing and one defective, the one-time notice lists both
    material_group(page, "申请表").get_by_label("已收齐").check()
    material_group(page, "身份证明").get_by_label("缺少").check()
    material_group(page, "授权委托书").get_by_label("有误").check()
    page.get_by_label("授权委托书的问题说明").fill("未载明委托权限")
    page.get_by_role("button", name="出具一次性补正告知书").click()
    expect(page.get_by_role("status")).to_contain_text("已出具一次性补正告知书")
    correction = Notice.objects.get(case=case, kind=Notice.Kind.CORRECTION)
    notices = page.get_by_role("region", name="文书")
    expect(notices).to_contain_text(f"一次性补正告知书 {correction.number}")
    screenshot(page, f"{shot}-05-after-correction")

    assert set(
        CorrectionItem.objects.filter(notice=correction).values_list("material__name", flat=True)
    ) == {"身份证明", "授权委托书"}
    pdf_link = notices.get_by_role("link", name=re.compile(f"PDF.*{re.escape(correction.number)}"))
    response = page.request.get(pdf_link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")

    # When the applicant returns, the clerk opens the case by its receipt number, submitting with
    # the keyboard: Tab from the field to the button, then Enter
    page.get_by_role("link", name="综合受理工作台").first.click()
    lookup = page.get_by_label("按收件编号打开办件")
    lookup.fill(case.receipt_no)
    lookup.press("Tab")
    open_button = page.get_by_role("button", name="打开")
    expect(open_button).to_be_focused()
    screenshot(page, f"{shot}-06-lookup-focus")
    page.keyboard.press("Enter")

    # Then only what the notice listed can be checked again
    expect(page.get_by_role("heading", name=re.compile(case.receipt_no))).to_be_visible()
    expect(material_group(page, "申请表")).to_have_count(0)
    accepted_row = page.locator("tr", has=page.get_by_role("rowheader", name="申请表"))
    expect(accepted_row).to_contain_text("已收齐")
    material_group(page, "身份证明").get_by_label("已收齐").check()
    material_group(page, "授权委托书").get_by_label("已收齐").check()
    page.get_by_role("button", name="材料齐全，受理").click()

    # And the acceptance notice is issued with the promised date
    expect(page.get_by_role("status")).to_contain_text("已出具受理通知书")
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED
    acceptance = Notice.objects.get(case=case, kind=Notice.Kind.ACCEPTANCE)
    expect(page.get_by_role("region", name="文书")).to_contain_text(
        f"受理通知书 {acceptance.number}"
    )
    expect(page.locator("main")).to_contain_text(f"承诺办结 {case.promised_due_date:%Y-%m-%d}")
    screenshot(page, f"{shot}-07-accepted")

    page.get_by_role("link", name=re.compile(f"打印.*{re.escape(acceptance.number)}")).click()
    expect(page.get_by_role("heading", name="受理通知书")).to_be_visible()
    expect(page.get_by_text(acceptance.number, exact=True)).to_be_visible()
    expect(page.locator("body")).to_contain_text(f"{case.promised_due_date:%Y年%-m月%-d日}")
    screenshot(page, f"{shot}-08-print")
