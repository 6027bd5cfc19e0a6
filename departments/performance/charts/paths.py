"""The critical path of one item as a Gantt-like chart, bottleneck marked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from departments.performance.charts.bars import text_wrap
from departments.performance.charts.base import (
    SMALL,
    Number,
    axis_ticks,
    nice_ceiling,
    number_text,
    svg_escape,
    svg_open,
    svg_text,
    text_width,
)
from hall.common.svg import MUTED, RED, wrap

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
        svg_open(
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
        lines = text_wrap(row.label, label_w - 12)
        for number, line in enumerate(lines):
            out.append(
                svg_text(
                    label_w - 10,
                    y + row_h / 2 + 5 - (len(lines) - 1) * 8 + number * 16,
                    line,
                    text_anchor="end",
                    font_weight="bold",
                )
            )
        if row.segments is None:
            out.append(svg_text(label_w + 6, y + row_h / 2 + 5, _("无数据"), fill=MUTED))
            y += row_h + gap
            continue
        x = float(label_w)
        out.append(f'<g class="path-row" data-label="{svg_escape(row.label)}">')
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
                f"<title>{svg_escape(tooltip)}</title></rect>"
            )
            name = segment.label
            days_text = number_text(segment.days)
            if seg_w >= text_width(name, SMALL) + 8:
                out.append(svg_text(x + 4, y + 18, name, size=SMALL))
                if seg_w >= text_width(days_text, SMALL) + 8:
                    out.append(svg_text(x + 4, y + 35, days_text, size=SMALL, fill=MUTED))
            elif seg_w >= text_width(days_text, SMALL) + 6:
                out.append(svg_text(x + 3, y + 27, days_text, size=SMALL, fill=MUTED))
            x += seg_w
        out.append("</g>")
        total = number_text(row.total) + _("个工作日")
        out.append(svg_text(x + 8, y + row_h / 2 + 5, total, font_weight="bold"))
        for line in caption:
            y += caption_h
            out.append(svg_text(label_w, y + row_h, line, size=SMALL, fill=RED))
        y += row_h + gap
    # The scale under the rows.
    axis_y = y - gap + 8
    out.append(
        f'<line x1="{label_w}" y1="{axis_y}" x2="{label_w + plot_w}" y2="{axis_y}" '
        f'stroke="{MUTED}"/>'
    )
    for tick in axis_ticks(nice_ceiling(longest), 5):
        if tick > longest:
            break
        x = label_w + w_of(tick)
        out.append(
            f'<line x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 5}" stroke="{MUTED}"/>'
        )
        out.append(
            svg_text(
                x, axis_y + 18, number_text(tick), size=SMALL, fill=MUTED, text_anchor="middle"
            )
        )
    out.append("</svg>")
    # Safe: every interpolated text above went through svg_escape().
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
