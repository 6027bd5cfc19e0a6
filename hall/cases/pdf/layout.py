"""The A4 layout of a notice: styles, material tables, seal and signature, QR code, page numbers.

A pure renderer: `render_notice_pdf` takes a `NoticeDocument` and returns the same bytes for the
same document (reportlab's invariant mode), so a stored notice's SHA-256 can be checked later."""

from __future__ import annotations

import io
import math
from datetime import date
from functools import lru_cache
from xml.sax.saxutils import escape

import segno
from reportlab.lib import colors
from reportlab.lib import textsplit as rl_textsplit
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as rl_paragraph

from hall.cases.pdf.document import (
    CALENDAR_LABEL,
    LABEL_APPLICANT,
    LABEL_ITEM,
    LABEL_LOOKUP,
    LABEL_OWNER,
    LABEL_RECEIPT,
    LABEL_VERIFICATION,
    LABEL_WINDOW,
    QR_HINT,
    SEAL_LABEL,
    NoticeDocument,
    NoticeTable,
    format_chinese_date,
)
from hall.cases.pdf.fonts import Fonts, fonts_loaded

#: Chinese punctuation that must not start a line (标点禁则). reportlab's list is Japanese and
#: lacks the full-width comma, semicolon, colon and others, so "，" could begin a line. Its two
#: CJK line breakers (one per paragraph style run count) read these module globals at call time.
_CHINESE_CANNOT_START = "，。、；：？！）》〉」』】〕”’…％．"
for _module in (rl_paragraph, rl_textsplit):
    _module.ALL_CANNOT_START += "".join(
        char for char in _CHINESE_CANNOT_START if char not in _module.ALL_CANNOT_START
    )
_RED = colors.HexColor("#C8102E")
_PAGE_MARGIN_X = 26 * mm
_PAGE_MARGIN_TOP = 20 * mm
_PAGE_MARGIN_BOTTOM = 22 * mm
_FRAME_WIDTH = A4[0] - 2 * _PAGE_MARGIN_X


def _text(value: str) -> str:
    """Plain text to reportlab paragraph markup: escaped (so ``<img src=…>`` in a name is text,
    not an instruction to read a file) with line breaks kept."""
    return escape(value).replace("\r\n", "\n").replace("\n", "<br/>")


def _styles(fonts: Fonts) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "notice-body",
        fontName=fonts.regular,
        fontSize=12,
        leading=20,
        wordWrap="CJK",
        alignment=TA_LEFT,
    )
    return {
        "hall": ParagraphStyle(
            "notice-hall",
            parent=base,
            fontName=fonts.bold,
            fontSize=20,
            leading=28,
            alignment=TA_CENTER,
            textColor=_RED,
        ),
        "title": ParagraphStyle(
            "notice-title",
            parent=base,
            fontName=fonts.bold,
            fontSize=22,
            leading=32,
            alignment=TA_CENTER,
            spaceBefore=4,
        ),
        "number": ParagraphStyle(
            "notice-number", parent=base, fontSize=11, alignment=TA_CENTER, spaceAfter=10
        ),
        "body": ParagraphStyle("notice-paragraph", parent=base, firstLineIndent=24, spaceAfter=4),
        "flush": ParagraphStyle("notice-flush", parent=base, spaceAfter=2),
        "strong": ParagraphStyle("notice-strong", parent=base, fontName=fonts.bold),
        "caption": ParagraphStyle(
            "notice-caption", parent=base, fontName=fonts.bold, spaceBefore=6, spaceAfter=4
        ),
        "cell": ParagraphStyle("notice-cell", parent=base, fontSize=10.5, leading=15),
        "cell-centre": ParagraphStyle(
            "notice-cell-centre", parent=base, fontSize=10.5, leading=15, alignment=TA_CENTER
        ),
        "head": ParagraphStyle(
            "notice-head",
            parent=base,
            fontName=fonts.bold,
            fontSize=10.5,
            leading=15,
            alignment=TA_CENTER,
        ),
        "warning": ParagraphStyle(
            "notice-warning", parent=base, fontName=fonts.bold, fontSize=11, leading=17
        ),
        "small": ParagraphStyle("notice-small", parent=base, fontSize=10, leading=16),
        "note": ParagraphStyle(
            "notice-note",
            parent=base,
            fontSize=9.5,
            leading=15,
            textColor=colors.HexColor("#333333"),
        ),
    }


