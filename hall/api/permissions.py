"""Scopes: each view names the scope it needs (`required_scope`); a view without one is public
(the public catalogue). A client without the scope gets 403."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from hall.models import ApiClient


class ScopeRequired(BasePermission):
    message = _("该客户端没有此接口的权限范围。")

    def has_permission(self, request, view) -> bool:
        scope = getattr(view, "required_scope", None)
        if scope is None:
            return True
        client = request.user
        return isinstance(client, ApiClient) and client.has_scope(scope)
