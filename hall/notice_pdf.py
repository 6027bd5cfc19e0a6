"""Written notices (受理通知书, 一次性补正告知书, decisions …) rendered as PDF and as print HTML.

A pure renderer: it takes a ``NoticeDocument`` and returns bytes or a template context; it reads
no database and writes no file. Art. 32 of the Administrative Licensing Law requires acceptance
and non-acceptance to be written, sealed and dated; Art. 38 requires a refusal to state the right
to administrative review or litigation, which callers pass as ``footer_notes``.

The same document renders to the same bytes (reportlab's ``invariant`` mode, no timestamps, fixed
document id), so the SHA-256 of a stored notice can be checked later. The bytes depend on the font
file and on the reportlab version, so keep the stored PDF itself; do not expect a re-render after
an upgrade to hash the same.

Chinese text is set in a TrueType CJK font that is embedded (as subsets) in every PDF; see
``cjk_font_path`` for where it comes from.
"""

from __future__ import annotations

import io
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import segno
from django.utils.safestring import SafeString, mark_safe
from reportlab.lib import colors
from reportlab.lib import textsplit as rl_textsplit
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
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

__all__ = [
    "FONT_ENV_VAR",
    "KNOWN_CJK_FONTS",
    "NOTICE_TITLES",
    "CJKFontMissingError",
    "NoticeDocument",
    "NoticeTable",
    "cjk_font_path",
    "format_chinese_date",
    "notice_print_context",
    "qr_svg",
    "render_notice_pdf",
    "unsupported_characters",
]

#: The written notices the hall issues, by title.
NOTICE_TITLES = (
    "受理通知书",
    "一次性补正告知书",
    "不予受理决定书",
    "转办告知书",
    "准予许可决定书",
    "不予许可决定书",
)


# --- The document ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeTable:
    """A bordered table in the notice, e.g. the missing materials and why (一次性告知)."""

    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    caption: str = ""

    def __post_init__(self) -> None:
        header = tuple(str(cell) for cell in self.header)
        rows = tuple(tuple(str(cell) for cell in row) for row in self.rows)
        if not header:
            raise ValueError("a notice table needs a header row")
        for row in rows:
            if len(row) != len(header):
                raise ValueError(f"row {row!r} has {len(row)} cells, the header {len(header)}")
        object.__setattr__(self, "header", header)
        object.__setattr__(self, "rows", rows)


@dataclass(frozen=True)
class NoticeDocument:
    """Everything printed on one notice. Plain text only: markup in any field is shown as text.

    ``owner_name`` and ``owner_window`` are the first-contact owner (首问责任人) and the window;
    ``calendar_warning`` is shown boxed near the top, e.g. when a deadline was counted into a year
    without an official holiday calendar.
    """

    hall_name: str
    title: str
    number: str
    issued_on: date
    applicant_name: str
    item_name: str
    paragraphs: Sequence[str]
    owner_name: str
    owner_window: str
    table: NoticeTable | None = None
    verification_code: str = ""
    lookup_url: str = ""
    receipt_no: str = ""
    footer_notes: Sequence[str] = field(default_factory=tuple)
    calendar_warning: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.paragraphs, str) or isinstance(self.footer_notes, str):
            raise TypeError("paragraphs and footer_notes are sequences of strings")
        object.__setattr__(self, "paragraphs", tuple(self.paragraphs))
        object.__setattr__(self, "footer_notes", tuple(self.footer_notes))

    def texts(self) -> tuple[str, ...]:
        """Every piece of the document's own text (not the fixed labels) that the notice prints."""
        table_cells: tuple[str, ...] = ()
        if self.table is not None:
            table_cells = (
                self.table.caption,
                *self.table.header,
                *(cell for row in self.table.rows for cell in row),
            )
        return (
            self.hall_name,
            self.title,
            self.number,
            format_chinese_date(self.issued_on),
            self.applicant_name,
            self.item_name,
            *self.paragraphs,
            *table_cells,
            self.owner_name,
            self.owner_window,
            self.verification_code,
            self.lookup_url,
            self.receipt_no,
            *self.footer_notes,
            self.calendar_warning,
        )


def format_chinese_date(day: date) -> str:
    """2026年3月5日: Arabic numerals, as GB/T 9704-2012 prescribes for the date of a document."""
    return f"{day.year}年{day.month}月{day.day}日"


# --- The font --------------------------------------------------------------------------------

#: Environment variable naming a TrueType (.ttf, or .ttc with the face at index 0) CJK font.
FONT_ENV_VAR = "HALL_CJK_FONT"

