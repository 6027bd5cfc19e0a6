"""The public register's page; no login. `?kiosk=1` (or /register/kiosk/) is the kiosk layout."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from approvals.register.selectors import QUERY_MAX_LENGTH, grants_page
from hall.platform.replica import reads_from_replica


@require_GET
@reads_from_replica
def grants(request: HttpRequest, kiosk: bool = False) -> HttpResponse:
    query = request.GET.get("q", "")[:QUERY_MAX_LENGTH]
    page, entries = grants_page(query=query, page=request.GET.get("page", 1))
    return render(
        request,
        "approvals/register/list.html",
        {
            "page": page,
            "entries": entries,
            "query": query.strip(),
            "kiosk": kiosk or request.GET.get("kiosk") == "1",
            "query_max_length": QUERY_MAX_LENGTH,
        },
    )
