"""The electronic licence library (电子证照, 国务院令第716号第七条、第十条): a grant issues a
licence with a sealed PDF; the verification page says valid, revoked or expired; a changed file
fails the seal check; and intake takes a valid licence instead of demanding it (免证办), never
an expired, revoked or someone else's one."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings

from approvals.models import MaterialRequirement
from hall.cases import applicants, licences, rendering
from hall.cases.actions import CaseAction
from hall.intake import decisions as intake_decisions
from hall.intake.common import MaterialMark
from hall.models import Case, CaseEvent, ElectronicLicence, Notice
from tests.approvals.workflow_helpers import (
    accepted_case,
    case_granted,
    department_with_staff,
    make_clerk,
    officer_of,
    received_case,
    staged_item,
)
from tests.hall.common.test_validators import PDF_MUTATIONS, pdf_mutated

pytestmark = pytest.mark.postgres


@pytest.fixture
def dept(roles):
    return department_with_staff("SC", "区市场监管局", roles)


@pytest.fixture
def clerk(roles):
    return make_clerk(roles)


def granted(dept, clerk, **item) -> Case:
    item.setdefault("licence_type", "food-business")
    item.setdefault("licence_name", "食品经营许可证")
    case = accepted_case(staged_item([[(dept, 5)]], lead_department=dept, **item), clerk)
    case_granted(case, dept)
    case.refresh_from_db()
    return case


def test_a_grant_issues_a_sealed_electronic_licence(dept, clerk):
    case = granted(dept, clerk, licence_validity_years=5)
    licence = ElectronicLicence.objects.get(case=case)
    today = timezone.localdate()
    assert licence.name == "食品经营许可证" and licence.holder == case.applicant
    assert licence.holder_number == "11010519491231002X"
    assert licence.department == dept and licence.valid_from == today
    assert licence.valid_until == today.replace(year=today.year + 5) - datetime.timedelta(days=1)
    assert licence.number.startswith(f"FTDZ{today.year}")
    assert len(licence.verification_code) == licences.CODE_LENGTH
    event = CaseEvent.objects.get(case=case, action=CaseAction.LICENCE_ISSUED)
    assert event.details["number"] == licence.number
    # sealed after the commit: the render seals the bytes and keeps their digest
    licence = rendering.licence_ready(licence)
    pdf = licence.pdf.read()
    check = licences.pdf_seal_check(pdf)
    assert check.intact, check.problem
    assert licences.licence_file_check(pdf)[1] == licence
    # a refusal, or an item that issues no licence, issues none
    plain = granted(dept, clerk, licence_type="", licence_name="")
    assert not ElectronicLicence.objects.filter(case=plain).exists()


def _changed(pdf: bytes) -> bytes:
    """One character of the licence's text changed, in place (same length)."""
    marker = b"/Title"
    index = pdf.index(marker) + len(marker) + 3
    tampered = bytearray(pdf)
    tampered[index] = ord("X") if tampered[index] != ord("X") else ord("Y")
    return bytes(tampered)


