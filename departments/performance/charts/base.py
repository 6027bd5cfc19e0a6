"""SVG primitives shared by the charts: escaping, text width, axes and ticks."""

from __future__ import annotations

import html
import math
import unicodedata
from decimal import Decimal

from hall.common.svg import FONT_FAMILY, INK

BLUE = "#1f4e9a"  # 8.6:1 against white
GREY = "#5b6470"  # 6.1:1 against white
GRID = "#dde1e6"
FONT = 13
SMALL = 12
Number = int | float | Decimal


def svg_escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def text_width(text: str, size: float = FONT) -> float:
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in ("W", "F"))
    return (wide + (len(text) - wide) * 0.6) * size


def number_text(value: Number | None) -> str:
    """12, 12.5 (one decimal at most); None is "—"."""
    if value is None:
        return "—"
    value = Decimal(str(value)).quantize(Decimal("0.1"))
    return f"{value:.0f}" if value == value.to_integral() else f"{value:.1f}"


def nice_ceiling(value: float) -> float:
    """The axis maximum: 1, 2, 2.5 or 5 times a power of ten, at least `value` (and > 0)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def axis_ticks(maximum: float, count: int = 4) -> list[float]:
    return [maximum * index / count for index in range(count + 1)]


def axis(peak: float, *, count: int = 4, integer: bool = True) -> tuple[float, list[float]]:
    """A round axis for values up to `peak`: the step is 1, 2, 2.5 or 5 times a power of ten
    (a whole number when `integer`, for counts and days), about `count` steps to the top."""
    raw = max(peak, 0) / count or 0.25
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if raw <= m * power)
    if integer:
        step = max(1, math.ceil(step))
    top = max(step * math.ceil(peak / step), step)
    return top, [step * index for index in range(round(top / step) + 1)]


def svg_open(*, width: int, height: int, title: str, desc: str, id_prefix: str, css: str) -> str:
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{svg_escape(css)}" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{svg_escape(title_id)} {svg_escape(desc_id)}" '
        f'font-family="{svg_escape(FONT_FAMILY)}">'
        f'<title id="{svg_escape(title_id)}">{svg_escape(title)}</title>'
        f'<desc id="{svg_escape(desc_id)}">{svg_escape(desc)}</desc>'
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>'
    )


def svg_text(x: float, y: float, text: str, *, size: int = FONT, fill: str = INK, **attrs) -> str:
    extra = "".join(
        f' {key.replace("_", "-")}="{svg_escape(value)}"' for key, value in attrs.items()
    )
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}"{extra}>'
        f"{svg_escape(text)}</text>"
    )
