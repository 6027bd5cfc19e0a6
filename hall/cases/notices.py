"""Issuing notices: numbered, dated, rendered once to PDF, stored with the case and hashed.

A notice is never changed after it is issued. Its content snapshot is kept in the row so that
the print view shows exactly what the PDF shows, and `rendering.notice_verify` checks the stored
file against the hash.

Issuing is cheap and rendering is not (tens of milliseconds of reportlab with an embedded CJK
font): `notice_issue` numbers the notice and stores its snapshot in the caller's transaction,
and the PDF is rendered from that snapshot after the commit (`rendering.notice_render`, a
Celery task on commit). Nothing slow runs while the gap-free number counter is locked. A render
the task missed is never lost: whoever opens the PDF first renders it (`notice_ready`), and the
beat sweep `notices_render_sweep` renders any notice still without its file.
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone, translation

from hall.cases import wording
from hall.cases.numbering import notice_number_next
from hall.cases.pdf.document import NoticeDocument, NoticeTable
from hall.cases.tasks import render_notice
from hall.common.people import display_name
from hall.models import Case, CaseGroup, Notice, ProxyAuthorisation
from hall.platform.broker import broker_publish

logger = logging.getLogger(__name__)


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
    shared_licences: list[tuple[str, str]] | None = None,
    table: NoticeTable | None = None,
    issuer: str = "",
    group: CaseGroup | None = None,
    item_name: str = "",
) -> Notice:
    """Number and store one notice; its PDF is rendered after the commit. Call inside the
    transaction that changes the case, so that a failure leaves neither the notice row nor the
    state change behind, and as late in it as you can: the notice counter stays locked until
    the commit.

    With `group`, the notice is the whole 一件事 application's (一次告知): `case` is the group's
    first case, `item_name` names the application and the caller gives its paragraphs and
    table."""
    now = timezone.now()
    today = timezone.localdate(now)
    number = notice_number_next(kind=kind, on=today)
    default_paragraphs, default_footer = wording.intake_paragraphs(
        case, kind, reasons=reasons, office=office
    )
    if shared_licences:
        # 免证办: the notice says which materials the hall took from the licence library
        default_paragraphs = [
            *(paragraphs if paragraphs is not None else default_paragraphs),
            wording.shared_licences_paragraph(shared_licences),
        ]
        paragraphs = None
    owner = case.owner
    document = NoticeDocument(
        hall_name=settings.HALL_NAME,
        title=str(Notice.Kind(kind).label),
        number=number,
        issued_on=today,
        applicant_name=_applicant_line(case),
        item_name=item_name or case.item.name,
        paragraphs=paragraphs if paragraphs is not None else default_paragraphs,
        owner_name=display_name(owner) if owner else "系统自动",
        owner_window=str(case.window) if case.window_id else "网上办事大厅",
        table=table
        or (
            NoticeTable(header=("需补正的材料", "补正原因"), rows=corrections)
            if corrections
            else None
        ),
        verification_code=case.verification_code,
        lookup_url=lookup_url(case),
        receipt_no=case.receipt_no,
        footer_notes=footer_notes if footer_notes is not None else default_footer,
        calendar_warning=wording.calendar_warning(case),
        issuer=issuer,
    )
    notice = Notice(
        case=case,
        group=group,
        kind=kind,
        number=number,
        issued_at=now,
        issued_by=issued_by,
        content=_content(document),
        one_time_override_by=override_by,
        one_time_override_reason=override_reason,
    )
    notice.save(force_insert=True)
    transaction.on_commit(lambda: _render_enqueue(notice.pk))
    return notice


def _applicant_line(case: Case) -> str:
    """The applicant, and the relative or friend who filed for them (亲友代办)."""
    if not case.proxy_authorisation_id:
        return case.applicant.name
    authorisation = ProxyAuthorisation.objects.select_related("proxy").get(
        pk=case.proxy_authorisation_id
    )
    with translation.override("zh-hans"):  # a notice is written in Chinese, whoever prints it
        relationship = str(authorisation.get_relationship_display())
    return f"{case.applicant.name}（亲友代办人：{authorisation.proxy.name}，{relationship}）"


def _render_enqueue(notice_id: int) -> None:
    # With the broker down, the first reader or the render sweep renders it.
    broker_publish(lambda: render_notice.delay(notice_id), what=f"notice {notice_id}")


def _content(document: NoticeDocument) -> dict:
    content = asdict(document)
    content["issued_on"] = document.issued_on.isoformat()
    return content
