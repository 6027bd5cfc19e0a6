"""The dashboard's warnings rows written in Python (departments.supervision.rows): the markup the
template had — each warned step's card, case link, department and step, the three people, its
dates, the 督办 form with its reminder id and return address — escaped, in both languages."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone, translation

from departments.supervision import rows
from tests.departments.supervision.test_dashboard import warned  # noqa: F401 (a fixture)

BEFORE = engines["django"].from_string(
    (Path(__file__).parent / "templates" / "warning_rows_before_issue_27.html").read_text()
)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def normalized(html: str) -> str:
    html = TOKEN.sub('name="csrfmiddlewaretoken" value="…"', html)
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_warnings_rows_are_written_as_the_template_wrote_them(
    client,
    make_user,
    warned,  # noqa: F811 (the dashboard's fixture, imported above)
    language,
):
    warned["yellow"].case.item.__class__.objects.filter(pk=warned["yellow"].case.item_id).update(
        name="<i>规划</i>许可"
    )
    warned["red"].__class__.objects.filter(pk=warned["red"].pk).update(
        name='审查 "<乙>"', warned_red_at=timezone.now() - datetime.timedelta(hours=3)
    )
    client.force_login(make_user("sup-rows", "supervisor"))
    with translation.override(language):
        response = client.get(reverse("supervision:home") + "?light=&x=<y>")
        page, request = response.context["warnings"], response.wsgi_request
        assert len(page.rows) == 2
        before = BEFORE.render({"warnings": page, "request": request}, request)
        written = rows.warning_rows_html(page=page, request=request)
        assert normalized(written) == normalized(before)
        html = response.content.decode()
        assert normalized(written) in normalized(html)
    assert "&lt;i&gt;规划&lt;/i&gt;许可" in html and "&lt;乙&gt;" in html
    assert html.count('name="csrfmiddlewaretoken"') >= 2  # each row's 督办 form posts
    assert reverse("supervision:remind", args=[warned["red"].case.receipt_no]) in html


def test_a_warned_step_of_a_department_without_a_head_is_listed(client, make_user, warned):  # noqa: F811
    """The former template failed on it (its `person` filter on an empty value: a 500); the row
    shows a dash for the head."""
    environment = warned["environment"]
    environment.head = None
    environment.save(update_fields=["head"])
    client.force_login(make_user("sup-headless", "supervisor"))
    response = client.get(reverse("supervision:home"))
    assert response.status_code == 200
    (row,) = [
        r
        for r in re.findall(r"<tr>.*?</tr>", response.content.decode(), re.S)
        if warned["red"].case.receipt_no in r and "remind-step" in r
    ]
    assert environment.name in row and '<td class="text-nowrap">—</td>' in row


def test_the_warned_steps_people_are_read_where_the_router_says(warned, monkeypatch):  # noqa: F811
    """The people's read by id is raw SQL: it asks the router, as the ORM's reads do, so the
    dashboard's reads stay on one database (the replica where there is one)."""
    from django.contrib.auth.models import User
    from django.db import router

    from departments.supervision import selectors

    asked = []
    real = router.db_for_read

    def recorded(model, **hints):
        asked.append(model)
        return real(model, **hints)

    monkeypatch.setattr(router, "db_for_read", recorded)
    page = selectors.warning_rows(now=timezone.now())
    assert User in asked
    red = next(row for row in page.rows if row.step.pk == warned["red"].pk)
    assert red.step.case.owner.pk == warned["li"].pk and red.step.case.owner.last_name == "李"
