"""The window clerk's workbench over HTTP: register, file, check, decide, download."""

from __future__ import annotations

import io
import uuid

import pytest
from django.urls import reverse
from PIL import Image

from hall.models import Applicant, Case, Notice
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
    assert client.get(reverse("workbench:home")).status_code == 403


def test_register_shows_chinese_errors_at_the_field(clerk_client):
    response = clerk_client.post(
        reverse("workbench:applicant_register"),
        {"kind": "person", "name": "张三", "id_number": "110105194912310021", "phone": "138"},
    )
    assert response.status_code == 400
    form = response.context["applicant_form"]
    assert "id_number" in form.errors and "phone" in form.errors
    assert "校验" in str(form.errors["id_number"])
    assert 'aria-invalid="true"' in response.content.decode()
    assert Applicant.objects.count() == 0


def test_window_flow_from_registration_to_acceptance(clerk_client, item, clerk):
    response = clerk_client.post(
        reverse("workbench:applicant_register"),
        {
            "kind": "person",
            "name": "张三",
            "id_number": "11010519491231002X",
            "phone": "13800138000",
        },
    )
    applicant = Applicant.objects.get()
    assert response["Location"] == reverse("workbench:file", args=[applicant.pk])

    file_url = reverse("workbench:file", args=[applicant.pk])
    page = clerk_client.get(file_url, {"item": item.pk})
    assert "是否委托代理人办理" in page.content.decode()
    key = str(uuid.uuid4())
    payload = {"submission_key": key, "item": item.pk, f"{item.pk}__agent": "no"}
    first = clerk_client.post(file_url, payload)
    second = clerk_client.post(file_url, payload)  # double click
    case = Case.objects.get()
    assert (
        first["Location"] == second["Location"] == reverse("workbench:case", args=[case.receipt_no])
    )

    materials = list(case.materials.all())
    marks = {f"status-{m.pk}": "received" for m in materials}
    marks[f"scan-{materials[0].pk}"] = io.BytesIO(png_bytes())
    marks[f"scan-{materials[0].pk}"].name = "申请表.png"
    response = clerk_client.post(
        reverse("workbench:case", args=[case.receipt_no]), {**marks, "outcome": "accept"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED
    stored = case.materials.get(pk=materials[0].pk)
    assert stored.scan_kind == "png"
    assert "申请表" not in stored.scan.name  # stored under a random name

    notice = Notice.objects.get(case=case)
    pdf = clerk_client.get(reverse("workbench:notice_pdf", args=[case.receipt_no, notice.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    printed = clerk_client.get(reverse("workbench:notice_print", args=[case.receipt_no, notice.pk]))
    assert "受理通知书" in printed.content.decode()
    assert notice.number in printed.content.decode()


def test_a_forged_scan_is_refused_and_nothing_changes(clerk_client, item, clerk):
    case = _case(item, clerk)
    material = case.materials.first()
    forged = io.BytesIO(b"<script>alert(1)</script>")
    forged.name = '"><script>.jpg'
    response = clerk_client.post(
        reverse("workbench:case", args=[case.receipt_no]),
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
        reverse("workbench:case", args=[case.receipt_no]),
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
    assert clerk_client.get(reverse("workbench:case", args=["FT000"])).status_code == 404
    response = clerk_client.get(
        reverse("workbench:case_open"), {"receipt_no": "FT000"}, follow=True
    )
    assert "没有这个收件编号" in response.content.decode()


def _case(item, clerk) -> Case:
    from hall import intake

    return intake.case_receive(
        submission_key=uuid.uuid4(),
        applicant=PersonFactory(),
        item=item,
        answers={"agent": "no"},
        received_by=clerk,
        channel=Case.Channel.WINDOW,
        window=clerk.clerk.window,
    )
