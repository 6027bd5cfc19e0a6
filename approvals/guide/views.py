"""Public service guide (办事指南, 行政许可法 Art. 30): catalogue, item and bundle pages. No login.

`?kiosk=1` (or /guide/kiosk/) renders the same pages for the hall's touch kiosks: large type and
large targets. Views only parse the request, call selectors and render.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from approvals.catalogue.plans import (
    StagePlan,
    StagePlans,
    StepPlan,
    bundle_stage_plan,
    item_stage_plan,
)
from approvals.catalogue.selectors import (
    bundle_current_items,
    bundle_savings,
    bundles_with_current_items,
    item_current_by_code,
    item_versions,
    items_current,
    items_search,
    material_condition_text,
)
from approvals.guide.svg import plan_description, stage_plan_svg
from approvals.models import Bundle, ServiceItem
from hall.cases.selectors import ELDER_SHORT_LIST, items_most_filed
from hall.platform.guard import int_or_none
from hall.platform.sessions import elder_mode_on

MAX_QUERY_LENGTH = 100


def _is_kiosk(request: HttpRequest, kiosk: bool = False) -> bool:
    return kiosk or request.GET.get("kiosk") == "1"


@require_GET
def catalogue(request: HttpRequest, kiosk: bool = False) -> HttpResponse:
    """The catalogue grouped by queue category, with the bundles; `?q=` searches. In 长辈版 it
    opens on the few services filed most, with the whole catalogue one link away (`?all=1`)."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    items = items_search(query=query) if query else items_current()
    items = list(items.select_related("lead_department").order_by("queue_category", "code"))
    if elder_mode_on(request) and not query and request.GET.get("all") != "1":
        return render(
            request,
            "approvals/guide/catalogue_short.html",
            {
                "kiosk": _is_kiosk(request, kiosk),
                "items": items_most_filed(
                    items, today=timezone.localdate(), limit=ELDER_SHORT_LIST
                ),
                "item_count": len(items),
            },
        )
    groups = []
    for value, label in ServiceItem.QueueCategory.choices:
        group = [item for item in items if item.queue_category == value]
        if group:
            groups.append({"value": value, "label": label, "items": group})
    bundles = [
        {"bundle": bundle, "items": bundle_items}
        for bundle, bundle_items in bundles_with_current_items(query=query)
    ]
    return render(
        request,
        "approvals/guide/catalogue.html",
        {
            "kiosk": _is_kiosk(request, kiosk),
            "query": query,
            "groups": groups,
            "item_count": len(items),
            "bundles": bundles,
        },
    )


def _on_the_spot_plan(item: ServiceItem) -> StagePlans:
    """An item without stages is handled by its lead department at the window."""
    step = StepPlan(
        department=item.lead_department,
        name=_("窗口受理，当场审核办结"),
        promised_days=item.promised_days,
        deemed_approval=True,
        is_lead=True,
    )
    stage = StagePlan(
        number=1, name=_("受理即办"), lead_department=item.lead_department, steps=(step,)
    )
    return StagePlans([stage], serial=item.serial)


@require_GET
def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One item's guide: the version in force today, or `?version=N`."""
    version = request.GET.get("version", "")
    if version:
        number = int_or_none(version)
        if number is None:
            raise Http404(_("版本号无效。"))
        item = get_object_or_404(
            ServiceItem.objects.select_related("lead_department"), code=code, version=number
        )
    else:
        item = item_current_by_code(code=code)
        if item is None:
            raise Http404(_("没有现行有效的该事项。"))
    current = item_current_by_code(code=code)

    plan = item_stage_plan(item=item)
    has_stages = bool(plan)
    if not has_stages:
        plan = _on_the_spot_plan(item)
    questions = list(item.questions.all())
    questions_by_key = {question.key: question for question in questions}
    materials = [
        {
            "material": material,
            "condition": material_condition_text(material=material, questions=questions_by_key),
        }
        for material in item.materials.all()
    ]
    departments = plan.departments
    if item.lead_department not in departments:
        departments.insert(0, item.lead_department)
    title = _("“%(name)s”办理流程图") % {"name": item.name}
    svg = stage_plan_svg(plan, title=title, id_prefix=f"plan-{item.code}-v{item.version}")
    return render(
        request,
        "approvals/guide/item.html",
        {
            "kiosk": _is_kiosk(request),
            "item": item,
            "is_current": current is not None and current.pk == item.pk,
            "current": current,
            "plan": plan,
            "has_stages": has_stages,
            "plan_svg": svg,
            "plan_text": plan_description(plan),
            "questions": questions,
            "materials": materials,
            "departments": departments,
            "versions": item_versions(code=code),
            "bundles": Bundle.objects.filter(items__code=item.code).distinct().order_by("code"),
        },
    )


@require_GET
def bundle_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A 一件事: its items in force today, filed together and handled side by side."""
    bundle = get_object_or_404(Bundle.objects.select_related("lead_department"), code=code)
    bundle_items = bundle_current_items(bundle=bundle)
    plan = bundle_stage_plan(items=bundle_items)
    title = _("“%(name)s”并联办理示意图") % {"name": bundle.name}
    return render(
        request,
        "approvals/guide/bundle.html",
        {
            "kiosk": _is_kiosk(request),
            "bundle": bundle,
            "items": bundle_items,
            "plan": plan,
            "plan_svg": stage_plan_svg(plan, title=title, id_prefix=f"bundle-{bundle.code}"),
            "plan_text": plan_description(plan),
            "serial_days": sum(item.promised_days for item in bundle_items),
            "parallel_days": max((item.promised_days for item in bundle_items), default=0),
            "max_visits": max((item.max_visits for item in bundle_items), default=0),
            "savings": bundle_savings(items=bundle_items),
        },
    )
