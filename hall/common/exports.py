"""Spreadsheet cells that cannot run: a text cell that a spreadsheet program would read as a
formula (CSV injection) gets a leading apostrophe. That is a cell starting with `= + - @`, a tab
or a carriage return, their full-width forms `＝＋－＠` (which spreadsheet programs in a Chinese
locale also read as a formula), or any of these after leading whitespace (full-width space
included)."""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def cell_safe(value: str) -> str:
    if value.startswith(FORMULA_START) or value.lstrip(" \u3000\n\x0b\x0c").startswith(
        FORMULA_START
    ):
        return "'" + value
    return value
