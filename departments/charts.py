"""Supervision charts as inline SVG, drawn on the server (no JavaScript, no CDN).

Pure functions of their data, in the style of `approvals.guide_svg`: the same fonts and colours,
every text escaped here, the result safe to embed. Each chart is `role="img"` with a `<title>`
and a `<desc>` that says in words what the picture shows; the page puts a data table next to it.
Series differ by more than colour (a dashed line, hatched bars) and every bar carries its value
as text, so nothing depends on telling colours apart.
"""

from __future__ import annotations

import datetime
import html
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from approvals.guide_svg import FONT_FAMILY, INK, MUTED, RED, wrap

BLUE = "#1f4e9a"  # 8.6:1 against white
GREY = "#5b6470"  # 6.1:1 against white
GRID = "#dde1e6"
FONT = 13
SMALL = 12

Number = int | float | Decimal


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _text_width(text: str, size: float = FONT) -> float:
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


def _ticks(maximum: float, count: int = 4) -> list[float]:
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


def _open(*, width: int, height: int, title: str, desc: str, id_prefix: str, css: str) -> str:
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{_e(css)}" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{_e(title_id)} {_e(desc_id)}" font-family="{_e(FONT_FAMILY)}">'
        f'<title id="{_e(title_id)}">{_e(title)}</title>'
        f'<desc id="{_e(desc_id)}">{_e(desc)}</desc>'
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>'
    )


def _text(x: float, y: float, text: str, *, size: int = FONT, fill: str = INK, **attrs) -> str:
    extra = "".join(f' {key.replace("_", "-")}="{_e(value)}"' for key, value in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}"{extra}>{_e(text)}</text>'
    )


