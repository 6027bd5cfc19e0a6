"""The online applicant's main path in a real browser, screenshots under artifacts/screenshots/.

Register with an SMS code (read from the file SMS backend) → file an item online with uploads →
a clerk takes it at the online-intake desk and accepts → the departments decide (service calls)
→ the applicant follows the timeline and downloads the decision PDF from /me/ → the same case
on the kiosk's progress lookup.
"""

from __future__ import annotations

import io
import json
import re
import uuid

import pytest
from django.conf import settings as django_settings
from PIL import Image
from playwright.sync_api import Page, expect

from approvals.models import CaseDecision
from approvals.reviews import decisions
from approvals.reviews import steps as reviews_steps
from hall.common.personal_data import phone_account_username
from hall.models import Applicant, Case, Notice, UploadedMaterial
from tests.approvals.workflow_helpers import department_with_staff, officer_of, open_steps
from tests.browser.conftest import screenshot
from tests.factories import ClerkFactory, item_with_stages

PASSWORD = "pw-Hall-2026!"  # tests/conftest.py make_user
APPLICANT_PASSWORD = "Online-Hall-2026"
PHONE = "13800138000"
ID_NUMBER = "11010519491231002X"


@pytest.fixture
def online_settings(settings, tmp_path):
    settings.HALL_SMS_BACKEND = "hall.platform.messaging.FileSmsBackend"
    settings.HALL_SMS_FILE = str(tmp_path / "sms.jsonl")
    settings.STORAGES = {
        **django_settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"browser-{uuid.uuid4()}",
        }
    }
    return tmp_path


@pytest.fixture
def departments(transactional_db, roles):
    return [
        department_with_staff("MSR", "区市场监督管理局", roles),
        department_with_staff("HEALTH", "区卫生健康局", roles),
    ]


@pytest.fixture
def item(departments):
    msr, health = departments
    return item_with_stages([[(msr, 5), (health, 5)]], name="食品经营许可", lead_department=msr)


@pytest.fixture
def clerk(make_user):
    user = make_user("clerk-wang", "clerk", first_name="窗口", last_name="王")
    ClerkFactory(user=user)
    return user


def sms_code(path) -> str:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    (line,) = [line for line in lines if line["phone"] == PHONE]
    return re.search(r"验证码为 (\d{6})", line["text"]).group(1)


