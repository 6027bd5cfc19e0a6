"""知识库 (GB/T 44191-2024): answers to common questions, each with its source, versioned,
searchable at the window and online; a consultation answered from it cites the entry; entries
outdated or unused are listed for review."""

from __future__ import annotations

import datetime
import re

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.models import KnowledgeEntry

UNUSED_AFTER = datetime.timedelta(days=183)
REVIEW_EVERY = datetime.timedelta(days=365)
SEARCH_MAX = 50


def _clean(question: str, answer: str, source_kind: str, source: str) -> tuple[str, str, str]:
    question, answer, source = (
        (question or "").strip(),
        (answer or "").strip(),
        (source or "").strip(),
    )
    errors = {}
    if not question:
        errors["question"] = [_("请填写问题。")]
    if not answer:
        errors["answer"] = [_("请填写答复。")]
    if source_kind not in KnowledgeEntry.Source.values:
        errors["source_kind"] = [_("请选择依据类型。")]
    if not source:
        errors["source"] = [_("每条答复都须写明依据（事项、法规条文或文件）。")]
    if errors:
        raise ValidationError(errors)
    return question[:200], answer, source[:300]


def knowledge_add(
    *, key: str, question: str, answer: str, source_kind: str, source: str, actor: User | None
) -> KnowledgeEntry:
    """A new entry (version 1)."""
    question, answer, source = _clean(question, answer, source_kind, source)
    if not re.fullmatch(r"[a-z0-9-]{2,60}", key or ""):
        raise ValidationError({"key": [_("条目标识只用小写字母、数字和连字符（2–60 个）。")]})
    now = timezone.now()
    try:
        with transaction.atomic():
            return KnowledgeEntry.objects.create(
                key=key,
                question=question,
                answer=answer,
                source_kind=source_kind,
                source=source,
                review_by=timezone.localdate(now) + REVIEW_EVERY,
                created_by=actor,
                created_at=now,
            )
    except IntegrityError as error:
        raise ValidationError({"key": [_("已有这个标识的条目，请修订它。")]}) from error


def knowledge_revise(
    *, entry: KnowledgeEntry, question: str, answer: str, source_kind: str, source: str, actor
) -> KnowledgeEntry:
    """A new version; the current one stays readable as it was, no longer current. Two
    revisions at once: the second is told the entry has moved on."""
    question, answer, source = _clean(question, answer, source_kind, source)
    now = timezone.now()
    with transaction.atomic():
        moved = KnowledgeEntry.objects.filter(pk=entry.pk, is_current=True).update(is_current=False)
        if not moved:
            raise ValidationError(_("该条目已被修订，请在最新版本上修改。"), code="stale")
        return KnowledgeEntry.objects.create(
            key=entry.key,
            version=entry.version + 1,
            question=question,
            answer=answer,
            source_kind=source_kind,
            source=source,
            review_by=timezone.localdate(now) + REVIEW_EVERY,
            created_by=actor,
            created_at=now,
            use_count=entry.use_count,
            last_used_at=entry.last_used_at,
        )


def knowledge_cited(*, entry: KnowledgeEntry) -> None:
    """Counted once per answer that cites it (in the citing transaction)."""
    KnowledgeEntry.objects.filter(pk=entry.pk).update(
        use_count=F("use_count") + 1, last_used_at=timezone.now()
    )


def knowledge_search(query: str) -> QuerySet[KnowledgeEntry]:
    """Current entries whose question, answer or source holds every word of `query`."""
    entries = KnowledgeEntry.objects.filter(is_current=True)
    for word in (query or "").split()[:5]:
        word = word[:30]
        entries = entries.filter(
            Q(question__icontains=word) | Q(answer__icontains=word) | Q(source__icontains=word)
        )
    return entries.order_by("-use_count", "question")


def knowledge_current(pk) -> KnowledgeEntry | None:
    return KnowledgeEntry.objects.filter(pk=pk, is_current=True).first() if pk else None


def knowledge_for_review(*, today: datetime.date | None = None) -> QuerySet[KnowledgeEntry]:
    """Current entries due for review: past their review date, or not cited for half a year."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    unused = Q(last_used_at__lt=now - UNUSED_AFTER) | Q(
        last_used_at__isnull=True, created_at__lt=now - UNUSED_AFTER
    )
    return (
        KnowledgeEntry.objects.filter(is_current=True)
        .filter(Q(review_by__lt=today) | unused)
        .order_by("review_by")
    )
