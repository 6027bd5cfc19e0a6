"""The figures of the supervision pages, each a chart and its description."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from departments.performance.charts.bars import BarGroup, Series, bar_chart, bars_description
from departments.performance.charts.base import BLUE, GREY
from departments.performance.charts.lines import Line, line_chart, trend_description
from hall.common.svg import RED


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
