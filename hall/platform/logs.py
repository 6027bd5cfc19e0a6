"""Every log line knows its request: the request id (returned in `X-Request-ID`, shown on the
500 page so a citizen can quote it), the signed-in user and role, and the case number when the
request is about one — and never an ID number, a phone number or a one-time code.

`RequestContext` (a middleware after authentication) keeps the request in a context variable;
`RequestContextFilter` (on the handler) copies what is already known onto each record without a
query of its own: the user only once something in the request has loaded it, the role only once
`hall.roles.roles_of` has read it. `Redacted` masks what slips into a message anyway. In
production the handler writes JSON lines (python-json-logger); in development plain text.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from celery import current_task
from django.utils.functional import empty

REQUEST_ID_HEADER = "X-Request-ID"
# What a caller's own request id may look like (anything else is replaced, never echoed).
_GIVEN_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_current: ContextVar[object | None] = ContextVar("hall_log_request", default=None)


def request_id_current() -> str:
    request = _current.get()
    return getattr(request, "request_id", "") if request is not None else ""


_REQUEST_ID_META = "HTTP_" + REQUEST_ID_HEADER.upper().replace("-", "_")


class RequestContext:
    """Gives each request an id (the caller's if well formed) and keeps the request for the
    log lines written while it runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # META, not request.headers: that builds a dict of every header for one look-up
        given = request.META.get(_REQUEST_ID_META, "")
        request.request_id = given if _GIVEN_ID.fullmatch(given) else uuid.uuid4().hex
        token = _current.set(request)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[REQUEST_ID_HEADER] = request.request_id
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        receipt_no = view_kwargs.get("receipt_no")
        if isinstance(receipt_no, str):
            request.log_case = receipt_no[:20]


def _loaded_user(request):
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", user)  # AuthenticationMiddleware's lazy user
    return None if wrapped is empty or wrapped is None else wrapped


def _task_running() -> tuple[str, str]:
    """The Celery task this worker thread runs, as (id, name); empty outside a task."""
    if not current_task:  # a proxy: false outside a task
        return "", ""
    task_id = getattr(current_task.request, "id", None)
    return (str(task_id), current_task.name or "") if task_id else ("", "")


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs a 4xx/5xx after the middleware has returned, with the request attached
        request = _current.get() or getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", "") if request is not None else ""
        # in a worker, a line written while a task runs carries the task's id and name
        task_id, task_name = _task_running() if request is None else ("", "")
        record.task = task_name
        if task_id and not record.request_id:
            record.request_id = task_id
        record.case = getattr(request, "log_case", "") if request is not None else ""
        user = _loaded_user(request) if request is not None else None
        authenticated = user is not None and getattr(user, "is_authenticated", False)
        record.user_id = user.pk if authenticated else None
        roles = getattr(user, "_hall_roles", None) if authenticated else None
        record.role = roles[0].slug if roles else ""
        return True


# An 18-character resident ID number, a mainland mobile number, a six-digit code after the
# word 验证码/code: masked in any message, whatever wrote it.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_CODE = re.compile(r"(验证码|code)(\D{0,3})\d{6}", re.IGNORECASE)


def redacted(text: str) -> str:
    text = _ID_NUMBER.sub(r"\1********\2", text)
    text = _PHONE.sub(r"\1****\2", text)
    return _CODE.sub(r"\1\2******", text)


class Redacted(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redacted(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
