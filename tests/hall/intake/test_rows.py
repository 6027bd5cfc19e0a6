"""The window's case table written in Python (hall.intake.rows): the markup the template had —
each case's link, item, applicant, status and running limit, values escaped — on the workbench
and on 我首问负责的办件."""

from __future__ import annotations

import datetime
import re

from django.urls import reverse

from hall.models import Case
from tests.departments.builders import bare_case
from tests.factories import ServiceItemFactory


def rows(html: str) -> dict[str, str]:
    table = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return {
        re.search(r">(T\d+)</a>", row).group(1): row
        for row in re.findall(r"<tr>.*?</tr>", table, re.S)
    }


def test_each_case_shows_its_running_limit_escaped(client, make_user):
    clerk = make_user("rows-clerk", "clerk")
    item = ServiceItemFactory(name="<i>户籍</i>证明")
    intake = bare_case(owner=clerk, item=item, intake_due_date=datetime.date(2026, 12, 11))
    promised = bare_case(
        owner=clerk, item=item, status=Case.Status.ACCEPTED,
        promised_due_date=datetime.date(2027, 1, 8),
    )  # fmt: skip
    correcting = bare_case(owner=clerk, item=item, status=Case.Status.AWAITING_CORRECTION)
    bare_case(owner=make_user("another-clerk", "clerk"), item=item)  # not his
    client.force_login(clerk)
    for page in ("intake:home", "intake:mine"):
        shown = rows(client.get(reverse(page)).content.decode())
        assert set(shown) == {intake.receipt_no, promised.receipt_no, correcting.receipt_no}
        row = shown[intake.receipt_no]
        assert f'href="{reverse("intake:case", args=[intake.receipt_no])}"' in row
        assert "受理决定 2026-12-11" in row and intake.applicant.name in row
        assert "&lt;i&gt;户籍&lt;/i&gt;证明" in row and "<i>" not in row
        assert "承诺 2027-01-08" in shown[promised.receipt_no]
        assert "已受理" in shown[promised.receipt_no]
        assert "补正中，暂停计时" in shown[correcting.receipt_no]


def test_no_cases_says_so(client, make_user):
    client.force_login(make_user("rows-new-clerk", "clerk"))
    assert "暂无办件" in client.get(reverse("intake:home")).content.decode()
