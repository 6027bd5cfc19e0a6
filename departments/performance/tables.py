"""The result tables of the performance figures, and running their SQL."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections, router, transaction

from approvals.models import (
    ApprovalStep,
    CalendarDay,
    CalendarYear,
    CaseDecision,
    CaseStage,
    CaseStep,
    ItemStage,
    ServiceItem,
    StepExtension,
    StepSuspension,
)
from departments.models import Department
from hall.models import Case, Clerk, Notice, QueueTicket, ServiceRating, Window

T = {
    "case": Case._meta.db_table,
    "step": CaseStep._meta.db_table,
    "case_stage": CaseStage._meta.db_table,
    "decision": CaseDecision._meta.db_table,
    "suspension": StepSuspension._meta.db_table,
    "extension": StepExtension._meta.db_table,
    "item": ServiceItem._meta.db_table,
    "item_stage": ItemStage._meta.db_table,
    "approval_step": ApprovalStep._meta.db_table,
    "department": Department._meta.db_table,
    "calendar_day": CalendarDay._meta.db_table,
    "calendar_year": CalendarYear._meta.db_table,
    "notice": Notice._meta.db_table,
    "ticket": QueueTicket._meta.db_table,
    "rating": ServiceRating._meta.db_table,
    "clerk": Clerk._meta.db_table,
    "window": Window._meta.db_table,
}


def performance_supported() -> bool:
    """The figures need PostgreSQL; the SQLite fallback of `make run` shows a notice instead."""
    return connections["default"].vendor == "postgresql"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # text | int | decimal (one place) | percent (0..100, one place) | minutes | date
    kind: str = "text"
    help: str = ""


@dataclass
class Table:
    """Rows of one figure table, as the page shows them and the exports write them."""

    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    note: str = ""
    # Rows whose first column should be highlighted (a key of the row that is truthy).
    highlight: str = ""

    @property
    def helps(self) -> list[Column]:
        """The columns whose meaning is explained under the table."""
        return [column for column in self.columns if column.help]

    @property
    def body(self) -> list[dict[str, Any]]:
        """Rows as cells in column order, for the generic table template."""
        out = []
        for row in self.rows:
            out.append(
                {
                    "cells": [
                        {"text": cell_text(row.get(column.key), column.kind), "column": column}
                        for column in self.columns
                    ],
                    "highlight": bool(self.highlight and row.get(self.highlight)),
                }
            )
        return out


def cell_text(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "percent":
        return f"{Decimal(value):.1f}%"
    if kind in ("decimal", "minutes"):
        return f"{Decimal(value):.1f}"
    if kind == "date":
        return f"{value:%Y-%m-%d}"
    return str(value)


# Memory for the sorts of one report query (percentiles, groupings). PostgreSQL's default of 4MB
# sends the sort of a month's steps at a million cases to disk, three times slower; the setting
# is local to the query's transaction.
REPORT_WORK_MEM = "64MB"


def rows_fetch(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    # a report reads cases: from the replica when the view allows it (hall.platform.replica)
    alias = router.db_for_read(Case)
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
