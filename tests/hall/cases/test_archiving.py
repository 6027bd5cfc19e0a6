"""Issue 29: a closed case goes through archive package, destruction list and removal, with its
record kept; a package's four properties are checked."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from approvals.models import CaseStep
from approvals.reviews import delivery
from hall.cases import archiving, destruction, rendering
from hall.models import (
    ArchivePackage,
    Case,
    CaseEvent,
    DestructionList,
    Notice,
    SecurityEvent,
)
from hall.platform import chains
from tests.approvals.workflow_helpers import (
    accepted_case,
    case_granted,
    department_with_staff,
    make_clerk,
    staged_item,
)
from tests.dates import shanghai


@pytest.fixture
def closed_case(db, roles, time_machine):
    time_machine.move_to(shanghai(2026, 10, 12))  # a Monday
    department = department_with_staff("MSR", "区市场监督管理局", roles)
    clerk = make_clerk(roles)
    item = staged_item([[(department, 5)]], lead_department=department, retention="10y")
    case = accepted_case(item, clerk)
    case_granted(case, department)
    case.refresh_from_db()
    delivery.case_deliver(case=case, clerk=clerk, method="window")
    for notice in Notice.objects.filter(case=case):
        rendering.notice_render(notice_id=notice.pk)
    case.refresh_from_db()
    assert case.closed_at is not None
    return case


def _package_zip(package: ArchivePackage) -> zipfile.ZipFile:
    with package.file.open("rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def test_a_closed_case_becomes_a_signed_package_that_passes_its_checks(closed_case, time_machine):
    assert archiving.archive_sweep(now=closed_case.closed_at) == 0  # not due yet
    later = closed_case.closed_at + datetime.timedelta(days=31)
    assert archiving.archive_sweep(now=later) == 1
    assert archiving.archive_sweep(now=later) == 0  # once
    package = ArchivePackage.objects.get(case=closed_case)
    assert package.check_passed, package.check_report
    assert package.retention_until == datetime.date(2037, 1, 1)  # 10 years from 2027-01-01
    on_disk = Path(default_storage.path(package.file.name)).read_bytes()
    assert on_disk.startswith(b"HALLSEALED1")  # sealed at rest, like every private file
    assert closed_case.applicant.phone.encode() not in on_disk
    archive = _package_zip(package)
    names = set(archive.namelist())
    assert {"metadata.json", "events.json", "decision.json", "manifest.json"} <= names
    assert any(name.startswith("notices/") and name.endswith(".pdf") for name in names)
    metadata = json.loads(archive.read("metadata.json"))
    assert metadata["applicant"]["identity"] == closed_case.applicant.identity
    events = json.loads(archive.read("events.json"))
    assert len(events) == CaseEvent.objects.filter(case=closed_case).count()


def _rewrite(package: ArchivePackage, change) -> None:
    """Change a package on disk as an intruder would: open, alter an entry, seal again."""
    archive = _package_zip(package)
    entries = {name: archive.read(name) for name in archive.namelist()}
    change(entries)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as rewritten:
        for name, data in entries.items():
            rewritten.writestr(name, data)
    name = package.file.name
    default_storage.delete(name)
    default_storage.save(name, ContentFile(buffer.getvalue()))


@pytest.mark.parametrize(
    "change, failing",
    [
        (
            lambda e: e.update({"metadata.json": e["metadata.json"].replace(b"10y", b"30y")}),
            "integrity",
        ),
        (lambda e: e.update({"manifest.sig": b"\x00" * 64}), "authenticity"),
        (lambda e: e.update({"../escape.json": b"{}"}), "security"),
        (lambda e: e.pop("decision.json"), "integrity"),
    ],
)
def test_a_changed_package_fails_the_check_and_raises_an_alert(closed_case, change, failing):
    package = archiving.case_archive(case_id=closed_case.pk)
    assert package.check_passed
    _rewrite(package, change)
    result = archiving.archive_check(package=package)
    assert not result.passed and result.report[failing] != "ok", result.report
    assert not ArchivePackage.objects.get(pk=package.pk).check_passed
    assert SecurityEvent.objects.filter(kind="archive_check_failed").count() == 1


def test_retention_ends_in_destruction_by_two_people_with_the_record_kept(
    closed_case, make_user, time_machine, django_capture_on_commit_callbacks
):
    package = archiving.case_archive(case_id=closed_case.pk)
    files = [n.pdf.name for n in Notice.objects.filter(case=closed_case) if n.pdf]
    files.append(package.file.name)
    assert all(default_storage.exists(name) for name in files)
    events = CaseEvent.objects.filter(case=closed_case).count()
    CaseEvent.objects.create(case=closed_case, at=closed_case.closed_at, action="note")
    chains.chains_extend()
    assert destruction.destruction_propose(today=datetime.date(2036, 12, 31)) is None
    listed = destruction.destruction_propose(today=datetime.date(2037, 1, 1))
    assert list(listed.packages.all()) == [package]
    assert destruction.destruction_propose(today=datetime.date(2037, 1, 1)) is None  # listed

    first, second = make_user("archivist-1", "archivist"), make_user("archivist-2", "archivist")
    with pytest.raises(ValidationError, match="两名审批人"):
        destruction.destruction_execute(destruction=listed, user=first)
    destruction.destruction_approve(destruction=listed, user=first)
    with pytest.raises(ValidationError, match="同一人"):
        destruction.destruction_approve(destruction=listed, user=first)
    with pytest.raises(ValidationError, match="权限"):
        destruction.destruction_approve(destruction=listed, user=make_user("clerk-x", "clerk"))
    destruction.destruction_approve(destruction=listed, user=second)
    time_machine.move_to(shanghai(2037, 1, 5))
    with pytest.raises(ValidationError, match="法律保全"):
        ArchivePackage.objects.filter(pk=package.pk).update(legal_hold=True)
        destruction.destruction_execute(destruction=listed, user=second)
    assert Case.objects.filter(pk=closed_case.pk).exists()  # nothing changed
    ArchivePackage.objects.filter(pk=package.pk).update(legal_hold=False)

    with django_capture_on_commit_callbacks(execute=True):
        done = destruction.destruction_execute(destruction=listed, user=second)
    assert done.status == DestructionList.Status.EXECUTED
    assert not Case.objects.filter(pk=closed_case.pk).exists()
    assert not CaseEvent.objects.filter(case_id=closed_case.pk).exists()
    assert not CaseStep.objects.filter(case_id=closed_case.pk).exists()
    assert not any(default_storage.exists(name) for name in files)
    kept = ArchivePackage.objects.get(pk=package.pk)
    assert kept.destroyed_at is not None and not kept.file
    (entry,) = done.record["packages"]
    assert entry["receipt_no"] == closed_case.receipt_no
    assert entry["manifest_sha256"] == package.manifest_sha256
    assert entry["events"] == events + 1 and len(entry["event_chain"]) == events + 1
    assert entry["files"] == len(files)
    # the event chain still verifies over the removed rows
    after = CaseEvent.objects.create(case=_another_case(), at=closed_case.closed_at, action="note")
    chains.chains_extend()
    assert chains.chain_verify(name="case_events") is None
    # the row after the gap is checked against the removed rows' MACs, not taken as given
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("UPDATE hall_caseevent SET action = 'x' WHERE id = %s", [after.pk])
        cursor.execute("SET session_replication_role = DEFAULT")
    assert chains.chain_verify(name="case_events").pk == after.pk
    assert SecurityEvent.objects.filter(kind="archive_destroyed").count() == 1


def _another_case() -> Case:
    from tests.departments.builders import bare_case

    return bare_case()


def test_a_held_package_is_never_proposed(closed_case, make_user):
    package = archiving.case_archive(case_id=closed_case.pk)
    archivist = make_user("archivist-h", "archivist")
    with pytest.raises(ValidationError, match="事由"):
        destruction.package_hold(package=package, user=archivist, hold=True, reason="")
    destruction.package_hold(package=package, user=archivist, hold=True, reason="行政诉讼证据")
    assert destruction.destruction_propose(today=datetime.date(2040, 1, 1)) is None
    assert SecurityEvent.objects.filter(kind="legal_hold").count() == 1


def test_the_database_refuses_removing_events_outside_a_destruction(closed_case, on_postgres):
    if not on_postgres:
        pytest.skip("the triggers are PostgreSQL's")
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.filter(case=closed_case).delete()
    assert connection.vendor == "postgresql"
