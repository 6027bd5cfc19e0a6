"""A request rate per client (`ApiClient.requests_per_minute`), counted in the shared cache;
anonymous callers of the public catalogue per address."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from hall.models import ApiClient

ANONYMOUS_PER_MINUTE = 60


class PerClientRate(SimpleRateThrottle):
    scope = "api"

    def get_rate(self) -> str:
        return f"{ANONYMOUS_PER_MINUTE}/min"  # replaced per request in allow_request

    def allow_request(self, request, view) -> bool:
        client = request.user
        per_minute = (
            client.requests_per_minute if isinstance(client, ApiClient) else ANONYMOUS_PER_MINUTE
        )
        self.rate = f"{per_minute}/min"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        client = request.user
        # the key prefix, not the id: random, so counts never carry over to a re-used id
        ident = (
            f"client-{client.key_prefix}"
            if isinstance(client, ApiClient)
            else self.get_ident(request)
        )
        return f"api-throttle:{ident}"


class LicenceVerifyRate(SimpleRateThrottle):
    """Verifying a licence: per address, at the public page's rate (30 a minute), so that codes
    cannot be tried in bulk through the API either."""

    scope = "licence-verify"
    rate = "30/min"

    def get_cache_key(self, request, view) -> str:
        return f"api-licence-verify:{self.get_ident(request)}"