# --- line chart: open and overdue cases per day -----------------------------------------------


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
        _open(
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
        out.append(_text(x + 34, 22, line.label))
        x += 34 + _text_width(line.label) + 24
    # Grid and y axis.
    for tick in ticks:
        y = y_at(tick)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        out.append(
            _text(
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
                _text(
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
        out.append(f'<g class="series" data-label="{_e(line.label)}">')
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
                    f'fill="{line.color}"><title>{_e(days[index])} {_e(line.label)} '
                    f"{_e(number_text(value) + unit)}</title></circle>"
                )
        out.append("</g>")
    out.append("</svg>")
    # Safe: every interpolated text above went through _e().
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


# --- horizontal bars, single or grouped -------------------------------------------------------


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
    label_lines = [_wrap(group.label, 190) for group in groups]
    label_w = min(
        210, max((_text_width(line) for lines in label_lines for line in lines), default=40) + 16
    )
    value_w = max(
        (_text_width(number_text(v) + unit) for g in groups for v in g.values if v is not None),
        default=20,
    )
    value_w = max(value_w, _text_width(_("无数据"))) + 14
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
        top_value, ticks = float(maximum), _ticks(float(maximum))
    else:
        top_value, ticks = axis(peak)

    def x_of(value: Number) -> float:
        return left + plot_w * min(float(value), top_value) / top_value

    out = [
        _open(
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
            f'<pattern id="{_e(id_prefix)}-hatch-{index}" width="6" height="6" '
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
        return f"url(#{_e(id_prefix)}-hatch-{index})" if s.hatched else s.color

    if len(series) > 1:
        x = 8
        for index, s in enumerate(series):
            out.append(
                f'<rect x="{x}" y="10" width="18" height="14" fill="{fill(index)}" '
                f'stroke="{s.color}"/>'
            )
            out.append(_text(x + 24, 22, s.label))
            x += 24 + _text_width(s.label) + 22
    for tick in ticks:
        x = x_of(tick)
        out.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="{GRID}"/>'
        )
        out.append(
            _text(
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
        out.append(f'<g class="bar-group" data-label="{_e(group.label)}">')
        label_top = y + (height_of_group - len(lines) * 16) / 2
        for number, line in enumerate(lines):
            out.append(_text(left - 8, label_top + 12 + number * 16, line, text_anchor="end"))
        bars_top = (
            y + (height_of_group - (bars_per_group * bar_h + (bars_per_group - 1) * bar_gap)) / 2
        )
        for index, value in enumerate(group.values):
            bar_y = bars_top + index * (bar_h + bar_gap)
            label = series[index].label
            if value is None:
                out.append(_text(left + 6, bar_y + 15, _("无数据"), size=SMALL, fill=MUTED))
                continue
            end = x_of(value)
            text = number_text(value) + unit
            out.append(
                f'<rect class="bar" x="{left}" y="{bar_y:.1f}" width="{max(end - left, 0):.1f}" '
                f'height="{bar_h}" fill="{fill(index)}" stroke="{series[index].color}">'
                f"<title>{_e(group.label)} {_e(label)} {_e(text)}</title></rect>"
            )
            out.append(_text(end + 6, bar_y + 15, text, font_weight="bold"))
        out.append("</g>")
        y += height_of_group + group_gap
    out.append("</svg>")
    # Safe: every interpolated text above went through _e().
    return mark_safe("".join(out))


def _wrap(text: str, width: float) -> list[str]:
    """Break a label into at most two lines; the second is cut with an ellipsis."""
    lines, line = [], ""
    for ch in text:
        if line and _text_width(line + ch) > width:
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


# --- the supervision pages' figures -----------------------------------------------------------
# Built from the rows the database computed (departments.performance); no figure is computed here.


def trend_figure(rows: Sequence[dict], *, id_prefix: str = "trend") -> SafeString:
    """在办 and 超期 per day (rows of `performance.open_overdue_trend`)."""
    days = [row["day"] for row in rows]
    lines = [
        Line(_("在办"), tuple(row["open"] for row in rows), color=BLUE),
        Line(_("超过承诺办结日期"), tuple(row["overdue"] for row in rows), color=RED, dashed=True),
    ]
    unit = _("件")
    return line_chart(
        days=days,
        lines=lines,
        title=_("每日在办与超期办件"),
        desc=trend_description(days=days, lines=lines, unit=unit),
        id_prefix=id_prefix,
    )


def on_time_figure(rows: Sequence[dict], *, id_prefix: str = "on-time") -> SafeString:
    """按时率 per department with decisions in the period (rows of `department_figures`)."""
    rated = [row for row in rows if row["handled"]]
    groups = [BarGroup(row["department"], (row["on_time_rate"],)) for row in rated]
    series = [Series(_("按时率"), BLUE)]
    intro = (
        _("各部门本期按时作出审查意见的比例（按时件数 ÷ 办结环节数）。")
        if groups
        else _("本期没有部门作出审查意见。")
    )
    return bar_chart(
        groups=groups,
        series=series,
        title=_("各部门按时率"),
        desc=bars_description(groups=groups, series=series, unit="%", intro=intro),
        id_prefix=id_prefix,
        unit="%",
        maximum=100,
    )


def comparison_series() -> list[Series]:
    return [
        Series(_("串联·承诺"), GREY),
        Series(_("并联·承诺"), RED),
        Series(_("串联·实际"), GREY, hatched=True),
        Series(_("并联·实际"), RED, hatched=True),
    ]


def comparison_figure(comparisons: Sequence, *, id_prefix: str = "comparison") -> SafeString:
    """Every multi-department item: serial against parallel, promised and real (hatched), in
    working days (`performance.ItemComparison` rows)."""
    series = comparison_series()
    groups = [
        BarGroup(
            item.name,
            (item.promised_serial, item.promised_parallel, item.real_serial, item.real_parallel),
        )
        for item in comparisons
    ]
    unit = _("天")
    intro = _(
        "单位为工作日。串联为全部环节依次办理之和，并联为各阶段最长环节之和；"
        "实际为已办结办件各环节用时中位数。"
    )
    return bar_chart(
        groups=groups,
        series=series,
        title=_("串联与并联审批时长对比"),
        desc=bars_description(groups=groups, series=series, unit=unit, intro=intro),
        id_prefix=id_prefix,
        unit=unit,
    )


def article_figure(
    *, item_name: str, serial: int, parallel: int, id_prefix: str = "article"
) -> SafeString:
    """The source article's 967 working days in series beside the national target and an item's
    promised serial and parallel days."""
    groups = [
        BarGroup(_("文章所述 11 个部门串联"), (967,)),
        BarGroup(_("本事项串联（承诺）"), (serial,)),
        BarGroup(_("国家目标（全流程）"), (120,)),
        BarGroup(_("本事项并联（承诺）"), (parallel,)),
    ]
    series = [Series(_("工作日"), GREY)]
    unit = _("天")
    return bar_chart(
        groups=groups,
        series=series,
        title=_("从 967 个工作日到并联审批"),
        desc=bars_description(
            groups=groups,
            series=series,
            unit=unit,
            intro=_("单位为工作日（一年约 251 个工作日）；本事项为%(item)s。")
            % {"item": item_name},
        ),
        id_prefix=id_prefix,
        unit=unit,
        width=600,
    )


# --- the critical path of one item --------------------------------------------------------------

SEGMENT_FILLS = ("#e4e7eb", "#c9ced6")
BOTTLENECK_FILL = "#f6d5d4"


@dataclass(frozen=True)
class Segment:
    label: str
    days: Number
    bottleneck: bool = False
    tooltip: str = ""


@dataclass(frozen=True)
class PathRow:
    label: str
    segments: tuple[Segment, ...] | None  # None: no data
    total: Number | None
    caption: str = ""  # a line under the row (the bottlenecks of a parallel row)


def critical_path_chart(
    *, rows: Sequence[PathRow], title: str, desc: str, id_prefix: str, width: int = 960
) -> SafeString:
    """Rows of end-to-end segments on one working-day scale: the steps one after another, or the
    stages one after another with their longest step (the bottleneck, drawn red-bordered and
    named). A segment's label is written inside when it fits; the tooltip and the data table
    next to the chart carry every one."""
    label_w, right, top, row_h, gap, caption_h = 150, 120, 10, 44, 16, 18
    plot_w = width - label_w - right
    longest = max((float(row.total) for row in rows if row.total is not None), default=1) or 1
    captions = [
        wrap(row.caption, width=plot_w, font_size=SMALL) if row.caption and row.segments else []
        for row in rows
    ]
    height = top + len(rows) * (row_h + gap) + caption_h * sum(map(len, captions)) + 30

    def w_of(days: Number) -> float:
        return plot_w * float(days) / longest

    out = [
        _open(
            width=width,
            height=height,
            title=title,
            desc=desc,
            id_prefix=id_prefix,
            css="chart chart-path",
        )
    ]
    y = top
    for row, caption in zip(rows, captions, strict=True):
        lines = _wrap(row.label, label_w - 12)
        for number, line in enumerate(lines):
            out.append(
                _text(
                    label_w - 10,
                    y + row_h / 2 + 5 - (len(lines) - 1) * 8 + number * 16,
                    line,
                    text_anchor="end",
                    font_weight="bold",
                )
            )
        if row.segments is None:
            out.append(_text(label_w + 6, y + row_h / 2 + 5, _("无数据"), fill=MUTED))
            y += row_h + gap
            continue
        x = float(label_w)
        out.append(f'<g class="path-row" data-label="{_e(row.label)}">')
        for index, segment in enumerate(row.segments):
            seg_w = w_of(segment.days)
            fill = BOTTLENECK_FILL if segment.bottleneck else SEGMENT_FILLS[index % 2]
            stroke = RED if segment.bottleneck else "#ffffff"
            stroke_w = 2 if segment.bottleneck else 1
            tooltip = segment.tooltip or f"{segment.label} {number_text(segment.days)}"
            out.append(
                f'<rect class="segment{" bottleneck" if segment.bottleneck else ""}" '
                f'x="{x:.1f}" y="{y}" width="{max(seg_w, 0):.1f}" height="{row_h}" '
                f'fill="{fill}" stroke="{stroke}" stroke-width="{stroke_w}">'
                f"<title>{_e(tooltip)}</title></rect>"
            )
            name = segment.label
            days_text = number_text(segment.days)
            if seg_w >= _text_width(name, SMALL) + 8:
                out.append(_text(x + 4, y + 18, name, size=SMALL))
                if seg_w >= _text_width(days_text, SMALL) + 8:
                    out.append(_text(x + 4, y + 35, days_text, size=SMALL, fill=MUTED))
            elif seg_w >= _text_width(days_text, SMALL) + 6:
                out.append(_text(x + 3, y + 27, days_text, size=SMALL, fill=MUTED))
            x += seg_w
        out.append("</g>")
        total = number_text(row.total) + _("个工作日")
        out.append(_text(x + 8, y + row_h / 2 + 5, total, font_weight="bold"))
        for line in caption:
            y += caption_h
            out.append(_text(label_w, y + row_h, line, size=SMALL, fill=RED))
        y += row_h + gap
    # The scale under the rows.
    axis_y = y - gap + 8
    out.append(
        f'<line x1="{label_w}" y1="{axis_y}" x2="{label_w + plot_w}" y2="{axis_y}" '
        f'stroke="{MUTED}"/>'
    )
    for tick in _ticks(nice_ceiling(longest), 5):
        if tick > longest:
            break
        x = label_w + w_of(tick)
        out.append(
            f'<line x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 5}" stroke="{MUTED}"/>'
        )
        out.append(
            _text(x, axis_y + 18, number_text(tick), size=SMALL, fill=MUTED, text_anchor="middle")
        )
    out.append("</svg>")
    # Safe: every interpolated text above went through _e().
    return mark_safe("".join(out))


def item_path_figure(item, *, id_prefix: str) -> SafeString:
    """The critical path of one item (`performance.ItemComparison`): its steps in series against
    its stages in parallel, from the promised limits and from the real medians."""
    steps = [step for stage in item.stages for step in stage.steps]

    def stage_label(stage, department: str) -> str:
        return _("第%(number)s阶段·%(department)s") % {
            "number": stage.number,
            "department": department,
        }

    promised_serial = tuple(
        Segment(
            step.department,
            step.promised_days,
            tooltip=f"{step.department}：{step.step_name} {step.promised_days}",
        )
        for step in steps
    )
    promised_parallel = tuple(
        Segment(
            stage_label(stage, _bottleneck(stage, real=False)),
            stage.promised_days,
            bottleneck=True,
            tooltip=_("第%(number)s阶段 %(name)s：瓶颈 %(department)s %(days)s 个工作日")
            % {
                "number": stage.number,
                "name": stage.name,
                "department": _bottleneck(stage, real=False),
                "days": stage.promised_days,
            },
        )
        for stage in item.stages
    )
    has_real = item.real_serial is not None
    real_serial = (
        tuple(Segment(step.department, step.real_median) for step in steps) if has_real else None
    )
    real_parallel = (
        tuple(
            Segment(
                stage_label(stage, _bottleneck(stage, real=True)),
                stage.real_days,
                bottleneck=True,
            )
            for stage in item.stages
        )
        if has_real
        else None
    )
    rows = [
        PathRow(_("串联（承诺）"), promised_serial, item.promised_serial),
        PathRow(
            _("并联（承诺）"),
            promised_parallel,
            item.promised_parallel,
            caption=_bottleneck_caption(item, real=False),
        ),
        PathRow(_("串联（实际中位数）"), real_serial, item.real_serial),
        PathRow(
            _("并联（实际中位数）"),
            real_parallel,
            item.real_parallel,
            caption=_bottleneck_caption(item, real=True) if has_real else "",
        ),
    ]
    stages_text = "；".join(
        _("第%(number)s阶段瓶颈：%(department)s（承诺 %(days)s 天）")
        % {
            "number": stage.number,
            "department": _bottleneck(stage, real=False),
            "days": stage.promised_days,
        }
        for stage in item.stages
    )
    desc = _(
        "%(item)s共 %(departments)s 个部门、%(steps)s 个审批环节。"
        "逐个部门串联办理需 %(serial)s 个工作日，按阶段并联办理需 %(parallel)s 个工作日。"
        "%(stages)s。"
    ) % {
        "item": item.name,
        "departments": item.departments,
        "steps": item.steps,
        "serial": item.promised_serial,
        "parallel": item.promised_parallel,
        "stages": stages_text,
    }
    if has_real:
        desc += _(
            "实际（%(cases)s 件已办结）：串联 %(serial)s 个工作日，并联 %(parallel)s 个工作日。"
        ) % {
            "cases": item.real_cases,
            "serial": number_text(item.real_serial),
            "parallel": number_text(item.real_parallel),
        }
    else:
        desc += _("所选期间已办结的办件不足以计算实际用时。")
    return critical_path_chart(
        rows=rows,
        title=_("关键路径：%(item)s") % {"item": item.name},
        desc=desc,
        id_prefix=id_prefix,
    )


def _bottleneck(stage, *, real: bool) -> str:
    """The stage's bottleneck department(s): the longest promised limit, or real median."""
    names = [
        step.department
        for step in stage.steps
        if (step.real_bottleneck if real else step.promised_bottleneck)
    ]
    return "、".join(names) or "—"


def _bottleneck_caption(item, *, real: bool) -> str:
    parts = [
        _("第%(number)s阶段 %(department)s %(days)s天")
        % {
            "number": stage.number,
            "department": _bottleneck(stage, real=real),
            "days": number_text(stage.real_days if real else stage.promised_days),
        }
        for stage in item.stages
    ]
    return _("瓶颈：%(stages)s") % {"stages": " → ".join(parts)}
