"""告知承诺制: a proof material the item allows is replaced by the applicant's written commitment
(a numbered 告知承诺书), which opens a verification with its deadline; a false commitment revokes
the decision and the licence and marks the applicant's credit (which then bars 容缺). Refused:
a material not allowed, and marking an item that touches public safety, ecology or health."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from approvals.clock.calendar import working_calendar
from approvals.models import MaterialRequirement
from hall.cases import applicants
from hall.cases.actions import CaseAction
from hall.intake import commitments, tolerance
from hall.intake import decisions as intake_decisions
from hall.intake.common import MaterialMark
from hall.models import Case, CaseEvent, Commitment, CreditMark, ElectronicLicence, Notice
from tests.approvals.workflow_helpers import (
    case_granted,
    department_with_staff,
    make_clerk,
    officer_of,
    received_case,
    staged_item,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.postgres


@pytest.fixture
def dept(roles):
    return department_with_staff("SC", "区市场监管局", roles)


@pytest.fixture
def clerk(roles):
    return make_clerk(roles)


@pytest.fixture
def item(dept):
    item = staged_item(
        [[(dept, 5)]],
        lead_department=dept,
        commitment_allowed=True,
        commitment_text="申请人承诺对住所依法享有使用权。",
        commitment_liability="承诺不实的，撤销登记并记入信用记录。",
        commitment_verify_days=20,
        licence_type="business-licence",
        licence_name="营业执照",
    )
    MaterialRequirement.objects.create(
        item=item, name="住所使用证明", form="copy", commitment_allowed=True, order=7
    )
    MaterialRequirement.objects.create(
        item=item, name="从业人员健康证明", form="copy", secondary=True, order=8
    )
    return item


received = received_case


def accept(case, clerk, **statuses):
    marks = {m.pk: MaterialMark(statuses.get(m.name, "received")) for m in case.materials.all()}
    return intake_decisions.case_intake_decide(
        case=case, clerk=clerk, outcome="accept", marks=marks
    )


def test_a_commitment_replaces_the_material_and_opens_its_verification(item, clerk):
    case = received(item, clerk)
    accept(case, clerk, 住所使用证明="committed")
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED
    commitment = Commitment.objects.get(case=case)
    assert commitment.materials == ["住所使用证明"]
    assert commitment.notice.kind == Notice.Kind.COMMITMENT and "诺字" in commitment.notice.number
    text = "".join(Notice.objects.get(pk=commitment.notice_id).content["paragraphs"])
    assert "对住所依法享有使用权" in text and "承诺不实的，撤销登记" in text
    expected_due = working_calendar().add_working_days(commitment.signed_at.date(), 20)
    assert abs((commitment.verify_due - expected_due).days) <= 1  # Shanghai vs UTC day
    assert commitment.outcome == Commitment.Outcome.PENDING
    assert CaseEvent.objects.filter(case=case, action=CaseAction.COMMITMENT_SIGNED).exists()
    assert case.materials.get(name="住所使用证明").status == "committed"


def test_a_material_the_catalogue_does_not_allow_cannot_be_committed(item, clerk):
    case = received(item, clerk)
    with pytest.raises(ValidationError, match="“申请表”不能以告知承诺替代"):
        accept(case, clerk, 申请表="committed")
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED and not Commitment.objects.exists()


def test_an_item_touching_public_safety_cannot_apply_commitment(item):
    item.risk_domain = "public_safety"
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert "不得实行告知承诺制" in str(error.value)
    item.risk_domain = "none"
    item.commitment_liability = ""
    with pytest.raises(ValidationError, match="须写明承诺内容和承诺不实的责任"):
        item.full_clean()


def test_a_false_commitment_revokes_the_grant_and_marks_the_applicant(item, clerk, dept):
    case = received(item, clerk)
    accept(case, clerk, 住所使用证明="committed")
    case_granted(Case.objects.get(pk=case.pk), dept)
    commitment = Commitment.objects.get(case=case)
    verifier = officer_of(dept, head=True)
    with pytest.raises(ValidationError, match="须写明核查情况"):
        commitments.commitment_verify(commitment=commitment, by=verifier, truthful=False, note="")
    commitments.commitment_verify(
        commitment=commitment, by=verifier, truthful=False, note="住所为他人所有，未获授权"
    )
    commitment.refresh_from_db()
    assert commitment.outcome == Commitment.Outcome.FALSE
    assert ElectronicLicence.objects.get(case=case).status == "revoked"
    assert CaseEvent.objects.filter(case=case, action=CaseAction.DECISION_REVOKED).exists()
    mark = CreditMark.objects.get(applicant=case.applicant)
    assert "住所为他人所有" in mark.reason and mark.cleared_at is None
    with pytest.raises(ValidationError, match="已核查"):
        commitments.commitment_verify(commitment=commitment, by=verifier, truthful=True, note="")
    # the credit mark bars 容缺 for this applicant's next filing
    assert not tolerance.tolerance_offered(received(item, clerk))


def test_a_true_commitment_changes_nothing_else(item, clerk, dept):
    case = received(item, clerk)
    accept(case, clerk, 住所使用证明="committed")
    commitment = Commitment.objects.get(case=case)
    commitments.commitment_verify(
        commitment=commitment, by=officer_of(dept), truthful=True, note="现场核实"
    )
    assert not CreditMark.objects.exists()
    assert Case.objects.get(pk=case.pk).status == Case.Status.ACCEPTED


def test_supervision_lists_verifications_and_records_one(client, item, clerk, roles):
    case = received(item, clerk)
    accept(case, clerk, 住所使用证明="committed")
    supervisor = UserFactory(username="sup-zhao")
    supervisor.groups.add(roles["supervisor"])
    client.force_login(supervisor)
    page = client.get(reverse("supervision:commitments")).content.decode()
    assert case.receipt_no in page and "住所使用证明" in page
    commitment = Commitment.objects.get(case=case)
    client.post(
        reverse("supervision:commitment_verify", args=[commitment.pk]),
        {"outcome": "true", "note": ""},
    )
    commitment.refresh_from_db()
    assert commitment.outcome == Commitment.Outcome.TRUE and commitment.verified_by == supervisor


def test_the_window_offers_commitment_only_where_allowed(client, item, clerk):
    case = received(item, clerk)
    client.force_login(clerk)
    page = client.get(reverse("intake:case", args=[case.receipt_no])).content.decode()
    allowed = case.materials.get(name="住所使用证明")
    other = case.materials.get(name="申请表")
    assert f'id="status-{allowed.pk}-committed"' in page
    assert f'id="status-{other.pk}-committed"' not in page


@pytest.fixture
def online_applicant(make_user, settings, tmp_path):
    """An applicant with a portal account; SMS to a file, uploads in the test's folder."""
    settings.HALL_SMS_BACKEND = "hall.platform.messaging.FileSmsBackend"
    settings.HALL_SMS_FILE = str(tmp_path / "sms.jsonl")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    user = make_user("13800138000", "applicant", last_name="张三")
    applicant = applicants.applicant_register(
        kind="person", name="张三", phone="13800138000", id_number="11010519491231002X"
    )
    applicant.user = user
    applicant.save(update_fields=["user"])
    return user


