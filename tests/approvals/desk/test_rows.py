"""The officer inbox's rows written in Python (approvals.desk.rows): the markup the template had —
escaped values, the claim form on unclaimed steps and the release form on the officer's own, the
provisional mark — and forms that post."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from approvals.desk import selectors
from approvals.models import CaseStep
from approvals.reviews import steps as reviews_steps
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    officer_of,
    open_steps,
    staged_item,
)


@pytest.fixture
def inbox(roles):
    planning = department_with_staff("PL", "区规划局", roles)
    item = staged_item([[(planning, 10)]], lead_department=planning, name="<b>规划</b>许可")
    clerk = make_clerk(roles)
    mine, free, others = (open_steps(accepted_case(item, clerk))[0] for _ in range(3))
    officer = officer_of(planning)
    head = planning.head.user
    reviews_steps.step_claim(step=mine, officer=officer)
    reviews_steps.step_claim(step=others, officer=head)
    # only this step's deadline provisional, whatever year today's deadlines reach into
    CaseStep.objects.filter(pk__in=[mine.pk, others.pk]).update(calendar_assumed_years=[])
    CaseStep.objects.filter(pk=free.pk).update(calendar_assumed_years=[2031])
    return officer, {"mine": mine, "free": free, "others": others}


def row_of(html: str, step: CaseStep) -> str:
    receipt = step.case.receipt_no
    (row,) = [r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if f">{receipt}</a>" in r]
    return row


def test_each_row_offers_what_its_officer_may_do(client, inbox):
    officer, steps = inbox
    client.force_login(officer)
    html = client.get(reverse("desk:home")).content.decode()
    mine, free, others = (row_of(html, steps[name]) for name in ("mine", "free", "others"))
    assert reverse("desk:step_release", args=[steps["mine"].pk]) in mine and "取消认领" in mine
    assert reverse("desk:step_claim", args=[steps["free"].pk]) in free and ">认领<" in free
    assert "<form" not in others  # claimed by someone else: only the link to handle it
    for name, row in (("mine", mine), ("free", free), ("others", others)):
        assert f'href="{reverse("desk:step", args=[steps[name].pk])}"' in row
    assert "<td>—</td>" in free and "<td>—</td>" not in others  # who claimed it
    # the catalogue's text is escaped, never markup
    assert "&lt;b&gt;规划&lt;/b&gt;许可" in free and "<b>规划</b>" not in html
    assert "暂定期限" in free and "2031 年的调休安排尚未公布" in free
    assert "暂定期限" not in mine


def test_a_rows_claim_form_posts_with_its_token_and_comes_back(client, inbox):
    officer, steps = inbox
    client.force_login(officer)
    client.enforce_csrf_checks = True
    html = client.get(reverse("desk:home") + "?x=1").content.decode()
    form = re.search(
        r'<form method="post" action="([^"]+/claim/)".*?</form>', row_of(html, steps["free"]), re.S
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(0)).group(1)
    back = re.search(r'name="next" value="([^"]+)"', form.group(0)).group(1)
    assert back == "/desk/?x=1"
    response = client.post(form.group(1), {"csrfmiddlewaretoken": token, "next": back})
    assert response.status_code == 302 and response["Location"] == "/desk/?x=1"
    steps["free"].refresh_from_db()
    assert steps["free"].claimed_by == officer


def test_the_inbox_statement_names_the_open_statuses():
    assert set(CaseStep.OPEN_STATUSES) == {"open", "suspended"}
    assert "s.status IN ('open', 'suspended')" in selectors._INBOX_SQL
