"""Art. 40: the public register of grant decisions: what it shows, what it never shows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from approvals.register.selectors import PAGE_SIZE, holder_public_name
from approvals.reviews import decisions
from approvals.reviews import steps as reviews_steps
from hall.cases import applicants
from hall.common.validators import uscc_check_char
from hall.models import Applicant, Notice
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    officer_of,
    open_steps,
    staged_item,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dept(roles):
    return department_with_staff("R0", "区市场监管局", roles)


@pytest.fixture
def clerk(roles):
    return make_clerk(roles)


def decided(case, dept, *, grant: bool):
    (step,) = open_steps(case)
    reviews_steps.step_decide(step=step, officer=officer_of(dept), approve=grant, opinion="意见")
    stage = case.stages.get()
    decisions.stage_decide(
        stage=stage, officer=officer_of(dept), approve=grant, opinion="" if grant else "不符合"
    )
    return decisions.case_decide(
        case=case, officer=officer_of(dept), grant=grant, reasons="" if grant else "不符合条件"
    )


def test_a_person_is_published_by_family_name_only():
    assert holder_public_name(Applicant(kind="person", name="张三丰")) == "张**"
    assert holder_public_name(Applicant(kind="enterprise", name="深圳某公司")) == "深圳某公司"


def test_grants_are_public_refusals_and_personal_data_are_not(client, dept, clerk):
    item = staged_item([[(dept, 5)]], lead_department=dept, licence_validity_years=5)
    granted = accepted_case(item, clerk)  # the helper's applicant is the person 张三
    grant = decided(granted, dept, grant=True)
    refused = accepted_case(item, clerk)
    refusal = decided(refused, dept, grant=False)
    page = client.get(reverse("register:grants")).content.decode()
    assert grant.number in page and item.name in page
    assert refusal.number not in page
    applicant = granted.applicant
    assert "张*" in page and applicant.name not in page
    assert applicant.id_number not in page and applicant.phone not in page
    # the validity runs five years from the decision
    decided_on = grant.issued_at.date()
    assert str(decided_on.year + 5) in page


def test_search_finds_by_enterprise_and_number_but_never_by_a_persons_name(client, dept, clerk):
    item = staged_item([[(dept, 5)]], lead_department=dept)
    person_grant = decided(accepted_case(item, clerk), dept, grant=True)
    uscc_body = "91440300MA5FT0002"
    company = applicants.applicant_register(
        kind="enterprise",
        name="深圳市福田示范有限公司",
        phone="13800138002",
        uscc=uscc_body + uscc_check_char(uscc_body),
        legal_representative="王五",
    )
    case = accepted_case(item, clerk)
    case.applicant = company
    case.save(update_fields=["applicant"])
    company_grant = decided(case, dept, grant=True)
    url = reverse("register:grants")
    by_company = client.get(url, {"q": "福田示范"}).content.decode()
    assert company_grant.number in by_company and person_grant.number not in by_company
    assert person_grant.number in client.get(url, {"q": person_grant.number}).content.decode()
    assert person_grant.number not in client.get(url, {"q": "张三"}).content.decode()


def test_the_register_is_paged_and_bad_pages_do_not_fail(client, dept, clerk):
    item = staged_item([[(dept, 5)]], lead_department=dept)
    for _ in range(PAGE_SIZE + 1):
        decided(accepted_case(item, clerk), dept, grant=True)
    url = reverse("register:grants")
    assert Notice.objects.filter(kind=Notice.Kind.GRANT).count() == PAGE_SIZE + 1
    first = client.get(url)
    assert first.status_code == 200 and "第 1 / 2 页" in first.content.decode()
    for bad in ("2", "999", "x", "-1"):
        assert client.get(url, {"page": bad}).status_code == 200
    assert client.get(url, {"q": "x" * 500}).status_code == 200
    kiosk = client.get(reverse("register:kiosk")).content.decode()
    assert "kiosk" in kiosk