_REPO_DIR = Path(__file__).resolve().parent.parent
_NOTO_SERIF_SC = _REPO_DIR / "node_modules" / "@expo-google-fonts" / "noto-serif-sc"

#: Looked at in order after ``HALL_CJK_FONT``. The first is installed by ``make install`` (npm
#: package @expo-google-fonts/noto-serif-sc, SIL OFL 1.1); the others are Debian packages
#: (fonts-wqy-microhei, fonts-wqy-zenhei, fonts-arphic-uming). Debian's fonts-droid-fallback
#: is left out on purpose: it has no Latin letters or digits, so dates and numbers would print
#: as boxes.
KNOWN_CJK_FONTS = (
    _NOTO_SERIF_SC / "400Regular" / "NotoSerifSC_400Regular.ttf",
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
)
_BOLD_SIBLINGS = {
    KNOWN_CJK_FONTS[0]: _NOTO_SERIF_SC / "700Bold" / "NotoSerifSC_700Bold.ttf",
}


class CJKFontMissingError(RuntimeError):
    """No usable CJK TrueType font: notices cannot be rendered."""


def _outline_format(path: Path) -> str:
    """'truetype', 'cff' or 'unknown', from the sfnt header (the first face of a collection)."""
    with path.open("rb") as font:
        tag = font.read(4)
        if tag == b"ttcf":
            font.seek(12)
            offset = int.from_bytes(font.read(4), "big")
            font.seek(offset)
            tag = font.read(4)
    if tag in (b"\x00\x01\x00\x00", b"true"):
        return "truetype"
    if tag == b"OTTO":
        return "cff"
    return "unknown"


def cjk_font_path() -> Path:
    """The CJK font file notices are set in: ``$HALL_CJK_FONT`` if set, else the first of
    ``KNOWN_CJK_FONTS`` that exists.

    Raises ``CJKFontMissingError`` saying what to install when there is none, and when the file
    has CFF outlines (Noto Sans CJK .otf/.ttc), which reportlab cannot embed.
    """
    configured = os.environ.get(FONT_ENV_VAR, "").strip()
    if configured:
        candidates: tuple[Path, ...] = (Path(configured),)
        if not candidates[0].is_file():
            raise CJKFontMissingError(f"{FONT_ENV_VAR}={configured} is not a file.")
    else:
        candidates = tuple(path for path in KNOWN_CJK_FONTS if path.is_file())
    if not candidates:
        looked = "\n  ".join(str(path) for path in KNOWN_CJK_FONTS)
        raise CJKFontMissingError(
            "No CJK TrueType font found for the notice PDFs. Run `make install` (its `npm ci` "
            "installs @expo-google-fonts/noto-serif-sc), or set "
            f"{FONT_ENV_VAR} to a .ttf/.ttc with TrueType outlines. Looked in:\n  {looked}"
        )
    path = candidates[0]
    outlines = _outline_format(path)
    if outlines != "truetype":
        raise CJKFontMissingError(
            f"{path} has {outlines} outlines; reportlab embeds only TrueType-outline fonts "
            "(not CFF/.otf such as Noto Sans CJK)."
        )
    return path


@dataclass(frozen=True)
class _Fonts:
    regular: str
    bold: str


@lru_cache(maxsize=8)
def _register(path: Path) -> str:
    name = "HallCJK-" + re.sub(r"[^A-Za-z0-9]+", "", path.stem)
    registered = pdfmetrics.getRegisteredFontNames()
    suffix = 1
    while f"{name}{suffix if suffix > 1 else ''}" in registered:
        suffix += 1
    name = f"{name}{suffix if suffix > 1 else ''}"
    pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
    return name


def _fonts() -> _Fonts:
    path = cjk_font_path()
    regular = _register(path)
    bold_path = _BOLD_SIBLINGS.get(path)
    bold = _register(bold_path) if bold_path and bold_path.is_file() else regular
    return _Fonts(regular=regular, bold=bold)


def unsupported_characters(doc: NoticeDocument) -> frozenset[str]:
    """Characters of the notice that the font has no glyph for (they would print as boxes).

    Rare characters in names (生僻字) are the usual case; intake should warn before issuing.
    """
    fonts = _fonts()
    missing: set[str] = set()
    for name in {fonts.regular, fonts.bold}:
        char_to_glyph = pdfmetrics.getFont(name).face.charToGlyph
        missing.update(
            char
            for text in (*doc.texts(), *_FIXED_LABELS)
            for char in text
            if not char.isspace() and ord(char) not in char_to_glyph
        )
    return frozenset(missing)


# --- Layout ----------------------------------------------------------------------------------

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

