"""Progress lookup: receipt + verification code, identity + SMS code, the timeline, the kiosk."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approvals.reviews import suspensions as reviews
from hall.cases import applicants
from hall.intake import decisions as intake_decisions
from hall.intake import receiving
from hall.intake.common import MaterialMark
from hall.lookup import services as lookup
from hall.models import Case, SmsCode
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    officer_of,
    open_steps,
    staged_item,
)
from tests.hall.accounts.test_sms_codes import last_code, sms_lines

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture(autouse=True)
def private_cache(settings):
    """Rate-limit counters in a cache of this test's own (never the shared Redis)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"lookup-{uuid.uuid4()}",
        }
    }


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.HALL_SMS_BACKEND = "hall.platform.messaging.FileSmsBackend"
    settings.HALL_SMS_FILE = str(tmp_path / "sms.jsonl")
    return tmp_path / "sms.jsonl"


@pytest.fixture
def depts(roles):
    return [
        department_with_staff("PLN", "区规划局", roles),
        department_with_staff("FIRE", "区消防救援大队", roles),
    ]


@pytest.fixture
def clerk(roles):
    return make_clerk(roles)


@pytest.fixture
def case(depts, clerk):
    item = staged_item(
        [[(depts[0], 5), (depts[1], 8)]], lead_department=depts[0], name="建设工程规划许可"
    )
    return accepted_case(item, clerk)


def look_up(client, receipt_no, code, *, ip="10.0.0.1", kiosk=False):
    data = {"receipt_no": receipt_no, "code": code}
    if kiosk:
        data["kiosk"] = "1"
    return client.post(reverse("lookup:home"), data, REMOTE_ADDR=ip)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_receipt_and_code_show_the_timeline(client, case, depts):
    response = look_up(client, case.receipt_no, case.verification_code)
    assert response.status_code == 302
    assert response["Location"] == reverse("lookup:case", args=[case.receipt_no])
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    # each department's step with its state and deadline
    for step in case.steps.all():
        assert step.department.name in html
        assert f"{step.due_date:%Y-%m-%d}" in html
    assert "审查中" in html
    # the promised date and the notices issued
    assert f"{case.promised_due_date:%Y-%m-%d}" in html
    assert "受理通知书" in html
    assert "受理" in html and "收件" in html
    # no download link to notices without an account
    assert not any(href.endswith(".pdf") for href in re.findall(r'href="([^"]+)"', html))


def test_lookup_accepts_lower_case_and_spaces(client, case):
    typed = " ".join(case.receipt_no.lower())
    response = look_up(client, typed, f" {case.verification_code} ")
    assert response.status_code == 302


def test_unknown_receipt_and_wrong_code_answer_alike(client, case):
    unknown = "FT2099010100001"
    assert not Case.objects.filter(receipt_no=unknown).exists()
    with CaptureQueriesContext(connection) as unknown_queries:
        a = look_up(client, unknown, "123456")
    with CaptureQueriesContext(connection) as wrong_queries:
        b = look_up(client, case.receipt_no, wrong(case.verification_code))
    assert a.status_code == b.status_code == 400
    body_a = CSRF.sub("", a.content.decode()).replace(unknown, "RECEIPT")
    body_b = (
        CSRF.sub("", b.content.decode())
        .replace(case.receipt_no, "RECEIPT")
        .replace(wrong(case.verification_code), "123456")
    )
    assert body_a == body_b
    assert "收件编号或查询验证码不正确" in body_a
    # the same work on both paths: one read of the case table, nothing else differs
    assert len(unknown_queries) == len(wrong_queries)


def test_failures_from_many_addresses_slow_a_receipt_but_never_lock_its_owner_out(client, case):
    """The attack: wrong codes on a victim's receipt from several addresses used to lock the
    owner out for 15 minutes. Now they only slow the receipt to one attempt per interval."""
    for index in range(lookup.SUBJECT_SLOWDOWN_AFTER):
        failed = look_up(
            client, case.receipt_no, wrong(case.verification_code), ip=f"10.0.1.{index}"
        )
        assert failed.status_code == 400
    owner = look_up(client, case.receipt_no, case.verification_code, ip="10.0.2.1")
    assert owner.status_code == 302  # the owner's right code still works
    # a guess right after it waits for the next interval (the slow-down, not a lock)
    slowed = look_up(client, case.receipt_no, wrong(case.verification_code), ip="10.0.2.3")
    assert slowed.status_code == 429 and "尝试次数过多" in slowed.content.decode()
    # another receipt from a fresh address is not affected
    assert look_up(client, "FT2099010100002", "000000", ip="10.0.2.2").status_code == 400