def _column_widths(
    table: NoticeTable, total: float, styles: dict[str, ParagraphStyle]
) -> list[float]:
    """Narrow columns (序号, 份数) get their natural width; the rest share what is left in
    proportion to their longest text, so the long text wraps instead of the short. Returns the
    widths and the indexes of the narrow columns."""
    padding = 11
    natural = [
        max(
            pdfmetrics.stringWidth(header, styles["head"].fontName, styles["head"].fontSize),
            *(
                pdfmetrics.stringWidth(row[index], styles["cell"].fontName, styles["cell"].fontSize)
                for row in table.rows
            ),
        )
        + padding
        for index, header in enumerate(table.header)
    ]
    narrow_limit = min(30 * mm, total / (2 * len(natural)))
    narrow = {index for index, width in enumerate(natural) if width <= narrow_limit}
    if len(narrow) == len(natural):
        narrow = set()
    left = total - sum(natural[index] for index in narrow)
    wide_total = sum(width for index, width in enumerate(natural) if index not in narrow)
    widths = [
        natural[index] if index in narrow else left * natural[index] / wide_total
        for index in range(len(natural))
    ]
    return widths, narrow


def _table_style(font: str, commands: list[tuple]) -> TableStyle:
    """A table style whose cell font is ours: reportlab's default cell font is Helvetica, which
    would put an unembedded font into the PDF even where every cell holds a Paragraph."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), font), *commands])


def _material_table(table: NoticeTable, styles: dict[str, ParagraphStyle]) -> Table:
    widths, narrow = _column_widths(table, _FRAME_WIDTH, styles)
    data = [[Paragraph(_text(cell), styles["head"]) for cell in table.header]]
    data += [
        [
            Paragraph(_text(cell), styles["cell-centre" if index in narrow else "cell"])
            for index, cell in enumerate(row)
        ]
        for row in table.rows
    ]
    flowable = Table(data, colWidths=widths, repeatRows=1, hAlign="CENTER")
    flowable.setStyle(
        _table_style(
            styles["cell"].fontName,
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 5),
            ],
        )
    )
    return flowable


def _boxed(content: Paragraph, *, border: colors.Color, background: colors.Color) -> Table:
    box = Table([[content]], colWidths=[_FRAME_WIDTH])
    box.setStyle(
        _table_style(
            content.style.fontName,
            [
                ("BOX", (0, 0), (-1, -1), 1.2, border),
                ("BACKGROUND", (0, 0), (-1, -1), background),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ],
        )
    )
    return box


@lru_cache(maxsize=64)
def qr_code(url: str) -> segno.QRCode:
    """The QR code of ``url`` (read only). segno encodes in pure Python, ~9 ms a code, and every
    notice of a case carries the same lookup URL."""
    return segno.make(url, error="m")


class _QRCode(Flowable):
    """A QR code drawn as vector modules (one rectangle per horizontal run of dark modules)."""

    def __init__(self, url: str, *, size: float) -> None:
        super().__init__()
        self.qr = qr_code(url)
        self.size = size
        self.width = self.height = size

    def draw(self) -> None:
        border = 2
        matrix = [list(row) for row in self.qr.matrix]
        count = len(matrix) + 2 * border
        module = self.size / count
        canvas = self.canv
        canvas.setFillColor(colors.black)
        canvas.setStrokeColor(colors.black)
        for y, row in enumerate(matrix):
            x = 0
            while x < len(row):
                if not row[x]:
                    x += 1
                    continue
                start = x
                while x < len(row) and row[x]:
                    x += 1
                canvas.rect(
                    (start + border) * module,
                    self.size - (y + border + 1) * module,
                    (x - start) * module,
                    module,
                    stroke=0,
                    fill=1,
                )


class _SignatureWithSeal(Flowable):
    """The issuer and date, right-aligned, with the seal placeholder beside them.

    The circle marks where the physical seal goes. It sits to the left of the issuer's name and
    date so that its label never covers them.
    """

    _SIZE = 12
    _LINE = 20
    _GAP = 8 * mm
    _RIGHT_INSET = 4 * mm

    def __init__(self, hall_name: str, issued_on: date, fonts: Fonts) -> None:
        super().__init__()
        self.hall_name = hall_name
        self.fonts = fonts
        self.radius = 17 * mm
        self.width = _FRAME_WIDTH
        room = self.width - self._RIGHT_INSET - self._GAP - 2 * self.radius
        # A name too long for the room beside the seal wraps (right-aligned) instead of pushing
        # the seal off the page.
        self.lines = [*self._wrap(hall_name, room), format_chinese_date(issued_on)]
        self.text_width = max(self._width_of(line) for line in self.lines)
        self.height = max(2 * self.radius, len(self.lines) * self._LINE) + 4 * mm

    def _width_of(self, text: str) -> float:
        return pdfmetrics.stringWidth(text, self.fonts.regular, self._SIZE)

    def _wrap(self, text: str, room: float) -> list[str]:
        lines = [""]
        for char in text:
            if lines[-1] and self._width_of(lines[-1] + char) > room:
                lines.append("")
            lines[-1] += char
        return lines

    def draw(self) -> None:
        canvas = self.canv
        center_y = self.height / 2
        right = self.width - self._RIGHT_INSET
        canvas.setFillColor(colors.black)
        canvas.setFont(self.fonts.regular, self._SIZE)
        # The block of lines is centred on the seal's centre; baselines step down by _LINE.
        top_baseline = center_y + (len(self.lines) - 1) * self._LINE / 2 - self._SIZE * 0.35
        for index, line in enumerate(self.lines):
            canvas.drawRightString(right, top_baseline - index * self._LINE, line)
        center_x = right - self.text_width - self._GAP - self.radius
        self._draw_seal(center_x, center_y)

    def _draw_seal(self, cx: float, cy: float) -> None:
        canvas = self.canv
        radius = self.radius
        canvas.saveState()
        canvas.setStrokeColor(_RED)
        canvas.setFillColor(_RED)
        canvas.setLineWidth(1.6)
        canvas.circle(cx, cy, radius, stroke=1, fill=0)
        canvas.setLineWidth(0.5)
        canvas.circle(cx, cy, radius - 1.6 * mm, stroke=1, fill=0)
        # The issuer's name along the upper arc, each character upright to the circle.
        name = self.hall_name
        span = min(math.radians(250), math.radians(21) * max(len(name) - 1, 1))
        # Long names get smaller characters so that neighbours never overlap on the arc.
        pitch = (radius - 5 * mm) * span / max(len(name) - 1, 1)
        size = max(4.0, min(9.5 if len(name) <= 8 else 8.5, 0.9 * pitch))
        text_radius = radius - 3.8 * mm - size * 0.5
        canvas.setFont(self.fonts.bold, size)
        for index, char in enumerate(name):
            fraction = 0.5 if len(name) == 1 else index / (len(name) - 1)
            angle = math.pi / 2 + span / 2 - span * fraction
            canvas.saveState()
            canvas.translate(cx + text_radius * math.cos(angle), cy + text_radius * math.sin(angle))
            canvas.rotate(math.degrees(angle - math.pi / 2))
            canvas.drawCentredString(0, -size * 0.35, char)
            canvas.restoreState()
        canvas.setFont(self.fonts.regular, 10)
        canvas.drawCentredString(cx, cy - 4 * mm, SEAL_LABEL)
        canvas.restoreState()


def _issue_stamp(issued_on: date | None):
    """reportlab's timestamp for the PDF's creation and modification dates: the document's date
    of issue, 00:00 in Beijing time. Invariant mode would write 2000-01-01; the issue date keeps
    the bytes the same for the same document and tells a reader when it was made."""
    from reportlab.lib.utils import TimeStamp

    stamp = TimeStamp(invariant=1)
    if issued_on is not None:
        stamp.YMDhms = (issued_on.year, issued_on.month, issued_on.day, 0, 0, 0)
        stamp.dhh, stamp.dmm, stamp.tzname = 8, 0, "CST"
    return stamp


def _numbered_canvas(fonts: Fonts, number: str, issued_on: date | None = None) -> type[Canvas]:
    """A canvas that prints "文号  第 n 页 共 m 页" at the foot of every page (m known at save)."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            # Every page starts with this font selected; reportlab's default is Helvetica, which
            # is not embedded, and the notice uses no unembedded font at all.
            kwargs["initialFontName"] = fonts.regular
            super().__init__(*args, **kwargs)
            self._doc._timeStamp = _issue_stamp(issued_on)
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for page in self._pages:
                self.__dict__.update(page)
                self.setFont(fonts.regular, 9)
                self.setFillColor(colors.HexColor("#555555"))
                self.drawString(_PAGE_MARGIN_X, 12 * mm, number)
                self.drawRightString(
                    A4[0] - _PAGE_MARGIN_X, 12 * mm, f"第 {self._pageNumber} 页 共 {total} 页"
                )
                super().showPage()
            super().save()

    return NumberedCanvas


