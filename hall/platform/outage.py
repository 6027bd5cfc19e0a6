"""When PostgreSQL or Redis is down, pages answer with the hall's own "service temporarily
unavailable" page (503, Chinese first, `Retry-After`), never a 500 or Django's English page.

A request that reaches a stopped database or cache fails inside the view; this turns exactly
those errors (the database's operational and interface errors, Redis' connection and timeout
errors) into the 503. Nothing was written: the request's transaction rolled back with the error.
Abuse limits stay closed meanwhile (the limiter cannot count, so nothing is let through), but
the visitor is told to try again shortly instead of seeing an error. The page is rendered from
a template that reads nothing from the database (no context processors), in the request's
language.

Errors raised by a view come here (`process_exception`); errors raised in a middleware (the
session read, say) reach Django's 500 handler, which is `server_error` below and gives the same
503 for an outage, and the hall's own static page for anything else.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
OUTAGES = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)
RETRY_AFTER_S = 30


def unavailable_response(request) -> HttpResponse:
    body = render_to_string("errors/unavailable.html", {"retry_after": RETRY_AFTER_S}, request=None)
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_S)
    response["Cache-Control"] = "no-store"
    return response


class OutageAnswer:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OUTAGES):
            logger.exception("outage: %s answered 503", request.path)
            return unavailable_response(request)
        return None


def server_error(request) -> HttpResponse:
    """handler500: an outage is a 503 with the outage page; any other error the hall's own
    500 page (static: it must render when nothing else works)."""
    error = sys.exc_info()[1]
    if isinstance(error, OUTAGES):
        return unavailable_response(request)
    # the request's id, so that a citizen can quote it and the log line can be found
    request_id = getattr(request, "request_id", "")
    return HttpResponse(
        render_to_string("errors/server_error.html", {"request_id": request_id}), status=500
    )
