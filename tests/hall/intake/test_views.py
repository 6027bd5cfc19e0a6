"""The window clerk's workbench over HTTP: register, file, check, decide, download."""

from __future__ import annotations

import io
import uuid

import pytest
from django.urls import reverse
from PIL import Image

from approvals.models import Bundle, CaseStep, IntakeQuestion, ServiceItem
from approvals.reviews import decisions as reviews_decisions
from approvals.reviews import steps, suspensions
from hall.models import Applicant, Case, CaseGroup, CaseMaterial, Notice
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    officer_of,
    open_steps,
    staged_item,
)
from tests.factories import ClerkFactory, PersonFactory, item_with_checklist


@pytest.fixture
def clerk(make_user):
    user = make_user("clerk-wang", "clerk", first_name="窗口", last_name="王")
    ClerkFactory(user=user)
    return user


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


@pytest.fixture
def item(db):
    return item_with_checklist(name="食品经营许可")


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_only_clerks_open_the_workbench(client, make_user):
    client.force_login(make_user("o", "officer"))
    assert client.get(reverse("intake:home")).status_code == 403


def test_register_shows_chinese_errors_at_the_field(clerk_client):
    response = clerk_client.post(
        reverse("intake:applicant_register"),
        {"kind": "person", "name": "张三", "id_number": "110105194912310021", "phone": "138"},
    )
    assert response.status_code == 400
    form = response.context["applicant_form"]
    assert "id_number" in form.errors and "phone" in form.errors
    assert "校验" in str(form.errors["id_number"])
    assert 'aria-invalid="true"' in response.content.decode()
    assert Applicant.objects.count() == 0


def test_a_changed_phone_at_the_window_needs_the_confirmation_box(clerk_client, clerk):
    person = {"kind": "person", "name": "张三", "id_number": "11010519491231002X"}
    url = reverse("intake:applicant_register")
    clerk_client.post(url, {**person, "phone": "13800138000"})
    refused = clerk_client.post(url, {**person, "phone": "13900139000"}, REMOTE_ADDR="192.0.2.9")
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "确认变更联系方式" in html and "138****8000" in html
    assert Applicant.objects.get().phone == "13800138000"
    confirmed = clerk_client.post(
        url, {**person, "phone": "13900139000", "confirm_contact_change": "on"}
    )
    assert confirmed.status_code == 302
    assert Applicant.objects.get().phone == "13900139000"
    from hall.models import SecurityEvent

    logged = SecurityEvent.objects.get(kind="contact_changed")
    assert logged.user_id == clerk.pk