def _story(doc: NoticeDocument, fonts: Fonts) -> list[Flowable]:
    styles = _styles(fonts)
    story: list[Flowable] = [
        Paragraph(_text(doc.hall_name), styles["hall"]),
        HRFlowable(width="100%", thickness=1.8, color=_RED, spaceBefore=2, spaceAfter=1),
        HRFlowable(width="100%", thickness=0.6, color=_RED, spaceBefore=0, spaceAfter=8),
        Paragraph(_text(doc.title), styles["title"]),
        Paragraph(_text(doc.number), styles["number"]),
    ]
    if doc.calendar_warning:
        warning = Paragraph(_text(CALENDAR_LABEL + doc.calendar_warning), styles["warning"])
        story += [
            _boxed(
                warning,
                border=colors.HexColor("#B45309"),
                background=colors.HexColor("#FEF3C7"),
            ),
            Spacer(0, 8),
        ]
    story += [
        Paragraph(_text(f"{doc.applicant_name}："), styles["strong"]),
        Spacer(0, 2),
        *(Paragraph(_text(text), styles["body"]) for text in doc.paragraphs),
    ]
    if doc.table is not None:
        if doc.table.caption:
            story.append(Paragraph(_text(doc.table.caption), styles["caption"]))
        else:
            story.append(Spacer(0, 4))
        story += [_material_table(doc.table, styles), Spacer(0, 8)]
    story += [
        Paragraph(_text(LABEL_APPLICANT + doc.applicant_name), styles["flush"]),
        Paragraph(_text(LABEL_ITEM + doc.item_name), styles["flush"]),
        Paragraph(
            _text(LABEL_OWNER + doc.owner_name)
            + "&nbsp;" * 6
            + _text(LABEL_WINDOW + doc.owner_window),
            styles["flush"],
        ),
        Spacer(0, 6),
        KeepTogether([_SignatureWithSeal(doc.sealed_by, doc.issued_on, fonts)]),
    ]
    lookup = _lookup_block(doc, styles)
    if lookup is not None:
        story += [Spacer(0, 8), lookup]
    if doc.footer_notes:
        # The rule travels with the notes: alone at the foot of a page it would head nothing.
        notes = [Paragraph(_text(note), styles["note"]) for note in doc.footer_notes]
        story += [
            Spacer(0, 8),
            KeepTogether(
                [
                    HRFlowable(width="100%", thickness=0.5, color=colors.HexColor("#999999")),
                    Spacer(0, 4),
                    notes[0],
                ]
            ),
            *notes[1:],
        ]
    return story


