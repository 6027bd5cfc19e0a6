"""Every supervision table as CSV or Excel.

- CSV is UTF-8 with a byte-order mark: without it Excel on Windows reads the file as the local
  code page (GBK) and shows the Chinese as mojibake.
- Filenames are given twice (RFC 6266 / RFC 5987): an ASCII `filename=` for old clients and a
  UTF-8 `filename*=` with the Chinese title for the others.
- A text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return, or with their
  full-width forms (`＝＋－＠`, which spreadsheet programs in a Chinese locale also read as a
  formula), or with any of these after leading whitespace (full-width space included), is
  prefixed with an apostrophe, so a department or person name can never run as a spreadsheet
  formula (CSV injection). Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from departments.performance.tables import Table
from hall.common.exports import cell_safe

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMERIC_KINDS = ("int", "decimal", "percent", "minutes")


def content_disposition(*, ascii_name: str, name: str) -> str:
    """`attachment` with an ASCII fallback name and the UTF-8 name (RFC 5987)."""
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name) or "export"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _value(value: Any, kind: str) -> Any:
    """A cell's value for a file: numbers as numbers, dates as dates, text made safe."""
    if value is None:
        return None
    if kind in NUMERIC_KINDS:
        return int(value) if kind == "int" else Decimal(value)
    if kind == "date":
        return value
    return cell_safe(str(value))


def table_csv(table: Table) -> bytes:
    """The table as CSV bytes: BOM, a header row of the column labels, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([str(column.label) for column in table.columns])
    for row in table.rows:
        values = []
        for column in table.columns:
            value = _value(row.get(column.key), column.kind)
            if value is None:
                values.append("")
            elif column.kind == "date":
                values.append(f"{value:%Y-%m-%d}")
            else:
                values.append(value)
        writer.writerow(values)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _sheet_title(title: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet1"


def table_xlsx(table: Table, *, subtitle: str = "") -> bytes:
    """The table as an .xlsx workbook: a title line, the header, the rows, the header frozen."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(str(table.title))
    sheet.append([str(table.title) + (f"（{subtitle}）" if subtitle else "")])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([str(column.label) for column in table.columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_value(row.get(column.key), column.kind) for column in table.columns])
    sheet.freeze_panes = "B3"
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        if column.kind == "percent":
            number_format = '0.0"%"'
        elif column.kind in ("decimal", "minutes"):
            number_format = "0.0"
        elif column.kind == "date":
            number_format = "yyyy-mm-dd"
        else:
            number_format = None
        if number_format:
            for cell in sheet[letter][2:]:
                cell.number_format = number_format
        longest = max(
            [len(str(column.label))]
            + [len(str(row.get(column.key) or "")) for row in table.rows[:200]]
        )
        sheet.column_dimensions[letter].width = min(max(8, longest * 2 + 2), 48)
    if table.note:
        sheet.append([])
        sheet.append([str(table.note)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_response(
    table: Table, *, fmt: str, ascii_name: str, name: str, subtitle: str = ""
) -> HttpResponse:
    """An attachment response with the table as `fmt` ("csv" or "xlsx")."""
    if fmt == "csv":
        response = HttpResponse(table_csv(table), content_type=CSV_TYPE)
    elif fmt == "xlsx":
        response = HttpResponse(table_xlsx(table, subtitle=subtitle), content_type=XLSX_TYPE)
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    response["Content-Disposition"] = content_disposition(
        ascii_name=f"{ascii_name}.{fmt}", name=f"{name}.{fmt}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