def test_window_flow_from_registration_to_acceptance(clerk_client, item, clerk):
    response = clerk_client.post(
        reverse("intake:applicant_register"),
        {
            "kind": "person",
            "name": "张三",
            "id_number": "11010519491231002X",
            "phone": "13800138000",
        },
    )
    applicant = Applicant.objects.get()
    assert response["Location"] == reverse("intake:file", args=[applicant.pk])

    file_url = reverse("intake:file", args=[applicant.pk])
    page = clerk_client.get(file_url, {"item": item.pk})
    assert "是否委托代理人办理" in page.content.decode()
    key = str(uuid.uuid4())
    payload = {"submission_key": key, "item": item.pk, f"{item.pk}__agent": "no"}
    first = clerk_client.post(file_url, payload)
    second = clerk_client.post(file_url, payload)  # double click
    case = Case.objects.get()
    assert first["Location"] == second["Location"] == reverse("intake:case", args=[case.receipt_no])

    materials = list(case.materials.all())
    marks = {f"status-{m.pk}": "received" for m in materials}
    marks[f"scan-{materials[0].pk}"] = io.BytesIO(png_bytes())
    marks[f"scan-{materials[0].pk}"].name = "申请表.png"
    response = clerk_client.post(
        reverse("intake:case", args=[case.receipt_no]), {**marks, "outcome": "accept"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED
    stored = case.materials.get(pk=materials[0].pk)
    assert stored.scan_kind == "png"
    assert "申请表" not in stored.scan.name  # stored under a random name

    notice = Notice.objects.get(case=case)
    pdf = clerk_client.get(reverse("intake:notice_pdf", args=[case.receipt_no, notice.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    printed = clerk_client.get(reverse("intake:notice_print", args=[case.receipt_no, notice.pk]))
    assert "受理通知书" in printed.content.decode()
    assert notice.number in printed.content.decode()


def test_a_forged_scan_is_refused_and_nothing_changes(clerk_client, item, clerk):
    case = _case(item, clerk)
    material = case.materials.first()
    forged = io.BytesIO(b"<script>alert(1)</script>")
    forged.name = '"><script>.jpg'
    response = clerk_client.post(
        reverse("intake:case", args=[case.receipt_no]),
        {f"status-{material.pk}": "received", f"scan-{material.pk}": forged, "outcome": "check"},
        follow=True,
    )
    body = response.content.decode()
    assert "<script>alert" not in body
    material.refresh_from_db()
    assert material.status == "pending" and not material.scan


def test_accepting_with_missing_materials_shows_the_reason(clerk_client, item, clerk):
    case = _case(item, clerk)
    materials = list(case.materials.all())
    response = clerk_client.post(
        reverse("intake:case", args=[case.receipt_no]),
        {
            f"status-{materials[0].pk}": "received",
            f"status-{materials[1].pk}": "missing",
            "outcome": "accept",
        },
        follow=True,
    )
    assert "一次性补正告知书" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED
    # the check was not recorded either: the outcome and the check are one transaction
    assert set(case.materials.values_list("status", flat=True)) == {"pending"}


def test_unknown_receipt_is_404_and_lookup_says_so(clerk_client):
    assert clerk_client.get(reverse("intake:case", args=["FT000"])).status_code == 404
    response = clerk_client.get(reverse("intake:case_open"), {"receipt_no": "FT000"}, follow=True)
    assert "没有这个收件编号" in response.content.decode()


def _case(item, clerk) -> Case:
    from hall.intake import receiving as intake

    return intake.case_receive(
        submission_key=uuid.uuid4(),
        applicant=PersonFactory(),
        item=item,
        answers={"agent": "no"},
        received_by=clerk,
        channel=Case.Channel.WINDOW,
        window=clerk.clerk.window,
    )


# --- a refused outcome keeps what the clerk entered ------------------------------------------


def test_a_refused_outcome_keeps_every_status_and_reason_entered(clerk_client, item, clerk):
    # Given a clerk who marks one material received and one defective with a reason
    case = _case(item, clerk)
    first, second = case.materials.order_by("pk")[:2]
    # When they try to accept, which the service refuses (a material is defective)
    response = clerk_client.post(
        reverse("intake:case", args=[case.receipt_no]),
        {
            f"status-{first.pk}": "received",
            f"status-{second.pk}": "defective",
            f"reason-{second.pk}": "复印件不清晰",
            "outcome": "accept",
        },
    )
    # Then the page comes back with the reason and with every radio and reason as posted
    assert response.status_code == 400
    body = response.content.decode()
    assert "不能受理" in body and 'role="alert"' in body
    assert f'id="status-{first.pk}-received" value="received" checked' in body
    assert f'id="status-{second.pk}-defective" value="defective" checked' in body
    assert f'name="reason-{second.pk}" value="复印件不清晰"' in body
    # while nothing was recorded
    assert set(case.materials.values_list("status", flat=True)) == {"pending"}


def test_a_refused_outcome_asks_for_a_chosen_scan_again(clerk_client, item, clerk):
    case = _case(item, clerk)
    material = case.materials.order_by("pk").first()
    scan = io.BytesIO(png_bytes())
    scan.name = "申请表.png"
    response = clerk_client.post(
        reverse("intake:case", args=[case.receipt_no]),
        {f"status-{material.pk}": "received", f"scan-{material.pk}": scan, "outcome": "accept"},
    )
    assert response.status_code == 400
    assert "请重新选择文件" in response.content.decode()


# --- items that do not take this applicant type --------------------------------------------


@pytest.fixture
def enterprise_item(db):
    return item_with_checklist(name="企业登记", applicant_type=ServiceItem.ApplicantType.ENTERPRISE)


def test_an_item_for_enterprises_is_refused_for_a_person_not_a_500(clerk_client, enterprise_item):
    person = PersonFactory()
    url = reverse("intake:file", args=[person.pk])
    # picked through ?item=: the page says why and offers no questions
    response = clerk_client.get(url, {"item": enterprise_item.pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert "“企业登记”只受理企业申请人。" in body
    assert "是否委托代理人办理" not in body
    # and it is not offered in the list
    assert enterprise_item not in response.context["items"]
    # posted anyway: refused with the message, nothing received
    response = clerk_client.post(
        url,
        {
            "submission_key": str(uuid.uuid4()),
            "item": enterprise_item.pk,
            f"{enterprise_item.pk}__agent": "no",
        },
    )
    assert response.status_code == 400
    assert "只受理企业申请人" in response.content.decode()
    assert not Case.objects.exists()
    # a malformed id is simply not found
    assert clerk_client.get(url, {"item": "abc"}).status_code == 404


def test_a_bundle_with_an_item_not_for_this_applicant_shows_the_error(
    clerk_client, item, enterprise_item
):
    bundle = Bundle.objects.create(code="open-shop", name="开办小店一件事")
    bundle.items.set([item, enterprise_item])
    person = PersonFactory()
    response = clerk_client.post(
        reverse("intake:file", args=[person.pk]),
        {
            "submission_key": str(uuid.uuid4()),
            "bundle": bundle.code,
            "all__agent": "no",
        },
    )
    assert response.status_code == 400
    assert "“企业登记”只受理企业申请人。" in str(response.context["form"].non_field_errors())
    assert not Case.objects.exists() and not CaseGroup.objects.exists()


def test_a_bundle_asks_shared_questions_once_then_each_items_own(clerk_client, db):
    """一表申请: both items ask 是否委托代理人办理 (the same key and choices): asked once, first;
    乙事项's own question under its heading."""
    first = item_with_checklist(name="甲事项", code="44030400-XK-9001")
    second = item_with_checklist(name="乙事项", code="44030400-XK-9002")
    IntakeQuestion.objects.create(
        item=second, key="site", text="是否有经营场所", choices=[["yes", "是"], ["no", "否"]]
    )
    bundle = Bundle.objects.create(code="two", name="两事项一件事")
    bundle.items.set([first, second])
    person = PersonFactory()
    response = clerk_client.get(reverse("intake:file", args=[person.pk]), {"bundle": bundle.code})
    body = response.content.decode()
    assert body.count("是否委托代理人办理") == 1 and "适用于：甲事项、乙事项" in body
    positions = [
        body.index("共同问题"),
        body.index('name="all__agent"'),
        body.index(">甲事项<"),
        body.index(">乙事项<"),
        body.index(f'name="{second.pk}__site"'),
    ]
    assert positions == sorted(positions)
    sections = response.context["sections"]
    assert [s.get("common", False) for s in sections] == [True, False, False]
    assert [s["item"] for s in sections[1:]] == [first, second]
    assert [f.name for f in sections[2]["fields"]] == [f"{second.pk}__site"]
    # and the one answer reaches both cases
    filed = clerk_client.post(
        reverse("intake:file", args=[person.pk]),
        {
            "submission_key": str(uuid.uuid4()),
            "bundle": bundle.code,
            "all__agent": "yes",
            f"{second.pk}__site": "no",
        },
    )
    assert filed.status_code == 302
    answers = {c.item_id: c.answers for c in Case.objects.all()}
    assert answers == {first.pk: {"agent": "yes"}, second.pk: {"agent": "yes", "site": "no"}}


# --- approval follow-up at the window: corrections and delivery -----------------------------


@pytest.fixture
def approval_case(roles, clerk):
    planning = department_with_staff("PL", "区规划局", roles)
    item = staged_item([[(planning, 10)]], lead_department=planning)
    return accepted_case(item, clerk), planning


def test_owner_records_a_departments_correction_as_supplied(clerk_client, approval_case, make_user):
    case, planning = approval_case
    step = open_steps(case)[0]
    suspensions.step_correction_request(
        step=step, officer=officer_of(planning), items=[("总平面图", "比例不符")]
    )
    url = reverse("intake:case", args=[case.receipt_no])
    page = clerk_client.get(url)
    body = page.content.decode()
    assert "部门要求补正，等待申请人补交" in body and "总平面图：比例不符" in body
    supplied = reverse("intake:correction_supplied", args=[case.receipt_no, step.pk])
    assert supplied in body and "补正材料已收到" in body

    # another clerk sees it but cannot record it
    other = make_user("clerk-li", "clerk")
    ClerkFactory(user=other)
    clerk_client.force_login(other)
    assert supplied not in clerk_client.get(url).content.decode()
    assert clerk_client.post(supplied).status_code == 403
    step.refresh_from_db()
    assert step.status == CaseStep.Status.SUSPENDED

    # the owner records it: the department's clock runs again
    clerk_client.force_login(case.owner)
    response = clerk_client.post(supplied, follow=True)
    assert "审查期限恢复计算" in response.content.decode()
    step.refresh_from_db()
    assert step.status == CaseStep.Status.OPEN
    assert "等待申请人补交" not in response.content.decode()
    # a second click: the service's message, nothing changes
    response = clerk_client.post(supplied)
    assert response.status_code == 400
    assert "该审查没有等待补正。" in response.content.decode()


def test_owner_delivers_the_decision_by_post_with_a_tracking_number(clerk_client, approval_case):
    case, planning = approval_case
    step = open_steps(case)[0]
    steps.step_decide(step=step, officer=officer_of(planning), approve=True, opinion="同意")
    reviews_decisions.stage_decide(
        stage=case.stages.get(), officer=officer_of(planning), approve=True, opinion=""
    )
    url = reverse("intake:case", args=[case.receipt_no])
    deliver = reverse("intake:deliver", args=[case.receipt_no])
    assert deliver not in clerk_client.get(url).content.decode()  # no decision yet
    reviews_decisions.case_decide(case=case, officer=officer_of(planning), grant=True, reasons="")

    page = clerk_client.get(url).content.decode()
    assert deliver in page and "窗口领取" in page and "邮寄送达" in page
    assert "准予许可决定书" in page
    response = clerk_client.post(deliver, {"delivery-method": "post", "delivery-note": " "})
    assert response.status_code == 400
    assert response.context["delivery_form"].errors["note"] == ["邮寄送达请填写邮件号。"]
    response = clerk_client.post(deliver, {"delivery-note": "x"})
    assert response.context["delivery_form"].errors["method"] == ["请选择送达方式。"]
    response = clerk_client.post(
        deliver, {"delivery-method": "post", "delivery-note": "EMS1234567890"}, follow=True
    )
    body = response.content.decode()
    assert "已送达，办件已办结" in body and "EMS1234567890" in body
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.decision.delivery == "post" and case.decision.delivery_note == "EMS1234567890"


# --- the window's shortcuts (issue 16) ------------------------------------------------------


def test_an_unknown_id_after_find_is_carried_into_the_registration_form(clerk_client):
    page = clerk_client.get(reverse("intake:applicant_find"), {"identity": "11010519491231002x"})
    html = page.content.decode()
    assert page.status_code == 200 and "未找到该申请人，请登记" in html
    assert 'value="11010519491231002X"' in html  # in the form, normalised


def test_all_received_marks_every_open_material_received(clerk_client, item, clerk):
    case = _case(item, clerk)
    url = reverse("intake:case", args=[case.receipt_no])
    response = clerk_client.post(url, {"outcome": "all_received"})
    assert response.status_code == 302
    statuses = set(case.materials.values_list("status", flat=True))
    assert statuses == {CaseMaterial.Status.RECEIVED}
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED  # checked, not yet accepted: the clerk decides


def test_the_reminders_box_names_each_message_once_and_links_its_case(clerk_client, item, clerk):
    from hall.outbox.queue import staff_notify

    case = _case(item, clerk)
    for key in ("a", "b"):
        staff_notify(
            user=clerk, case=case, key=f"test:{key}", kind="test", subject="督办提醒",
            body="区规划局：请尽快审查",
        )  # fmt: skip
    html = clerk_client.get(reverse("intake:home")).content.decode()
    box = html.split(">提醒</h2>", 1)[1].split("</div>", 1)[0]
    assert box.count("督办提醒") == 1 and "×2" in box and "区规划局" in box
    assert reverse("intake:case", args=[case.receipt_no]) in box


def test_the_owner_attaches_the_corrected_material(clerk_client, approval_case, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hall.models import UploadedMaterial

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    case, planning = approval_case
    step = open_steps(case)[0]
    suspensions.step_correction_request(
        step=step, officer=officer_of(planning), items=[("总平面图", "比例不符")]
    )
    material = case.materials.first()
    supplied = reverse("intake:correction_supplied", args=[case.receipt_no, step.pk])
    for odd in ("²", "٣", "9" * 30):  # "²".isdigit() is True and int("²") was a 500
        refused = clerk_client.post(
            supplied, {"material": odd, "file": SimpleUploadedFile("plan.png", png_bytes())}
        )
        assert refused.status_code == 400 and "请选择本办件的材料" in refused.content.decode()
    bad = clerk_client.post(
        supplied,
        {"material": material.pk, "file": SimpleUploadedFile("x.pdf", b"not a pdf")},
    )
    assert bad.status_code == 400
    step.refresh_from_db()
    assert step.status == CaseStep.Status.SUSPENDED and not UploadedMaterial.objects.exists()
    response = clerk_client.post(
        supplied,
        {"material": material.pk, "file": SimpleUploadedFile("plan.png", png_bytes())},
    )
    assert response.status_code == 302
    upload = UploadedMaterial.objects.get()
    assert upload.material == material and upload.uploaded_by == case.owner
    assert upload.kind == "png"
    step.refresh_from_db()
    assert step.status == CaseStep.Status.OPEN
    # the window and the department's desk list the file with the material
    link = reverse("online_desk:upload", args=[upload.pk])
    page = clerk_client.get(reverse("intake:case", args=[case.receipt_no])).content.decode()
    assert link in page and "窗口接收" in page
    officer = clerk_client
    officer.force_login(officer_of(planning))
    desk = officer.get(reverse("desk:step", args=[step.pk])).content.decode()
    assert link in desk and "plan.png" in desk
    assert officer.get(link).status_code == 200


def test_the_owner_closes_a_referral_with_its_outcome_from_the_case_page(
    clerk_client, clerk, item, make_user
):
    from django.test import Client

    from hall.intake import referrals
    from tests.approvals.workflow_helpers import received_case

    case = received_case(item, clerk)
    referrals.case_refer(case=case, clerk=clerk, office="市公安局出入境管理支队", reason="出入境")
    page = reverse("intake:case", args=[case.receipt_no])
    url = reverse("intake:referral_close", args=[case.receipt_no])
    html = clerk_client.get(page).content.decode()
    assert "转办跟进（首问负责）" in html and url in html
    # an empty outcome is refused at the field, in Chinese, and nothing changes
    refused = clerk_client.post(url, {"referral-outcome": "  "})
    assert refused.status_code == 400 and "该字段是必填项" in refused.content.decode()
    assert Case.objects.get(pk=case.pk).status == Case.Status.REFERRED
    # another clerk sees the page but cannot close it
    other = make_user("clerk-li", "clerk")
    ClerkFactory(user=other)
    client = Client()
    client.force_login(other)
    assert "由首问责任人" in client.get(page).content.decode()
    assert client.post(url, {"referral-outcome": "已办结"}).status_code == 403
    # the owner records it: the case closes, once
    done = clerk_client.post(url, {"referral-outcome": "已由出入境支队办结"})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    event = case.events.get(action="closed")
    assert event.details["referral_outcome"] == "已由出入境支队办结"
    assert clerk_client.post(url, {"referral-outcome": "again"}).status_code == 302
    assert case.events.filter(action="closed").count() == 1


def test_the_case_page_names_the_characters_the_notices_cannot_print(clerk_client, clerk, item):
    from tests.approvals.workflow_helpers import received_case

    case = received_case(item, clerk)
    page = reverse("intake:case", args=[case.receipt_no])
    assert "没有字形" not in clerk_client.get(page).content.decode()
    # a name with a character outside the notices' font (one the font cannot draw)
    Applicant.objects.filter(pk=case.applicant_id).update(name="张\U0001f600")
    html = clerk_client.get(page).content.decode()
    assert "“\U0001f600”在文书字体中没有字形" in html


def test_non_acceptance_is_issued_only_once_confirmed(clerk_client, item, clerk):
    """不予受理 cannot be taken back (issue 32): without the confirmation nothing is issued."""
    case = _case(item, clerk)
    url = reverse("intake:case", args=[case.receipt_no])
    posted = {"outcome": "refuse", "refuse-reasons": "不属于本机关职权范围"}
    response = clerk_client.post(url, posted)
    assert response.status_code == 400
    assert "该决定不能撤回" in response.content.decode()
    assert 'name="refuse-reasons"' in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED
    assert not case.notices.exists()
    response = clerk_client.post(url, {**posted, "refuse-confirm": "on"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.NOT_ACCEPTED
    assert case.notices.filter(kind="non_acceptance").count() == 1


def test_window_registration_reports_every_problem_in_one_round(client, db, roles):
    """A bad e-mail, a wrong ID check digit and a wrong phone, all at once (issue 32)."""
    client.force_login(make_clerk(roles))
    answer = client.post(
        reverse("intake:applicant_register"),
        {
            "kind": "person",
            "name": "张三",
            "id_number": "110105194912310021",
            "phone": "12345",
            "email": "not-an-address",
        },
    )
    assert answer.status_code == 400
    form = answer.context["applicant_form"]
    assert {"email", "id_number", "phone"} <= set(form.errors)