def _lookup_block(doc: NoticeDocument, styles: dict[str, ParagraphStyle]) -> Flowable | None:
    lines = []
    if doc.receipt_no:
        lines.append(Paragraph(_text(LABEL_RECEIPT + doc.receipt_no), styles["small"]))
    if doc.verification_code:
        lines.append(Paragraph(_text(LABEL_VERIFICATION + doc.verification_code), styles["small"]))
    if doc.lookup_url:
        lines.append(Paragraph(_text(LABEL_LOOKUP + doc.lookup_url), styles["small"]))
        lines.append(Paragraph(_text(QR_HINT), styles["note"]))
    if not lines:
        return None
    if not doc.lookup_url:
        return KeepTogether(lines)
    qr_size = 27 * mm
    block = Table(
        [[_QRCode(doc.lookup_url, size=qr_size), lines]],
        colWidths=[qr_size + 4 * mm, _FRAME_WIDTH - qr_size - 4 * mm],
    )
    block.setStyle(
        _table_style(
            styles["small"].fontName,
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("LEFTPADDING", (1, 0), (1, 0), 6),
                ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ],
        )
    )
    return KeepTogether([block])


def render_notice_pdf(doc: NoticeDocument) -> bytes:
    """The notice as an A4 PDF with the CJK font embedded. Same input, same bytes."""
    fonts = fonts_loaded()
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_PAGE_MARGIN_X,
        rightMargin=_PAGE_MARGIN_X,
        topMargin=_PAGE_MARGIN_TOP,
        bottomMargin=_PAGE_MARGIN_BOTTOM,
        title=f"{doc.title} {doc.number}",
        author=doc.hall_name,
        subject=doc.item_name,
        creator="Seamless Hall",
        lang="zh-CN",
        invariant=1,
    )
    template.build(
        _story(doc, fonts), canvasmaker=_numbered_canvas(fonts, doc.number, doc.issued_on)
    )
    return buffer.getvalue()


