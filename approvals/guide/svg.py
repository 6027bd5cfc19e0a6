"""The picture of an item's approval: stages left to right, parallel steps stacked, as inline SVG.

A pure function of the plan (no database, no templates), so the guide page, a printed notice and a
test all get the same picture. Every text is escaped here; the result is safe to embed as is.
SVG does not wrap text, so lines are broken here by an estimate of the glyph widths (CJK ideographs
are one em wide, Latin letters and digits about 0.6 em).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from approvals.catalogue.plans import StagePlan, StepPlan
from hall.common.svg import FONT, FONT_FAMILY, INK, MUTED, RED, svg_escape, wrap

MARGIN = 16
COLUMN_WIDTH = 300
COLUMN_GAP = 48
MIN_WIDTH = 600
PANEL_PAD = 10
BOX_PAD = 10
BOX_GAP = 12
LINE = 20
TITLE_FONT = 16


@dataclass
class _Line:
    text: str
    size: int = FONT
    weight: str = "normal"
    fill: str = INK


def _text_block(lines: list[_Line], *, x: float, y: float) -> str:
    """Lines of text from top-left (x, y); `y` is the top of the first line box."""
    parts = []
    cursor = y
    for line in lines:
        cursor += LINE
        parts.append(
            f'<text x="{x:.0f}" y="{cursor - 5:.0f}" font-size="{line.size}" '
            f'font-weight="{line.weight}" fill="{line.fill}">{svg_escape(line.text)}</text>'
        )
    return "".join(parts)


def _days_text(days: int) -> str:
    if days == 0:
        return _("当场办结")
    return ngettext("承诺 %(days)s 个工作日", "承诺 %(days)s 个工作日", days) % {"days": days}


def _step_lines(step: StepPlan, inner: float) -> list[_Line]:
    lines: list[_Line] = []
    if step.is_lead:
        lines.append(_Line(_("★ 牵头部门"), size=13, weight="bold", fill=RED))
    for part in wrap(step.department.name, width=inner, font_size=FONT + 1):
        lines.append(_Line(part, size=FONT + 1, weight="bold"))
    for part in wrap(step.name, width=inner):
        lines.append(_Line(part, fill=MUTED))
    lines.append(
        _Line(_days_text(step.promised_days), weight="bold", fill=RED if step.is_lead else INK)
    )
    if not step.deemed_approval and step.promised_days:
        lines.append(_Line(_("不适用超时默许"), size=13, fill=MUTED))
    return lines


def _stage_lines(stage: StagePlan, inner: float, *, numbered: bool) -> list[_Line]:
    if numbered:
        heading = _("第%(number)s阶段 %(name)s") % {"number": stage.number, "name": stage.name}
    else:
        heading = stage.name
    lines = [
        _Line(part, size=TITLE_FONT, weight="bold", fill=RED)
        for part in wrap(heading, width=inner, font_size=TITLE_FONT)
    ]
    if stage.lead_department is not None:
        lead = _("牵头：%(department)s") % {"department": stage.lead_department.name}
        lines += [_Line(part) for part in wrap(lead, width=inner)]
    if len(stage.steps) > 1:
        summary = _("%(count)s 个部门并联，%(days)s 个工作日") % {
            "count": len(stage.steps),
            "days": stage.promised_days,
        }
    else:
        summary = (
            ngettext("%(days)s 个工作日", "%(days)s 个工作日", stage.promised_days)
            % {"days": stage.promised_days}
            if stage.promised_days
            else ""
        )
    if summary:
        lines += [_Line(part, weight="bold") for part in wrap(summary, width=inner)]
    return lines


def plan_description(plan: Sequence[StagePlan]) -> str:
    """The whole picture in one paragraph of text, for screen readers and as the SVG's desc."""
    departments = {step.department.pk for stage in plan for step in stage.steps}
    steps = sum(len(stage.steps) for stage in plan)
    parts = [
        _("共 %(stages)s 个阶段、%(steps)s 个审批环节、%(departments)s 个部门。")
        % {"stages": len(plan), "steps": steps, "departments": len(departments)}
    ]
    for stage in plan:
        step_texts = "；".join(
            _("%(department)s：%(name)s，%(days)s")
            % {
                "department": step.department.name + (_("（牵头）") if step.is_lead else ""),
                "name": step.name,
                "days": _days_text(step.promised_days),
            }
            for step in stage.steps
        )
        parts.append(
            _("第%(number)s阶段 %(name)s（%(days)s 个工作日）：%(steps)s。")
            % {
                "number": stage.number,
                "name": stage.name,
                "days": stage.promised_days,
                "steps": step_texts,
            }
        )
    return "".join(parts)


