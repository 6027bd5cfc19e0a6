"""Input no page can use: refused before any view runs, with a clear message, never a 500.

A NUL character (``%00``) cannot be stored in PostgreSQL text and has no meaning in a name, a
receipt number or a reason; it only ever arrives from a mistyped or a hostile request. Every
request whose path, query or form fields (names or values) hold one is answered 400 with the
hall's own page, in the visitor's language, before a view or a query sees it.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

NUL = "\x00"


def _holds_nul(request: HttpRequest) -> bool:
    if NUL in request.path:
        return True
    for data in (request.GET, request.POST if request.method == "POST" else None):
        if data is None:
            continue
        for key, values in data.lists():
            if NUL in key or any(NUL in value for value in values):
                return True
    return any(NUL in (upload.name or "") for upload in request.FILES.values())


class RequestInputGuard:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _holds_nul(request):
            return render(
                request,
                "errors/bad_input.html",
                {"message": _("提交的内容中含有不允许的字符（空字符），请检查后重新输入。")},
                status=400,
            )
        return self.get_response(request)


def int_or_none(value) -> int | None:
    """A form's id field as an int, or None when it is missing or not a number (a lookup by
    it then finds nothing, and the page says what to choose, instead of a 500)."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None
