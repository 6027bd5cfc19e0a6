"""Issuing notices: numbered, dated, rendered once to PDF, stored with the case and hashed.

A notice is never changed after it is issued. Its content snapshot is kept in the row so that
the print view shows exactly what the PDF shows, and `notice_verify` checks the stored file
against the hash.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import asdict

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.utils import timezone

from hall.cases import wording
from hall.cases.numbering import notice_number_next
from hall.cases.pdf.document import NoticeDocument, NoticeTable
from hall.cases.pdf.layout import render_notice_pdf
from hall.common.people import display_name
from hall.models import Case, Notice


def lookup_url(case: Case) -> str:
    return f"{settings.HALL_PUBLIC_URL}/lookup/?receipt={case.receipt_no}"


def notice_issue(
    *,
    case: Case,
    kind: str,
    issued_by: User | None,
    corrections: list[tuple[str, str]] | None = None,
    reasons: str = "",
    office: str = "",
    paragraphs: list[str] | None = None,
    footer_notes: list[str] | None = None,
    override_by: User | None = None,
    override_reason: str = "",
) -> Notice:
    """Number, render, store and hash one notice. Call inside the transaction that changes the
    case, so that a failure leaves neither the notice row nor the state change behind."""
    now = timezone.now()
    today = timezone.localdate(now)
    number = notice_number_next(kind=kind, on=today)
    default_paragraphs, default_footer = wording.intake_paragraphs(
        case, kind, reasons=reasons, office=office
    )
    owner = case.owner
    document = NoticeDocument(
        hall_name=settings.HALL_NAME,
        title=str(Notice.Kind(kind).label),
        number=number,
        issued_on=today,
        applicant_name=case.applicant.name,
        item_name=case.item.name,
        paragraphs=paragraphs if paragraphs is not None else default_paragraphs,
        owner_name=display_name(owner) if owner else "系统自动",
        owner_window=str(case.window) if case.window_id else "网上办事大厅",
        table=NoticeTable(header=("需补正的材料", "补正原因"), rows=corrections)
        if corrections
        else None,
        verification_code=case.verification_code,
        lookup_url=lookup_url(case),
        receipt_no=case.receipt_no,
        footer_notes=footer_notes if footer_notes is not None else default_footer,
        calendar_warning=wording.calendar_warning(case),
    )
    pdf = render_notice_pdf(document)
    notice = Notice(
        case=case,
        kind=kind,
        number=number,
        issued_at=now,
        issued_by=issued_by,
        content=_content(document),
        sha256=hashlib.sha256(pdf).hexdigest(),
        one_time_override_by=override_by,
        one_time_override_reason=override_reason,
    )
    notice.pdf.save(f"{case.receipt_no}-{kind}-{today:%Y%m%d}.pdf", ContentFile(pdf), save=False)
    notice.save(force_insert=True)
    return notice


def _content(document: NoticeDocument) -> dict:
    content = asdict(document)
    content["issued_on"] = document.issued_on.isoformat()
    return content


def notice_document(notice: Notice) -> NoticeDocument:
    """Rebuild the document from the stored snapshot (for the print view)."""
    content = dict(notice.content)
    content["issued_on"] = datetime.date.fromisoformat(content["issued_on"])
    if content.get("table"):
        content["table"] = NoticeTable(**content["table"])
    return NoticeDocument(**content)


def notice_verify(notice: Notice) -> bool:
    with notice.pdf.open("rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest() == notice.sha256
