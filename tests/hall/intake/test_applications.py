"""一件事 as one application at the window (hall.intake.applications): one acceptance notice, at
most one correction notice listing every item's wants (a shared material once), the whole
application waiting and returning together, nothing half-written, and one notice under a race."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from approvals.models import Bundle, MaterialRequirement
from hall.cases.selectors import application_status, case_notices
from hall.intake import applications, decisions, receiving
from hall.intake.common import MaterialMark, OneTimeNotificationError
from hall.models import Case, CaseGroup, CaseMaterial, Notice, Notification
from tests.concurrency import run_at_once
from tests.factories import ClerkFactory, PersonFactory, item_with_stages


def _bundle(department, name_a="出生医学证明签发", name_b="出生登记", code="xinsheng"):
    first = item_with_stages(
        [[(department, 2)]], name=name_a, promised_days=3, lead_department=department
    )
    second = item_with_stages(
        [[(department, 5)]], name=name_b, promised_days=8, lead_department=department
    )
    # 一套材料: both items ask for the applicant's identity, the catalogue says it is one material
    MaterialRequirement.objects.filter(item__in=[first, second], name="身份证明").update(
        material_code="applicant-id"
    )
    bundle = Bundle.objects.create(code=code, name="新生儿出生一件事")
    bundle.items.set([first, second])
    return bundle, [first, second]


def _receive(bundle, items, person, clerk, key=None) -> CaseGroup:
    return receiving.case_group_receive(
        submission_key=key or uuid.uuid4(),
        applicant=person,
        bundle=bundle,
        items=items,
        answers_by_item={item.pk: {"agent": "no"} for item in items},
        received_by=clerk,
        channel=Case.Channel.WINDOW,
        window=clerk.clerk.window,
    )


def _marks(group, status="received", **by_name) -> dict[int, MaterialMark]:
    """A mark for every material of the application; `by_name` maps "item name/material name"
    to a status or a MaterialMark."""
    marks = {}
    for material in CaseMaterial.objects.filter(case__group=group).select_related("case__item"):
        mark = by_name.get(f"{material.case.item.name}/{material.name}", status)
        marks[material.pk] = mark if isinstance(mark, MaterialMark) else MaterialMark(mark)
    return marks


@pytest.fixture
def application(department, clerk, person):
    bundle, items = _bundle(department)
    return _receive(bundle, items, person, clerk)


def test_an_application_is_accepted_with_one_notice_for_all_its_items(application, clerk):
    notice = applications.application_intake_decide(
        group=application, clerk=clerk, outcome="accept", marks=_marks(application)
    )
    cases = list(application.cases.order_by("pk"))
    assert [case.status for case in cases] == [Case.Status.ACCEPTED] * 2
    assert Notice.objects.filter(kind=Notice.Kind.ACCEPTANCE).count() == 1
    assert notice.group_id == application.pk and notice.case_id == cases[0].pk
    # the notice lists every item with its own receipt number and promised date
    rows = notice.content["table"]["rows"]
    assert [row[1] for row in rows] == [case.receipt_no for case in cases]
    assert [row[2] for row in rows] == [case.promised_due_date.isoformat() for case in cases]
    assert "新生儿出生一件事" in notice.content["item_name"]
    # both cases show it; the second has no acceptance notice of its own
    assert list(case_notices(case=cases[1])) == [notice]
    assert not Notice.objects.filter(case=cases[1]).exists()
    # one message for the application, naming the latest promised date
    sms = Notification.objects.filter(kind="accepted", channel="sms")
    assert sms.count() == 1
    assert max(c.promised_due_date for c in cases).isoformat() in sms.get().body
    # again: the same notice, nothing twice
    again = applications.application_intake_decide(group=application, clerk=clerk, outcome="accept")
    assert again.pk == notice.pk
    assert Notice.objects.count() == 1
    # each item's review started
    assert all(case.stages.exists() for case in cases)


def test_one_correction_notice_covers_two_items_and_a_shared_material_once(
    application, clerk, supervisor
):
    marks = _marks(
        application,
        **{
            "出生医学证明签发/申请表": "missing",
            "出生医学证明签发/身份证明": MaterialMark("defective", "复印件不清晰"),
            "出生登记/身份证明": MaterialMark("defective", "复印件不清晰"),
        },
    )
    notice = applications.application_intake_decide(
        group=application, clerk=clerk, outcome="correct", marks=marks
    )
    assert Notice.objects.filter(kind=Notice.Kind.CORRECTION).count() == 1
    rows = [tuple(row) for row in notice.content["table"]["rows"]]
    assert ("出生医学证明签发", "申请表", "未提交") in rows
    # the identity both items need is one line naming both items
    assert ("出生医学证明签发、出生登记", "身份证明", "复印件不清晰") in rows
    assert len(rows) == 2
    assert set(Case.objects.values_list("status", flat=True)) == {Case.Status.AWAITING_CORRECTION}
    assert notice.corrections.count() == 3  # each case's material is listed for its case
    # 一次告知: per application, once
    with pytest.raises(OneTimeNotificationError):
        applications.application_intake_decide(group=application, clerk=clerk, outcome="correct")
    second = application.cases.order_by("pk")[1]
    with pytest.raises(OneTimeNotificationError):
        decisions.case_request_correction(case=second, clerk=clerk)
    assert Notification.objects.filter(kind="correction", channel="sms").count() == 1


def test_the_corrected_application_comes_back_whole_and_is_accepted_as_one(application, clerk):
    marks = _marks(application, **{"出生医学证明签发/申请表": "missing"})
    applications.application_intake_decide(
        group=application, clerk=clerk, outcome="correct", marks=marks
    )
    first, second = application.cases.order_by("pk")
    form = first.materials.get(name="申请表")
    # the applicant brings the form: the whole application is back at the window
    applications.application_intake_decide(
        group=application, clerk=clerk, outcome="check", marks={form.pk: MaterialMark("received")}
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == Case.Status.RECEIVED
    assert first.intake_due_date == second.intake_due_date is not None
    notice = applications.application_intake_decide(
        group=application, clerk=clerk, outcome="accept"
    )
    assert notice.kind == Notice.Kind.ACCEPTANCE
    assert set(Case.objects.values_list("status", flat=True)) == {Case.Status.ACCEPTED}
    assert application_status(group_id=application.pk).promised_due_date == max(
        c.promised_due_date for c in Case.objects.all()
    )


def test_accepting_with_a_material_missing_writes_nothing(application, clerk):
    marks = _marks(application, **{"出生登记/申请表": "missing"})
    with pytest.raises(ValidationError, match="出生登记"):
        applications.application_intake_decide(
            group=application, clerk=clerk, outcome="accept", marks=marks
        )
    assert not Notice.objects.exists()
    assert set(Case.objects.values_list("status", flat=True)) == {Case.Status.RECEIVED}
    # the check was undone with the refused acceptance
    assert set(CaseMaterial.objects.values_list("status", flat=True)) == {"pending"}


def test_a_case_of_an_application_is_not_accepted_or_told_alone(application, clerk):
    case = application.cases.first()
    for outcome in ("accept", "correct"):
        with pytest.raises(ValidationError, match="一件事申请"):
            decisions.case_intake_decide(case=case, clerk=clerk, outcome=outcome)
    assert not Notice.objects.exists()


def test_only_the_first_contact_owner_decides(application, make_user):
    other = make_user("clerk-li", "clerk")
    ClerkFactory(user=other)
    with pytest.raises(ValidationError, match="首问负责"):
        applications.application_intake_decide(
            group=application, clerk=other, outcome="accept", marks=_marks(application)
        )
    assert not Notice.objects.exists()


def test_a_material_of_another_application_is_refused(application, department, clerk):
    bundle, items = _bundle(department, "甲", "乙", code="other")
    other = _receive(bundle, items, PersonFactory(id_number="110105194912310046"), clerk)
    foreign = CaseMaterial.objects.filter(case__group=other).first()
    with pytest.raises(ValidationError, match="不属于"):
        applications.application_intake_decide(
            group=application,
            clerk=clerk,
            outcome="check",
            marks={foreign.pk: MaterialMark("received")},
        )
    foreign.refresh_from_db()
    assert foreign.status == "pending"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_give_one_acceptance_notice(make_user, roles):
    from departments.models import Department

    department = Department.objects.create(code="D1", name="卫健局")
    clerk = make_user("c-race", "clerk")
    ClerkFactory(user=clerk)
    bundle, items = _bundle(department)
    group = _receive(bundle, items, PersonFactory(), clerk)
    marks = _marks(group)
    results = run_at_once(
        *[
            lambda: (
                applications.application_intake_decide(
                    group=group, clerk=clerk, outcome="accept", marks=marks
                ).pk
            )
        ]
        * 3
    )
    assert all(isinstance(result, int) for result in results), results
    assert len(set(results)) == 1
    assert Notice.objects.count() == 1
    assert Notification.objects.filter(kind="accepted", channel="sms").count() == 1


def test_the_window_page_checks_a_shared_material_once_and_accepts(application, clerk, client):
    client.force_login(clerk)
    first = application.cases.order_by("pk").first()
    url = reverse("intake:application", args=[first.receipt_no])
    html = client.get(url).content.decode()
    assert html.count('name="status-') == 3 * 3  # 申请表 ×2 and one shared 身份证明, 3 choices
    assert "共用材料" in html
    response = client.post(url, {"outcome": "all_received"})
    assert response.status_code == 302
    assert set(CaseMaterial.objects.values_list("status", flat=True)) == {"received"}
    response = client.post(url, {"outcome": "accept"}, follow=True)
    assert "受理通知书" in response.content.decode()
    assert Notice.objects.filter(group=application).count() == 1
    # the notice opens from either case
    notice = Notice.objects.get()
    second = application.cases.order_by("pk")[1]
    pdf = client.get(reverse("intake:notice_print", args=[second.receipt_no, notice.pk]))
    assert pdf.status_code == 200


def test_the_window_page_refuses_a_correction_with_nothing_wanting_and_keeps_the_marks(
    application, clerk, client
):
    client.force_login(clerk)
    first = application.cases.order_by("pk").first()
    url = reverse("intake:application", args=[first.receipt_no])
    rows = CaseMaterial.objects.filter(case=first).order_by("pk")
    payload = {"outcome": "correct", **{f"status-{m.pk}": "received" for m in rows}}
    response = client.post(url, payload)
    assert response.status_code == 400
    assert "请先核对全部事项" in response.content.decode()
    assert set(CaseMaterial.objects.values_list("status", flat=True)) == {"pending"}


def test_a_case_without_an_application_has_no_application_page(item, person, clerk, client):
    from tests.hall.intake.conftest import receive

    case = receive(item, person, clerk)
    client.force_login(clerk)
    assert client.get(reverse("intake:application", args=[case.receipt_no])).status_code == 404


# --- 一次送达: the results together ---------------------------------------------------------


@pytest.fixture
def staffed_application(roles, clerk, person):
    from tests.approvals.workflow_helpers import department_with_staff

    health = department_with_staff("WJ", "区卫生健康局", roles)
    bundle, items = _bundle(health)
    group = _receive(bundle, items, person, clerk)
    applications.application_intake_decide(
        group=group, clerk=clerk, outcome="accept", marks=_marks(group)
    )
    return group, health


def _decide(case, department):
    from approvals.reviews import decisions as reviews_decisions
    from approvals.reviews import steps
    from tests.approvals.workflow_helpers import officer_of, open_steps

    officer = officer_of(department)
    steps.step_decide(step=open_steps(case)[0], officer=officer, approve=True, opinion="同意")
    reviews_decisions.stage_decide(
        stage=case.stages.get(), officer=officer, approve=True, opinion=""
    )
    reviews_decisions.case_decide(case=case, officer=officer, grant=True, reasons="")


def test_results_are_delivered_together_once_every_item_is_done(staffed_application, clerk, client):
    from approvals.reviews.delivery import case_deliver

    group, health = staffed_application
    first, second = group.cases.order_by("pk")
    _decide(first, health)
    first.refresh_from_db()
    # the first result waits for the second (the applicant did not ask for each as it is ready)
    with pytest.raises(ValidationError, match="出生登记"):
        case_deliver(case=first, clerk=clerk, method="window")
    with pytest.raises(ValidationError, match="尚未办结"):
        applications.application_deliver(group=group, clerk=clerk, method="window")
    _decide(second, health)
    client.force_login(clerk)
    url = reverse("intake:application", args=[first.receipt_no])
    assert "整件结果一次送达" in client.get(url).content.decode()
    deliver = reverse("intake:application_deliver", args=[first.receipt_no])
    # a locker cell holds one result: refused for two, nothing delivered
    response = client.post(deliver, {"delivery-method": "locker", "delivery-locker_cell": "A1"})
    assert response.status_code == 400 and "一格一件" in response.content.decode()
    assert set(Case.objects.values_list("status", flat=True)) == {Case.Status.DECIDED}
    response = client.post(
        deliver, {"delivery-method": "post", "delivery-note": "EMS9876543210"}, follow=True
    )
    assert "已一次送达 2 个事项的结果" in response.content.decode()
    assert set(Case.objects.values_list("status", flat=True)) == {Case.Status.CLOSED}
    # one parcel: the same tracking number on both results
    assert {c.decision.delivery_note for c in Case.objects.all()} == {"EMS9876543210"}


def test_an_applicant_may_take_each_result_as_it_is_ready(staffed_application, clerk):
    from approvals.reviews.delivery import case_deliver

    group, health = staffed_application
    first = group.cases.order_by("pk").first()
    applications.application_delivery_preference_set(group=group, together=False)
    _decide(first, health)
    case_deliver(case=first, clerk=clerk, method="window")
    first.refresh_from_db()
    assert first.status == Case.Status.CLOSED


def test_a_commitment_replaces_a_material_of_one_item_of_the_application(
    application, clerk, client
):
    """告知承诺 inside a bundle, by each item's own rule: only the item that applies it offers it,
    and its 告知承诺书 is signed with the application's acceptance."""
    from approvals.models import ServiceItem
    from hall.models import Commitment

    first, second = application.cases.order_by("pk")
    ServiceItem.objects.filter(pk=first.item_id).update(
        commitment_allowed=True, commitment_text="本人承诺已具备条件。"
    )
    MaterialRequirement.objects.filter(item=first.item_id, name="申请表").update(
        commitment_allowed=True
    )
    client.force_login(clerk)
    url = reverse("intake:application", args=[first.receipt_no])
    form = first.materials.get(name="申请表")
    other_form = second.materials.get(name="申请表")
    html = client.get(url).content.decode()
    assert f'id="status-{form.pk}-committed"' in html
    assert f'id="status-{other_form.pk}-committed"' not in html  # its item does not apply it
    payload = {f"status-{m.pk}": "received" for m in CaseMaterial.objects.all()}
    payload[f"status-{form.pk}"] = "committed"
    response = client.post(url, {**payload, "outcome": "accept"})
    assert response.status_code == 302
    assert Commitment.objects.get().case_id == first.pk
    assert Notice.objects.filter(kind=Notice.Kind.ACCEPTANCE).count() == 1
    assert Notice.objects.filter(kind=Notice.Kind.COMMITMENT, case=first).count() == 1


