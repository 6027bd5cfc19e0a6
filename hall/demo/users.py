"""The demo logins (one per role) and how they are created; safe to run again."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

DEMO_PASSWORD = "hall-demo-2026"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    full_name: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("admin", "administrator", "系统管理员"),
    DemoLogin("security", "security_admin", "孙安全"),
    DemoLogin("auditor", "audit_admin", "吴审计"),
    DemoLogin("supervisor", "supervisor", "周监察"),
    DemoLogin("archivist", "archivist", "赵档案"),
    DemoLogin("government", "government_head", "刘区长"),
    DemoLogin("clerk", "clerk", "王窗口"),
    DemoLogin("officer", "officer", "李审批"),
    DemoLogin("agent", "agent", "陈代办"),
    DemoLogin("applicant", "applicant", "张三"),
)


def demo_user_ensure(*, username: str, role: str, full_name: str, groups: dict):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"last_name": full_name[:1], "first_name": full_name[1:]},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
    # The administrators and the archivist work in the admin. None is a superuser: 三员分立
    # splits what one superuser could do (README, Personal data and records).
    if role in ("administrator", "security_admin", "audit_admin", "archivist"):
        user.is_staff = True
    user.is_superuser = False
    user.save()
    user.groups.add(groups[role])
    return user
