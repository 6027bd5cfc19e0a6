"""一表申请: the intake questions of one or several items as one form.

Items of a bundle (一件事) often ask the same thing (是否委托代理人办理). The catalogue says
which questions are the same by giving them the same key with the same choices; such a
question is asked once, under the name ``all__<key>``, and its answer reaches every item that
asks it. A question only one item asks, or a key whose choices differ between items (not the
same question after all), keeps its item's own name ``<item pk>__<key>``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext as _

from approvals.models import IntakeQuestion, ServiceItem
from hall.intake.forms import question_fields

SHARED_PREFIX = "all__"


@dataclass(frozen=True)
class OneForm:
    fields: dict[str, forms.Field]
    # field name -> the (item pk, question key) pairs its answer fills
    targets: dict[str, list[tuple[int, str]]]
    # field names asked once for several items, and by which items (for the page)
    shared: dict[str, list[ServiceItem]]
    own: dict[int, list[str]]  # item pk -> the field names only it asks

    def answers_by_item(
        self, cleaned: Mapping[str, str], items: Iterable[ServiceItem]
    ) -> dict[int, dict[str, str]]:
        answers: dict[int, dict[str, str]] = {item.pk: {} for item in items}
        for name, value in cleaned.items():
            for item_pk, key in self.targets.get(name, ()):
                answers[item_pk][key] = value
        return answers

    def field_for(self, item_pk: int, key: str) -> str | None:
        """The form field that asks `key` for that item (to put a service's error there)."""
        for name, pairs in self.targets.items():
            if (item_pk, key) in pairs:
                return name
        return None


def one_form(items: Sequence[ServiceItem]) -> OneForm:
    asked: dict[str, list[tuple[ServiceItem, IntakeQuestion]]] = defaultdict(list)
    for item in items:
        for question in item.questions.all():
            asked[question.key].append((item, question))
    fields: dict[str, forms.Field] = {}
    targets: dict[str, list[tuple[int, str]]] = {}
    shared: dict[str, list[ServiceItem]] = {}
    own: dict[int, list[str]] = {item.pk: [] for item in items}
    for key, entries in asked.items():
        choices = {tuple(str(value) for value, _label in q.choices) for _item, q in entries}
        if len(entries) > 1 and len(choices) == 1:
            item, question = entries[0]
            name = f"{SHARED_PREFIX}{key}"
            field = question_fields([question], prefix=SHARED_PREFIX)[name]
            field.help_text = _("适用于：%(items)s") % {
                "items": "、".join(i.name for i, _q in entries)
            }
            fields[name] = field
            targets[name] = [(i.pk, key) for i, _q in entries]
            shared[name] = [i for i, _q in entries]
            continue
        for item, question in entries:
            name = f"{item.pk}__{key}"
            fields.update(question_fields([question], prefix=f"{item.pk}__"))
            targets[name] = [(item.pk, key)]
            own[item.pk].append(name)
    return OneForm(fields=fields, targets=targets, shared=shared, own=own)
