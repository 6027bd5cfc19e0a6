"""一件事 as one application in Chromium (issue 30): an enterprise files 企业开办一件事 online
with one upload per material and, once the online desk accepts the application, finds one
acceptance notice for its four items; a window clerk receives 新生儿出生一件事 and issues one
correction notice covering two of its items. Axe-clean pages; screenshots bundle-*.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from approvals.demo.seed import demo_catalogue_seed
from hall.models import Applicant, Case, CaseGroup, CaseMaterial, Notice, UploadedMaterial
from tests.browser.conftest import scan, screenshot, signed_in
from tests.browser.test_accessibility import _axe
from tests.dates import shanghai
from tests.factories import ClerkFactory

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def assert_clean(page):
    problems = _axe(page)
    assert not problems, f"{page.url}: {problems}"


@pytest.fixture
def hall(transactional_db, roles, time_machine, make_user, media, settings):
    time_machine.move_to(shanghai(2026, 10, 12, 10))
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_catalogue_seed()
    clerk = make_user("clerk-wang", "clerk", first_name="窗口", last_name="王")
    ClerkFactory(user=clerk)
    return clerk


def test_an_enterprise_files_the_business_bundle_once_and_gets_one_notice(
    browser, live_server, hall, make_user, media
):
    clerk = hall
    owner = make_user("founder", "applicant", last_name="李创")
    Applicant.objects.create(
        kind="enterprise",
        name="深圳市福田区晨光科技有限公司",
        uscc="91440300MA5G1234X6",
        legal_representative="李创",
        phone="13900139000",
        user=owner,
    )
    context = signed_in(browser, live_server, owner, viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    page.goto("/me/file/bundle/qiye-kaiban/")
    # 一表申请: the question all four items ask is asked once
    selects = page.locator("main select")
    for index in range(selects.count()):
        select = selects.nth(index)
        labels = select.locator("option").all_inner_texts()
        select.select_option(label="否" if "否" in labels else labels[-1])
    screenshot(page, "bundle-01-online-questions-phone")
    page.get_by_role("button", name="下一步：上传材料").click()
    expect(page.get_by_text("共同材料（各事项共用，只交一次）")).to_be_visible()
    assert_clean(page)
    # 一套材料: one file field per material; the legal representative's identity that all four
    # items need is one field
    inputs = page.locator("input[type=file]")
    assert inputs.count() > 0
    expect(page.get_by_label("法定代表人身份证件", exact=True)).to_have_count(1)
    for index in range(inputs.count()):
        inputs.nth(index).set_input_files(scan(media, f"scan-{index}.png"))
    fields = inputs.count()
    screenshot(page, "bundle-02-online-upload-phone")
    page.get_by_role("button", name="提交申报").click()
    group = CaseGroup.objects.get()
    cases = list(group.cases.order_by("pk"))
    assert len(cases) == 4
    # one field per material of the application, a material several items share once
    distinct = {
        m.requirement.material_code or m.pk
        for m in CaseMaterial.objects.filter(case__group=group).select_related("requirement")
    }
    assert fields == len(distinct) < CaseMaterial.objects.filter(case__group=group).count()
    # and every case holds what it needs from that one upload
    needing_id = [c for c in cases if c.materials.filter(name="法定代表人身份证件").exists()]
    assert len(needing_id) >= 2
    for case in needing_id:
        assert UploadedMaterial.objects.filter(
            material__case=case, material__name="法定代表人身份证件"
        ).exists()

    # the online desk takes the whole application and accepts it as one
    desk = signed_in(browser, live_server, clerk, viewport=DESKTOP, bypass_csp=True).new_page()
    desk.goto(f"/online-desk/case/{cases[0].receipt_no}/")
    desk.get_by_role("link", name=re.compile("整件申请")).click()
    expect(desk.get_by_role("heading", name=re.compile("企业开办一件事"))).to_be_visible()
    desk.get_by_role("button", name="认领整件申请（首问负责）").click()
    expect(desk.get_by_role("status")).to_contain_text("首问责任人")
    assert_clean(desk)
    desk.get_by_role("button", name="全部收齐").click()
    desk.get_by_role("button", name="整件受理并出具一份受理通知书").click()
    expect(desk.get_by_role("status").first).to_contain_text("受理通知书")
    screenshot(desk, "bundle-03-desk-application-accepted")
    assert Notice.objects.filter(kind=Notice.Kind.ACCEPTANCE).count() == 1
    assert set(Case.objects.values_list("status", flat=True)) == {Case.Status.ACCEPTED}

    # the enterprise sees one notice and the whole application on any of its cases
    page.goto(f"/me/case/{cases[2].receipt_no}/")
    status = page.get_by_role("region", name=re.compile("一件事：企业开办一件事"))
    expect(status).to_contain_text("已办结 0 / 4 项")
    expect(status.get_by_role("row")).to_have_count(5)
    notices = page.locator("main").get_by_text(re.compile("^受理通知书"))
    expect(notices).to_have_count(1)
    assert_clean(page)
    screenshot(page, "bundle-04-portal-one-notice-phone")


def test_the_window_receives_the_newborn_bundle_with_one_correction_notice(
    browser, live_server, hall
):
    clerk = hall
    mother = Applicant.objects.create(
        kind="person", name="陈静", id_number="440304199203150027", phone="13700137000"
    )
    page = signed_in(browser, live_server, clerk, viewport=DESKTOP, bypass_csp=True).new_page()
    page.goto(f"/window/applicant/{mother.pk}/file/?bundle=xinsheng-chusheng")
    page.get_by_label("是否委托代理人办理").select_option(label="否")
    page.get_by_role("button", name="收件并生成材料清单").click()
    expect(page.get_by_role("heading", name=re.compile("新生儿出生一件事"))).to_be_visible()
    # five items, the parents' identity one row for all of them
    parents = page.get_by_role("row", name=re.compile("父母双方身份证件"))
    expect(parents).to_have_count(1)
    expect(parents).to_contain_text("共用材料")
    assert_clean(page)
    page.get_by_role("button", name="全部收齐").click()
    # two items lack something: the birth registration form and the newborn's photo
    for material in ("出生医学证明首次签发登记表", "新生儿近期免冠照片"):
        page.get_by_role("group", name=f"{material}的核对结果").get_by_label("缺少").check()
    screenshot(page, "bundle-05-window-check")
    page.get_by_role("button", name="出具一份一次性补正告知书").click()
    expect(page.get_by_role("status").first).to_contain_text("一次性补正告知书")
    [notice] = Notice.objects.filter(kind=Notice.Kind.CORRECTION)
    rows = [tuple(row) for row in notice.content["table"]["rows"]]
    assert rows == [
        ("出生医学证明首次签发", "出生医学证明首次签发登记表", "未提交"),
        ("社会保障卡申领（新生儿）", "新生儿近期免冠照片", "未提交"),
    ]
    assert set(Case.objects.values_list("status", flat=True)) == {Case.Status.AWAITING_CORRECTION}
    expect(page.get_by_role("region", name="整件申请的文书")).to_contain_text(notice.number)
    # the notice's print view lists both items
    page.get_by_role("link", name=re.compile(f"打印.*{notice.number}")).click()
    expect(page.locator("body")).to_contain_text("社会保障卡申领（新生儿）")
    screenshot(page, "bundle-06-window-correction-notice")
