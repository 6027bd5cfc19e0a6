"""免申即享 from the sweep to the decision: offered once, confirmed in one tap, confirmed as a
list by the department, granted as a case with no application and its decision notice."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hall.benefits import finding, grants, services
from hall.models import BenefitBatch, BenefitOffer, Case, CaseEvent, Notice, Notification
from hall.platform.broker import broker_breaker_open
from tests.concurrency import run_at_once
from tests.dates import shanghai
from tests.hall.benefits.conftest import delivered_link


def test_a_sweep_offers_a_person_confirms_the_department_confirms_and_a_decision_follows(
    client, benefit, people, officer, sms_file, time_machine
):
    broker_breaker_open(seconds=300)  # the test grants itself; no live worker races it
    # the daily sweep finds the one person aged 80 or over, and only once
    assert finding.benefit_offers_find() == 1
    assert finding.benefit_offers_find() == 0
    offer = BenefitOffer.objects.get()
    assert offer.applicant == people["elder"] and offer.status == "offered"
    # the SMS carries a link that answers in one tap; the outbox keeps it masked
    sms = Notification.objects.get(dedupe_key=f"benefit-offer:{offer.pk}:sms")
    link = delivered_link(sms_file, offer)
    assert (
        link.removeprefix("/benefits/").strip("/") not in Notification.objects.get(pk=sms.pk).body
    )
    assert Notification.objects.filter(
        kind="benefit_offered", recipient_user=people["elder"].user, channel="inbox"
    ).exists()

    # one tap, no sign-in
    page = client.get(link)
    assert page.status_code == 200 and "王**" in page.content.decode()
    assert client.post(link, {"accept": "1"}).status_code == 302
    offer.refresh_from_db()
    assert offer.status == "confirmed" and offer.answered_via == "link"

    # the department confirms the list
    client.force_login(officer)
    desk = client.get(reverse("benefits:desk_benefit", args=[benefit.code]))
    assert "年满 80 周岁" in desk.content.decode() and "王**" in desk.content.decode()
    key = str(uuid.uuid4())
    form = {"submission_key": key, "offer": [offer.pk]}
    refused = client.post(reverse("benefits:desk_benefit", args=[benefit.code]), form)
    assert refused.status_code == 400 and not BenefitBatch.objects.exists()
    confirmed = client.post(
        reverse("benefits:desk_benefit", args=[benefit.code]), {**form, "checked": "on"}
    )
    assert confirmed.status_code == 302
    batch = BenefitBatch.objects.get()
    assert batch.number == 1 and batch.offers_count == 1 and batch.decided_by == officer
    assert batch.rules == benefit.rules and "第三十三条" in batch.legal_basis

    # each grant is a case with no application, decided with its notice
    assert grants.benefit_grants_issue() == 1
    offer.refresh_from_db()
    case = offer.case
    assert offer.status == "granted" and case.applicant == people["elder"]
    assert case.channel == Case.Channel.PROACTIVE and case.status == Case.Status.DECIDED
    assert case.materials.count() == 0
    decision = Notice.objects.get(case=case, kind="grant")
    assert "第三十三条" in " ".join(decision.content["paragraphs"])
    assert CaseEvent.objects.filter(case=case, action="benefit_confirmed").exists()
    assert Notification.objects.filter(case=case, kind="decided", channel="sms").exists()
    assert grants.benefit_grants_issue() == 0  # nothing twice


def test_someone_who_turns_80_is_offered_on_the_birthday_and_not_before(benefit, people):
    finding.benefit_offers_find()
    assert not BenefitOffer.objects.filter(applicant=people["turning"]).exists()
    assert finding.benefit_offers_find(today=datetime.date(2026, 10, 13)) == 1
    assert BenefitOffer.objects.filter(applicant=people["turning"]).exists()


def test_answers_are_once_and_in_the_portal_only_ones_own(client, benefit, people, make_user):
    finding.benefit_offers_find()
    offer = BenefitOffer.objects.get()
    stranger = make_user("stranger", "applicant")
    with pytest.raises(ValidationError):
        services.benefit_offer_answer(offer=offer, accept=True, via="portal", user=stranger)
    elder = people["elder"].user
    services.benefit_offer_answer(offer=offer, accept=False, via="portal", user=elder)
    again = services.benefit_offer_answer(offer=offer, accept=False, via="portal", user=elder)
    assert again.status == "declined"
    with pytest.raises(ValidationError) as raised:
        services.benefit_offer_answer(offer=offer, accept=True, via="portal", user=elder)
    assert "已经答复过" in str(raised.value)
    client.force_login(elder)
    page = client.get(reverse("benefits:portal")).content.decode()
    assert "高龄老人津贴" in page and "本人不需要" in page


def test_an_unknown_link_is_a_plain_404(client, benefit, people):
    finding.benefit_offers_find()
    assert client.get("/benefits/not-a-token/").status_code == 404
    assert client.post("/benefits/not-a-token/", {"accept": "1"}).status_code == 404
    assert BenefitOffer.objects.get().status == "offered"


def test_another_departments_officer_cannot_confirm(benefit, people, make_user):
    from tests.factories import OfficerFactory

    finding.benefit_offers_find()
    offer = BenefitOffer.objects.get()
    services.benefit_offer_answer(offer=offer, accept=True, via="link")
    other = make_user("officer-x", "officer")
    OfficerFactory(user=other)
    with pytest.raises(ValidationError):
        services.benefit_batch_confirm(
            benefit=benefit,
            officer=other,
            offer_ids=[offer.pk],
            submission_key=uuid.uuid4(),
            checked=True,
        )
    assert BenefitOffer.objects.get().status == "confirmed"


def test_who_no_longer_qualifies_before_the_grant_is_not_granted(
    benefit, people, officer, time_machine
):
    """The start-up subsidy's shape: a licence held when offered, lapsed by the grant."""
    from hall.models import ElectronicLicence

    company = people["company"]
    ElectronicLicence.objects.create(
        number="FT-LIC-0001",
        licence_type="business-licence",
        name="营业执照",
        holder=company,
        holder_name=company.name,
        holder_number=company.uscc,
        department=officer.officer.department,
        scope="企业设立登记",
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2026, 10, 20),
        verification_code="LIC0001",
        status="valid",
        issued_at=shanghai(2026, 1, 1),
    )
    broker_breaker_open(seconds=300)  # the test grants itself; no live worker races it
    benefit.rules = [
        {"type": "applicant_type", "equals": "enterprise"},
        {"type": "licence", "licence_type": "business-licence"},
    ]
    benefit.save()
    assert finding.benefit_offers_find() == 1
    offer = BenefitOffer.objects.get()
    services.benefit_offer_answer(offer=offer, accept=True, via="link")
    services.benefit_batch_confirm(
        benefit=benefit,
        officer=officer,
        offer_ids=[offer.pk],
        submission_key=uuid.uuid4(),
        checked=True,
    )
    time_machine.move_to(shanghai(2026, 10, 21))  # the licence ran out yesterday
    assert grants.benefit_grants_issue() == 1
    offer.refresh_from_db()
    assert offer.status == "lapsed" and "business-licence" in offer.lapsed_reason
    assert offer.case is None and not Case.objects.exists()
    assert Notification.objects.filter(kind="benefit_lapsed", channel="sms").exists()


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_offer_nobody_twice(roles, benefit, people, on_postgres):
    if not on_postgres:
        pytest.skip("advisory locks need PostgreSQL")
    results = run_at_once(finding.benefit_offers_find, finding.benefit_offers_find)
    assert sorted(results) == [0, 1]
    assert BenefitOffer.objects.count() == 1
    assert Notification.objects.filter(kind="benefit_offered", channel="sms").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_granters_at_once_grant_each_offer_once(
    roles, benefit, people, officer, on_postgres, time_machine
):
    if not on_postgres:
        pytest.skip("row locks need PostgreSQL")
    time_machine.move_to(shanghai(2026, 10, 13))
    # the broker "down": nothing is published, so only the two granters below race (a live
    # worker would otherwise take the list's own grant task)
    broker_breaker_open(seconds=300)
    finding.benefit_offers_find()  # the elder, and 赵德 on his 80th birthday
    offers = list(BenefitOffer.objects.order_by("pk"))
    for offer in offers:
        services.benefit_offer_answer(offer=offer, accept=True, via="link")
    services.benefit_batch_confirm(
        benefit=benefit,
        officer=officer,
        offer_ids=[o.pk for o in offers],
        submission_key=uuid.uuid4(),
        checked=True,
    )
    done = run_at_once(grants.benefit_grants_issue, grants.benefit_grants_issue)
    assert sum(done) == 2
    assert Case.objects.count() == 2
    assert set(BenefitOffer.objects.values_list("status", flat=True)) == {"granted"}


def test_an_offer_the_case_services_refuse_does_not_hold_up_the_list(
    benefit, people, officer, time_machine
):
    """An administrator gave the item a material the hall cannot supply: that grant is refused
    (nothing half-written, logged) and the next offer is still granted."""
    from approvals.catalogue.selectors import item_current_by_code
    from approvals.models import MaterialRequirement

    broker_breaker_open(seconds=300)
    time_machine.move_to(shanghai(2026, 10, 13))
    finding.benefit_offers_find()
    offers = list(BenefitOffer.objects.order_by("pk"))
    for offer in offers:
        services.benefit_offer_answer(offer=offer, accept=True, via="link")
    services.benefit_batch_confirm(
        benefit=benefit,
        officer=officer,
        offer_ids=[o.pk for o in offers],
        submission_key=uuid.uuid4(),
        checked=True,
    )
    item = item_current_by_code(code=benefit.item_code)
    requirement = MaterialRequirement.objects.create(item=item, name="户口簿", form="copy")
    assert grants.benefit_grants_issue() == 0
    assert set(BenefitOffer.objects.values_list("status", flat=True)) == {"approved"}
    assert not Case.objects.exists()  # nothing half-written
    requirement.delete()
    assert grants.benefit_grants_issue() == 2
