"""The notice as data (`NoticeDocument`,
`NoticeTable`) and the fixed wording printed on every notice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

#: The written notices the hall issues, by title.
NOTICE_TITLES = (
    "受理通知书",
    "一次性补正告知书",
    "不予受理决定书",
    "转办告知书",
    "准予许可决定书",
    "不予许可决定书",
)


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
    # the organ that decides and seals (a licensing decision is the lead department's, not the
    # hall's); empty: the hall itself, for its own intake notices
    issuer: str = ""

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
            self.issuer,
        )

    @property
    def sealed_by(self) -> str:
        return self.issuer or self.hall_name


def format_chinese_date(day: date) -> str:
    """2026年3月5日: Arabic numerals, as GB/T 9704-2012 prescribes for the date of a document."""
    return f"{day.year}年{day.month}月{day.day}日"


# The fixed wording printed on every notice; the font check covers it too.
LABEL_APPLICANT = "申请人："
LABEL_ITEM = "申请事项："
LABEL_OWNER = "首问责任人："
LABEL_WINDOW = "办理窗口："
LABEL_RECEIPT = "受理回执号："
LABEL_VERIFICATION = "验证码："
LABEL_LOOKUP = "查询网址："
QR_HINT = "扫描二维码或访问上述网址，凭验证码核验本文书真伪、查询办理进度。"
CALENDAR_LABEL = "重要提示："
SEAL_LABEL = "盖章处"
FIXED_LABELS = (
    LABEL_APPLICANT,
    LABEL_ITEM,
    LABEL_OWNER,
    LABEL_WINDOW,
    LABEL_RECEIPT,
    LABEL_VERIFICATION,
    LABEL_LOOKUP,
    QR_HINT,
    CALENDAR_LABEL,
    SEAL_LABEL,
    "第页共",
)
