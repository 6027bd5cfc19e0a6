"""Text written in its reader's language (issue 32).

A message is composed by whoever acts — a clerk with an English page open, a sweep in a worker
— and read by someone else. `Template % values` (the form of every `hall.cases.wording.Message`)
gives a `Localised`: a `str` in the language active now, so that everything that treats it as
text keeps working, which also remembers its template and values and can be written again in
another language (`in_language`). The outbox writes each message in its recipient's language
(`hall.outbox.queue`). Text that went through plain string operations (a join, an f-string) is
a plain `str` again and stays in the language it was written in.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.functional import Promise


def _value(value: Any) -> Any:
    if isinstance(value, Localised):
        return _render(value.template, value.values)
    if isinstance(value, Promise | Template):
        return str(value)
    return value


def _render(template: Any, values: Any) -> str:
    if isinstance(values, dict):
        values = {key: _value(value) for key, value in values.items()}
    elif isinstance(values, tuple):
        values = tuple(_value(value) for value in values)
    else:
        values = _value(values)
    return str(template) % values


class Localised(str):
    """A `str` in the active language that can be written again in another one."""

    template: Any
    values: Any

    def __new__(cls, template: Any, values: Any) -> Localised:
        text = super().__new__(cls, _render(template, values))
        text.template, text.values = template, values
        return text

    def in_language(self, language: str) -> str:
        with translation.override(language):
            return _render(self.template, self.values)


class Template:
    """A translatable template: `%` with its values gives a `Localised`; `str()` the template in
    the active language."""

    def __init__(self, text: Promise | str) -> None:
        self.text = text

    def __mod__(self, values: Any) -> Localised:
        return Localised(self.text, values)

    def __str__(self) -> str:
        return str(self.text)

    def __repr__(self) -> str:
        return f"Template({self.text!r})"


def in_language(text: Any, language: str) -> str:
    """`text` written in `language` if it can be (a `Localised`, a `Template`, a lazy
    translation), else as it is."""
    if isinstance(text, Localised):
        return text.in_language(language)
    if isinstance(text, Promise | Template):
        with translation.override(language):
            return str(text)
    return str(text)