def test_failures_are_limited_per_address(client, case):
    for index in range(lookup.LOOKUP_FAILURES):
        look_up(client, f"FT20990101{index:05d}", "000000", ip="10.0.3.1")
    blocked = look_up(client, case.receipt_no, case.verification_code, ip="10.0.3.1")
    assert blocked.status_code == 429
    # the same receipt from another address still works
    assert (
        look_up(client, case.receipt_no, case.verification_code, ip="10.0.3.2").status_code == 302
    )


def test_limit_answers_alike_for_unknown_and_known_receipts(client, case):
    unknown = "FT2099010100009"
    for receipt in (unknown, case.receipt_no):
        for index in range(lookup.SUBJECT_SLOWDOWN_AFTER + 1):  # the last takes the interval
            look_up(client, receipt, wrong(case.verification_code), ip=f"10.1.{index}.1")
    a = look_up(client, unknown, "123456", ip="10.2.0.1")
    b = look_up(client, case.receipt_no, "123456", ip="10.2.0.2")
    assert a.status_code == b.status_code == 429
    assert CSRF.sub("", a.content.decode()).replace(unknown, "R") == CSRF.sub(
        "", b.content.decode()
    ).replace(case.receipt_no, "R")


def test_access_is_for_that_receipt_only(client, case, clerk):
    other = accepted_case(case.item, clerk)
    look_up(client, case.receipt_no, case.verification_code)
    assert client.get(reverse("lookup:case", args=[case.receipt_no])).status_code == 200
    response = client.get(reverse("lookup:case", args=[other.receipt_no]))
    assert response.status_code == 302 and response["Location"] == reverse("lookup:home")


def test_access_expires(client, case, monkeypatch):
    look_up(client, case.receipt_no, case.verification_code)
    url = reverse("lookup:case", args=[case.receipt_no])
    later = lookup._now() + datetime.timedelta(seconds=lookup.ACCESS_SECONDS + 1)
    monkeypatch.setattr(lookup, "_now", lambda: later)
    response = client.get(url)
    assert response.status_code == 302
    assert "lookup.access" not in "".join(client.session.keys())


def test_kiosk_layout_and_short_access(client, case, monkeypatch):
    form = client.get(reverse("lookup:home") + "?kiosk=1")
    assert re.search(r'<body class="[^"]*\bkiosk\b', form.content.decode())
    response = look_up(client, case.receipt_no, case.verification_code, kiosk=True)
    assert response["Location"].endswith("?kiosk=1")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert re.search(r'<body class="[^"]*\bkiosk\b', html)
    # the kiosk page warns and goes back to the kiosk's start when idle (no meta refresh, which
    # gives no warning), and offers the way home
    assert 'http-equiv="refresh"' not in html
    assert "js/kiosk-idle.js" in html and 'id="kiosk-idle-warning"' in html
    assert reverse("kiosk:start") in html and "返回首页" in html
    assert "结束查询" in html
    later = lookup._now() + datetime.timedelta(seconds=lookup.KIOSK_ACCESS_SECONDS + 1)
    monkeypatch.setattr(lookup, "_now", lambda: later)
    expired = client.get(response["Location"])
    assert expired.status_code == 302
    assert expired["Location"] == reverse("lookup:home") + "?kiosk=1"


def test_end_clears_the_access(client, case):
    look_up(client, case.receipt_no, case.verification_code)
    client.post(reverse("lookup:end"))
    assert client.get(reverse("lookup:case", args=[case.receipt_no])).status_code == 302


def test_successful_lookup_issues_a_new_session_key(client, case):
    client.get(reverse("lookup:home"))
    client.session.save()
    before = client.session.session_key
    look_up(client, case.receipt_no, case.verification_code)
    assert client.session.session_key != before


def test_identity_and_sms_code(client, case, sms_file):
    identity = case.applicant.id_number
    sent = client.post(reverse("lookup:identity"), {"identity": identity.lower()})
    unknown = client.post(reverse("lookup:identity"), {"identity": "110101199003074514"})
    assert sent.status_code == unknown.status_code == 200
    for response in (sent, unknown):
        assert "如该证件号码已在大厅登记，验证码已发送至登记的手机号码" in response.content.decode()
    assert len(sms_lines(sms_file)) == 1
    assert sms_lines(sms_file)[0]["phone"] == case.applicant.phone
    code = last_code(sms_file, case.applicant.phone)

    bad = client.post(
        reverse("lookup:identity_verify"), {"identity": identity, "code": wrong(code)}
    )
    assert bad.status_code == 400 and "短信验证码不正确或已失效" in bad.content.decode()
    nobody = client.post(
        reverse("lookup:identity_verify"), {"identity": "110101199003074514", "code": code}
    )
    assert nobody.status_code == 400 and "短信验证码不正确或已失效" in nobody.content.decode()

    ok = client.post(reverse("lookup:identity_verify"), {"identity": identity, "code": code})
    assert ok.status_code == 302 and ok["Location"] == reverse("lookup:cases")
    listing = client.get(ok["Location"]).content.decode()
    assert case.receipt_no in listing
    assert client.get(reverse("lookup:case", args=[case.receipt_no])).status_code == 200


