"""The desk's rows as HTML (its inbox, the lead department's decisions and the written opinions
owed), and a step's card and working days left.

The inbox shows fifty rows, each with its card, its dates, two links and a claim or release form.
Through the template language every row cost about 0.2 ms (tags, filters, `{% url %}`, a masked
CSRF token per form), a third of the desk's time at a million cases; written here once per page
with `str.format` and `hall.common.html`'s escaping, the same markup costs a small part of that
(issue 27). What does not change from row to row (the labels, the CSRF token, the return
address) is worked out once per page. The markup is the one the templates had;
`tests/approvals/desk/test_rows.py` holds it to their behaviour (escaping, the claim and release
forms, the provisional mark) and the side lists to their former loops.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from approvals.desk.selectors import Clock, InboxRow
from hall.common.html import escaped as _e
from hall.common.html import format_escaped

# The card always has words, so the state never depends on colour alone.
_CARDS = {"red": ("state-red", "■"), "yellow": ("state-yellow", "▲")}


def step_card_html(clock: Clock) -> SafeString:
    """The step's card: 红牌 / 黄牌 / 正常 with its mark, 计时中止 while the clock is stopped."""
    if clock.paused:
        return format_html(
            '<span class="badge text-bg-secondary desk-light"><span aria-hidden="true">‖</span> '
            "{}</span>",
            gettext("计时中止"),
        )
    if not clock.light:
        return mark_safe("")
    css, mark = _CARDS.get(clock.light, ("state-green", "●"))
    return format_html(
        '<span class="badge {} desk-light"><span aria-hidden="true">{}</span> {}</span>',
        css,
        mark,
        clock.light_label,
    )


def step_remaining_text(clock: Clock) -> str:
    """剩余 n 个工作日 / 今日到期 / 已超期 n 个工作日, or a dash for a step without a limit."""
    if clock.remaining is None:
        return "—"
    if clock.remaining > 0:
        days = clock.remaining
        return ngettext("剩余 %(days)s 个工作日", "剩余 %(days)s 个工作日", days) % {"days": days}
    if clock.remaining == 0:
        return gettext("今日到期")
    days = clock.overdue_days
    return ngettext("已超期 %(days)s 个工作日", "已超期 %(days)s 个工作日", days) % {"days": days}


_ROW = (
    "<tr>"
    '<td class="text-nowrap">{card}<br>{due}{provisional}<br><small>{remaining}</small></td>'
    '<td class="text-nowrap"><a href="{step_url}">{receipt}</a></td>'
    '<td class="desk-wide">{item}<br><small class="text-muted">{stage}</small></td>'
    "<td>{applicant}</td>"
    "<td>{claimer}</td>"
    '<td class="text-nowrap">{claim}'
    '<a class="btn btn-sm btn-danger" href="{step_url}">{handle}'
    '<span class="visually-hidden"> {receipt}</span></a></td>'
    "</tr>"
)
_CLAIM_FORM = (
    '<form method="post" action="{action}" class="d-inline">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
    '<input type="hidden" name="next" value="{back}">'
    '<button class="btn btn-sm {css}" type="submit">{label}'
    '<span class="visually-hidden"> {receipt}</span></button></form> '
)
_PROVISIONAL = (
    ' <span class="badge text-bg-light border desk-provisional" title="{title}">{label}</span>'
)


def inbox_rows_html(*, rows: Iterable[InboxRow], request: HttpRequest) -> SafeString:
    """The inbox's table rows for `request`'s officer: the claim form on unclaimed steps, the
    release form on the officer's own, and a link to handle each.

    Values are escaped by `hall.common.html.escaped` (Django's `escape`'s characters, without a
    SafeString per value) and the rows put together with `str.format`: with `format_html` per
    piece the fifty rows cost the desk more than all its queries (issue 27).
    Cards and days-left texts repeat from row to row and are written once per page.
    """
    token = _e(get_token(request))
    back = _e(request.get_full_path())
    own_id = request.user.pk
    claim_label, release_label = _e(gettext("认领")), _e(gettext("取消认领"))
    handle, provisional_label = _e(gettext("办理")), _e(gettext("暂定期限"))
    stage_words = gettext("第%(number)s阶段 %(stage)s · %(name)s")
    # one reversal per page: the step's id is the URL's only part
    step_url = reverse("desk:step", args=[0]).removesuffix("0/")
    cards: dict[tuple, str] = {}
    remaining_texts: dict[int | None, str] = {}
    html = []
    for row in rows:
        step, clock = row.step, row.clock
        receipt = _e(step.receipt_no)
        if not step.claimed_by_id:
            claim = _CLAIM_FORM.format(
                action=f"{step_url}{step.pk}/claim/", token=token, back=back,
                css="btn-outline-danger", label=claim_label, receipt=receipt,
            )  # fmt: skip
        elif step.claimed_by_id == own_id:
            claim = _CLAIM_FORM.format(
                action=f"{step_url}{step.pk}/release/", token=token, back=back,
                css="btn-outline-secondary", label=release_label, receipt=receipt,
            )  # fmt: skip
        else:
            claim = ""
        provisional = ""
        if step.calendar_assumed_years:
            years = "、".join(str(year) for year in step.calendar_assumed_years)
            provisional = _PROVISIONAL.format(
                title=_e(
                    gettext("%(years)s 年的调休安排尚未公布，期限按法定节假日推算")
                    % {"years": years}
                ),
                label=provisional_label,
            )
        card_key = (clock.paused, clock.light)
        if card_key not in cards:
            cards[card_key] = str(step_card_html(clock))
        if clock.remaining not in remaining_texts:
            remaining_texts[clock.remaining] = _e(step_remaining_text(clock))
        html.append(
            _ROW.format(
                card=cards[card_key],
                due=step.due_date.isoformat() if step.due_date else "",
                provisional=provisional,
                remaining=remaining_texts[clock.remaining],
                step_url=f"{step_url}{step.pk}/",
                receipt=receipt,
                item=_e(step.item_name),
                stage=_e(
                    stage_words
                    % {"number": step.stage_number, "stage": step.stage_name, "name": step.name}
                ),
                applicant=_e(step.applicant_name),
                claimer=_e(step.claimed_by_name or "—"),
                claim=claim,
                handle=handle,
            )
        )
    return mark_safe("\n".join(html))  # every value above was escaped


