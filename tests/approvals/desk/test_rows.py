"""The officer inbox's rows written in Python (approvals.desk.rows): the markup the template had —
escaped values, the claim form on unclaimed steps and the release form on the officer's own, the
provisional mark — and forms that post."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.template import Context, Engine
from django.urls import reverse
from django.utils import timezone, translation

from approvals.desk import rows, selectors
from approvals.models import CaseStage, CaseStep
from approvals.reviews import decisions as review_decisions
from approvals.reviews import steps as reviews_steps
from approvals.reviews import sweeps as reviews_sweeps
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


# --- the side lists (issue 27): what the template's loops wrote ---------------------------------

SIDE_BEFORE = Engine(
    dirs=[str(Path(__file__).parent / "templates")],
    libraries={"i18n": "django.templatetags.i18n"},
).get_template("desk_side_rows_before_issue_27.html")


def _normalized(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_side_lists_are_written_as_the_template_wrote_them(client, roles, language):
    planning = department_with_staff("PL", "区规划局", roles)
    item = staged_item([[(planning, 10)]], lead_department=planning, name="<b>规划</b>许可")
    clerk = make_clerk(roles)
    head = planning.head.user
    stage_waits, decision_waits, deemed = (accepted_case(item, clerk) for _ in range(3))
    for case in (stage_waits, decision_waits):
        (step,) = open_steps(case)
        reviews_steps.step_decide(step=step, officer=head, approve=True, opinion="")
    CaseStage.objects.filter(case=stage_waits).update(name='审查 "<甲>"')
    review_decisions.stage_decide(
        stage=decision_waits.stages.get(), officer=head, approve=True, opinion=""
    )
    deemed.steps.update(due_at=timezone.now() - datetime.timedelta(days=1))
    reviews_sweeps.steps_deem_overdue_sweep()
    with translation.override(language):
        client.force_login(head)
        response = client.get(reverse("desk:home"), HTTP_ACCEPT_LANGUAGE=language)
        lead, owed = response.context["lead"], response.context["owed"]
        assert len(lead["stages"]) == 2 and len(lead["decisions"]) == 1 and len(owed) == 1
        context = Context({"lead": lead, "owed": owed})
        with context.push(part="lead"):
            lead_before = SIDE_BEFORE.render(context)
        with context.push(part="owed"):
            owed_before = SIDE_BEFORE.render(context)
        assert _normalized(rows.lead_rows_html(**lead)) == _normalized(lead_before)
        assert _normalized(rows.owed_rows_html(steps=owed)) == _normalized(owed_before)
        html = response.content.decode()
        assert _normalized(rows.lead_rows_html(**lead)) in _normalized(html)
    assert "&lt;b&gt;规划&lt;/b&gt;许可" in html and "&lt;甲&gt;" in html
    assert reverse("desk:decision", args=[decision_waits.receipt_no]) in html
    assert reverse("desk:step", args=[deemed.steps.get().pk]) + "#written" in html