def scan(tmp_path, name: str) -> str:
    path = tmp_path / name
    image = Image.new("RGB", (600, 400), "white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_online_applicant_files_and_downloads_the_decision(
    page: Page, browser, live_server, online_settings, item, clerk, departments, width
):
    tmp_path = online_settings
    page.set_viewport_size({"width": width, "height": 900})
    shot = f"online-{width}"

    # Given an applicant without an account, sent to sign in from /me/
    page.goto("/me/")
    expect(page.get_by_role("heading", name="登录网上办事大厅")).to_be_visible()
    screenshot(page, f"{shot}-01-login")
    page.get_by_role("link", name="没有账号？注册网上办事账号").click()

    # When they ask for an SMS code and register with it
    expect(page.get_by_role("heading", name="注册网上办事账号")).to_be_visible()
    page.locator("#send-phone").fill(PHONE)
    page.get_by_role("button", name="获取短信验证码").click()
    expect(page.get_by_role("status")).to_contain_text("验证码已发送至 138****8000")
    form = page.locator("form", has=page.get_by_role("button", name="注册"))
    expect(form.get_by_label("手机号码")).to_have_value(PHONE)
    form.get_by_label("短信验证码").fill(sms_code(tmp_path / "sms.jsonl"))
    form.get_by_label("设置密码").fill(APPLICANT_PASSWORD)
    form.get_by_label("再次输入密码").fill("typo-" + APPLICANT_PASSWORD)
    form.get_by_role("radio", name="个人").check()
    form.get_by_label("姓名或企业名称").fill("张三")
    form.get_by_label("居民身份证号码（个人）").fill(ID_NUMBER)
    form.get_by_role("button", name="注册").click()
    # a mismatch is reported at the field, and the code is not used up
    confirm = page.get_by_label("再次输入密码")
    expect(confirm).to_have_attribute("aria-invalid", "true")
    expect(confirm).to_have_accessible_description(re.compile("两次输入的密码不一致"))
    # the focus is on the error summary at the top, which links to the field (issue 32)
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name=re.compile("再次输入密码"))).to_be_visible()
    screenshot(page, f"{shot}-02-register-error")
    form = page.locator("form", has=page.get_by_role("button", name="注册"))
    form.get_by_label("设置密码").fill(APPLICANT_PASSWORD)
    form.get_by_label("再次输入密码").fill(APPLICANT_PASSWORD)
    form.get_by_role("button", name="注册").click()

    # Then they are signed in on their portal
    expect(page.get_by_role("heading", name="网上办事大厅", exact=True)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("注册成功")
    # the account's username is the phone's keyed digest: no phone number in the user table
    assert Applicant.objects.get().user.username == phone_account_username(PHONE)
    screenshot(page, f"{shot}-03-home")

    # When they file the item online: answer the question, then upload the checklist
    page.get_by_role("link", name=re.compile("在线申报")).first.click()
    expect(page.get_by_role("heading", name="在线申报：选择事项")).to_be_visible()
    screenshot(page, f"{shot}-04-catalogue")
    page.get_by_role("link", name=re.compile(r"^申报\s*食品经营许可$")).click()
    page.get_by_label("是否委托代理人办理").select_option(label="否")
    screenshot(page, f"{shot}-05-questions")
    page.get_by_role("button", name="下一步：上传材料").click()
    expect(page.get_by_label("申请表", exact=True)).to_be_visible()
    expect(page.get_by_label("授权委托书", exact=True)).to_have_count(0)
    page.get_by_label("申请表", exact=True).set_input_files(scan(tmp_path, "申请表.png"))
    screenshot(page, f"{shot}-06-upload-partial")
    page.get_by_role("button", name="提交申报").click()
    # a missing material is named at its field
    missing = page.get_by_label("身份证明", exact=True)
    expect(missing).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text("请上传“身份证明”")
    screenshot(page, f"{shot}-07-upload-error")
    page.get_by_label("申请表", exact=True).set_input_files(scan(tmp_path, "申请表.png"))
    page.get_by_label("身份证明", exact=True).set_input_files(
        [scan(tmp_path, "身份证正面.png"), scan(tmp_path, "身份证反面.png")]
    )
    page.get_by_role("button", name="提交申报").click()

    # Then the case is received online, without an owner yet
    case = Case.objects.get()
    expect(page.get_by_role("heading", name=re.compile(case.receipt_no))).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(case.receipt_no)
    assert case.channel == "online" and case.owner is None
    assert UploadedMaterial.objects.filter(material__case=case).count() == 3
    expect(page.locator("main")).to_contain_text("已收件待受理")
    screenshot(page, f"{shot}-08-filed")

    # When a clerk takes it at the online-intake desk and accepts
    clerk_context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1280, "height": 900},
        reduced_motion="reduce",
    )
    desk = clerk_context.new_page()
    desk.goto("/accounts/login/?next=/online-desk/")
    desk.get_by_label("用户名").fill(clerk.username)
    desk.get_by_label("密码").fill(PASSWORD)
    desk.get_by_role("button", name="登录").click()
    expect(desk.get_by_role("heading", name="网上受理", exact=True)).to_be_visible()
    screenshot(desk, f"{shot}-09-desk-queue")
    desk.get_by_role("button", name=re.compile(f"认领办理.*{case.receipt_no}")).click()
    expect(desk.get_by_role("status")).to_contain_text("首问责任人")
    id_row = desk.locator("tr", has=desk.get_by_role("rowheader", name=re.compile("身份证明")))
    expect(id_row.get_by_role("link")).to_have_count(2)
    file_link = id_row.get_by_role("link").first
    response = desk.request.get(file_link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    for name in ("申请表", "身份证明"):
        desk.get_by_role("group", name=f"{name}的核对结果").get_by_label("已收齐").check()
    screenshot(desk, f"{shot}-10-desk-case")
    desk.get_by_role("button", name="材料齐全，受理").click()
    expect(desk.get_by_role("status")).to_contain_text("已出具受理通知书")
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED and case.owner == clerk
    clerk_context.close()

    # And the departments decide in parallel, the lead grants (service calls)
    for step in open_steps(case):
        reviews_steps.step_decide(
            step=step, officer=officer_of(step.department), approve=True, opinion="同意"
        )
    stage = case.stages.get()
    decisions.stage_decide(
        stage=stage, officer=officer_of(departments[0]), approve=True, opinion=""
    )
    assert CaseDecision.objects.get(case=case).decision_task_id is not None
    grant = decisions.case_decide(
        case=case, officer=officer_of(departments[0]), grant=True, reasons=""
    )

    # Then the applicant follows the timeline and downloads the decision from /me/
    page.goto("/me/")
    expect(page.get_by_role("link", name=case.receipt_no)).to_be_visible()
    expect(page.locator("main")).to_contain_text("已作出决定")
    screenshot(page, f"{shot}-11-home-decided")
    page.get_by_role("link", name=case.receipt_no).click()
    steps = page.get_by_role("table", name=re.compile("第1阶段"))
    expect(steps).to_contain_text("区市场监督管理局")
    expect(steps).to_contain_text("区卫生健康局")
    expect(steps).to_contain_text("同意")
    expect(page.get_by_role("region", name="办理过程")).to_contain_text("作出审批决定")
    screenshot(page, f"{shot}-12-case-decided")
    notices = page.get_by_role("region", name="文书")
    decision_link = notices.get_by_role("link", name=re.compile(f"准予许可决定书.*{grant.number}"))
    expect(decision_link).to_be_visible()
    with page.expect_download() as download_info:
        page.evaluate(
            "href => { const a = document.createElement('a'); a.href = href + '?download=1';"
            " a.download = ''; document.body.appendChild(a); a.click(); }",
            decision_link.get_attribute("href"),
        )
    download = download_info.value
    pdf = tmp_path / "decision.pdf"
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert download.suggested_filename.endswith(".pdf")
    assert Notice.objects.get(case=case, kind=Notice.Kind.GRANT).number == grant.number

    # And on the hall's kiosk (a portrait touch screen) the same case is found by receipt number
    # and verification code
    page.set_viewport_size({"width": 1080, "height": 1920})
    page.goto("/lookup/?kiosk=1")
    expect(page.locator("body")).to_have_class(re.compile(r"\bkiosk\b"))
    screenshot(page, f"{shot}-13-kiosk-lookup")
    page.get_by_role("textbox", name="收件编号").fill(case.receipt_no)
    page.get_by_label("查询验证码").fill(case.verification_code)
    page.get_by_role("button", name="查询").first.click()
    expect(page.get_by_role("heading", name="办件进度")).to_be_visible()
    expect(page.locator("main")).to_contain_text("准予许可决定书")
    screenshot(page, f"{shot}-14-kiosk-timeline")
    page.get_by_role("button", name="结束查询").click()
    expect(page.get_by_role("status")).to_contain_text("查询已结束")