def _appended(pdf: bytes) -> bytes:
    """A new page of content added after the seal, as an incremental update."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.root["/HallForged"] = generic.pdf_string("持证人：李四")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_changed_licence_file_fails_the_seal_check(dept, clerk):
    licence = rendering.licence_ready(ElectronicLicence.objects.get(case=granted(dept, clerk)))
    pdf = licence.pdf.read()
    for forged in (_changed(pdf), _appended(pdf), pdf[: len(pdf) // 2]):
        check, found = licences.licence_file_check(forged)
        assert not check.intact and found is None
    unsealed = rendering.licence_pdf(licence)  # the same document without the hall's seal
    assert licences.licence_file_check(unsealed)[0].problem == "no seal"


def test_the_file_check_page_says_intact_or_not(client, dept, clerk):
    licence = rendering.licence_ready(ElectronicLicence.objects.get(case=granted(dept, clerk)))
    pdf = licence.pdf.read()
    url = reverse("licences:check")
    good = client.post(url, {"file": SimpleUploadedFile("l.pdf", pdf, "application/pdf")})
    assert good.status_code == 200
    assert "签章完好" in good.content.decode() and licence.number in good.content.decode()
    bad = client.post(url, {"file": SimpleUploadedFile("l.pdf", _changed(pdf), "application/pdf")})
    assert "核验不通过" in bad.content.decode() and licence.number not in bad.content.decode()
    not_pdf = client.post(url, {"file": SimpleUploadedFile("l.pdf", b"hello", "text/plain")})
    assert not_pdf.status_code == 400 and "请选择 PDF 文件" in not_pdf.content.decode()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda pdf: re.sub(rb"startxref\s+\d+", b"startxref\n9223372036854775808", pdf),
        lambda pdf: re.sub(rb"/Root \d+ 0 R", b"/Root 1 3 R", pdf),
    ],
    ids=["startxref-2-63", "root-not-there"],
)
def test_a_crafted_trailer_is_answered_not_valid_not_a_500(client, dept, clerk, mangle):
    licence = rendering.licence_ready(ElectronicLicence.objects.get(case=granted(dept, clerk)))
    pdf = licence.pdf.read()
    crafted = mangle(pdf)
    assert crafted != pdf
    answer = client.post(
        reverse("licences:check"),
        {"file": SimpleUploadedFile("l.pdf", crafted, "application/pdf")},
    )
    assert answer.status_code == 200 and "核验不通过" in answer.content.decode()
    assert licence.number not in answer.content.decode()


def test_the_verification_page_says_valid_revoked_or_expired(client, dept, clerk, roles):
    case = granted(dept, clerk, licence_validity_years=1)
    licence = ElectronicLicence.objects.get(case=case)
    url = reverse("licences:verify", args=[licence.verification_code])
    page = client.get(url).content.decode()
    assert "该电子证照真实有效" in page and licence.number in page
    assert "张*" in page and "11010519491231002X" not in page  # a person masked
    # expired: the validity ended yesterday
    today = timezone.localdate()
    ElectronicLicence.objects.filter(pk=licence.pk).update(
        valid_from=today - datetime.timedelta(days=366),
        valid_until=today - datetime.timedelta(days=1),
    )
    assert "已过期" in client.get(url).content.decode()
    licences.licence_revoke(licence=licence, by=officer_of(dept, head=True), reason="承诺不实")
    page = client.get(url).content.decode()
    assert "已撤销" in page and "承诺不实" in page
    assert CaseEvent.objects.filter(case=case, action=CaseAction.LICENCE_REVOKED).count() == 1
    # revoking again changes nothing and records nothing more
    licences.licence_revoke(licence=licence, by=officer_of(dept, head=True), reason="again")
    assert CaseEvent.objects.filter(case=case, action=CaseAction.LICENCE_REVOKED).count() == 1


def test_unknown_and_malformed_codes_get_the_same_404(client, db):
    unknown = client.get(reverse("licences:verify", args=["ABCDEFGHJKMN"]))
    malformed = client.get(reverse("licences:verify", args=["0'; DROP"]))
    assert unknown.status_code == malformed.status_code == 404

    def page(response) -> str:  # the page's content (the layout carries tokens and the path)
        return re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)

    assert page(unknown) == page(malformed)


def test_revoking_needs_a_reason(dept, clerk):
    licence = ElectronicLicence.objects.get(case=granted(dept, clerk))
    with pytest.raises(Exception, match="须说明理由"):
        licences.licence_revoke(licence=licence, by=officer_of(dept), reason="  ")


# --- 免证办 at intake ----------------------------------------------------------------------


@pytest.fixture
def licensed(dept, clerk) -> ElectronicLicence:
    """张三 holds a valid food licence; the follow-up item asks for it as a material."""
    return ElectronicLicence.objects.get(case=granted(dept, clerk, licence_validity_years=5))


def follow_up_item(dept):
    item = staged_item([[(dept, 5)]], lead_department=dept, name="食品经营许可（变更）")
    MaterialRequirement.objects.create(
        item=item,
        name="食品经营许可证",
        form=MaterialRequirement.Form.ORIGINAL,
        licence_type="food-business",
        order=9,
    )
    return item


def receive(item, clerk, applicant=None) -> Case:
    return received_case(item, clerk, applicant=applicant)


def test_a_valid_licence_is_taken_from_the_library_not_demanded(licensed, dept, clerk):
    case = receive(follow_up_item(dept), clerk)
    shared = case.materials.get(name="食品经营许可证")
    assert shared.status == "received" and shared.licence == licensed
    received = CaseEvent.objects.get(case=case, action=CaseAction.RECEIVED)
    assert received.details["shared_licences"] == [licensed.number]
    # the window checks the rest; the shared one is not its to mark, and acceptance says so
    marks = {m.pk: MaterialMark("received") for m in case.materials.exclude(pk=shared.pk)}
    marks[shared.pk] = MaterialMark("missing")  # ignored: it came from the library
    intake_decisions.case_intake_decide(case=case, clerk=clerk, outcome="accept", marks=marks)
    shared.refresh_from_db()
    assert shared.status == "received"
    notice = Notice.objects.get(case=case, kind=Notice.Kind.ACCEPTANCE)
    assert any(
        "电子证照共享获取" in p and licensed.number in p for p in notice.content["paragraphs"]
    )


@pytest.mark.parametrize("spoiled", ["revoked", "expired", "not_yet", "another_holder"])
def test_a_licence_that_is_not_valid_for_this_applicant_is_not_taken(
    spoiled, licensed, dept, clerk
):
    today = timezone.localdate()
    applicant = None
    if spoiled == "revoked":
        licences.licence_revoke(licence=licensed, by=officer_of(dept), reason="吊销")
    elif spoiled == "expired":
        ElectronicLicence.objects.filter(pk=licensed.pk).update(
            valid_until=today - datetime.timedelta(days=1),
            valid_from=today - datetime.timedelta(days=400),
        )
    elif spoiled == "not_yet":
        ElectronicLicence.objects.filter(pk=licensed.pk).update(
            valid_from=today + datetime.timedelta(days=1), valid_until=None
        )
    else:
        applicant = applicants.applicant_register(
            kind="person", name="李四", phone="13900139000", id_number="110105198001010016"
        )
    case = receive(follow_up_item(dept), clerk, applicant)
    material = case.materials.get(name="食品经营许可证")
    assert material.status == "pending" and material.licence is None
    assert "shared_licences" not in CaseEvent.objects.get(case=case, action="received").details


def test_the_file_check_answers_every_mutated_licence_without_a_crash(dept, clerk):
    """A mutation fuzz over the seal check (hypothesis, bounded): numbers, cuts, bytes and
    references of a real sealed licence changed; the check says "not intact", never raises."""
    licence = rendering.licence_ready(ElectronicLicence.objects.get(case=granted(dept, clerk)))
    pdf = licence.pdf.read()

    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(mutation=PDF_MUTATIONS)
    def checks(mutation):
        mutated = pdf_mutated(pdf, mutation)
        _check, found = licences.licence_file_check(mutated)
        if mutated != pdf:
            assert found is None  # a changed file is never taken for the licence

    checks()
