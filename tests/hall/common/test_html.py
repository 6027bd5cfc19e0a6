"""hall.common.html: the characters Django's escaping gives, for rows written with str.format."""

from __future__ import annotations

import pytest
from django.utils.html import escape, format_html
from django.utils.translation import gettext_lazy

from hall.common.html import escaped, format_escaped

TEXTS = ["<b>\"规划\"</b> & '许可'", "", "plain", 12, None, gettext_lazy("红牌"), "a\u3000b"]


@pytest.mark.parametrize("value", TEXTS)
def test_escaped_gives_djangos_characters(value):
    assert escaped(value) == str(escape(value))


def test_format_escaped_fills_like_format_html_for_plain_values():
    template = '<a href="{url}" title="{title}">{text}</a>'
    values = {"url": "/x/?a=1&b=<2>", "title": 'say "hi"', "text": "<i>斜</i>"}
    assert format_escaped(template, **values) == str(format_html(template, **values))
    assert "<i>" not in format_escaped(template, **values)
