"""Ending a case file when its retention ends (issue 29; GB/T 42727-2023, 档案法 Art. 28,
Open Zaak's destruction lists, Signalen's anonymisation).

The nightly sweep proposes one destruction list of the packages whose retention has ended and
whose rule is destruction, leaving out any under a legal hold and any case whose electronic
licence or credit mark is still a record of its own. Two different people holding the
"approve destruction" permission approve the list; only then may it be executed: the case's rows
(events, notices, materials, uploads, steps, decision, ratings, the workflow's process) and its
files (scans, uploads, notice PDFs, the package) are removed, and the list keeps a rolled-up
record: which packages, of which items, closed when, the manifest checksums, how many rows and
files went, and the chain positions of the removed events, so that `audit_verify` still walks an
unbroken chain over the gap. A held package stops the whole execution with its name; nothing
changes.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import ApprovalProcess, CaseStep
from hall.common.advisory import advisory_xact_lock
from hall.models import (
    AgencyRequest,
    ArchivePackage,
    Case,
    CaseEvent,
    Commitment,
    CorrectionItem,
    CreditMark,
    DestructionList,
    ElectronicLicence,
    InstantApproval,
    Notice,
    SecurityEvent,
    ServiceRating,
    UploadedMaterial,
)
from hall.platform import audit

Status = DestructionList.Status
APPROVE_PERMISSION = "hall.approve_destruction"


def packages_due(*, today: datetime.date) -> list[ArchivePackage]:
    """Packages whose retention ended and whose rule is destruction, not held, not already on
    an open list, whose case has no licence or credit mark (records of their own)."""
    open_lists = Q(destruction_lists__status__in=[Status.PROPOSED, Status.APPROVED])
    return list(
        ArchivePackage.objects.filter(
            destroyed_at__isnull=True,
            legal_hold=False,
            disposal="destroy",
            retention_until__lte=today,
        )
        .exclude(open_lists)
        .exclude(case_id__in=ElectronicLicence.objects.filter(case__isnull=False).values("case_id"))
        .exclude(case_id__in=CreditMark.objects.filter(case__isnull=False).values("case_id"))
        .order_by("retention_until", "pk")
    )


def destruction_propose(*, today: datetime.date | None = None) -> DestructionList | None:
    """One list of what is due today (the nightly sweep); None when nothing is."""
    today = today or timezone.localdate()
    with transaction.atomic():
        # one proposer at a time: the list numbers and the open-list check must not race
        advisory_xact_lock("hall.destruction.propose")
        due = packages_due(today=today)
        if not due:
            return None
        prefix = f"XH{today:%Y%m%d}-"
        count = DestructionList.objects.filter(number__startswith=prefix).count()
        destruction = DestructionList.objects.create(number=f"{prefix}{count + 1:03d}")
        destruction.packages.set(due)
    return destruction


def _locked(destruction: DestructionList) -> DestructionList:
    return DestructionList.objects.select_for_update().get(pk=destruction.pk)


def destruction_approve(*, destruction: DestructionList, user: User) -> DestructionList:
    """One of the two approvals; the same person cannot give both."""
    if not user.has_perm(APPROVE_PERMISSION):
        raise ValidationError(_("您没有审批档案销毁清单的权限。"), code="destruction_forbidden")
    with transaction.atomic():
        locked = _locked(destruction)
        now = timezone.now()
        if locked.status == Status.EXECUTED:
            raise ValidationError(_("该清单已执行销毁。"), code="destruction_executed")
        if user.pk in (locked.first_approved_by_id, locked.second_approved_by_id):
            raise ValidationError(
                _("同一人不能两次审批同一销毁清单，需由另一名审批人审批。"),
                code="destruction_same_approver",
            )
        if locked.first_approved_by_id is None:
            locked.first_approved_by, locked.first_approved_at = user, now
        elif locked.second_approved_by_id is None:
            locked.second_approved_by, locked.second_approved_at = user, now
            locked.status = Status.APPROVED
        else:
            raise ValidationError(_("该清单已有两人审批。"), code="destruction_approved")
        locked.save()
    return locked


def _bypass_append_only(list_number: str) -> None:
    """Let this transaction remove the case's events and ratings (the append-only triggers allow
    DELETE only under a destruction list)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('hall.destruction', %s, true)", [list_number])


