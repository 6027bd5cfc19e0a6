"""Horizontal bar charts, single or grouped, with their text descriptions."""

from __future__ import annotations

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
    axis_ticks,
    number_text,
    svg_escape,
    svg_open,
    svg_text,
    text_width,
)
from hall.common.svg import MUTED


@dataclass(frozen=True)
class Series:
    label: str
    color: str = BLUE
    hatched: bool = False


@dataclass(frozen=True)
class BarGroup:
    label: str
    values: tuple[Number | None, ...]


def bar_chart(
    *,
    groups: Sequence[BarGroup],
    series: Sequence[Series],
    title: str,
    desc: str,
    id_prefix: str,
    unit: str = "",
    maximum: Number | None = None,
    width: int = 760,
) -> SafeString:
    """Horizontal bars: one row of bars per group, one bar per series, the value written at its
    end ("无数据" when None). The legend is drawn only for more than one series."""
    bar_h, bar_gap, group_gap = 20, 4, 14
    label_lines = [text_wrap(group.label, 190) for group in groups]
    label_w = min(
        210, max((text_width(line) for lines in label_lines for line in lines), default=40) + 16
    )
    value_w = max(
        (text_width(number_text(v) + unit) for g in groups for v in g.values if v is not None),
        default=20,
    )
    value_w = max(value_w, text_width(_("无数据"))) + 14
    left, right = label_w, value_w + 8
    top = 40 if len(series) > 1 else 12
    plot_w = width - left - right
    bars_per_group = len(series)
    group_h = [
        max(bars_per_group * bar_h + (bars_per_group - 1) * bar_gap, len(lines) * 16)
        for lines in label_lines
    ]
    plot_h = sum(group_h) + group_gap * max(len(groups) - 1, 0)
    height = top + plot_h + 34
    peak = max((float(v) for g in groups for v in g.values if v is not None), default=0)
    if maximum is not None:
        top_value, ticks = float(maximum), axis_ticks(float(maximum))
    else:
        top_value, ticks = axis(peak)

    def x_of(value: Number) -> float:
        return left + plot_w * min(float(value), top_value) / top_value

    out = [
        svg_open(
            width=width,
            height=height,
            title=title,
            desc=desc,
            id_prefix=id_prefix,
            css="chart chart-bar",
        )
    ]
    out.append(
        "<defs>"
        + "".join(
            f'<pattern id="{svg_escape(id_prefix)}-hatch-{index}" width="6" height="6" '
            f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            f'<rect width="6" height="6" fill="{s.color}"/>'
            f'<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2.5"/></pattern>'
            for index, s in enumerate(series)
            if s.hatched
        )
        + "</defs>"
    )

    def fill(index: int) -> str:
        s = series[index]
        return f"url(#{svg_escape(id_prefix)}-hatch-{index})" if s.hatched else s.color

    if len(series) > 1:
        x = 8
        for index, s in enumerate(series):
            out.append(
                f'<rect x="{x}" y="10" width="18" height="14" fill="{fill(index)}" '
                f'stroke="{s.color}"/>'
            )
            out.append(svg_text(x + 24, 22, s.label))
            x += 24 + text_width(s.label) + 22
    for tick in ticks:
        x = x_of(tick)
        out.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="{GRID}"/>'
        )
        out.append(
            svg_text(
                x,
                top + plot_h + 18,
                number_text(tick) + unit,
                size=SMALL,
                fill=MUTED,
                text_anchor="middle",
            )
        )
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="{MUTED}"/>')
    y = top
    for group, lines, height_of_group in zip(groups, label_lines, group_h, strict=True):
        out.append(f'<g class="bar-group" data-label="{svg_escape(group.label)}">')
        label_top = y + (height_of_group - len(lines) * 16) / 2
        for number, line in enumerate(lines):
            out.append(svg_text(left - 8, label_top + 12 + number * 16, line, text_anchor="end"))
        bars_top = (
            y + (height_of_group - (bars_per_group * bar_h + (bars_per_group - 1) * bar_gap)) / 2
        )
        for index, value in enumerate(group.values):
            bar_y = bars_top + index * (bar_h + bar_gap)
            label = series[index].label
            if value is None:
                out.append(svg_text(left + 6, bar_y + 15, _("无数据"), size=SMALL, fill=MUTED))
                continue
            end = x_of(value)
            text = number_text(value) + unit
            out.append(
                f'<rect class="bar" x="{left}" y="{bar_y:.1f}" width="{max(end - left, 0):.1f}" '
                f'height="{bar_h}" fill="{fill(index)}" stroke="{series[index].color}">'
                f"<title>{svg_escape(group.label)} {svg_escape(label)} "
                f"{svg_escape(text)}</title></rect>"
            )
            out.append(svg_text(end + 6, bar_y + 15, text, font_weight="bold"))
        out.append("</g>")
        y += height_of_group + group_gap
    out.append("</svg>")
    # Safe: every interpolated text above went through svg_escape().
    return mark_safe("".join(out))


def text_wrap(text: str, width: float) -> list[str]:
    """Break a label into at most two lines; the second is cut with an ellipsis."""
    lines, line = [], ""
    for ch in text:
        if line and text_width(line + ch) > width:
            lines.append(line)
            line = ch
        else:
            line += ch
    if line:
        lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], lines[1][:-1] + "…"]
    return lines or [""]


def bars_description(
    *, groups: Sequence[BarGroup], series: Sequence[Series], unit: str, intro: str = ""
) -> str:
    """Every value of a bar chart as text, group by group."""
    parts = [intro] if intro else []
    for group in groups:
        values = "，".join(
            (f"{s.label} " if len(series) > 1 else "")
            + (number_text(value) + unit if value is not None else _("无数据"))
            for s, value in zip(series, group.values, strict=True)
        )
        parts.append(f"{group.label}：{values}。")
    return "".join(parts)
