"""Archiving a closed case (issue 29; GB/T 42727-2023, DA/T 70-2018 四性检测).

A case closed `HALL_ARCHIVE_AFTER_DAYS` ago becomes one archive package: a ZIP holding its
metadata (who applied, for what, when, with the whole ID number and phone: the archive is the
record), its event log with the chain positions, the decision with its stages and steps, every
notice's PDF and content, every material's scan and upload, and a manifest naming each file
with its SHA-256, signed with the hall's seal (`manifest.sig`, the seal's certificate beside it
as `seal.pem`). The ZIP is kept in the private storage, which seals every file on disk like
personal data; its row keeps the retention the catalogue gave the item (counted from
1 January of the year after closing) and the disposal rule.

The four properties are checked when the package is made and every week after
(`archive_check`): authenticity (the signature verifies, with the seal recorded at packaging),
integrity (the package's and every file's checksum, nothing missing or added), usability (each
JSON parses, each PDF opens, each image's header reads) and security (the file is sealed, no
entry leaves the package's folder, only known kinds of file). A failed check is a security alert.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import logging
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from approvals.models import CaseDecision
from hall.cases.locks import case_locked
from hall.cases.selectors import case_notices
from hall.common.personal_data import PersonalDataError
from hall.models import ArchivePackage, Case, CaseEvent, SecurityEvent
from hall.platform import audit, seal

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SEAL_CERTIFICATE = "seal.pem"
ALLOWED_SUFFIXES = {".json", ".pdf", ".jpg", ".jpeg", ".png", ".sig", ".pem"}
RETENTION_YEARS = {"10y": 10, "30y": 30}


def retention_until(*, closed_at: datetime.datetime, retention: str) -> datetime.date | None:
    """The day the retention ends: `years` after 1 January of the year after closing (archives
    count their periods from the year after a file is made); None for permanent."""
    years = RETENTION_YEARS.get(retention)
    if years is None:
        return None
    closed_year = timezone.localtime(closed_at).year
    return datetime.date(closed_year + 1 + years, 1, 1)


def _json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1, default=str).encode()


def _file_bytes(field) -> bytes | None:
    if not field:
        return None
    try:
        with field.open("rb") as handle:
            return handle.read()
    except OSError:
        return None


def _safe_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_.〔〕" else "_" for ch in name)[:80]


def _package_files(case: Case) -> dict[str, bytes]:
    """Every file of the package but the manifest and its signature."""
    applicant = case.applicant
    files: dict[str, bytes] = {}
    files["metadata.json"] = _json(
        {
            "receipt_no": case.receipt_no,
            "item": {"code": case.item.code, "version": case.item.version, "name": case.item.name},
            "applicant": {
                "kind": applicant.kind,
                "name": applicant.name,
                "identity": applicant.identity,
                "phone": applicant.phone,
                "legal_representative": applicant.legal_representative,
            },
            "channel": case.channel,
            "status": case.status,
            "materials_received_at": case.materials_received_at,
            "accepted_at": case.accepted_at,
            "closed_at": case.closed_at,
            "delivery": {"choice": case.delivery_choice, "address": case.delivery_address},
            "answers": case.answers,
            "retention": case.item.retention,
            "disposal": case.item.disposal,
            "hall": settings.HALL_PUBLIC_URL,
        }
    )
    files["events.json"] = _json(
        [
            {
                "id": event.pk,
                "at": event.at,
                "actor": event.actor.get_username() if event.actor_id else None,
                "action": event.action,
                "details": event.details,
                "chain_seq": event.chain_seq,
                "chain_hash": event.chain_hash,
            }
            for event in CaseEvent.objects.filter(case=case)
            .select_related("actor")
            .order_by("at", "pk")
        ]
    )
    decision = CaseDecision.objects.filter(case=case).first()
    files["decision.json"] = _json(
        {
            "decision": decision.decision if decision else "",
            "reasons": decision.reasons if decision else "",
            "decided_at": decision.decided_at if decision else None,
            "delivery": decision.delivery if decision else "",
            "delivered_at": decision.delivered_at if decision else None,
            "steps": [
                {
                    "department": step.department.name,
                    "status": step.status,
                    "decision": getattr(step, "decision", ""),
                    "due_date": getattr(step, "due_date", None),
                }
                for step in case.steps.select_related("department").order_by("pk")
            ],
        }
    )
    notices = []
    for notice in case_notices(case=case).order_by("issued_at", "pk"):
        entry = {"number": notice.number, "kind": notice.kind, "issued_at": notice.issued_at}
        entry["content"] = notice.content
        pdf = _file_bytes(notice.pdf)
        if pdf is not None:
            name = f"notices/{_safe_name(notice.number)}.pdf"
            files[name] = pdf
            entry["file"] = name
        notices.append(entry)
    files["notices.json"] = _json(notices)
    for material in case.materials.prefetch_related("uploads").order_by("pk"):
        scan = _file_bytes(material.scan)
        if scan is not None:
            suffix = PurePosixPath(material.scan.name).suffix.lower() or ".pdf"
            files[f"materials/{material.pk}-scan{suffix}"] = scan
        for upload in material.uploads.all():
            data = _file_bytes(upload.file)
            if data is not None:
                suffix = PurePosixPath(upload.file.name).suffix.lower() or ".pdf"
                files[f"materials/{material.pk}-upload-{upload.pk}{suffix}"] = data
    return files


def _seal_certificate() -> bytes:
    with open(settings.HALL_LICENCE_SEAL_CERT, "rb") as handle:
        return handle.read()


def package_bytes(case: Case) -> tuple[bytes, bytes, int]:
    """The package's ZIP (unsealed), its manifest and the number of files it lists."""
    files = _package_files(case)
    manifest = _json(
        {
            "package": case.receipt_no,
            "created_at": timezone.now(),
            "standard": "GB/T 42727-2023",
            "entries": [
                {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                for name, data in sorted(files.items())
            ],
        }
    )
    signature = seal.detached_sign(
        manifest,
        cert_path=settings.HALL_LICENCE_SEAL_CERT,
        key_path=settings.HALL_LICENCE_SEAL_KEY,
        passphrase=settings.HALL_LICENCE_SEAL_PASSPHRASE,
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
        archive.writestr(MANIFEST, manifest)
        archive.writestr(SIGNATURE, signature)
        archive.writestr(SEAL_CERTIFICATE, _seal_certificate())
    return buffer.getvalue(), manifest, len(files)


def case_archive(*, case_id: int) -> ArchivePackage | None:
    """Package one closed case (once: a second call returns the package it has) and check it."""
    with transaction.atomic():
        try:
            case = case_locked(case_id, related=("item", "applicant"))
        except Case.DoesNotExist:
            return None
        if case.closed_at is None:
            return None
        existing = ArchivePackage.objects.filter(receipt_no=case.receipt_no).first()
        if existing is not None:
            return existing
        data, manifest, count = package_bytes(case)
        package = ArchivePackage(
            case=case,
            receipt_no=case.receipt_no,
            item_code=case.item.code,
            item_name=case.item.name,
            closed_at=case.closed_at,
            retention=case.item.retention,
            retention_until=retention_until(
                closed_at=case.closed_at, retention=case.item.retention
            ),
            disposal=case.item.disposal,
            sha256=hashlib.sha256(data).hexdigest(),
            manifest_sha256=hashlib.sha256(manifest).hexdigest(),
            seal_fingerprint=seal.certificate_fingerprint(_seal_certificate()),
            entries=count,
        )
        # the private storage seals it on disk (hall.common.personal_data)
        package.file.save(f"{case.receipt_no}.zip", ContentFile(data), save=False)
        try:
            package.save()
        except Exception:
            package.file.delete(save=False)
            raise
    archive_check(package=package)
    return package


def cases_to_archive(*, now: datetime.datetime | None = None, limit: int = 200) -> list[int]:
    """Closed cases old enough and not yet packaged (selector for the sweep)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.HALL_ARCHIVE_AFTER_DAYS)
    return list(
        Case.objects.filter(closed_at__lte=cutoff, archive_package__isnull=True)
        .order_by("closed_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def archive_sweep(*, now: datetime.datetime | None = None) -> int:
    """Package every closed case that is due (the nightly sweep). Returns how many."""
    done = 0
    for case_id in cases_to_archive(now=now):
        if case_archive(case_id=case_id) is not None:
            done += 1
    return done


# --- 四性检测 -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    passed: bool
    report: dict[str, str]


def _usable(name: str, data: bytes) -> bool:
    suffix = PurePosixPath(name).suffix.lower()
    try:
        if suffix == ".json":
            json.loads(data)
        elif suffix == ".pdf":
            from pypdf import PdfReader

            if not data.startswith(b"%PDF-"):
                return False
            PdfReader(io.BytesIO(data)).pages[0]
        elif suffix in {".jpg", ".jpeg", ".png"}:
            from PIL import Image

            with Image.open(io.BytesIO(data)) as image:
                image.verify()
    except Exception:  # any failure to read is what this check reports
        return False
    return True


def package_verify(*, package: ArchivePackage, data: bytes, sealed: bool) -> CheckResult:
    """The four properties of a package: its bytes as read, and whether it is sealed on disk."""
    report: dict[str, str] = {}
    security_problems = [] if sealed else ["not sealed at rest"]
    integrity_problems = []
    if hashlib.sha256(data).hexdigest() != package.sha256:
        integrity_problems.append("the package's checksum differs")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except Exception as error:  # an unreadable package fails every property
        reason = f"unreadable ({type(error).__name__})"
        report = dict.fromkeys(("authenticity", "integrity", "usability", "security"), reason)
        return CheckResult(False, report)
    for name in names:
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts or "\\" in name:
            security_problems.append(f"entry {name!r} leaves the package")
        elif path.suffix.lower() not in ALLOWED_SUFFIXES:
            security_problems.append(f"entry {name!r} is not an allowed kind of file")
    manifest = archive.read(MANIFEST) if MANIFEST in names else b""
    signature = archive.read(SIGNATURE) if SIGNATURE in names else b""
    certificate = archive.read(SEAL_CERTIFICATE) if SEAL_CERTIFICATE in names else b""
    authentic = (
        bool(manifest)
        and bool(certificate)
        and seal.certificate_fingerprint(certificate) == package.seal_fingerprint
        and seal.detached_verify(manifest, signature, certificate_pem=certificate)
    )
    report["authenticity"] = "ok" if authentic else "the manifest's seal does not verify"
    if hashlib.sha256(manifest).hexdigest() != package.manifest_sha256:
        integrity_problems.append("the manifest differs from the one recorded")
    listed = {
        entry["name"]: entry["sha256"] for entry in json.loads(manifest or b"{}").get("entries", [])
    }
    present = set(names) - {MANIFEST, SIGNATURE, SEAL_CERTIFICATE}
    for name in sorted(present - set(listed)):
        integrity_problems.append(f"{name} is not in the manifest")
    for name in sorted(set(listed) - present):
        integrity_problems.append(f"{name} is missing")
    unusable = []
    for name in sorted(present & set(listed)):
        content = archive.read(name)
        if hashlib.sha256(content).hexdigest() != listed[name]:
            integrity_problems.append(f"{name} differs from its checksum")
        if not _usable(name, content):
            unusable.append(name)
    report["integrity"] = "; ".join(integrity_problems) or "ok"
    report["usability"] = ("cannot be read: " + ", ".join(unusable)) if unusable else "ok"
    report["security"] = "; ".join(security_problems) or "ok"
    return CheckResult(all(value == "ok" for value in report.values()), report)


def archive_check(*, package: ArchivePackage) -> CheckResult:
    """Check a package's four properties now, record the outcome, alert on a failure."""
    storage = package.file.storage
    try:
        # from the storage, never the field's cached file: the check is of what is on disk now
        with storage.open(package.file.name, "rb") as handle:
            data = handle.read()
        sealed = getattr(storage, "sealed_on_disk", lambda name: False)(package.file.name)
    except (OSError, ValueError, PersonalDataError):
        missing = "the package file is missing or does not open"
        result = CheckResult(False, dict.fromkeys(("authenticity", "integrity"), missing))
    else:
        result = package_verify(package=package, data=data, sealed=sealed)
    ArchivePackage.objects.filter(pk=package.pk).update(
        checked_at=timezone.now(), check_passed=result.passed, check_report=result.report
    )
    package.check_passed, package.check_report = result.passed, result.report
    if not result.passed:
        logger.error("archive package %s failed its check: %s", package.receipt_no, result.report)
        audit.security_event_record(
            kind=SecurityEvent.Kind.ARCHIVE_CHECK_FAILED,
            case_id=package.case_id,
            details={"package": package.receipt_no, "report": result.report},
        )
    return result


def archives_check_sweep(*, older_than_days: int = 7, limit: int = 500) -> int:
    """Re-check packages not checked for a week (the weekly schedule, spread over nights)."""
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    packages = ArchivePackage.objects.filter(destroyed_at__isnull=True, checked_at__lt=cutoff)
    checked = 0
    for package in packages.order_by("checked_at")[:limit]:
        archive_check(package=package)
        checked += 1
    return checked
