"""The performance and serial-versus-parallel pages, and their CSV/Excel exports."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from departments.performance import (
    clerks,
    exports,
    items,
    month,
    open_cases,
    periods,
    queue,
    serial_parallel,
    tables,
)
from departments.performance import departments as performance_departments
from departments.performance.charts import figures, paths
from departments.performance.forms import PeriodForm
from hall.common.permissions import supervision_required
from hall.platform.replica import reads_from_replica


def _period(request, default: periods.Period) -> tuple[PeriodForm, periods.Period]:
    return PeriodForm.period_from(request.GET, default=default)


def _period_context(form: PeriodForm, period: periods.Period) -> dict:
    return {
        "form": form,
        "period": period,
        "period_query": urlencode(
            {"start": period.start.isoformat(), "end": period.end.isoformat()}
        ),
        "supported": tables.performance_supported(),
    }


@supervision_required
@reads_from_replica
def performance_page(request):
    now = timezone.now()
    month_to_date = periods.month_to_date(timezone.localdate(now))
    form, period = _period(request, month_to_date)
    context = _period_context(form, period)
    if context["supported"]:
        if period == month_to_date:  # the page's opening view: kept by beat
            kept = month.month_figures_kept(now=now)
            departments, trend = kept.departments, kept.trend
            trend_taken_at, figures_taken_at = kept.open_cases_taken_at, kept.taken_at
            clerk_table, item_table, queue_tables = kept.clerks, kept.items, kept.queue
        else:
            departments = performance_departments.department_figures(period=period)
            open_kept = open_cases.open_cases_kept(now=now)
            trend = items.open_overdue_trend(period=period, open_cases=open_kept)
            trend_taken_at, figures_taken_at = open_kept.taken_at, None
            clerk_table = clerks.clerk_figures(period=period)
            item_table = items.item_figures(period=period)
            queue_tables = queue.queue_tables(period=period)
        context.update(
            trend_taken_at=trend_taken_at,
            figures_taken_at=figures_taken_at,
            departments=departments,
            clerks=clerk_table,
            items=item_table,
            trend=trend,
            queue=queue_tables,
            # drawn only when the page draws its figures (not when a kept drawing is shown)
            trend_svg=SimpleLazyObject(lambda: figures.trend_figure(trend.rows)),
            on_time_svg=SimpleLazyObject(lambda: figures.on_time_figure(departments.rows)),
            on_time_rows=[row for row in departments.rows if row["handled"]],
        )
    return render(request, "departments/performance.html", context)


@supervision_required
@reads_from_replica
def serial_parallel_page(request):
    today = timezone.localdate()
    form, period = _period(request, periods.last_30_days(today))
    context = _period_context(form, period)
    if context["supported"]:
        comparisons = serial_parallel.serial_parallel(period=period, today=today)
        story = max(comparisons, key=lambda item: item.departments, default=None)
        context.update(
            comparisons=[
                {
                    "item": item,
                    "svg": paths.item_path_figure(item, id_prefix=f"path-{item.item_id}"),
                }
                for item in comparisons
            ],
            comparison_svg=figures.comparison_figure(comparisons) if comparisons else "",
            table=serial_parallel.serial_parallel_table(comparisons),
            story=story,
            article_svg=(
                figures.article_figure(
                    item_name=story.name,
                    serial=story.promised_serial,
                    parallel=story.promised_parallel,
                )
                if story
                else ""
            ),
        )
    return render(request, "departments/serial_parallel.html", context)


EXPORTS = {
    "departments": lambda period, today: performance_departments.department_figures(period=period),
    "clerks": lambda period, today: clerks.clerk_figures(period=period),
    "items": lambda period, today: items.item_figures(period=period),
    "trend": lambda period, today: items.open_overdue_trend(period=period),
    "queue-categories": lambda period, today: queue.queue_tables(period=period)[0],
    "queue-windows": lambda period, today: queue.queue_tables(period=period)[1],
    "serial-parallel": lambda period, today: serial_parallel.serial_parallel_table(
        serial_parallel.serial_parallel(period=period, today=today)
    ),
}


@supervision_required
@reads_from_replica
def export(request, table: str, fmt: str):
    """Any table of the performance pages as CSV or Excel, for the period in the query string."""
    if table not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise Http404
    if not tables.performance_supported():
        raise Http404
    today = timezone.localdate()
    default = (
        periods.last_30_days(today) if table == "serial-parallel" else periods.month_to_date(today)
    )
    _form, period = _period(request, default)
    data = EXPORTS[table](period, today)
    span = _("%(start)s至%(end)s") % {
        "start": f"{period.start:%Y-%m-%d}",
        "end": f"{period.end:%Y-%m-%d}",
    }
    return exports.table_response(
        data,
        fmt=fmt,
        ascii_name=f"seamless-hall-{table}-{period.slug}",
        name=f"{data.title}-{span}",
        subtitle=span,
    )
