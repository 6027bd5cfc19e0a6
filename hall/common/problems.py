"""RFC 9457 problem details: the one shape of every error the API answers, whether DRF renders
it (hall.api.errors) or plain Django does before a view runs (the input guard, an unmatched
/api/ URL)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

API_PREFIX = "/api/"
PROBLEM_CONTENT_TYPE = "application/problem+json"


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def problem_body(*, status: int, title: str, detail: str, errors: dict | None = None) -> dict:
    body = {"type": "about:blank", "title": str(title), "status": status, "detail": str(detail)}
    if errors:
        body["errors"] = errors
    return body


def problem_json_response(*, status: int, title: str, detail: str) -> JsonResponse:
    return JsonResponse(
        problem_body(status=status, title=title, detail=detail),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