# --- the side lists: the lead department's decisions and the written opinions owed -------------

_LEAD_ROW = (
    "<tr>"
    '<td class="text-nowrap">{receipt}</td><td>{item}</td><td>{applicant}</td>'
    "<td>{what}</td>"
    '<td><a class="btn btn-sm btn-danger" href="{url}">{action}'
    '<span class="visually-hidden"> {receipt}</span></a></td>'
    "</tr>"
)
_PROMISED = '<br><small class="text-muted">{} {}</small>'
_OWED_ROW = (
    "<tr>"
    '<td class="text-nowrap">{receipt}</td>'
    '<td>{item}<br><small class="text-muted">{name}</small></td>'
    '<td class="text-nowrap">{due}</td>'
    '<td><a class="btn btn-sm btn-danger" href="{url}#written">{action}'
    '<span class="visually-hidden"> {receipt}</span></a></td>'
    "</tr>"
)


def lead_rows_html(*, stages: Iterable, decisions: Iterable) -> SafeString:
    """The lead department's waiting stage decisions, then its final decisions: receipt number,
    item, applicant, what is to be decided (with the promised date of a final decision) and a
    link to decide it. Through the template's loops these forty rows were half the desk's
    rendering (issue 27); the markup is the one the template had."""
    stage_url = reverse("desk:stage", args=[0]).removesuffix("0/")
    decision_url = reverse("desk:decision", args=["0"]).removesuffix("0/decision/")
    stage_action, decision_action = gettext("作出阶段决定"), gettext("作出审批决定")
    stage_words = gettext("第%(number)s阶段“%(name)s”的阶段决定")
    decision_words, promised_word = gettext("审批决定（准予或不予许可）"), gettext("承诺办结")
    html = []
    for stage in stages:
        case = stage.case
        html.append(
            format_html(
                _LEAD_ROW, receipt=case.receipt_no, item=case.item.name,
                applicant=case.applicant.name, url=f"{stage_url}{stage.pk}/",
                action=stage_action,
                # as {% blocktranslate %} did: the values escaped, the translated words as written
                what=mark_safe(
                    stage_words % {"number": escape(stage.number), "name": escape(stage.name)}
                ),
            )
        )  # fmt: skip
    for decision in decisions:
        case = decision.case
        what = escape(decision_words)
        if case.promised_due_date:
            what += format_html(_PROMISED, promised_word, case.promised_due_date.isoformat())
        html.append(
            format_html(
                _LEAD_ROW, receipt=case.receipt_no, item=case.item.name,
                applicant=case.applicant.name, what=mark_safe(what),
                url=f"{decision_url}{quote(case.receipt_no)}/decision/", action=decision_action,
            )
        )  # fmt: skip
    return mark_safe("\n".join(html))  # every piece above went through format_html or escape


def owed_rows_html(*, steps: Iterable) -> SafeString:
    """The written opinions the department owes for its deemed approvals: receipt number, item
    and step, the date it is due by, and a link to the step's written-opinion form."""
    step_url = reverse("desk:step", args=[0]).removesuffix("0/")
    action = gettext("补交书面意见")
    html = []
    for step in steps:
        due = step.written_opinion_due
        html.append(
            format_escaped(
                _OWED_ROW, receipt=step.case.receipt_no, item=step.case.item.name,
                name=step.name, url=f"{step_url}{step.pk}/", action=action,
                due=due.isoformat() if due else "",
            )
        )  # fmt: skip
    return mark_safe("\n".join(html))  # every value above was escaped
