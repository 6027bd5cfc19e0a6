"""Rendering an issued notice's PDF from its stored snapshot, once, and checking it; and the
same for an issued electronic licence, sealed (PAdES).

See `hall.cases.notices` for why rendering happens after the issuing transaction commits; an
electronic licence is issued in `hall.cases.licences` and rendered here, the same way.
"""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.cases.pdf.document import NoticeDocument, NoticeTable, format_chinese_date
from hall.cases.pdf.layout import render_licence_pdf, render_notice_pdf
from hall.cases.pdf.sealing import pdf_seal
from hall.models import ElectronicLicence, Notice


def notice_render(*, notice_id: int) -> Notice:
    """Render the notice's PDF from its stored snapshot, once: under the notice's row lock, a
    second caller finds it rendered and returns it."""
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update(of=("self",)).select_related("case").get(pk=notice_id)
        )
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


# --- electronic licences -----------------------------------------------------------------------


def verification_url(licence: ElectronicLicence) -> str:
    return settings.HALL_PUBLIC_URL + reverse("licences:verify", args=[licence.verification_code])


def licence_render(*, licence_id: int) -> ElectronicLicence:
    """Render and seal the licence's PDF, once (under its row lock)."""
    with transaction.atomic():
        licence = (
            ElectronicLicence.objects.select_for_update(of=("self",))
            .select_related("department")
            .get(pk=licence_id)
        )
        if licence.rendered_at is not None:
            return licence
        sealed = pdf_seal(licence_pdf(licence), reason=_("电子证照"), location=settings.HALL_NAME)
        licence.pdf.save(f"{licence.number}.pdf", ContentFile(sealed), save=False)
        licence.sha256 = hashlib.sha256(sealed).hexdigest()
        licence.rendered_at = timezone.now()
        licence.save(update_fields=["pdf", "sha256", "rendered_at"])
        return licence


def licence_pdf(licence: ElectronicLicence) -> bytes:
    """The licence's document (before sealing): what it shows, and nothing else."""
    until = format_chinese_date(licence.valid_until) if licence.valid_until else "长期"
    return render_licence_pdf(
        title=f"{licence.name}（电子证照）",
        number=f"证照编号：{licence.number}",
        issuer=licence.department.name,
        issued_on=timezone.localdate(licence.issued_at),
        rows=[
            ("持证主体", licence.holder_name),
            ("证件号码", licence.holder_number),
            ("许可事项", licence.scope),
            ("有效期限", f"{format_chinese_date(licence.valid_from)} 至 {until}"),
            ("发证机关", licence.department.name),
        ],
        verify_url=verification_url(licence),
        verification_code=licence.verification_code,
        notes=[
            "本证照由发证机关依法颁发，与纸质证照具有同等法律效力（《优化营商环境条例》第七条）。",
            "本文件带有电子签章，任何改动都会使签章失效；扫描二维码可查询证照当前状态。",
        ],
    )


def licence_ready(licence: ElectronicLicence) -> ElectronicLicence:
    if licence.rendered_at is not None:
        return licence
    return licence_render(licence_id=licence.pk)


def licences_render_sweep(
    *, grace: datetime.timedelta = datetime.timedelta(seconds=30), batch: int = 100
) -> int:
    waiting = list(
        ElectronicLicence.objects.filter(
            rendered_at__isnull=True, issued_at__lte=timezone.now() - grace
        )
        .order_by("issued_at")
        .values_list("pk", flat=True)[:batch]
    )
    for licence_id in waiting:
        licence_render(licence_id=licence_id)
    return len(waiting)


RENDER_DIRECTORIES = {"notices/": Notice, "licences/": ElectronicLicence}


def renders_stray_remove(*, older_than: datetime.timedelta = datetime.timedelta(hours=1)) -> int:
    """Delete the PDF files no notice or licence names, older than `older_than`: what a render
    left when it died between writing its file and committing (a worker killed mid-render). The
    row is still unrendered then and its next render writes a file of its own, so the first is
    nobody's. Younger files may belong to a render still in its transaction."""
    cutoff = timezone.now() - older_than
    removed = 0
    for top, model in RENDER_DIRECTORIES.items():
        storage = model._meta.get_field("pdf").storage
        for directory, files in _storage_walk(storage, top):
            if not files:
                continue
            named = set(
                model.objects.filter(pdf__startswith=directory).values_list("pdf", flat=True)
            )
            for name in files:
                path = f"{directory}{name}"
                if path in named or storage.get_modified_time(path) >= cutoff:
                    continue
                storage.delete(path)
                removed += 1
    return removed


def _storage_walk(storage, directory: str):
    """(directory, its file names) for `directory` and every directory under it."""
    if not storage.exists(directory):
        return
    directories, files = storage.listdir(directory)
    yield directory, files
    for child in directories:
        yield from _storage_walk(storage, f"{directory}{child}/")
