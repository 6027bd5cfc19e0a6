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


def _value(value: Any, language: str | None) -> Any:
    if isinstance(value, Localised):
        return _render(value.template, value.values, language)
    if isinstance(value, Template):
        return value.text_in(language)
    if isinstance(value, Promise):
        return str(value)
    return value


def _render(template: Any, values: Any, language: str | None) -> str:
    """`template % values` in `language`, which is the active language (the caller has it)."""
    if isinstance(values, dict):
        values = {key: _value(value, language) for key, value in values.items()}
    elif isinstance(values, tuple):
        values = tuple(_value(value, language) for value in values)
    else:
        values = _value(values, language)
    pattern = template.text_in(language) if isinstance(template, Template) else str(template)
    return pattern % values


class Localised(str):
    """A `str` in the active language that can be written again in another one."""

    template: Any
    values: Any
    language: str | None

    def __new__(cls, template: Any, values: Any) -> Localised:
        language = translation.get_language()
        text = super().__new__(cls, _render(template, values, language))
        # the language it was written in: asked for again, it is not written again (most
        # messages are read in the language they were composed in; a sweep writes thousands)
        text.template, text.values, text.language = template, values, language
        return text

    def in_language(self, language: str) -> str:
        if language == self.language:
            return str(self)
        with translation.override(language):
            return _render(self.template, self.values, language)


class Template:
    """A translatable template: `%` with its values gives a `Localised`; `str()` the template in
    the active language.

    A template is a module constant (`hall.cases.wording`) and its translations do not change
    while the process runs, so each language's text is looked up once: a sweep writes the same
    few templates thousands of times, and each lookup through the lazy translation costs more
    than the `%` it serves."""

    def __init__(self, text: Promise | str) -> None:
        self.text = text
        self._by_language: dict[str | None, str] = {}

    def __mod__(self, values: Any) -> Localised:
        return Localised(self, values)

    def text_in(self, language: str | None) -> str:
        """The template in `language`, which must be the active one (its lookup is cached)."""
        try:
            return self._by_language[language]
        except KeyError:
            text = self._by_language[language] = str(self.text)
            return text

    def __str__(self) -> str:
        return self.text_in(translation.get_language())

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
