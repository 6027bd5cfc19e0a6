"""The OpenAPI document: every operation names the scope a key needs for it, and documents its
error answer, RFC 9457 problem details, so a client (and the property-based API test) knows
the shape of every 4xx."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema

# The extension that names an operation's scope. OpenAPI 3.0 lets a security requirement list
# scopes only for OAuth2 schemes, and the hall's keys are bearer keys, not OAuth2 tokens: so
# each operation carries its scope here (and in its description), and its security stays the
# bearer key (or none, for the public ones).
SCOPES_FIELD = "x-required-scopes"


class ScopedAutoSchema(AutoSchema):
    """drf-spectacular's schema with the scope each view actually requires
    (`required_scope`, which `hall.api.permissions.ScopeRequired` checks), per method."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return operation
        public = not self.view.get_authenticators()
        scope = None if public else getattr(self.view, "required_scope", None)
        operation[SCOPES_FIELD] = [str(scope)] if scope else []
        note = (
            "公开接口，无需密钥。"
            if public
            else f"所需权限范围：`{scope}`。"
            if scope
            else "需要密钥。"
        )
        operation["description"] = f"{operation.get('description', '')}\n\n{note}".strip()
        return operation


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
