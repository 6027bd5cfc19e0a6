"""The print view of a notice: the same document as HTML, with the QR code as inline SVG."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe

from hall.cases.pdf.document import NoticeDocument, format_chinese_date
from hall.cases.pdf.layout import qr_code


def qr_svg(url: str) -> str:
    """The QR code for ``url`` as an inline ``<svg>`` element (no XML declaration, sized by CSS).

    The URL is only encoded in the modules, never written into the markup, so the result is safe
    to mark safe.
    """
    return qr_code(url).svg_inline(
        scale=1, border=2, omitsize=True, svgclass="notice-qr", lineclass=None
    )


def notice_print_context(doc: NoticeDocument) -> dict[str, object]:
    """Context for ``hall/notices/print.html``."""
    svg: SafeString | str = mark_safe(qr_svg(doc.lookup_url)) if doc.lookup_url else ""
    return {
        "doc": doc,
        "issued_on_text": format_chinese_date(doc.issued_on),
        "qr_svg": svg,
    }
