"""`Idempotency-Key` on POST: the first answer is kept and a repeat of the same request gets it
again (`Idempotent-Replayed: true`), creating nothing; the same key on a different request is
422; a repeat while the first is still running is 409. A first request that failed with an
error stores nothing, so its repeat is tried afresh. The services are idempotent on their own as
well (filing keys the case's submission key on the client and the Idempotency-Key)."""

from __future__ import annotations

import datetime
import hashlib
import json
from functools import wraps

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.response import Response

from hall.api.errors import problem
from hall.models import ApiIdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
# A record still "running" after this long belongs to a request that died: a repeat may retry.
RUNNING_STALE_AFTER = datetime.timedelta(seconds=60)


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, ensure_ascii=False, default=_file_digest)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _file_digest(value) -> str:
    """A file in a multipart body counts by its content, not its name: the same key with
    another file is another request."""
    if isinstance(value, File):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return f"file:{digest.hexdigest()}"
    return str(value)


def _replay(record: ApiIdempotencyRecord) -> Response:
    response = Response(record.body, status=record.status)
    response["Idempotent-Replayed"] = "true"
    if record.location:
        response["Location"] = record.location
    return response


def idempotent(view_method):
    @wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return view_method(self, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            return problem(400, _("Idempotency-Key 不能超过 200 个字符。"))
        fingerprint = _fingerprint(request)
        try:
            with transaction.atomic():
                record = ApiIdempotencyRecord.objects.create(
                    client=request.user, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            record = ApiIdempotencyRecord.objects.get(client=request.user, key=key)
            if record.fingerprint != fingerprint:
                return problem(422, _("该 Idempotency-Key 已用于另一个不同的请求。"))
            if record.status is not None:
                return _replay(record)
            if timezone.now() - record.created_at < RUNNING_STALE_AFTER:
                return problem(409, _("使用同一 Idempotency-Key 的请求正在处理，请稍后重试。"))
            ApiIdempotencyRecord.objects.filter(pk=record.pk).update(created_at=timezone.now())
        request.idempotency_key = key
        try:
            # The answer is kept in the transaction of the work it answers: a process that dies
            # (or a database that goes away) after the work's commit cannot leave the record
            # "running" for work that was done; its repeat gets the answer.
            with transaction.atomic():
                response = view_method(self, request, *args, **kwargs)
                if response.status_code < 400:
                    ApiIdempotencyRecord.objects.filter(pk=record.pk).update(
                        status=response.status_code,
                        body=response.data,
                        location=response.get("Location", ""),
                    )
        except BaseException:
            ApiIdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        if response.status_code >= 400:
            ApiIdempotencyRecord.objects.filter(pk=record.pk).delete()
        return response

    return wrapper
