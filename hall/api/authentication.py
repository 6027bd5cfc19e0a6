"""`Authorization: Bearer <key>` for machine clients. The authenticated "user" is the ApiClient;
a department client acts through its `acting_user` when a service needs an officer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from hall.api.keys import client_for_key


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _sep, key = header.partition(" ")
        if scheme != self.keyword or not key.strip():
            raise exceptions.AuthenticationFailed(_("认证信息格式不正确，应为 Bearer <密钥>。"))
        client = client_for_key(key.strip())
        if client is None:
            raise exceptions.AuthenticationFailed(_("密钥无效或客户端已停用。"))
        return client, None

    def authenticate_header(self, request) -> str:
        return self.keyword


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI document describes the key (drf-spectacular finds this subclass)."""

    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "安全管理员在后台“接口客户端”中签发的密钥：Authorization: Bearer hall_…。"
                "每个接口所需的权限范围见其 x-required-scopes：catalogue:read、cases:file、"
                "cases:read、steps:act、supervision:read。"
            ),
        }
