"""Security of the online hall: other people's cases and files, forged uploads, CSRF, lookup
enumeration and limits, the kiosk's short access."""

from __future__ import annotations

import datetime
import io
import re
import uuid

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from departments.models import Officer
from hall.lookup import services as lookup
from hall.models import Applicant, Case, UploadedMaterial
from hall.online import filing as online_intake
from tests.approvals.workflow_helpers import department_with_staff, officer_of
from tests.factories import ClerkFactory, item_with_checklist

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), "white").save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"security-{uuid.uuid4()}",
        }
    }
    settings.STORAGES = {
        **django_settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    return tmp_path / "private"


def online_applicant(make_user, phone: str, name: str, id_number: str):
    user = make_user(phone, "applicant")
    Applicant.objects.create(kind="person", name=name, id_number=id_number, phone=phone, user=user)
    return user


@pytest.fixture
def zhang(make_user):
    return online_applicant(make_user, "13800138000", "张三", "11010519491231002X")


@pytest.fixture
def li(make_user):
    return online_applicant(make_user, "13900139000", "李四", "110101199003074514")


@pytest.fixture
def item(db):
    return item_with_checklist(name="食品经营许可")


def upload_fields(item, content=None, name="scan.png") -> dict:
    return {
        online_intake.material_field(item, requirement): [
            SimpleUploadedFile(name, content or png_bytes(), content_type="image/png")
        ]
        for requirement in item.materials.filter(name__in=("申请表", "身份证明"))
    }


def file_case(user, item) -> Case:
    return online_intake.online_case_file(
        user=user,
        submission_key=uuid.uuid4(),
        item=item,
        answers={"agent": "no"},
        files=upload_fields(item),
    )


# --- other people's cases and files -----------------------------------------------------------


def test_another_applicants_case_is_404(client, zhang, li, item):
    theirs = file_case(li, item)
    notice_id = 1  # any id: the case lookup fails first
    client.force_login(zhang)
    for url in (
        reverse("portal:case", args=[theirs.receipt_no]),
        reverse("portal:notice_pdf", args=[theirs.receipt_no, notice_id]),
        reverse("portal:rate", args=[theirs.receipt_no]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("portal:correction", args=[theirs.receipt_no]),
        reverse("portal:agency", args=[theirs.receipt_no]),
        reverse("portal:agency_withdraw", args=[theirs.receipt_no]),
    ):
        assert client.post(url, {}).status_code == 404, url
    # a receipt that does not exist answers the same
    assert client.get(reverse("portal:case", args=["FT2099010100001"])).status_code == 404


def test_another_cases_file_is_404(client, zhang, li, item):
    theirs = file_case(li, item)
    upload = UploadedMaterial.objects.filter(material__case=theirs).first()
    client.force_login(zhang)
    assert client.get(reverse("portal:upload", args=[upload.pk])).status_code == 404
    assert client.get(reverse("online_desk:upload", args=[upload.pk])).status_code == 404
    assert client.get(reverse("portal:upload", args=[upload.pk + 1000])).status_code == 404
    client.force_login(li)
    assert client.get(reverse("portal:upload", args=[upload.pk])).status_code == 200


def test_files_are_served_to_staff_of_the_case_only(client, zhang, item, make_user, roles):
    case = file_case(zhang, item)
    upload = UploadedMaterial.objects.filter(material__case=case).first()
    url = reverse("portal:upload", args=[upload.pk])
    clerk = make_user("clerk-wang", "clerk")
    ClerkFactory(user=clerk)
    supervisor = make_user("supervisor-zhou", "supervisor")
    for user in (clerk, supervisor):
        client.force_login(user)
        assert client.get(url).status_code == 200
    # an officer of a department with no step on this case
    uninvolved = department_with_staff("ENV", "区环保局", roles)
    client.force_login(officer_of(uninvolved))
    assert client.get(url).status_code == 404
    # an agent not assigned to it
    client.force_login(make_user("agent-chen", "agent"))
    assert client.get(url).status_code == 404


def test_officer_of_a_department_on_the_case_sees_its_files(client, zhang, roles, make_user):
    from approvals.models import CaseDecision  # noqa: F401  (approval rows exist)
    from hall.intake import common, decisions, ownership
    from tests.approvals.workflow_helpers import make_clerk, staged_item

    planning = department_with_staff("PLN", "区规划局", roles)
    item = staged_item([[(planning, 5)]], lead_department=planning)
    case = file_case(zhang, item)
    clerk = make_clerk(roles)
    ownership.case_owner_claim(case=case, clerk=clerk)
    decisions.case_intake_decide(
        case=case,
        clerk=clerk,
        outcome="accept",
        marks={m.pk: common.MaterialMark("received") for m in case.materials.all()},
    )
    upload = UploadedMaterial.objects.filter(material__case=case).first()
    officer = officer_of(planning)
    assert Officer.objects.get(user=officer).department == planning
    client.force_login(officer)
    assert client.get(reverse("portal:upload", args=[upload.pk])).status_code == 200


def test_served_files_carry_the_detected_type_and_nosniff(client, zhang, item):
    case = online_intake.online_case_file(
        user=zhang,
        submission_key=uuid.uuid4(),
        item=item,
        answers={"agent": "no"},
        # a real JPEG the browser called image/png and named .png
        files=upload_fields(item, content=jpeg_bytes(), name="photo.png"),
    )
    upload = UploadedMaterial.objects.filter(material__case=case).first()
    client.force_login(zhang)
    response = client.get(reverse("portal:upload", args=[upload.pk]))
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".jpg" in response["Content-Disposition"]
    assert "private" in response["Cache-Control"]


def test_anonymous_users_are_sent_to_sign_in(client, zhang, item):
    case = file_case(zhang, item)
    upload = UploadedMaterial.objects.filter(material__case=case).first()
    for url in (
        reverse("portal:home"),
        reverse("portal:catalogue"),
        reverse("portal:case", args=[case.receipt_no]),
        reverse("portal:upload", args=[upload.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("portal:login") + "?next=")


def test_staff_pages_refuse_applicants(client, zhang):
    client.force_login(zhang)
    assert client.get(reverse("online_desk:home")).status_code == 403
    assert client.get(reverse("intake:home")).status_code == 403


# --- forged and oversized uploads -------------------------------------------------------------

FORGERIES = {
    "script-named-image": ('"><script>alert(1)</script>.jpg', b"<script>alert(1)</script>"),
    "html-named-jpg": ("photo.jpg", b"<!doctype html><html><body onload=alert(1)></body></html>"),
    "svg": (
        "logo.svg",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    ),
    "svg-named-png": (
        "logo.png",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    ),
    "html-before-png-polyglot": ("poly.png", b"<html><script>alert(1)</script>" + png_bytes()),
    "jpeg-magic-then-html": ("fake.jpg", b"\xff\xd8\xff\xe0<html><script>alert(1)</script>"),
    "pdf-without-trailer": ("form.pdf", b"%PDF-1.4\n<script>alert(1)</script>"),
}


@pytest.mark.parametrize("name,content", FORGERIES.values(), ids=FORGERIES.keys())
def test_forged_uploads_are_refused_and_nothing_is_stored(
    client, zhang, item, isolated, name, content
):
    client.force_login(zhang)
    fields = {
        key: SimpleUploadedFile(name, content, content_type="image/jpeg")
        for key in upload_fields(item)
    }
    response = client.post(
        reverse("portal:file_item", args=[item.pk]),
        {"answered": "1", f"{item.pk}__agent": "no", "submission_key": str(uuid.uuid4()), **fields},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "仅支持上传 PDF、PNG 或 JPEG" in html or "文件已损坏或不完整" in html
    assert "<script>alert(1)</script>" not in html  # the client's file name is escaped
    assert not Case.objects.exists() and not UploadedMaterial.objects.exists()
    assert not isolated.exists() or not any(p.is_file() for p in isolated.rglob("*"))


def test_a_real_image_with_a_script_name_is_stored_under_a_random_name(client, zhang, item):
    case = online_intake.online_case_file(
        user=zhang,
        submission_key=uuid.uuid4(),
        item=item,
        answers={"agent": "no"},
        files=upload_fields(item, name='"><img src=x onerror=alert(1)>.png'),
    )
    upload = UploadedMaterial.objects.filter(material__case=case).first()
    assert re.fullmatch(r"uploads/\d{4}/\d{2}/[0-9a-f]{32}\.png", upload.file.name)
    client.force_login(zhang)
    page = client.get(reverse("portal:case", args=[case.receipt_no])).content.decode()
    assert "<img src=x onerror=alert(1)>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_oversized_upload_is_refused(client, zhang, item, settings, isolated):
    settings.HALL_UPLOAD_MAX_BYTES = 200
    client.force_login(zhang)
    big = png_bytes() + b"\0" * 500
    fields = {
        key: SimpleUploadedFile("big.png", big, content_type="image/png")
        for key in upload_fields(item)
    }
    response = client.post(
        reverse("portal:file_item", args=[item.pk]),
        {"answered": "1", f"{item.pk}__agent": "no", "submission_key": str(uuid.uuid4()), **fields},
    )
    assert response.status_code == 400
    assert "单个文件不能超过" in response.content.decode()
    assert not UploadedMaterial.objects.exists()
    assert not isolated.exists() or not any(p.is_file() for p in isolated.rglob("*"))


def test_correction_upload_refuses_forgeries_too(client, zhang, item, make_user):
    from hall.intake import common, decisions, ownership

    case = file_case(zhang, item)
    clerk = make_user("clerk-wang", "clerk")
    ownership.case_owner_claim(case=case, clerk=clerk)
    materials = {m.name: m for m in case.materials.all()}
    decisions.case_intake_decide(
        case=case,
        clerk=clerk,
        outcome="correct",
        marks={
            materials["申请表"].pk: common.MaterialMark("received"),
            materials["身份证明"].pk: common.MaterialMark("missing"),
        },
    )
    before = UploadedMaterial.objects.count()
    client.force_login(zhang)
    response = client.post(
        reverse("portal:correction", args=[case.receipt_no]),
        {
            "submission_key": str(uuid.uuid4()),
            f"correction-{materials['身份证明'].pk}": SimpleUploadedFile(
                "id.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg"
            ),
        },
    )
    assert response.status_code == 400
    assert "仅支持上传 PDF、PNG 或 JPEG" in response.content.decode()
    assert UploadedMaterial.objects.count() == before


# --- CSRF -------------------------------------------------------------------------------------


def test_csrf_protection_stays_on(zhang, item):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("lookup:home"), {"receipt_no": "x", "code": "1"}).status_code == 403
    assert strict.post(reverse("portal:register"), {}).status_code == 403
    assert strict.post(reverse("portal:login"), {}).status_code == 403
    strict.force_login(zhang)
    case = file_case(zhang, item)
    response = strict.post(reverse("portal:correction", args=[case.receipt_no]), {})
    assert response.status_code == 403
    response = strict.post(
        reverse("portal:file_item", args=[item.pk]),
        {"answered": "1", f"{item.pk}__agent": "no", "submission_key": str(uuid.uuid4())},
    )
    assert response.status_code == 403


# --- lookup: no enumeration, limits, kiosk ----------------------------------------------------


def test_lookup_unknown_receipt_and_wrong_code_look_the_same(client, zhang, item):
    case = file_case(zhang, item)
    wrong = f"{(int(case.verification_code) + 1) % 10**6:06d}"
    unknown = "FT2099010100001"
    a = client.post(reverse("lookup:home"), {"receipt_no": unknown, "code": wrong})
    b = client.post(reverse("lookup:home"), {"receipt_no": case.receipt_no, "code": wrong})
    assert a.status_code == b.status_code == 400
    assert CSRF.sub("", a.content.decode()).replace(unknown, "R") == CSRF.sub(
        "", b.content.decode()
    ).replace(case.receipt_no, "R")


def test_lookup_is_rate_limited(client, zhang, item):
    case = file_case(zhang, item)
    wrong = f"{(int(case.verification_code) + 1) % 10**6:06d}"
    for _ in range(lookup.LOOKUP_FAILURES):
        assert (
            client.post(
                reverse("lookup:home"), {"receipt_no": case.receipt_no, "code": wrong}
            ).status_code
            == 400
        )
    response = client.post(
        reverse("lookup:home"), {"receipt_no": case.receipt_no, "code": case.verification_code}
    )
    assert response.status_code == 429


def test_kiosk_lookup_expires_after_three_minutes(client, zhang, item, monkeypatch):
    case = file_case(zhang, item)
    response = client.post(
        reverse("lookup:home"),
        {"receipt_no": case.receipt_no, "code": case.verification_code, "kiosk": "1"},
    )
    url = response["Location"]
    start = lookup._now()
    monkeypatch.setattr(lookup, "_now", lambda: start + datetime.timedelta(minutes=2, seconds=50))
    assert client.get(url).status_code == 200
    monkeypatch.setattr(lookup, "_now", lambda: start + datetime.timedelta(minutes=3, seconds=1))
    assert client.get(url).status_code == 302
    # and it stays gone
    monkeypatch.setattr(lookup, "_now", lambda: start)
    assert client.get(url).status_code == 302


def test_personal_pages_are_not_cached(client, zhang, item):
    case = file_case(zhang, item)
    client.force_login(zhang)
    for url in (reverse("portal:home"), reverse("portal:case", args=[case.receipt_no])):
        assert "no-store" in client.get(url)["Cache-Control"], url
    lookup_page = client.post(
        reverse("lookup:home"), {"receipt_no": case.receipt_no, "code": case.verification_code}
    )
    assert "no-store" in client.get(lookup_page["Location"])["Cache-Control"]
