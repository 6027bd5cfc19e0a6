"""Rendering an issued notice's PDF from its stored snapshot, once, and checking it.

See `hall.cases.notices` for why rendering happens after the issuing transaction commits.
"""

from __future__ import annotations

import datetime
import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from hall.cases.pdf.document import NoticeDocument, NoticeTable
from hall.cases.pdf.layout import render_notice_pdf
from hall.models import Notice


def notice_render(*, notice_id: int) -> Notice:
    """Render the notice's PDF from its stored snapshot, once: under the notice's row lock, a
    second caller finds it rendered and returns it."""
    with transaction.atomic():
        notice = Notice.objects.select_for_update().select_related("case").get(pk=notice_id)
        if notice.rendered_at is not None:
            return notice
        document = notice_document(notice)
        pdf = render_notice_pdf(document)
        name = f"{notice.case.receipt_no}-{notice.kind}-{document.issued_on:%Y%m%d}.pdf"
        notice.pdf.save(name, ContentFile(pdf), save=False)
        notice.sha256 = hashlib.sha256(pdf).hexdigest()
        notice.rendered_at = timezone.now()
        notice.save(update_fields=["pdf", "sha256", "rendered_at"])
        return notice


def notice_ready(notice: Notice) -> Notice:
    """The notice with its PDF: rendered now if its task has not run yet."""
    if notice.rendered_at is not None:
        return notice
    return notice_render(notice_id=notice.pk)


def notices_render_sweep(
    *, grace: datetime.timedelta = datetime.timedelta(seconds=30), batch: int = 100
) -> int:
    """Render the notices whose task was lost (broker down, worker killed). Younger ones are
    still with their task."""
    cutoff = timezone.now() - grace
    waiting = list(
        Notice.objects.filter(rendered_at__isnull=True, issued_at__lte=cutoff)
        .order_by("issued_at")
        .values_list("pk", flat=True)[:batch]
    )
    for notice_id in waiting:
        notice_render(notice_id=notice_id)
    return len(waiting)


def notice_document(notice: Notice) -> NoticeDocument:
    """Rebuild the document from the stored snapshot (for the print view)."""
    content = dict(notice.content)
    content["issued_on"] = datetime.date.fromisoformat(content["issued_on"])
    if content.get("table"):
        content["table"] = NoticeTable(**content["table"])
    return NoticeDocument(**content)


def notice_verify(notice: Notice) -> bool:
    notice = notice_ready(notice)
    with notice.pdf.open("rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest() == notice.sha256
