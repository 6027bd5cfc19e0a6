"""好差评 statistics, generated from the ratings themselves (which nobody can edit: the model
and a PostgreSQL trigger refuse it), per department, item, window and clerk; a rating found
invalid on review (无效差评) is left out, as the standard says."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from hall.common.people import display_name
from hall.models import RatingFollowUp, ServiceRating

GROUPS = {
    "department": (_("部门"), "department__name"),
    "item": (_("事项"), "case__item__name"),
    "window": (_("窗口"), "ticket__window__number"),
    "clerk": (_("工作人员"), "clerk"),
}


@dataclass(frozen=True)
class RatingRow:
    label: str
    total: int
    by_level: dict[int, int]
    bad: int
    rectified: int

    @property
    def satisfaction(self) -> Decimal | None:
        """满意率: the share of the top three levels."""
        if not self.total:
            return None
        good = self.total - self.bad
        return (Decimal(good * 100) / self.total).quantize(Decimal("0.1"))


def _counted():
    return ServiceRating.objects.exclude(follow_up__status=RatingFollowUp.Status.INVALID)


def _aggregates() -> dict:
    counts = {f"level_{v}": Count("pk", filter=Q(level=v)) for v, _l in ServiceRating.LEVELS}
    return {
        "total": Count("pk"),
        "bad": Count("pk", filter=Q(level__in=ServiceRating.BAD_LEVELS)),
        "rectified": Count(
            "pk",
            filter=Q(
                follow_up__status__in=[
                    RatingFollowUp.Status.ANSWERED,
                    RatingFollowUp.Status.CLOSED,
                ]
            ),
        ),
        **counts,
    }


def _row(label: str, values: dict) -> RatingRow:
    return RatingRow(
        label=label,
        total=values["total"] or 0,
        by_level={v: values[f"level_{v}"] or 0 for v, _l in ServiceRating.LEVELS},
        bad=values["bad"] or 0,
        rectified=values["rectified"] or 0,
    )


def ratings_statistics() -> dict[str, object]:
    """{"total": RatingRow, "groups": [(key, title, [RatingRow, ...]), ...]}; a handful of
    aggregate queries, whatever the number of ratings."""
    rows = _counted()
    groups = []
    for key, (title, field) in GROUPS.items():
        values = (
            rows.filter(**{f"{field}__isnull": False})
            .values(field)
            .annotate(**_aggregates())
            .order_by(field)
        )
        found = list(values)
        if key == "clerk":
            users = get_user_model().objects.in_bulk([v["clerk"] for v in found])
            labels = {pk: display_name(user) for pk, user in users.items()}
            group = [_row(labels.get(v["clerk"], "—"), v) for v in found]
        elif key == "window":
            group = [_row(str(_("%(n)s 号窗口") % {"n": v[field]}), v) for v in found]
        else:
            group = [_row(str(v[field]), v) for v in found]
        groups.append((key, title, group))
    return {"total": _row(str(_("全部")), rows.aggregate(**_aggregates())), "groups": groups}
