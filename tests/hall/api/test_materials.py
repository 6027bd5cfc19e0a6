"""Materials through the API (issue 33): upload first, then reference each upload in the
filing; the same checks as the online hall; the checklist in the answer; 免证办 too."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hall.intake import decisions, ownership
from hall.intake.common import MaterialMark
from hall.models import ApiUpload, Case, ElectronicLicence, Notice, UploadedMaterial
from tests.approvals.workflow_helpers import make_clerk
from tests.factories import item_with_checklist
from tests.hall.api.test_api import PERSON, _file, client_with
from tests.hall.online.test_filing import pdf_bytes, png_bytes

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    from django.conf import settings as django_settings

    settings.STORAGES = {
        **django_settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    return tmp_path / "private"


@pytest.fixture
def item(db):
    return item_with_checklist(name="食品经营许可")


def upload(http, content: bytes, name: str, **headers):
    return http.post(
        reverse("api:uploads"),
        {"file": SimpleUploadedFile(name, content)},
        format="multipart",
        **headers,
    )


def materials_for(item, ids_by_name: dict[str, str]) -> list[dict]:
    return [
        {"requirement": item.materials.get(name=name).pk, "uploads": [upload_id]}
        for name, upload_id in ids_by_name.items()
    ]


def test_a_filing_with_all_its_materials_is_accepted_at_the_window_with_no_correction(item, roles):
    _record, http = client_with(scopes=["cases:file", "cases:read"])
    form = upload(http, pdf_bytes(), "申请表.pdf")
    scan = upload(http, png_bytes(), "id.png")
    assert form.status_code == scan.status_code == 201, form.content
    assert form.json()["kind"] == "pdf" and scan.json()["kind"] == "png"
    filed = _file(
        http,
        item,
        materials=materials_for(item, {"申请表": form.json()["id"], "身份证明": scan.json()["id"]}),
    )
    assert filed.status_code == 201, filed.content
    checklist = {m["name"]: m for m in filed.json()["materials"]}
    assert checklist["申请表"]["uploads"] == checklist["身份证明"]["uploads"] == 1
    assert all(m["status"] == "pending" and m["licence"] is None for m in checklist.values())
    case = Case.objects.get()
    stored = UploadedMaterial.objects.filter(material__case=case)
    assert {u.original_name for u in stored} == {"申请表.pdf", "id.png"}
    assert stored.get(original_name="id.png").file.read() == png_bytes()  # sealed, read back
    # at the window: every material in order, accepted, no correction notice
    clerk = make_clerk(roles)
    case = ownership.case_owner_claim(case=case, clerk=clerk)
    decisions.case_materials_check(
        case=case,
        clerk=clerk,
        marks={m.pk: MaterialMark("received") for m in case.materials.all()},
    )
    decisions.case_accept(case=Case.objects.get(pk=case.pk), clerk=clerk)
    case.refresh_from_db()
    assert case.status == "accepted"
    assert not Notice.objects.filter(case=case, kind="correction").exists()
    # each upload served this case, and only this one
    assert set(ApiUpload.objects.values_list("case_id", flat=True)) == {case.pk}
    again = _file(
        http,
        item,
        materials=materials_for(item, {"申请表": form.json()["id"]}),
        HTTP_IDEMPOTENCY_KEY="second-order",
    )
    assert again.status_code == 400 and "已用于另一个办件" in again.content.decode()
    assert Case.objects.count() == 1


def test_bad_materials_are_refused_with_problem_details_and_write_nothing(item, settings):
    _record, http = client_with(scopes=["cases:file", "cases:read"])
    _other_record, other_http = client_with(scopes=["cases:file"])
    theirs = upload(other_http, png_bytes(), "theirs.png").json()["id"]
    mine = upload(http, png_bytes(), "mine.png").json()["id"]
    unrelated = item_with_checklist(name="户外广告设置许可")
    cases = [
        # a material of another item
        materials_for(unrelated, {"申请表": mine}),
        # someone else's upload: reads like one that does not exist
        materials_for(item, {"申请表": theirs}),
        [{"requirement": item.materials.get(name="申请表").pk, "uploads": ["upl_nothing"]}],
    ]
    for materials in cases:
        refused = _file(http, item, materials=materials)
        assert refused.status_code == 400, materials
        assert refused["Content-Type"] == "application/problem+json"
    assert not Case.objects.exists()
    assert "找不到上传文件" in _file(http, item, materials=cases[1]).content.decode()
    # a file that is not what it says, and one too big: refused, nothing kept
    before = ApiUpload.objects.count()
    fake = upload(http, b"<html><script>alert(1)</script></html>", "scan.png")
    assert fake.status_code == 400 and "仅支持上传 PDF、PNG 或 JPEG" in fake.content.decode()
    settings.HALL_UPLOAD_MAX_BYTES = 1000
    big = upload(http, pdf_bytes() + b"%" * 2000, "big.pdf")
    assert big.status_code == 400
    assert ApiUpload.objects.count() == before


def test_a_reused_idempotency_key_with_another_file_is_refused(db):
    _record, http = client_with(scopes=["cases:file"])
    first = upload(http, png_bytes(), "a.png", HTTP_IDEMPOTENCY_KEY="upload-1")
    replay = upload(http, png_bytes(), "a.png", HTTP_IDEMPOTENCY_KEY="upload-1")
    assert first.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"]
    other = upload(http, pdf_bytes(), "a.png", HTTP_IDEMPOTENCY_KEY="upload-1")
    assert other.status_code == 422
    assert ApiUpload.objects.count() == 1


def test_a_licence_in_the_library_is_taken_through_the_api_too(roles):
    """免证办: the applicant holds a valid licence of the type a material names."""
    from approvals.models import MaterialRequirement
    from hall.cases import applicants
    from tests.approvals.workflow_helpers import department_with_staff

    item = item_with_checklist(name="食品经营许可（延续）")
    MaterialRequirement.objects.filter(item=item, name="身份证明").update(
        licence_type="food-business"
    )
    holder = applicants.applicant_register(**PERSON)
    department = department_with_staff("SC", "区市场监管局", roles)
    licence = ElectronicLicence.objects.create(
        number="FT-FOOD-0001",
        licence_type="food-business",
        name="食品经营许可证",
        holder=holder,
        holder_name=holder.name,
        holder_number=holder.id_number,
        department=department,
        scope="食品销售",
        valid_from=timezone.localdate() - datetime.timedelta(days=30),
        valid_until=timezone.localdate() + datetime.timedelta(days=300),
        verification_code="ABCDEFGHJKMN",
        status="valid",
        issued_at=timezone.now(),
    )
    _record, http = client_with(scopes=["cases:file", "cases:read"])
    form = upload(http, pdf_bytes(), "申请表.pdf").json()["id"]
    filed = _file(http, item, materials=materials_for(item, {"申请表": form}))
    assert filed.status_code == 201, filed.content
    shared = {m["name"]: m for m in filed.json()["materials"]}["身份证明"]
    assert shared["licence"] == licence.number and shared["status"] == "received"
    assert shared["uploads"] == 0


def test_a_correction_is_answered_through_the_api_and_only_for_what_it_listed(item, roles):
    _record, http = client_with(scopes=["cases:file", "cases:read"])
    form = upload(http, pdf_bytes(), "申请表.pdf").json()["id"]
    filed = _file(http, item, materials=materials_for(item, {"申请表": form}))
    receipt_no = filed.json()["receipt_no"]
    case = Case.objects.get()
    clerk = make_clerk(roles)
    case = ownership.case_owner_claim(case=case, clerk=clerk)
    marks = {m.pk: MaterialMark("received") for m in case.materials.all()}
    marks[case.materials.get(name="身份证明").pk] = MaterialMark("missing")
    decisions.case_materials_check(case=case, clerk=clerk, marks=marks)
    decisions.case_request_correction(case=Case.objects.get(pk=case.pk), clerk=clerk)
    url = reverse("api:case_corrections", args=[receipt_no])
    # 申请表 was not listed: refused, nothing stored
    extra = upload(http, pdf_bytes(), "again.pdf").json()["id"]
    refused = http.post(url, {"materials": materials_for(item, {"申请表": extra})}, format="json")
    assert (
        refused.status_code == 400 and "不在一次性补正告知书所列范围内" in refused.content.decode()
    )
    scan = upload(http, png_bytes(), "id.png").json()["id"]
    answered = http.post(
        url,
        {"materials": materials_for(item, {"身份证明": scan})},
        format="json",
        HTTP_IDEMPOTENCY_KEY="correction-1",
    )
    assert answered.status_code == 200, answered.content
    listed = {m["name"]: m for m in answered.json()["materials"]}["身份证明"]
    assert listed["uploads"] == 1 and answered.json()["status"] == "awaiting_correction"
    assert case.events.filter(action="correction_uploaded").count() == 1
    # another platform cannot answer this case's notice
    _other, stranger = client_with(scopes=["cases:file", "cases:read"])
    theirs = upload(stranger, png_bytes(), "x.png").json()["id"]
    assert (
        stranger.post(
            url, {"materials": materials_for(item, {"身份证明": theirs})}, format="json"
        ).status_code
        == 404
    )


def test_uploads_no_filing_referenced_in_a_day_are_removed(
    item, private_media, time_machine, django_capture_on_commit_callbacks
):
    from hall.online.filing import api_uploads_purge
    from tests.dates import shanghai

    time_machine.move_to(shanghai(2026, 10, 12, 9, 0))
    _record, http = client_with(scopes=["cases:file", "cases:read"])
    used = upload(http, pdf_bytes(), "申请表.pdf").json()["id"]
    _file(http, item, materials=materials_for(item, {"申请表": used}))
    forgotten = upload(http, png_bytes(), "never-filed.png").json()["id"]
    time_machine.move_to(shanghai(2026, 10, 13, 8, 0))
    recent = upload(http, png_bytes(), "just-now.png").json()["id"]
    forgotten_file = ApiUpload.objects.get(public_id=forgotten).file.name
    assert api_uploads_purge() == 0  # 23 hours: kept
    time_machine.move_to(shanghai(2026, 10, 13, 9, 30))
    with django_capture_on_commit_callbacks(execute=True):  # the files go after the commit
        assert api_uploads_purge() == 1
    assert set(ApiUpload.objects.values_list("public_id", flat=True)) == {used, recent}
    assert not (private_media / forgotten_file).exists()
    assert (private_media / ApiUpload.objects.get(public_id=used).file.name).exists()
