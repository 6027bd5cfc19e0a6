"""OpenAPI post-processing: every operation documents its error answer, RFC 9457 problem
details, so a client (and the property-based API test) knows the shape of every 4xx."""

from __future__ import annotations

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details（错误说明）",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "字段错误：字段名 → 错误说明列表",
            "additionalProperties": {},
        },
    },
    "required": ["type", "title", "status", "detail"],
}


def problem_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    reference = {"$ref": "#/components/schemas/Problem"}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            operation["responses"].setdefault(
                "default",
                {
                    "description": "错误（problem details）",
                    "content": {"application/problem+json": {"schema": reference}},
                },
            )
    return result