def stage_plan_svg(
    plan: Sequence[StagePlan],
    *,
    title: str,
    description: str | None = None,
    id_prefix: str = "plan",
) -> SafeString:
    """An accessible SVG of `plan`: one column per stage, the stage's steps stacked in it.

    Each step box shows the department, the step and its promised working days; the stage's lead
    department is drawn with a red border and a star; a dashed border marks a step without deemed
    approval on timeout. Totals (parallel against serial) are written under the columns.
    """
    inner = COLUMN_WIDTH - 2 * PANEL_PAD - 2 * BOX_PAD
    columns = max(len(plan), 1)
    numbered = len(plan) > 1
    headers = [
        _stage_lines(stage, COLUMN_WIDTH - 2 * PANEL_PAD, numbered=numbered) for stage in plan
    ]
    header_height = max((len(lines) for lines in headers), default=1) * LINE + 8
    boxes = [[_step_lines(step, inner) for step in stage.steps] for stage in plan]
    column_heights = [
        sum(len(lines) * LINE + 2 * BOX_PAD for lines in stage_boxes)
        + BOX_GAP * max(len(stage_boxes) - 1, 0)
        for stage_boxes in boxes
    ]
    body_height = max(column_heights, default=LINE)
    panel_height = PANEL_PAD + header_height + body_height + PANEL_PAD
    columns_width = MARGIN * 2 + columns * COLUMN_WIDTH + (columns - 1) * COLUMN_GAP
    # Wide enough for the totals and legend under a single column.
    width = max(columns_width, MIN_WIDTH)

    parallel = sum(stage.promised_days for stage in plan)
    serial = sum(step.promised_days for stage in plan for step in stage.steps)
    if serial == 0:
        totals = [_("即来即办，当场办结。")]
    elif serial == parallel:
        totals = [_("合计 %(days)s 个工作日。") % {"days": parallel}]
    elif len(plan) == 1:
        totals = [
            _("各部门同时办理：%(days)s 个工作日（以最长的环节为准）") % {"days": parallel},
            _("若逐个部门依次办理需 %(days)s 个工作日（全部环节之和）") % {"days": serial},
        ]
    else:
        totals = [
            _("并联办理合计 %(days)s 个工作日（各阶段最长环节之和）") % {"days": parallel},
            _("若逐个部门串联办理需 %(days)s 个工作日（全部环节之和）") % {"days": serial},
        ]
    steps = [step for stage in plan for step in stage.steps]
    legend_parts = []
    if any(step.is_lead for step in steps):
        legend_parts.append(_("红框★为阶段牵头部门"))
    if any(not step.deemed_approval and step.promised_days for step in steps):
        legend_parts.append(_("虚线框为不适用超时默许的环节"))
    legend = _("图例：%(parts)s。") % {"parts": "；".join(legend_parts)} if legend_parts else ""
    text_width = width - 2 * MARGIN
    footer_lines = [
        _Line(part, weight="bold") for text in totals for part in wrap(text, width=text_width)
    ]
    if legend:
        footer_lines += [
            _Line(part, size=13, fill=MUTED)
            for part in wrap(legend, width=text_width, font_size=13)
        ]
    top = MARGIN
    footer_top = top + panel_height + 12
    height = footer_top + len(footer_lines) * LINE + MARGIN

    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    desc = description if description is not None else plan_description(plan)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="stage-plan-svg" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{svg_escape(title_id)} {svg_escape(desc_id)}" '
        f'font-family="{svg_escape(FONT_FAMILY)}">',
        f'<title id="{svg_escape(title_id)}">{svg_escape(title)}</title>',
        f'<desc id="{svg_escape(desc_id)}">{svg_escape(desc)}</desc>',
        "<defs>"
        f'<marker id="{svg_escape(id_prefix)}-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{MUTED}"/></marker>'
        "</defs>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for index, stage in enumerate(plan):
        x = MARGIN + index * (COLUMN_WIDTH + COLUMN_GAP)
        out.append(f'<g class="stage" data-stage="{stage.number}">')
        out.append(
            f'<rect x="{x}" y="{top}" width="{COLUMN_WIDTH}" height="{panel_height}" rx="8" '
            'fill="#f4f5f7" stroke="#c3c9d1"/>'
        )
        out.append(_text_block(headers[index], x=x + PANEL_PAD, y=top + PANEL_PAD - 4))
        y = top + PANEL_PAD + header_height
        for step, lines in zip(stage.steps, boxes[index], strict=True):
            box_height = len(lines) * LINE + 2 * BOX_PAD
            stroke = RED if step.is_lead else MUTED
            stroke_width = 3 if step.is_lead else 1.5
            dash = (
                "" if step.deemed_approval or not step.promised_days else ' stroke-dasharray="6 4"'
            )
            tooltip = f"{step.department.name}：{step.name}，{_days_text(step.promised_days)}"
            out.append(
                f'<g class="step{" lead" if step.is_lead else ""}">'
                f"<title>{svg_escape(tooltip)}</title>"
                f'<rect x="{x + PANEL_PAD}" y="{y}" width="{COLUMN_WIDTH - 2 * PANEL_PAD}" '
                f'height="{box_height}" rx="6" fill="#ffffff" stroke="{stroke}" '
                f'stroke-width="{stroke_width}"{dash}/>'
                + _text_block(lines, x=x + PANEL_PAD + BOX_PAD, y=y + BOX_PAD)
                + "</g>"
            )
            y += box_height + BOX_GAP
        out.append("</g>")
        if index < len(plan) - 1:
            arrow_y = top + panel_height / 2
            x1, x2 = x + COLUMN_WIDTH + 4, x + COLUMN_WIDTH + COLUMN_GAP - 4
            out.append(
                f'<line x1="{x1}" y1="{arrow_y:.0f}" x2="{x2}" y2="{arrow_y:.0f}" '
                f'stroke="{MUTED}" stroke-width="2" '
                f'marker-end="url(#{svg_escape(id_prefix)}-arrow)"/>'
            )
    out.append(_text_block(footer_lines, x=MARGIN, y=footer_top))
    out.append("</svg>")
    # Safe: every interpolated text above went through svg_escape().
    return mark_safe("".join(out))
