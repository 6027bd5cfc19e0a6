"""Reads of the outbox: a user's inbox."""

from __future__ import annotations

from django.contrib.auth.models import User

from hall.models import Notification


def inbox_for(*, user: User):
    return Notification.objects.filter(
        recipient_user=user, channel=Notification.Channel.INBOX
    ).select_related("case")
