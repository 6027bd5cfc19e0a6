"""The demo logins (one per role) and how they are created; safe to run again."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from hall.common.personal_data import phone_account_username

DEMO_PASSWORD = "hall-demo-2026"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    full_name: str
    # An online applicant signs in with the phone (issue 32: the demo's login was typed into a
    # field labelled 手机号码 and the phone was refused); the account's username is its digest.
    phone: str = ""

    @property
    def sign_in_as(self) -> str:
        """What to type in the login form."""
        return self.phone or self.username

    def account_username(self) -> str:
        return phone_account_username(self.phone) if self.phone else self.username


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
    DemoLogin("applicant", "applicant", "张三", phone="13800138000"),
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
