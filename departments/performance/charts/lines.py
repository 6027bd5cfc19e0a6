"""The line chart of open and overdue cases per day, with its text description."""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from departments.performance.charts.base import (
    BLUE,
    GRID,
    SMALL,
    Number,
    axis,
    number_text,
    svg_escape,
    svg_open,
    svg_text,
    text_width,
)
from hall.common.svg import MUTED


@dataclass(frozen=True)
class Line:
    label: str
    values: tuple[Number, ...]
    color: str = BLUE
    dashed: bool = False


def line_chart(
    *,
    days: Sequence[datetime.date],
    lines: Sequence[Line],
    title: str,
    desc: str,
    id_prefix: str,
    unit: str = "",
    width: int = 760,
    height: int = 300,
) -> SafeString:
    """Lines over days. The legend names each line and shows its stroke; the y axis starts at 0."""
    left, right, top, bottom = 56, 20, 44, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((float(v) for line in lines for v in line.values), default=0)
    maximum, ticks = axis(peak)
    count = len(days)

    def x_at(index: int) -> float:
        return left + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)

    def y_at(value: Number) -> float:
        return top + plot_h - plot_h * float(value) / maximum

    out = [
        svg_open(
            width=width,
            height=height,
            title=title,
            desc=desc,
            id_prefix=id_prefix,
            css="chart chart-line",
        )
    ]
    # Legend: a short sample of each stroke, then its name.
    x = left
    for line in lines:
        dash = ' stroke-dasharray="6 4"' if line.dashed else ""
        out.append(
            f'<line x1="{x}" y1="18" x2="{x + 28}" y2="18" stroke="{line.color}" '
            f'stroke-width="3"{dash}/>'
        )
        out.append(svg_text(x + 34, 22, line.label))
        x += 34 + text_width(line.label) + 24
    # Grid and y axis.
    for tick in ticks:
        y = y_at(tick)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        out.append(
            svg_text(
                left - 8, y + 4, number_text(tick) + unit, size=SMALL, fill=MUTED, text_anchor="end"
            )
        )
    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        f'stroke="{MUTED}"/>'
    )
    # X labels: at most about eight, always the first and the last day.
    if count:
        step = max(1, math.ceil(count / 8))
        marks = sorted({*range(0, count, step), count - 1})
        if len(marks) > 1 and marks[-1] - marks[-2] < step / 2:
            marks.pop(-2)
        with_year = days[0].year != days[-1].year
        for index in marks:
            day = days[index]
            label = f"{day:%Y-%m-%d}" if with_year else f"{day.month}月{day.day}日"
            anchor = "start" if index == 0 else "end" if index == count - 1 else "middle"
            out.append(
                svg_text(
                    x_at(index),
                    top + plot_h + 18,
                    label,
                    size=SMALL,
                    fill=MUTED,
                    text_anchor=anchor,
                )
            )
    # The lines, with a dot per day when there are few enough to tell apart.
    for line in lines:
        points = " ".join(f"{x_at(i):.1f},{y_at(v):.1f}" for i, v in enumerate(line.values))
        dash = ' stroke-dasharray="6 4"' if line.dashed else ""
        out.append(f'<g class="series" data-label="{svg_escape(line.label)}">')
        if count == 1:
            out.append(
                f'<circle cx="{x_at(0):.1f}" cy="{y_at(line.values[0]):.1f}" r="4" '
                f'fill="{line.color}"/>'
            )
        elif count:
            out.append(
                f'<polyline points="{points}" fill="none" stroke="{line.color}" '
                f'stroke-width="2.5" stroke-linejoin="round"{dash}/>'
            )
        if 1 < count <= 31:
            for index, value in enumerate(line.values):
                out.append(
                    f'<circle cx="{x_at(index):.1f}" cy="{y_at(value):.1f}" r="3" '
                    f'fill="{line.color}"><title>{svg_escape(days[index])} '
                    f"{svg_escape(line.label)} "
                    f"{svg_escape(number_text(value) + unit)}</title></circle>"
                )
        out.append("</g>")
    out.append("</svg>")
    # Safe: every interpolated text above went through svg_escape().
    return mark_safe("".join(out))


def trend_description(*, days: Sequence[datetime.date], lines: Sequence[Line], unit: str) -> str:
    """The line chart in one sentence per line: first and last value, and the highest."""
    if not days:
        return _("所选期间没有数据。")
    parts = [
        _("%(start)s 至 %(end)s，共 %(count)s 天。")
        % {"start": f"{days[0]:%Y-%m-%d}", "end": f"{days[-1]:%Y-%m-%d}", "count": len(days)}
    ]
    for line in lines:
        peak = max(line.values, default=0)
        peak_day = days[list(line.values).index(peak)] if line.values else days[0]
        parts.append(
            _("%(label)s：期初 %(first)s，期末 %(last)s，最高 %(peak)s（%(day)s）。")
            % {
                "label": line.label,
                "first": number_text(line.values[0]) + unit,
                "last": number_text(line.values[-1]) + unit,
                "peak": number_text(peak) + unit,
                "day": f"{peak_day:%Y-%m-%d}",
            }
        )
    return "".join(parts)
