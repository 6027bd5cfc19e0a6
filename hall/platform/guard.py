"""Input no page can use: refused before any view runs, with a clear message, never a 500.

- A NUL character (``%00``) cannot be stored in PostgreSQL text and has no meaning in a name, a
  receipt number or a reason; it only ever arrives from a mistyped or a hostile request.
- No field of any form of the hall needs more than `HALL_FIELD_MAX_CHARS` characters (the
  longest, a refusal's reasons, is a page or two); a 500,000-character "reason" only ever made
  the PDF render run past the worker timeout. Forms keep their own, tighter limits.
- A body larger than `HALL_REQUEST_MAX_BYTES` (the upload limit times the most files one form
  takes) is refused from its Content-Length, before it is read.

Each is answered with the hall's own page in the visitor's language (400 or 413) before a view or
a query sees the request, so nothing is half-written.
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from hall.common.problems import is_api_request, problem_json_response

NUL = "\x00"


def _fields(request: HttpRequest):
    """Every (name, value) of the query and of a posted form."""
    for data in (request.GET, request.POST if request.method == "POST" else None):
        if data is not None:
            for key, values in data.lists():
                for value in values:
                    yield key, value


def _body_too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.HALL_REQUEST_MAX_BYTES


def _refusal(request: HttpRequest):
    """What is wrong with the request, as (message, status), or None. One pass over the fields."""
    if _body_too_large(request):
        return _("提交的内容过大，请减少或压缩上传的文件后重试。"), 413
    # the catalogue's guide and legal texts are long; only administrators post to the admin
    limit = None if request.path.startswith("/admin/") else settings.HALL_FIELD_MAX_CHARS
    holds_nul = NUL in request.path or any(
        NUL in (upload.name or "") for upload in request.FILES.values()
    )
    for key, value in _fields(request):
        if limit is not None and len(value) > limit:
            return (
                _("填写的内容过长（每项不超过 %(limit)s 字），请精简后重新提交。")
                % {"limit": limit},
                400,
            )
        holds_nul = holds_nul or NUL in key or NUL in value
    if holds_nul:
        return _("提交的内容中含有不允许的字符（空字符），请检查后重新输入。"), 400
    return None


class RequestInputGuard:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = _refusal(request)
        if refused is not None:
            message, status = refused
            if is_api_request(request):  # machine clients read problem details
                return problem_json_response(status=status, title=message, detail=message)
            return render(request, "errors/bad_input.html", {"message": message}, status=status)
        return self.get_response(request)


# A whole number as people and forms write it: ASCII digits only, at most 18 of them, so that it
# fits PostgreSQL's bigint. str.isdigit() is not this test: it accepts "²" and "³", which int()
# refuses (a 500 once), and int() accepts other scripts' digits and "1_000".
_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}", re.ASCII)


def int_or_none(value) -> int | None:
    """A form's or a query's id field as an int, or None when it is missing or not a number (a
    lookup by it then finds nothing, and the page says what to choose, instead of a 500)."""
    text = str(value).strip() if value is not None else ""
    return int(text) if _WHOLE_NUMBER.fullmatch(text) else None


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def date_or_none(value) -> datetime.date | None:
    """A `YYYY-MM-DD` date, or None when it is not one or no such day exists (2026-02-30 and
    2026-13-01 are well formed and not days: django's parse_date raises ValueError for them)."""
    text = str(value).strip() if value is not None else ""
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None
