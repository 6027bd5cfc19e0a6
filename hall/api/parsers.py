"""The API's one request parser: DRF's JSON parser that also answers a body nested too deep.

Python's JSON decoder recurses once per level and raises RecursionError past the interpreter's
limit (a body of 10,000 nested arrays), which DRF's parser does not catch (it catches
ValueError): that was a 500. It is a 400 problem like any other unreadable body.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class HallJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON 嵌套层数过多，无法处理。")) from None