def _case_remove(case: Case) -> tuple[dict, list[str]]:
    """Remove one case's rows; returns what the record keeps and the files to remove."""
    files = []
    for notice in Notice.objects.filter(case=case):
        if notice.pdf:
            files.append(notice.pdf.name)
    for material in case.materials.all():
        if material.scan:
            files.append(material.scan.name)
    uploads = UploadedMaterial.objects.filter(material__case=case)
    files += [upload.file.name for upload in uploads if upload.file]
    events = dict(
        CaseEvent.objects.filter(case=case, chain_seq__isnull=False).values_list(
            "chain_seq", "chain_hash"
        )
    )
    unchained = CaseEvent.objects.filter(case=case, chain_seq__isnull=True).count()
    counts = {"events": len(events) + unchained}
    case_type = ContentType.objects.get_for_model(Case)
    processes = ApprovalProcess.objects.filter(
        artifact_content_type=case_type, artifact_object_id=case.pk
    )
    for process in processes:
        process.task_set.all().delete()
    counts["processes"] = processes.delete()[0]
    counts["steps"] = CaseStep.objects.filter(case=case).delete()[0]
    counts["corrections"] = CorrectionItem.objects.filter(
        Q(notice__case=case) | Q(material__case=case)
    ).delete()[0]
    counts["uploads"] = uploads.delete()[0]
    counts["notices"] = Notice.objects.filter(case=case).delete()[0]
    CaseEvent.objects.filter(case=case).delete()
    counts["ratings"] = ServiceRating.objects.filter(case=case).delete()[0]
    for model in (AgencyRequest, InstantApproval, Commitment):
        model.objects.filter(case=case).delete()
    counts["case_rows"] = case.delete()[0]
    return {"event_chain": {str(seq): digest for seq, digest in events.items()}, **counts}, files


def destruction_execute(*, destruction: DestructionList, user: User) -> DestructionList:
    """Remove every package of an approved list with its case; the list keeps the record."""
    if not user.has_perm(APPROVE_PERMISSION):
        raise ValidationError(_("您没有执行档案销毁的权限。"), code="destruction_forbidden")
    files: list[str] = []
    with transaction.atomic():
        locked = _locked(destruction)
        if locked.status == Status.EXECUTED:
            return locked
        if locked.status != Status.APPROVED:
            raise ValidationError(
                _("销毁清单须经两名审批人审批后才能执行。"), code="destruction_not_approved"
            )
        packages = list(locked.packages.select_for_update().order_by("pk"))
        held = [package.receipt_no for package in packages if package.legal_hold]
        if held:
            raise ValidationError(
                _("办件 %(cases)s 处于法律保全，不能销毁；请将其移出清单或解除保全后重新提出。")
                % {"cases": "、".join(held)},
                code="destruction_held",
            )
        today = timezone.localdate()
        early = [p.receipt_no for p in packages if p.retention_until and p.retention_until > today]
        if early:
            raise ValidationError(
                _("办件 %(cases)s 的保管期限尚未届满。") % {"cases": "、".join(early)},
                code="destruction_early",
            )
        _bypass_append_only(locked.number)
        now = timezone.now()
        record = []
        for package in packages:
            entry = {
                "receipt_no": package.receipt_no,
                "item_code": package.item_code,
                "item_name": package.item_name,
                "closed_at": package.closed_at.isoformat(),
                "retention": package.retention,
                "retention_until": str(package.retention_until),
                "package_sha256": package.sha256,
                "manifest_sha256": package.manifest_sha256,
            }
            package_files = [package.file.name] if package.file else []
            if package.case_id is not None:
                removed, case_files = _case_remove(Case.objects.get(pk=package.case_id))
                entry.update(removed)
                package_files += case_files
            entry["files"] = len(package_files)
            files += package_files
            record.append(entry)
            ArchivePackage.objects.filter(pk=package.pk).update(
                case=None, file="", destroyed_at=now
            )
        locked.status = Status.EXECUTED
        locked.executed_by, locked.executed_at = user, now
        locked.record = {"packages": record}
        locked.save()
        audit.security_event_record(
            kind=SecurityEvent.Kind.ARCHIVE_DESTROYED,
            user=user,
            details={"list": locked.number, "packages": [entry["receipt_no"] for entry in record]},
        )
        # the files go only once the rows are gone for good
        transaction.on_commit(lambda: [default_storage.delete(name) for name in files])
    return locked


def package_hold(*, package: ArchivePackage, user: User, hold: bool, reason: str = "") -> None:
    """Put a package under a legal hold (it is then never destroyed) or lift it; both need a
    reason and the permission, and both are in the security log."""
    if not user.has_perm("hall.hold_archive"):
        raise ValidationError(_("您没有设置法律保全的权限。"), code="hold_forbidden")
    reason = " ".join(reason.split())
    if len(reason) < 4:
        raise ValidationError(_("请写明保全或解除保全的事由（至少 4 个字）。"), code="hold_reason")
    ArchivePackage.objects.filter(pk=package.pk).update(legal_hold=hold, legal_hold_reason=reason)
    audit.security_event_record(
        kind=SecurityEvent.Kind.LEGAL_HOLD,
        user=user,
        case_id=package.case_id,
        details={"package": package.receipt_no, "hold": hold, "reason": reason},
    )
