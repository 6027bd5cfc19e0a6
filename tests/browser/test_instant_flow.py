"""秒批 and 免证办 in a real browser, screenshots under artifacts/screenshots/.

The online applicant holds a valid business licence in the library: the upload page says the
licence is taken from the library (nothing to upload), the filing is granted by the system in
the same request, the case page offers the sealed electronic licence, and its verification page
says it is valid. At the window, the clerk accepting an instant item is told at once that the
system granted it, or which condition failed.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from approvals.models import MaterialRequirement
from hall.intake import receiving
from hall.models import Applicant, Case, CreditMark, ElectronicLicence, InstantApproval
from tests.approvals.workflow_helpers import department_with_staff
from tests.browser.conftest import scan, screenshot, signed_in
from tests.factories import ClerkFactory, item_with_stages

PASSWORD = "pw-Hall-2026!"  # tests/conftest.py make_user
RULES = [
    {"type": "licence", "licence_type": "business-licence"},
    {"type": "answer", "question": "agent", "equals": "no"},
    {"type": "no_credit_mark"},
    {"type": "materials_complete"},
]


@pytest.fixture
def seal_item(transactional_db, roles):
    police = department_with_staff("GA", "区公安分局", roles)
    item = item_with_stages(
        [[(police, 1)]],
        name="新办企业公章刻制备案",
        lead_department=police,
        instant_approval=True,
        instant_rules=RULES,
        instant_sample_percent=0,
        licence_type="seal-filing",
        licence_name="印章刻制备案证明",
    )
    MaterialRequirement.objects.create(
        item=item,
        name="营业执照（电子证照）",
        form=MaterialRequirement.Form.COPY,
        licence_type="business-licence",
        order=5,
    )
    return item


@pytest.fixture
def applicant(make_user, seal_item):
    user = make_user("13800138000", "applicant", last_name="张三")
    person = Applicant.objects.create(
        kind="person", name="张三", id_number="11010519491231002X", phone="13800138000", user=user
    )
    ElectronicLicence.objects.create(
        number="FTDZ20260000777",
        licence_type="business-licence",
        name="营业执照",
        holder=person,
        holder_name=person.name,
        holder_number=person.id_number,
        department=seal_item.lead_department,
        scope="个体工商户登记",
        valid_from=timezone.localdate(),
        verification_code="ABCDEFGHJKMN",
        issued_at=timezone.now(),
    )
    return user


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_online_instant_approval_with_a_licence_from_the_library(
    browser, live_server, media, seal_item, applicant, width
):
    context = signed_in(browser, live_server, applicant)
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    shot = f"instant-online-{width}"

    page.goto(f"/me/file/item/{seal_item.pk}/")
    page.get_by_label("是否委托代理人办理").select_option(label="否")
    page.get_by_role("button", name="下一步：上传材料").click()
    # the licence the library holds is not asked for
    expect(page.locator(".shared-licence")).to_contain_text("FTDZ20260000777")
    expect(page.get_by_label("营业执照（电子证照）", exact=True)).to_have_count(0)
    screenshot(page, f"{shot}-01-upload-with-shared-licence")
    page.get_by_label("申请表", exact=True).set_input_files(scan(media, "申请表.png"))
    page.get_by_label("身份证明", exact=True).set_input_files(scan(media, "身份证.png"))
    page.get_by_role("button", name="提交申报").click()

    case = Case.objects.get()
    expect(page.get_by_role("status")).to_contain_text("秒批")
    assert case.status == Case.Status.DECIDED
    assert InstantApproval.objects.filter(case=case).exists()
    expect(page.get_by_role("heading", name="电子证照")).to_be_visible()
    screenshot(page, f"{shot}-02-granted")

    licence = ElectronicLicence.objects.get(case=case)
    response = page.request.get(f"/me/case/{case.receipt_no}/licence.pdf")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body()[:5] == b"%PDF-"
    page.get_by_role("link", name="核验页面").click()
    expect(page.get_by_role("heading", name="电子证照核验")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("该电子证照真实有效")
    expect(page.locator("main")).to_contain_text(licence.number)
    screenshot(page, f"{shot}-03-verification")
    context.close()


def test_the_window_clerk_sees_the_instant_outcome(page: Page, make_user, seal_item, applicant):
    clerk = make_user("clerk-wang", "clerk", first_name="窗口", last_name="王")
    ClerkFactory(user=clerk)
    person = Applicant.objects.get()
    cases = []
    for _ in range(2):
        cases.append(
            receiving.case_receive(
                submission_key=uuid.uuid4(),
                applicant=person,
                item=seal_item,
                answers={"agent": "no"},
                received_by=clerk,
                channel=Case.Channel.WINDOW,
                window=clerk.clerk.window,
            )
        )
    page.goto("/accounts/login/?next=/window/")
    page.get_by_label("用户名").fill(clerk.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    def accept(case, shot):
        page.goto(f"/window/case/{case.receipt_no}/")
        expect(page.locator(".shared-licence")).to_contain_text("FTDZ20260000777")
        for name in ("申请表", "身份证明"):
            page.get_by_role("group", name=f"{name}的核对结果").get_by_label("已收齐").check()
        screenshot(page, f"{shot}-checklist")
        page.get_by_role("button", name="材料齐全，受理").click()

    accept(cases[0], "instant-window-01")
    expect(page.locator("main")).to_contain_text("秒批：申请满足全部秒批条件")
    screenshot(page, "instant-window-02-granted")

    # a credit mark fails "no credit mark": the case goes to the departments, and the clerk
    # is told which condition failed
    CreditMark.objects.create(applicant=person, reason="虚假承诺", marked_at=timezone.now())
    accept(cases[1], "instant-window-03")
    expect(page.locator("main")).to_contain_text(
        re.compile("未秒批：不满足条件“申请人无未消除的失信记录”")
    )
    screenshot(page, "instant-window-04-declined")
    assert Case.objects.get(pk=cases[1].pk).status == Case.Status.ACCEPTED
