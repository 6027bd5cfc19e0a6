"""Deployment checks that need the database (`manage.py check --deploy --database default`):
the three administrators kept apart, and no superuser used for daily work (三员分立, 等保
L3-CES1-05…09)."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core import checks
from django.utils import timezone

from hall.roles import SEPARATED_ROLES, separated_roles_held

DAILY_WORK_DAYS = 30


@checks.register(checks.Tags.security, deploy=True)
def administrators_separated(app_configs=None, databases=None, **kwargs) -> list:
    if not databases or "default" not in databases:
        return []
    User = get_user_model()
    problems = []
    names = [role.group_name for role in SEPARATED_ROLES]
    holders = (
        User.objects.filter(is_active=True, groups__name__in=names)
        .prefetch_related("groups")
        .distinct()
    )
    for user in holders:
        held = separated_roles_held(group.name for group in user.groups.all())
        if len(held) > 1:
            problems.append(
                checks.Error(
                    f"account {user.get_username()!r} holds "
                    f"{', '.join(role.slug for role in held)}: one account, one administrator",
                    hint="Remove all but one of these roles (README, Personal data and records).",
                    id="hall.E101",
                )
            )
    since = timezone.now() - datetime.timedelta(days=DAILY_WORK_DAYS)
    for user in User.objects.filter(is_active=True, is_superuser=True, last_login__gte=since):
        problems.append(
            checks.Error(
                f"superuser {user.get_username()!r} signed in within {DAILY_WORK_DAYS} days: a "
                "superuser holds all three administrators' powers and is for emergencies only",
                hint="Give the person one administrator role and switch the superuser off.",
                id="hall.E102",
            )
        )
    return problems
