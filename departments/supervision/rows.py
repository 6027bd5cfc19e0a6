"""The supervision dashboard's warnings table rows as HTML.

A page shows twenty-five warned steps, each with its card, the case, the department and step, the
three people answerable for it, its dates and a 督办 form. Through the template language a row
cost about a millisecond (three `{% url %}`s, three people through filters, two dates, a masked
CSRF token per form), most of the dashboard's rendering (issue 27); written here once per page,
the words, the URL prefixes, the CSRF token and the return address are worked out once. The
markup is the one the template had; `tests/departments/supervision/test_rows.py` holds it to
that template.
"""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from departments.supervision.selectors import WarningPage
from hall.common.html import format_escaped
from hall.common.people import display_name

_ROW = (
    "<tr>"
    '<td class="text-nowrap"><span class="light light-{light}">{light_label}</span></td>'
    '<th scope="row" class="fw-normal"><a href="{case_url}">{receipt}</a><br>'
    "<small>{item}</small></th>"
    "<td>{department}<br><small>{step}{no_deemed}</small></td>"
    '<td class="text-nowrap">{officer}</td>'
    '<td class="text-nowrap">{head}</td>'
    '<td class="text-nowrap">{owner}</td>'
    '<td class="text-nowrap">{due}</td>'
    '<td class="text-end text-nowrap">{remaining}</td>'
    '<td class="text-nowrap"><small>{warned}</small></td>'
    "<td>"
    '<form class="d-flex flex-wrap gap-1 align-items-center" method="post"'
    ' action="{case_url}remind/">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
    '<input type="hidden" name="remind-step" value="{step_id}">'
    '<input type="hidden" name="remind-reminder_id" value="{reminder_id}">'
    '<input type="hidden" name="next" value="{back}">'
    '<button class="btn btn-sm btn-outline-danger" type="submit">{remind}'
    '<span class="visually-hidden"> {receipt} {department}</span></button>'
    '<a class="btn btn-sm btn-link text-nowrap" href="{case_url}#actions-heading">{change_owner}'
    '<span class="visually-hidden"> {receipt}</span></a>'
    "</form>"
    "</td>"
    "</tr>"
)


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%m-%d %H:%M")


def warning_rows_html(*, page: WarningPage, request: HttpRequest) -> SafeString:
    """The page's warned steps, the most urgent first, for `request`'s supervisor."""
    token = get_token(request)
    back = request.get_full_path()
    # one reversal per page: the receipt number is the URL's only part
    case_prefix = reverse("supervision:case", args=["0"]).removesuffix("0/")
    words = {
        "no_deemed": " · " + gettext("不适用超时默许"),
        "unclaimed": gettext("未认领"),
        "red": gettext("红牌"),
        "yellow": gettext("黄牌"),
        "unsent": gettext("待发送"),
        "remind": gettext("督办"),
        "change_owner": gettext("变更首问"),
    }
    overdue = gettext("逾期 %(days)s")
    html = []
    for row in page.rows:
        step = row.step
        case = step.case
        head = step.department.head
        if step.warned_red_at:
            warned = f"{words['red']} {_moment(step.warned_red_at)}"
        elif step.warned_yellow_at:
            warned = f"{words['yellow']} {_moment(step.warned_yellow_at)}"
        else:
            warned = words["unsent"]
        html.append(
            format_escaped(
                _ROW,
                light=str(row.light),
                light_label=row.light.label,
                case_url=f"{case_prefix}{quote(case.receipt_no)}/",
                receipt=case.receipt_no,
                item=case.item.name,
                department=step.department.label,
                step=step.name,
                no_deemed="" if step.deemed_approval else words["no_deemed"],
                officer=display_name(row.officer) or words["unclaimed"],
                head=(display_name(head.user) if head else "") or "—",
                owner=display_name(case.owner) or "—",
                due=step.due_date.isoformat() if step.due_date else "",
                remaining=(
                    overdue % {"days": row.overdue_days} if row.overdue_days else row.remaining
                ),
                warned=warned,
                token=token,
                step_id=step.pk,
                reminder_id=row.reminder_id,
                back=back,
                remind=words["remind"],
                change_owner=words["change_owner"],
            )
        )
    return mark_safe("\n".join(html))  # every value above was escaped
