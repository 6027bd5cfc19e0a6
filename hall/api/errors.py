"""Every API error as RFC 9457 problem details (`application/problem+json`), in the client's
language (Accept-Language; Chinese by default), field errors under `errors`. A service's
ValidationError is a 400 (or 409 when it says the state has moved on), a missing or foreign
object a 404: the same body whether it does not exist or belongs to someone else."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from hall.common.problems import PROBLEM_CONTENT_TYPE, problem_body

TITLES = {
    400: gettext_lazy("请求内容有误"),
    401: gettext_lazy("未认证"),
    403: gettext_lazy("没有权限"),
    404: gettext_lazy("没有找到"),
    405: gettext_lazy("不支持该方法"),
    406: gettext_lazy("无法提供所要求的格式"),
    409: gettext_lazy("与当前状态冲突"),
    415: gettext_lazy("不支持的内容类型"),
    422: gettext_lazy("无法处理的请求"),
    429: gettext_lazy("请求过于频繁"),
}
# Codes of service ValidationErrors that mean "the state moved on", not "your input is wrong".
CONFLICT_CODES = {
    "already_decided",
    "contact_change_unconfirmed",
    "submission_conflict",
    "duplicate_order",
}


def problem(status_code: int, detail: str, errors: dict | None = None, **headers) -> Response:
    title = TITLES.get(status_code, gettext_lazy("错误"))
    body = problem_body(status=status_code, title=title, detail=detail, errors=errors)
    return Response(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE, headers=headers)


def _django_validation(error: DjangoValidationError) -> Response:
    if hasattr(error, "error_dict"):
        codes = {e.code for errors in error.error_dict.values() for e in errors}
        errors = {
            field: [str(m) for m in messages] for field, messages in error.message_dict.items()
        }
        detail = "；".join(m for messages in errors.values() for m in messages)
    else:
        codes = {e.code for e in error.error_list}
        errors = None
        detail = "；".join(error.messages)
    return problem(409 if codes & CONFLICT_CODES else 400, detail, errors)


def problem_details(exc, context):
    if isinstance(exc, DjangoValidationError):
        return _django_validation(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None  # not an API error: the hall's 500/503 pages answer
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"__all__": data}
        flat = []
        for messages in errors.values():
            flat.extend(str(m) for m in (messages if isinstance(messages, list) else [messages]))
        detail = "；".join(flat) or _("请求内容有误。")
        result = problem(status.HTTP_400_BAD_REQUEST, detail, errors)
    else:
        detail = data.get("detail", "") if isinstance(data, dict) else str(data)
        result = problem(response.status_code, str(detail))
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            result[header] = response[header]
    return result
