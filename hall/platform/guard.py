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

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

NUL = "\x00"


def _field_too_long(request: HttpRequest) -> bool:
    if request.path.startswith("/admin/"):
        return False  # the catalogue's guide and legal texts are long; only administrators post
    limit = settings.HALL_FIELD_MAX_CHARS
    for data in (request.GET, request.POST if request.method == "POST" else None):
        if data is None:
            continue
        for _key, values in data.lists():
            if any(len(value) > limit for value in values):
                return True
    return False


def _body_too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.HALL_REQUEST_MAX_BYTES


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
        if _body_too_large(request):
            return render(
                request,
                "errors/bad_input.html",
                {"message": _("提交的内容过大，请减少或压缩上传的文件后重试。")},
                status=413,
            )
        if _field_too_long(request):
            return render(
                request,
                "errors/bad_input.html",
                {
                    "message": _("填写的内容过长（每项不超过 %(limit)s 字），请精简后重新提交。")
                    % {"limit": settings.HALL_FIELD_MAX_CHARS}
                },
                status=400,
            )
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