# --- Art. 32 for the whole application ---------------------------------------------------------


def test_an_application_nobody_answered_in_five_days_is_deemed_accepted_as_one(
    application, clerk, time_machine
):
    from hall.intake import sweeps
    from tests.dates import shanghai

    time_machine.move_to(shanghai(2026, 6, 10))
    Case.objects.update(intake_due_date=datetime.date(2026, 6, 5))
    assert sweeps.intake_deemed_acceptance_sweep() == 2
    [notice] = Notice.objects.all()
    assert notice.kind == Notice.Kind.DEEMED_ACCEPTANCE and notice.group_id == application.pk
    assert len(notice.content["table"]["rows"]) == 2
    assert all(c.deemed_accepted and c.status == Case.Status.ACCEPTED for c in Case.objects.all())
    assert Notification.objects.filter(kind="accepted", channel="sms").count() == 1
    assert sweeps.intake_deemed_acceptance_sweep() == 0  # nothing twice
    assert Notice.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_deem_an_application_accepted_once(make_user, roles, time_machine):
    from departments.models import Department
    from hall.intake import sweeps
    from tests.dates import shanghai

    time_machine.move_to(shanghai(2026, 6, 10))
    department = Department.objects.create(code="D2", name="公安分局")
    clerk = make_user("c-sweep", "clerk")
    ClerkFactory(user=clerk)
    bundle, items = _bundle(department)
    _receive(bundle, items, PersonFactory(), clerk)
    Case.objects.update(intake_due_date=datetime.date(2026, 6, 5))
    results = run_at_once(
        lambda: sweeps.intake_deemed_acceptance_sweep(),
        lambda: sweeps.intake_deemed_acceptance_sweep(),
    )
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 2
    assert Notice.objects.filter(kind=Notice.Kind.DEEMED_ACCEPTANCE).count() == 1