def test_identity_resend_too_soon_says_the_same(client, case, sms_file):
    identity = case.applicant.id_number
    client.post(reverse("lookup:identity"), {"identity": identity})
    again = client.post(reverse("lookup:identity"), {"identity": identity})
    assert again.status_code == 200
    assert "如该证件号码已在大厅登记" in again.content.decode()
    assert SmsCode.objects.count() == 1


def test_identity_failures_are_limited_per_address(client, case, sms_file):
    identity = case.applicant.id_number
    client.post(reverse("lookup:identity"), {"identity": identity})
    code = last_code(sms_file, case.applicant.phone)
    for _n in range(lookup.LOOKUP_FAILURES):
        client.post(
            reverse("lookup:identity_verify"),
            {"identity": identity, "code": wrong(code)},
            REMOTE_ADDR="10.9.0.1",
        )
    blocked = client.post(
        reverse("lookup:identity_verify"),
        {"identity": identity, "code": code},
        REMOTE_ADDR="10.9.0.1",
    )
    assert blocked.status_code == 429


def test_timeline_shows_open_corrections_from_window_and_department(depts, clerk):
    # A window correction on one case
    item = staged_item([[(depts[0], 5), (depts[1], 8)]], lead_department=depts[0])
    waiting = receiving.case_receive(
        submission_key=uuid.uuid4(),
        applicant=applicants.applicant_register(
            kind="person", name="张三", phone="13800138000", id_number="11010519491231002X"
        ),
        item=item,
        answers={"agent": "no"},
        received_by=clerk,
        channel=Case.Channel.WINDOW,
    )
    marks = {m.pk: MaterialMark("received") for m in waiting.materials.all()}
    missing = waiting.materials.get(name="身份证明")
    marks[missing.pk] = MaterialMark("missing")
    intake_decisions.case_intake_decide(case=waiting, clerk=clerk, outcome="correct", marks=marks)
    timeline = lookup.case_timeline(case=waiting)
    assert [(c.material, c.reason) for c in timeline.corrections] == [("身份证明", "未提交")]
    assert timeline.stages == []

    # and a department correction on an accepted one
    accepted = accepted_case(item, clerk)
    step = next(s for s in open_steps(accepted) if s.department == depts[1])
    reviews.step_correction_request(
        step=step, officer=officer_of(depts[1]), items=[("消防设计图纸", "缺少设计单位签章")]
    )
    timeline = lookup.case_timeline(case=accepted)
    (correction,) = timeline.corrections
    assert correction.source == "区消防救援大队"
    assert correction.material == "消防设计图纸" and correction.reason == "缺少设计单位签章"
    fire = next(
        s for stage in timeline.stages for s in stage.steps if s.department == "区消防救援大队"
    )
    assert fire.status == "suspended" and fire.suspension == "补正材料"
    assert [m.action for m in timeline.milestones][-1] == "correction_asked_by_department"


def test_a_deemed_acceptance_says_so_and_from_which_day(case, depts, clerk):
    from hall.intake import sweeps

    # Given a filing left at the window past its five working days
    waiting = receiving.case_receive(
        submission_key=uuid.uuid4(),
        applicant=case.applicant,
        item=case.item,
        answers={"agent": "no"},
        received_by=clerk,
        channel=Case.Channel.WINDOW,
    )
    arrived = datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(days=12)
    Case.objects.filter(pk=waiting.pk).update(
        materials_received_at=arrived, intake_due_date=datetime.date(2000, 1, 1)
    )
    sweeps.intake_deemed_acceptance_sweep()
    waiting.refresh_from_db()
    # Then the lookup names the deemed acceptance and the day it counts from
    timeline = lookup.case_timeline(case=waiting)
    deemed = next(m for m in timeline.milestones if m.action == "deemed_accepted")
    assert "视为受理" in deemed.label
    assert waiting.accepted_on.isoformat() in deemed.label


def test_a_provisional_deadline_is_said_in_the_lookup(client, case):
    Case.objects.filter(pk=case.pk).update(calendar_assumed_years=[2027])
    response = look_up(client, case.receipt_no, case.verification_code)
    page = client.get(reverse("lookup:case", args=[case.receipt_no])).content.decode()
    assert response.status_code in (200, 302)
    assert "2027 年的调休安排尚未公布" in page and "暂定期限" in page