_LABEL_APPLICANT = "申请人："
_LABEL_ITEM = "申请事项："
_LABEL_OWNER = "首问责任人："
_LABEL_WINDOW = "办理窗口："
_LABEL_RECEIPT = "受理回执号："
_LABEL_VERIFICATION = "验证码："
_LABEL_LOOKUP = "查询网址："
_QR_HINT = "扫描二维码或访问上述网址，凭验证码核验本文书真伪、查询办理进度。"
_CALENDAR_LABEL = "重要提示："
_SEAL_LABEL = "盖章处"
_FIXED_LABELS = (
    _LABEL_APPLICANT,
    _LABEL_ITEM,
    _LABEL_OWNER,
    _LABEL_WINDOW,
    _LABEL_RECEIPT,
    _LABEL_VERIFICATION,
    _LABEL_LOOKUP,
    _QR_HINT,
    _CALENDAR_LABEL,
    _SEAL_LABEL,
    "第页共",
)


def _text(value: str) -> str:
    """Plain text to reportlab paragraph markup: escaped (so ``<img src=…>`` in a name is text,
    not an instruction to read a file) with line breaks kept."""
    return escape(value).replace("\r\n", "\n").replace("\n", "<br/>")


def _styles(fonts: _Fonts) -> dict[str, ParagraphStyle]:
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
def _qr(url: str) -> segno.QRCode:
    """The QR code of ``url`` (read only). segno encodes in pure Python, ~9 ms a code, and every
    notice of a case carries the same lookup URL."""
    return segno.make(url, error="m")


class _QRCode(Flowable):
    """A QR code drawn as vector modules (one rectangle per horizontal run of dark modules)."""

    def __init__(self, url: str, *, size: float) -> None:
        super().__init__()
        self.qr = _qr(url)
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

    def __init__(self, hall_name: str, issued_on: date, fonts: _Fonts) -> None:
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
        canvas.drawCentredString(cx, cy - 4 * mm, _SEAL_LABEL)
        canvas.restoreState()


def _numbered_canvas(fonts: _Fonts, number: str) -> type[Canvas]:
    """A canvas that prints "文号  第 n 页 共 m 页" at the foot of every page (m known at save)."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            # Every page starts with this font selected; reportlab's default is Helvetica, which
            # is not embedded, and the notice uses no unembedded font at all.
            kwargs["initialFontName"] = fonts.regular
            super().__init__(*args, **kwargs)
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


def _story(doc: NoticeDocument, fonts: _Fonts) -> list[Flowable]:
    styles = _styles(fonts)
    story: list[Flowable] = [
        Paragraph(_text(doc.hall_name), styles["hall"]),
        HRFlowable(width="100%", thickness=1.8, color=_RED, spaceBefore=2, spaceAfter=1),
        HRFlowable(width="100%", thickness=0.6, color=_RED, spaceBefore=0, spaceAfter=8),
        Paragraph(_text(doc.title), styles["title"]),
        Paragraph(_text(doc.number), styles["number"]),
    ]
    if doc.calendar_warning:
        warning = Paragraph(_text(_CALENDAR_LABEL + doc.calendar_warning), styles["warning"])
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
        Paragraph(_text(_LABEL_APPLICANT + doc.applicant_name), styles["flush"]),
        Paragraph(_text(_LABEL_ITEM + doc.item_name), styles["flush"]),
        Paragraph(
            _text(_LABEL_OWNER + doc.owner_name)
            + "&nbsp;" * 6
            + _text(_LABEL_WINDOW + doc.owner_window),
            styles["flush"],
        ),
        Spacer(0, 6),
        KeepTogether([_SignatureWithSeal(doc.hall_name, doc.issued_on, fonts)]),
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
        lines.append(Paragraph(_text(_LABEL_RECEIPT + doc.receipt_no), styles["small"]))
    if doc.verification_code:
        lines.append(Paragraph(_text(_LABEL_VERIFICATION + doc.verification_code), styles["small"]))
    if doc.lookup_url:
        lines.append(Paragraph(_text(_LABEL_LOOKUP + doc.lookup_url), styles["small"]))
        lines.append(Paragraph(_text(_QR_HINT), styles["note"]))
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
    fonts = _fonts()
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
    template.build(_story(doc, fonts), canvasmaker=_numbered_canvas(fonts, doc.number))
    return buffer.getvalue()


# --- Print HTML ------------------------------------------------------------------------------


def qr_svg(url: str) -> str:
    """The QR code for ``url`` as an inline ``<svg>`` element (no XML declaration, sized by CSS).

    The URL is only encoded in the modules, never written into the markup, so the result is safe
    to mark safe.
    """
    return _qr(url).svg_inline(
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