def test_online_the_commitment_is_confirmed_by_sms_code(
    item, online_applicant, make_user, tmp_path
):
    from hall.accounts.sms_codes import sms_code_send
    from hall.models import SmsCode
    from hall.online import filing
    from tests.hall.accounts.test_sms_codes import last_code
    from tests.hall.online.test_filing import files_for

    user = online_applicant
    address = item.materials.get(name="住所使用证明")
    form = item.materials.get(name="申请表")
    files = files_for(item, names=("申请表", "身份证明", "从业人员健康证明"))

    def file(committed, code):
        return filing.online_case_file(
            user=user,
            submission_key=uuid.uuid4(),
            item=item,
            answers={"agent": "no"},
            files=files,
            committed=committed,
            commitment_code=code,
        )

    with pytest.raises(ValidationError, match="告知承诺确认验证码"):
        file([address.pk], "000000")
    with pytest.raises(ValidationError, match="“申请表”不能以告知承诺替代"):
        file([form.pk], "000000")
    assert not Case.objects.exists()
    sms_code_send(phone="13800138000", purpose=SmsCode.Purpose.COMMITMENT)
    case = file([address.pk], last_code(tmp_path / "sms.jsonl"))
    assert case.materials.get(name="住所使用证明").status == "committed"
    # the online desk accepts it as any filing; the commitment letter says it was signed by SMS
    clerk = make_clerk_for_desk(make_user)
    marks = {m.pk: MaterialMark("received") for m in case.materials.exclude(name="住所使用证明")}
    intake_decisions.case_intake_decide(case=case, clerk=clerk, outcome="accept", marks=marks)
    assert Commitment.objects.get(case=case).signed_via == "sms"


