"""Online filing (网上申报), the online-intake desk, and the applicant's tracking pages."""

from __future__ import annotations

import datetime
import io
import re
import uuid
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from approvals.models import Bundle
from hall.cases import uploads as online_intake_uploads
from hall.intake import common, decisions, ownership, receiving
from hall.models import (
    AgencyRequest,
    Applicant,
    Case,
    CaseEvent,
    CaseMaterial,
    CorrectionItem,
    Notification,
    UploadedMaterial,
)
from hall.online import filing as online_intake
from tests.concurrency import run_at_once
from tests.factories import ClerkFactory, ServiceItemFactory, item_with_checklist


def png_bytes(size=(16, 12)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, "scan")
    canvas.save()
    return buffer.getvalue()


def png(name="scan.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def pdf(name="form.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **django_settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    return tmp_path / "private"


@pytest.fixture
def applicant_user(make_user):
    user = make_user("13800138000", "applicant", last_name="张三")
    Applicant.objects.create(
        kind="person", name="张三", id_number="11010519491231002X", phone="13800138000", user=user
    )
    return user


@pytest.fixture
def applicant_client(client, applicant_user):
    client.force_login(applicant_user)
    return client


@pytest.fixture
def clerk(make_user):
    user = make_user("clerk-wang", "clerk", first_name="窗口", last_name="王")
    ClerkFactory(user=user)
    return user


@pytest.fixture
def item(db):
    return item_with_checklist(name="食品经营许可")


def django_user_model_create(phone: str, roles):
    """An applicant account bound to its identity (what `applicant_user` makes), for tests on
    a transactional database."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username=phone, password="pw-Hall-2026!")
    user.groups.add(roles["applicant"])
    Applicant.objects.create(
        kind="person", name="张三", id_number="11010519491231002X", phone=phone, user=user
    )
    return user


def files_for(case_item, names=("申请表", "身份证明")) -> dict:
    fields = {}
    for requirement in case_item.materials.filter(name__in=names):
        fields[online_intake.material_field(case_item, requirement)] = [png()]
    return fields


def file_online(user, case_item, **overrides) -> Case:
    arguments = {
        "user": user,
        "submission_key": uuid.uuid4(),
        "item": case_item,
        "answers": {"agent": "no"},
        "files": files_for(case_item),
    }
    arguments.update(overrides)
    return online_intake.online_case_file(**arguments)


# --- filing -----------------------------------------------------------------------------------


def test_online_filing_makes_an_ownerless_online_case_with_private_uploads(
    applicant_user, item, private_media
):
    case = file_online(applicant_user, item)
    assert case.channel == Case.Channel.ONLINE
    assert case.owner is None and case.status == Case.Status.RECEIVED
    assert case.intake_due_date is not None
    uploads = UploadedMaterial.objects.filter(material__case=case)
    assert {u.material.name for u in uploads} == {"申请表", "身份证明"}
    for upload in uploads:
        assert upload.kind == "png" and upload.original_name == "scan.png"
        assert upload.uploaded_by == applicant_user
        stored = Path(upload.file.path)
        # a random name under the private media root, outside the static web root
        assert private_media in stored.parents
        assert Path(django_settings.STATIC_ROOT) not in stored.parents
        assert stored.name != "scan.png" and stored.suffix == ".png"
    assert CaseEvent.objects.get(case=case, action="received").details["channel"] == "online"


def test_same_submission_twice_files_once(applicant_user, item):
    key = uuid.uuid4()
    first = file_online(applicant_user, item, submission_key=key)
    second = file_online(applicant_user, item, submission_key=key)
    assert first.pk == second.pk
    assert Case.objects.count() == 1
    assert UploadedMaterial.objects.count() == 2


def test_every_checklist_material_needs_a_file(applicant_user, item, private_media):
    with pytest.raises(ValidationError) as raised:
        file_online(applicant_user, item, files=files_for(item, names=("申请表",)))
    (field,) = raised.value.message_dict
    assert raised.value.message_dict[field] == ["请上传“身份证明”。"]
    assert not Case.objects.exists() and not UploadedMaterial.objects.exists()
    assert not any(private_media.rglob("*.png"))


def test_answers_decide_the_checklist(applicant_user, item):
    with pytest.raises(ValidationError) as raised:
        file_online(applicant_user, item, answers={"agent": "yes"})
    assert "请上传“授权委托书”。" in str(raised.value)
    case = file_online(
        applicant_user,
        item,
        answers={"agent": "yes"},
        files=files_for(item, names=("申请表", "身份证明", "授权委托书")),
    )
    assert case.materials.count() == 3


def test_items_not_online_or_for_enterprises_are_refused(applicant_client, applicant_user):
    offline = item_with_checklist(name="窗口专办事项", online_filing=False)
    enterprise = item_with_checklist(name="企业事项", applicant_type="enterprise")
    for blocked in (offline, enterprise):
        assert (
            applicant_client.get(reverse("portal:file_item", args=[blocked.pk])).status_code == 404
        )
        with pytest.raises(ValidationError):
            file_online(applicant_user, blocked)
    catalogue = applicant_client.get(reverse("portal:catalogue")).content.decode()
    assert "窗口专办事项" not in catalogue and "企业事项" not in catalogue


def test_filing_over_http_with_questions_then_uploads(applicant_client, item):
    url = reverse("portal:file_item", args=[item.pk])
    questions = applicant_client.get(url)
    assert "是否委托代理人办理" in questions.content.decode()
    checklist = applicant_client.get(url, {"answered": "1", f"{item.pk}__agent": "no"})
    html = checklist.content.decode()
    assert "申请表" in html and "授权委托书" not in html and "营业执照" not in html
    # "change the answers" goes back to the questions with the answers kept
    edit = re.search(r'href="\?([^"]+)">修改回答', html).group(1)
    again = applicant_client.get(f"{url}?{edit.replace('&amp;', '&')}").content.decode()
    assert re.search(r'<option value="no" selected>', again)
    key = str(uuid.uuid4())
    payload = {"answered": "1", f"{item.pk}__agent": "no", "submission_key": key}
    for requirement in item.materials.filter(name__in=("申请表", "身份证明")):
        payload[online_intake.material_field(item, requirement)] = png()
    response = applicant_client.post(url, payload)
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:case", args=[case.receipt_no])


def test_upload_errors_are_shown_at_the_material(applicant_client, item):
    url = reverse("portal:file_item", args=[item.pk])
    form_requirement = item.materials.get(name="申请表")
    id_requirement = item.materials.get(name="身份证明")
    response = applicant_client.post(
        url,
        {
            "answered": "1",
            f"{item.pk}__agent": "no",
            "submission_key": str(uuid.uuid4()),
            online_intake.material_field(item, form_requirement): SimpleUploadedFile(
                "form.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg"
            ),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    field = online_intake.material_field(item, form_requirement)
    assert f'id="{field}-error"' in html and "仅支持上传 PDF、PNG 或 JPEG" in html
    assert "请上传“身份证明”" in html
    assert f'aria-describedby="{online_intake.material_field(item, id_requirement)}-error' in html
    assert not Case.objects.exists()


@pytest.mark.parametrize("field", ["commit-²", "commit-٣", "commit-" + "9" * 30])
def test_an_odd_commitment_field_is_ignored_not_a_500(applicant_client, item, field):
    """ "²".isdigit() is True and int("²") raised: a commit-² field was a 500."""
    answer = applicant_client.post(
        reverse("portal:file_item", args=[item.pk]),
        {
            "answered": "1",
            f"{item.pk}__agent": "no",
            "submission_key": str(uuid.uuid4()),
            field: "on",
            **files_for(item),
        },
    )
    assert answer.status_code in (200, 302, 400)
    assert Case.objects.count() == (1 if answer.status_code == 302 else 0)


def test_bundle_is_filed_as_one(applicant_client, applicant_user, item):
    other = item_with_checklist(name="户外广告设置许可")
    bundle = Bundle.objects.create(code="open-shop", name="开餐馆")
    bundle.items.add(item, other)
    url = reverse("portal:file_bundle", args=["open-shop"])
    page = applicant_client.get(url)
    assert "是否委托代理人办理" in page.content.decode()
    # 一表申请: the question both items ask is asked once
    assert page.content.decode().count("是否委托代理人办理") == 1
    payload = {"answered": "1", "all__agent": "no", "submission_key": str(uuid.uuid4())}
    for bundle_item in (item, other):
        payload.update({key: value[0] for key, value in files_for(bundle_item).items()})
    response = applicant_client.post(url, payload)
    assert response.status_code == 302
    cases = Case.objects.order_by("pk")
    assert cases.count() == 2
    assert len({c.group_id for c in cases}) == 1
    assert all(c.channel == "online" and c.owner is None for c in cases)
    assert all(c.answers == {"agent": "no"} for c in cases)  # the one answer reaches both
    assert UploadedMaterial.objects.count() == 4
    # the whole application in one place on either case's page, and the delivery choice
    second = cases[1]
    page = applicant_client.get(reverse("portal:case", args=[second.receipt_no])).content.decode()
    assert "一件事：开餐馆" in page and "已办结 0 / 2 项" in page
    assert "全部办结后一次送达" in page
    choose = reverse("portal:application_delivery", args=[second.receipt_no])
    assert applicant_client.post(choose, {"together": "0"}).status_code == 302
    second.group.refresh_from_db()
    assert second.group.deliver_together is False


def test_a_material_two_items_share_is_uploaded_once_for_both(
    applicant_client, applicant_user, item
):
    """一套材料: the catalogue gives 身份证明 the same material code in both items."""
    from approvals.models import MaterialRequirement

    other = item_with_checklist(name="户外广告设置许可")
    MaterialRequirement.objects.filter(name="身份证明").update(material_code="applicant-id")
    bundle = Bundle.objects.create(code="open-shop", name="开餐馆")
    bundle.items.add(item, other)
    url = reverse("portal:file_bundle", args=["open-shop"])
    page = applicant_client.get(url, {"answered": "1", "all__agent": "no"}).content.decode()
    shared_field = online_intake.shared_material_field("applicant-id")
    assert page.count(f'name="{shared_field}"') == 1
    assert "共同材料" in page and "用于" in page
    assert page.count(">身份证明<") == 1  # not asked once per item
    base = {"answered": "1", "all__agent": "no"}
    forms_only = {
        online_intake.material_field(i, i.materials.get(name="申请表")): pdf()
        for i in (item, other)
    }
    # the shared one missing: one error, at its one field, nothing filed
    missing = applicant_client.post(
        url, {**base, "submission_key": str(uuid.uuid4()), **forms_only}
    )
    assert missing.status_code == 400 and not Case.objects.exists()
    assert f'id="{shared_field}-error"' in missing.content.decode()
    forms_only = {
        online_intake.material_field(i, i.materials.get(name="申请表")): pdf()
        for i in (item, other)
    }
    filed = applicant_client.post(
        url,
        {**base, "submission_key": str(uuid.uuid4()), **forms_only, shared_field: png("id.png")},
    )
    assert filed.status_code == 302
    copies = UploadedMaterial.objects.filter(material__name="身份证明")
    assert copies.count() == 2  # one stored with each case's checklist
    assert {u.material.case_id for u in copies} == set(Case.objects.values_list("pk", flat=True))
    assert {u.original_name for u in copies} == {"id.png"}

    # 一次告知 for the application, and the shared material's correction is one upload for both
    from hall.intake import applications

    group = Case.objects.first().group
    clerk = ClerkFactory().user
    applications.application_owner_claim(group=group, clerk=clerk)
    marks = {
        m.pk: common.MaterialMark("defective", "照片模糊")
        if m.name == "身份证明"
        else common.MaterialMark("received")
        for m in CaseMaterial.objects.filter(case__group=group)
    }
    applications.application_intake_decide(group=group, clerk=clerk, outcome="correct", marks=marks)
    first, second = Case.objects.order_by("pk")
    listed = first.materials.get(name="身份证明")
    applicant_client.post(
        reverse("portal:correction", args=[first.receipt_no]),
        {"submission_key": str(uuid.uuid4()), f"correction-{listed.pk}": png("id-new.png")},
    )
    renewed = UploadedMaterial.objects.filter(original_name="id-new.png")
    assert {u.material.case_id for u in renewed} == {first.pk, second.pk}


def test_a_bundle_with_an_offline_item_is_not_offered(applicant_client, item):
    offline = item_with_checklist(name="窗口专办事项", online_filing=False)
    bundle = Bundle.objects.create(code="mixed", name="混合")
    bundle.items.add(item, offline)
    assert applicant_client.get(reverse("portal:file_bundle", args=["mixed"])).status_code == 404


# --- the online-intake desk -------------------------------------------------------------------


def test_desk_queue_oldest_first_and_claim(client, applicant_user, item, clerk, make_user):
    first = file_online(applicant_user, item)
    second = file_online(applicant_user, item)
    window = receiving.case_receive(
        submission_key=uuid.uuid4(),
        applicant=Applicant.objects.get(),
        item=item,
        answers={"agent": "no"},
        received_by=clerk,
        channel=Case.Channel.WINDOW,
    )
    client.force_login(clerk)
    page = client.get(reverse("online_desk:home"))
    html = page.content.decode()
    assert html.index(first.receipt_no) < html.index(second.receipt_no)
    assert window.receipt_no not in html

    response = client.post(reverse("online_desk:claim", args=[first.receipt_no]))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.owner == clerk
    assert CaseEvent.objects.filter(case=first, action="owner_assigned").count() == 1

    # a second clerk does not take it over
    other = make_user("clerk-li", "clerk", first_name="窗口", last_name="李")
    client.force_login(other)
    client.post(reverse("online_desk:claim", args=[first.receipt_no]))
    first.refresh_from_db()
    assert first.owner == clerk
    page = client.get(reverse("online_desk:case", args=[first.receipt_no]))
    assert "您只能查看" in page.content.decode()
    refused = client.post(
        reverse("online_desk:case", args=[first.receipt_no]), {"outcome": "accept"}
    )
    assert refused.status_code == 403
    first.refresh_from_db()
    assert first.status == Case.Status.RECEIVED


def test_desk_shows_uploads_and_decides_with_the_window_rules(client, applicant_user, item, clerk):
    case = file_online(applicant_user, item)
    client.force_login(clerk)
    page = client.get(reverse("online_desk:case", args=[case.receipt_no]))
    html = page.content.decode()
    uploads = list(UploadedMaterial.objects.filter(material__case=case))
    for upload in uploads:
        assert reverse("online_desk:upload", args=[upload.pk]) in html
    download = client.get(reverse("online_desk:upload", args=[uploads[0].pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment")

    materials = {m.name: m for m in case.materials.all()}
    # accepting with a material not yet checked is refused, as at the window
    response = client.post(
        reverse("online_desk:case", args=[case.receipt_no]),
        {"outcome": "accept", f"status-{materials['申请表'].pk}": "received"},
    )
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED and case.owner == clerk  # claimed on first POST
    # one material missing: one-time correction notice
    response = client.post(
        reverse("online_desk:case", args=[case.receipt_no]),
        {
            "outcome": "correct",
            f"status-{materials['申请表'].pk}": "received",
            f"status-{materials['身份证明'].pk}": "defective",
            f"reason-{materials['身份证明'].pk}": "照片模糊",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_CORRECTION
    assert CorrectionItem.objects.get(notice__case=case).material.name == "身份证明"


def test_only_clerks_use_the_desk(client, applicant_user, item):
    client.force_login(applicant_user)
    assert client.get(reverse("online_desk:home")).status_code == 403


# --- tracking and corrections -----------------------------------------------------------------


def correction_case(applicant_user, item, clerk) -> Case:
    case = file_online(applicant_user, item)
    ownership.case_owner_claim(case=case, clerk=clerk)
    materials = {m.name: m for m in case.materials.all()}
    decisions.case_intake_decide(
        case=case,
        clerk=clerk,
        outcome="correct",
        marks={
            materials["申请表"].pk: common.MaterialMark("received"),
            materials["身份证明"].pk: common.MaterialMark("defective", "照片模糊"),
        },
    )
    case.refresh_from_db()
    return case


def test_applicant_answers_a_correction_with_only_the_listed_materials(
    applicant_client, applicant_user, item, clerk, client
):
    case = correction_case(applicant_user, item, clerk)
    page = applicant_client.get(reverse("portal:case", args=[case.receipt_no]))
    html = page.content.decode()
    listed = case.materials.get(name="身份证明")
    accepted = case.materials.get(name="申请表")
    assert f'name="correction-{listed.pk}"' in html
    assert f'name="correction-{accepted.pk}"' not in html
    assert "待补正" in html

    url = reverse("portal:correction", args=[case.receipt_no])
    # a material the notice did not list is refused, and nothing is stored
    before = UploadedMaterial.objects.count()
    refused = applicant_client.post(
        url, {"submission_key": str(uuid.uuid4()), f"correction-{accepted.pk}": png()}
    )
    assert refused.status_code == 400
    assert "不在本次可上传的范围内" in refused.content.decode()
    assert UploadedMaterial.objects.count() == before

    key = str(uuid.uuid4())
    response = applicant_client.post(url, {"submission_key": key, f"correction-{listed.pk}": pdf()})
    assert response.status_code == 302
    applicant_client.post(url, {"submission_key": key, f"correction-{listed.pk}": pdf()})  # again
    assert UploadedMaterial.objects.filter(material=listed).count() == 2  # the filing's + one
    event = CaseEvent.objects.get(case=case, action="correction_uploaded")
    assert event.actor == applicant_user and event.details["materials"] == ["身份证明"]
    # the owner is told; the clerk still checks
    assert Notification.objects.filter(
        recipient_user=clerk, kind="correction_uploaded", case=case
    ).exists()
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_CORRECTION
    page = applicant_client.get(reverse("portal:case", args=[case.receipt_no]))
    assert "已提交，待窗口核对" in page.content.decode()

    # the desk lists it, and the clerk's check then accepts
    client.force_login(clerk)
    queue = client.get(reverse("online_desk:home")).content.decode()
    assert case.receipt_no in queue
    response = client.post(
        reverse("online_desk:case", args=[case.receipt_no]),
        {"outcome": "accept", f"status-{listed.pk}": "received"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED


def test_applicant_sees_and_downloads_own_notices(applicant_client, applicant_user, item, clerk):
    case = correction_case(applicant_user, item, clerk)
    notice = case.notices.get()
    home = applicant_client.get(reverse("portal:home")).content.decode()
    assert case.receipt_no in home
    page = applicant_client.get(reverse("portal:case", args=[case.receipt_no])).content.decode()
    url = reverse("portal:notice_pdf", args=[case.receipt_no, notice.pk])
    assert url in page
    response = applicant_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_agency_request_from_the_case_page(applicant_client, applicant_user, item):
    pytest.importorskip("hall.agency")
    case = file_online(applicant_user, item)
    page = applicant_client.get(reverse("portal:case", args=[case.receipt_no])).content.decode()
    assert "申请代办员全程代办" in page
    response = applicant_client.post(
        reverse("portal:agency", args=[case.receipt_no]), {"note": "行动不便"}
    )
    assert response.status_code == 302
    assert AgencyRequest.objects.get(case=case).note == "行动不便"
    page = applicant_client.get(reverse("portal:case", args=[case.receipt_no])).content.decode()
    assert "等待指派代办员" in page
    # and withdraws it again from the same page (twice: the second changes nothing)
    assert "撤回代办申请" in page
    withdraw = reverse("portal:agency_withdraw", args=[case.receipt_no])
    assert applicant_client.post(withdraw).status_code == 302
    assert applicant_client.post(withdraw).status_code == 302
    assert AgencyRequest.objects.get(case=case).status == AgencyRequest.Status.WITHDRAWN
    assert case.events.filter(action="agency_withdrawn").count() == 1
    page = applicant_client.get(reverse("portal:case", args=[case.receipt_no])).content.decode()
    assert "申请代办员全程代办" in page  # it may be asked for again


def test_rating_a_finished_case_once(applicant_client, applicant_user, item, clerk):
    pytest.importorskip("hall.ratings")
    case = correction_case(applicant_user, item, clerk)
    decisions.case_refuse_intake(case=case, clerk=clerk, reasons="不符合受理条件")
    url = reverse("portal:rate", args=[case.receipt_no])
    page = applicant_client.get(reverse("portal:case", args=[case.receipt_no])).content.decode()
    assert "提交评价" in page
    bad = applicant_client.post(url, {"level": "1", "reason": ""})
    assert bad.status_code == 400
    assert "请填写理由" in bad.content.decode()
    assert applicant_client.post(url, {"level": "5", "reason": ""}).status_code == 302
    assert case.ratings.get().level == 5
    again = applicant_client.post(url, {"level": "4", "reason": ""})
    assert again.status_code == 400 and case.ratings.count() == 1


def test_tracking_lists_only_own_cases(applicant_client, applicant_user, item, make_user):
    mine = file_online(applicant_user, item)
    other_user = make_user("13900139000", "applicant")
    Applicant.objects.create(
        kind="person",
        name="李四",
        id_number="110101199003074514",
        phone="13900139000",
        user=other_user,
    )
    theirs = file_online(other_user, item)
    home = applicant_client.get(reverse("portal:home")).content.decode()
    assert mine.receipt_no in home and theirs.receipt_no not in home


def test_online_filing_needs_an_identity(make_user, item):
    user = make_user("13700137000", "applicant")
    with pytest.raises(ValidationError):
        file_online(user, item)


def test_plain_item_without_questions_goes_straight_to_uploads(applicant_client):
    plain = ServiceItemFactory(name="无问题事项")
    plain.materials.create(name="申请书", form="original", order=1)
    page = applicant_client.get(reverse("portal:file_item", args=[plain.pk]))
    html = page.content.decode()
    requirement = plain.materials.get()
    field = online_intake.material_field(plain, requirement)
    assert f'<label class="form-label fw-bold mb-1" for="{field}">申请书</label>' in html


# --- races ------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_double_submit_at_the_same_instant_files_once(transactional_db, applicant_user, item):
    from tests.concurrency import run_at_once

    key = uuid.uuid4()

    def submit():
        return file_online(applicant_user, item, submission_key=key).pk

    results = run_at_once(submit, submit)
    assert results[0] == results[1]
    assert Case.objects.count() == 1
    assert UploadedMaterial.objects.count() == 2


@pytest.mark.postgres
def test_two_clerks_claim_at_once_one_owns(transactional_db, applicant_user, item, make_user):
    from tests.concurrency import run_at_once

    case = file_online(applicant_user, item)
    wang = make_user("clerk-wang", "clerk")
    li = make_user("clerk-li", "clerk")
    run_at_once(
        lambda: ownership.case_owner_claim(case=case, clerk=wang),
        lambda: ownership.case_owner_claim(case=case, clerk=li),
    )
    case.refresh_from_db()
    assert case.owner in (wang, li)
    assert CaseEvent.objects.filter(case=case, action="owner_assigned").count() == 1


# --- limits and leftovers ---------------------------------------------------------------------


def test_an_account_files_at_most_the_hourly_cap(applicant_user, item, settings):
    settings.HALL_ONLINE_FILINGS_PER_HOUR = 3
    for _n in range(3):
        file_online(applicant_user, item)
    with pytest.raises(ValidationError) as refused:
        file_online(applicant_user, item)
    assert refused.value.code == "filing_rate"
    assert "一小时内已网上申报 3 件" in refused.value.messages[0]
    assert Case.objects.count() == 3
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=61), tick=False):
        file_online(applicant_user, item)  # the next hour the account may file again
    assert Case.objects.count() == 4


def test_refused_filings_count_toward_the_cap(applicant_user, item, settings):
    """The attack repeated filings that each missed a material: refused, they cost the servers
    the checks and never counted. Now every attempt counts."""
    settings.HALL_ONLINE_FILINGS_PER_HOUR = 3
    for _n in range(3):
        with pytest.raises(ValidationError) as missing:
            file_online(applicant_user, item, files={})
        assert "请上传" in str(missing.value)
    with pytest.raises(ValidationError) as refused:
        file_online(applicant_user, item)
    assert refused.value.code == "filing_rate"
    assert not Case.objects.exists()


@pytest.mark.postgres
def test_thirty_parallel_filings_make_no_more_cases_than_the_cap(
    transactional_db, roles, on_postgres, settings
):
    settings.HALL_ONLINE_FILINGS_PER_HOUR = 20
    user = django_user_model_create("13800138009", roles)
    case_item = item_with_checklist(name="食品经营许可")
    results = run_at_once(*[lambda: file_online(user, case_item) for _n in range(30)])
    filed = [r for r in results if isinstance(r, Case)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(filed) + len(refused) == 30  # nothing else was raised
    assert len(filed) == 20 == Case.objects.count()
    assert all(error.code == "filing_rate" for error in refused)


def test_a_filing_missing_a_material_is_refused_before_any_image_is_decoded(
    applicant_user, item, monkeypatch
):
    decoded = []
    real = online_intake_uploads.validators.validate_upload

    def spy(upload, **options):
        if options.get("verify_images", True):
            decoded.append(upload)
        return real(upload, **options)

    monkeypatch.setattr(online_intake_uploads.validators, "validate_upload", spy)
    files = files_for(item, names=("申请表",))  # the identity document is missing
    files = {key: [png() for _n in range(5)] for key in files}
    with pytest.raises(ValidationError) as refused:
        file_online(applicant_user, item, files=files)
    assert "身份证明" in str(refused.value)
    assert decoded == []


def test_the_pixels_of_one_request_are_bounded_before_decoding(applicant_user, item, settings):
    settings.HALL_UPLOAD_PIXELS_PER_REQUEST = 1_000_000
    big = png_bytes(size=(900, 900))  # 0.81 M pixels each, tiny on disk
    files = {
        key: [SimpleUploadedFile(f"{n}.png", big, content_type="image/png") for n in range(2)]
        for key in files_for(item)
    }
    with pytest.raises(ValidationError) as refused:
        file_online(applicant_user, item, files=files)
    assert refused.value.code == "upload_pixels"
    assert "百万像素" in refused.value.messages[0]
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        SimpleUploadedFile("x.png", b"<html><script>alert(1)</script>", content_type="image/png"),
        SimpleUploadedFile("x.pdf", b"%PDF-1.4\n<script>alert(1)</script>\n%%EOF"),
        SimpleUploadedFile("x.png", png_bytes()[:40], content_type="image/png"),
    ],
    ids=["html-as-png", "pdf-with-html", "truncated-png"],
)
def test_a_refused_file_leaves_nothing_on_disk(applicant_user, item, private_media, bad):
    fields = files_for(item)
    first_field = next(iter(fields))
    fields[first_field] = [png(), bad]  # one good file beside the bad one
    with pytest.raises(ValidationError):
        file_online(applicant_user, item, files=fields)
    assert not Case.objects.exists() and not UploadedMaterial.objects.exists()
    assert [path for path in private_media.rglob("*") if path.is_file()] == []


def test_a_failure_after_files_were_written_removes_them(
    applicant_user, item, private_media, monkeypatch
):
    written = []
    original = online_intake.UploadWriter.store

    def store_then_fail(self, **kwargs):
        row = original(self, **kwargs)
        written.append(row.file.name)
        if len(written) == 2:
            raise RuntimeError("disk full")
        return row

    monkeypatch.setattr(online_intake.UploadWriter, "store", store_then_fail)
    with pytest.raises(RuntimeError):
        file_online(applicant_user, item)
    assert len(written) == 2
    assert not Case.objects.exists()
    assert [path for path in private_media.rglob("*") if path.is_file()] == []


def test_elder_mode_filing_list_opens_on_the_services_filed_most(applicant_client):
    from hall.platform.sessions import ELDER_COOKIE
    from tests.departments.builders import bare_case

    items = [item_with_checklist(name=f"线上事项{n}") for n in range(8)]
    bare_case(item=items[7])
    applicant_client.cookies[ELDER_COOKIE] = "1"

    html = applicant_client.get(reverse("portal:catalogue")).content.decode()

    listed = re.findall(r"<h3 class=\"h6 mb-1\">(线上事项\d)</h3>", html)
    assert listed[0] == "线上事项7" and len(listed) == 6
    assert "查看全部 8 个事项" in html
    everything = applicant_client.get(reverse("portal:catalogue"), {"all": "1"}).content.decode()
    assert len(re.findall(r"<h3 class=\"h6 mb-1\">线上事项\d</h3>", everything)) == 8
