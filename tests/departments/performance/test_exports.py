"""CSV and Excel exports of the supervision tables."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from urllib.parse import unquote

import openpyxl
import pytest
from django.urls import reverse

from approvals.clock.calendar import calendar_load_package_years
from departments.performance import exports
from departments.performance.tables import Column, Table
from tests.approvals.workflow_helpers import make_clerk
from tests.departments.builders import at, bare_case

TABLE = Table(
    key="sample",
    title="部门绩效",
    columns=[
        Column("department", "部门"),
        Column("handled", "办结环节", "int"),
        Column("rate", "按时率", "percent"),
        Column("day", "日期", "date"),
    ],
    rows=[
        {
            "department": "区规划局",
            "handled": 3,
            "rate": Decimal("33.3"),
            "day": datetime.date(2026, 10, 9),
        },
        {"department": '=HYPERLINK("x")', "handled": 0, "rate": None, "day": None},
    ],
    note="说明",
)


def test_csv_has_a_bom_a_header_and_safe_text():
    data = exports.table_csv(TABLE)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [
        ["部门", "办结环节", "按时率", "日期"],
        ["区规划局", "3", "33.3", "2026-10-09"],
        ['\'=HYPERLINK("x")', "0", "", ""],  # never a formula
    ]


def test_xlsx_opens_with_openpyxl_and_keeps_numbers_as_numbers():
    book = openpyxl.load_workbook(io.BytesIO(exports.table_xlsx(TABLE, subtitle="2026-10")))
    sheet = book.active
    assert sheet.title == "部门绩效"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "部门绩效（2026-10）"
    assert rows[1] == ("部门", "办结环节", "按时率", "日期")
    assert rows[2][:3] == ("区规划局", 3, 33.3)
    assert rows[2][3].date() == datetime.date(2026, 10, 9)
    assert rows[3][:3] == ('\'=HYPERLINK("x")', 0, None)
    assert rows[-1] == ("说明", None, None, None)
    assert sheet.freeze_panes == "B3"


def test_content_disposition_has_ascii_and_utf8_names():
    header = exports.content_disposition(
        ascii_name="hall-departments.csv", name="部门绩效 10月.csv"
    )
    assert header.startswith('attachment; filename="hall-departments.csv"; ')
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert encoded.isascii() and unquote(encoded) == "部门绩效 10月.csv"


# --- through the views ---------------------------------------------------------------------------


@pytest.fixture
def supervisor_client(client, make_user):
    client.force_login(make_user("sup", "supervisor"))
    return client


@pytest.mark.postgres
@pytest.mark.parametrize(
    "table",
    [
        "departments",
        "clerks",
        "items",
        "trend",
        "queue-categories",
        "queue-windows",
        "serial-parallel",
    ],
)
def test_every_table_exports_as_csv_and_xlsx(supervisor_client, table, roles):
    calendar_load_package_years()
    clerk = make_clerk(roles)
    bare_case(owner=clerk, materials_received_at=at(2026, 10, 9))
    query = {"start": "2026-10-01", "end": "2026-10-31"}
    for fmt in ("csv", "xlsx"):
        response = supervisor_client.get(reverse("supervision:export", args=[table, fmt]), query)
        assert response.status_code == 200
        disposition = response["Content-Disposition"]
        assert f'filename="seamless-hall-{table}-20261001-20261031.{fmt}"' in disposition
        assert "2026-10-01%E8%87%B32026-10-31" in disposition  # …至… in the UTF-8 name
        if fmt == "csv":
            assert response["Content-Type"] == "text/csv; charset=utf-8"
            assert response.content.startswith(b"\xef\xbb\xbf")
            header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
            assert header and all(header)
        else:
            sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
            assert sheet.max_row >= 2


@pytest.mark.postgres
def test_clerk_export_has_the_rows(supervisor_client, roles):
    clerk = make_clerk(roles)
    bare_case(owner=clerk, materials_received_at=at(2026, 10, 9))
    bare_case(owner=clerk, materials_received_at=at(2026, 10, 10))
    response = supervisor_client.get(
        reverse("supervision:export", args=["clerks", "xlsx"]),
        {"start": "2026-10-01", "end": "2026-10-31"},
    )
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[1][:3] == ("窗口人员", "窗口", "首问收件")
    assert rows[2][0] == "王窗口" and rows[2][2] == 2


def test_unknown_table_or_format_is_404(supervisor_client):
    assert supervisor_client.get("/supervision/export/nope.csv").status_code == 404
    assert supervisor_client.get("/supervision/export/clerks.pdf").status_code == 404