def make_clerk_for_desk(make_user):
    from tests.factories import ClerkFactory

    clerk = make_user("clerk-li", "clerk", first_name="窗口", last_name="李")
    ClerkFactory(user=clerk)
    return clerk


def test_an_administrator_clears_a_credit_mark_and_tolerance_is_offered_again(
    admin_client, item, clerk
):
    case = received(item, clerk)
    mark = CreditMark.objects.create(
        applicant=case.applicant, reason="告知承诺不实", marked_at=timezone.now()
    )
    assert not tolerance.tolerance_offered(case)
    url = reverse("admin:hall_creditmark_change", args=[mark.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"clear_reason": "已整改并经信用修复"})
    assert response.status_code == 302
    mark.refresh_from_db()
    assert mark.cleared_at is not None and mark.cleared_by.is_superuser
    assert tolerance.tolerance_offered(case)
    assert (
        admin_client.post(reverse("admin:hall_creditmark_delete", args=[mark.pk])).status_code
        == 403
    )


def test_online_a_bundle_takes_commitments_by_each_items_rule_with_one_code(
    item, online_applicant, tmp_path
):
    """告知承诺 inside an online 一件事: the item that applies it lets its material be committed,
    one SMS code confirms; a material of an item that does not is refused and nothing filed."""
    from approvals.models import Bundle
    from hall.accounts.sms_codes import sms_code_send
    from hall.models import SmsCode
    from hall.online import filing
    from tests.factories import item_with_checklist
    from tests.hall.accounts.test_sms_codes import last_code
    from tests.hall.online.test_filing import files_for

    user = online_applicant
    other = item_with_checklist(name="户外广告设置许可")
    bundle = Bundle.objects.create(code="shop", name="开店一件事")
    bundle.items.add(item, other)
    address = item.materials.get(name="住所使用证明")
    other_form = other.materials.get(name="申请表")
    files = {
        **files_for(item, names=("申请表", "身份证明", "从业人员健康证明")),
        **files_for(other),
    }

    def file(committed, code):
        return filing.online_group_file(
            user=user,
            submission_key=uuid.uuid4(),
            bundle=bundle,
            answers_by_item={item.pk: {"agent": "no"}, other.pk: {"agent": "no"}},
            files=files,
            committed=committed,
            commitment_code=code,
        )

    with pytest.raises(ValidationError, match="“申请表”不能以告知承诺替代"):
        file([other_form.pk], "000000")
    with pytest.raises(ValidationError, match="告知承诺确认验证码"):
        file([address.pk], "000000")
    assert not Case.objects.exists()
    sms_code_send(phone="13800138000", purpose=SmsCode.Purpose.COMMITMENT)
    group = file([address.pk], last_code(tmp_path / "sms.jsonl"))
    committed = group.cases.get(item=item).materials.get(name="住所使用证明")
    assert committed.status == "committed" and not committed.uploads.exists()
    assert not group.cases.get(item=other).materials.filter(status="committed").exists()
    # the portal's one form offers it where the item allows it, with one code for the bundle
    from django.test import Client

    client = Client()
    client.force_login(user)
    url = reverse("portal:file_bundle", args=["shop"])
    html = client.get(url, {"answered": "1", "all__agent": "no"}).content.decode()
    assert f'name="commit-{address.pk}"' in html
    assert f'name="commit-{other_form.pk}"' not in html
    send = reverse("portal:commitment_code_bundle", args=["shop"])
    assert send in html and "户外广告设置许可" in html
    response = client.post(send, {"all__agent": "no"})
    assert response.status_code == 302 and "all__agent=no" in response["Location"]
    assert client.post(reverse("portal:commitment_code_bundle", args=["nope"])).status_code == 404