def render_licence_pdf(
    *,
    title: str,
    number: str,
    issuer: str,
    issued_on: date,
    rows: list[tuple[str, str]],
    verify_url: str,
    verification_code: str,
    notes: list[str],
) -> bytes:
    """An electronic licence (电子证照) as an A4 PDF: the issuing department at the head and by
    the seal, the licence's particulars in a table, and the QR code of its verification page.
    The hall seals the bytes afterwards (hall.cases.pdf.sealing)."""
    fonts = fonts_loaded()
    styles = _styles(fonts)
    story: list[Flowable] = [
        Paragraph(_text(issuer), styles["hall"]),
        HRFlowable(width="100%", thickness=1.8, color=_RED, spaceBefore=2, spaceAfter=1),
        HRFlowable(width="100%", thickness=0.6, color=_RED, spaceBefore=0, spaceAfter=8),
        Paragraph(_text(title), styles["title"]),
        Paragraph(_text(number), styles["number"]),
        _material_table(NoticeTable(header=("项目", "内容"), rows=rows), styles),
        Spacer(0, 10),
        KeepTogether([_SignatureWithSeal(issuer, issued_on, fonts)]),
        Spacer(0, 8),
    ]
    lookup = _lookup_block(
        NoticeDocument(
            hall_name=issuer,
            title=title,
            number=number,
            issued_on=issued_on,
            applicant_name="",
            item_name="",
            paragraphs=(),
            owner_name="",
            owner_window="",
            verification_code=verification_code,
            lookup_url=verify_url,
        ),
        styles,
    )
    if lookup is not None:
        story.append(lookup)
    story += [Spacer(0, 8), *(Paragraph(_text(note), styles["note"]) for note in notes)]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_PAGE_MARGIN_X,
        rightMargin=_PAGE_MARGIN_X,
        topMargin=_PAGE_MARGIN_TOP,
        bottomMargin=_PAGE_MARGIN_BOTTOM,
        title=f"{title} {number}",
        author=issuer,
        subject=title,
        creator="Seamless Hall",
        lang="zh-CN",
        invariant=1,
    ).build(story, canvasmaker=_numbered_canvas(fonts, number, issued_on))
    return buffer.getvalue()
