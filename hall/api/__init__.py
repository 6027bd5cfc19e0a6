"""The open API under /api/v1/ (Django REST framework, OpenAPI by drf-spectacular): thin views
over the same services and selectors as the web pages, for machine clients bounded by scope,
department and item (hall.models.ApiClient)."""
