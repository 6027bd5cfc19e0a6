"""The hall's roles as Django groups, and the landing page of each.

A role is a group; what a role may do is the set of permissions listed here. `roles_sync` makes
the database match this table and is safe to run again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    slug: str
    group_name: str
    label: str
    landing_url_name: str
    permissions: tuple[str, ...]
    # Apps whose every model permission the role gets (the administrator's catalogue work),
    # but for the models ("app.model") the other administrators hold (三员分立).
    model_apps: tuple[str, ...] = ()
    model_exclude: tuple[str, ...] = ()


APPLICANT = Role(
    "applicant", "applicant", _("申请人"), "portal:home", ("hall.use_applicant_portal",)
)
CLERK = Role("clerk", "clerk", _("窗口工作人员"), "intake:home", ("hall.use_workbench",))
OFFICER = Role("officer", "officer", _("部门审批人员"), "desk:home", ("hall.use_officer_desk",))
AGENT = Role("agent", "agent", _("代办员"), "agency:home", ("hall.act_as_agent",))
SUPERVISOR = Role(
    "supervisor", "supervisor", _("监察人员"), "supervision:home", ("hall.view_supervision",)
)
# Art. 42: unified, joint or centralised handling is extended only with the approval of the head
# of the people's government at this level.
GOVERNMENT_HEAD = Role(
    "government_head",
    "government_head",
    _("本级人民政府负责人"),
    "desk:joint_extensions",
    ("hall.approve_joint_extension",),
)
# 三员分立 (等保 L3-CES1-05…09): three administrators, none holding another's part. The system
# administrator keeps the accounts (not their roles), the catalogue, the calendar and the
# departments; the security administrator the roles, keys, sessions and lockouts; the audit
# administrator reads and exports the logs and nothing else. The archives are the archivist's.
SECURITY_MODELS = (
    "auth.group",
    "auth.permission",
    "hall.usersession",
    "hall.apiclient",
    "hall.webhooksubscription",
    "hall.webhookdelivery",
)
AUDIT_MODELS = ("hall.securityevent", "hall.personaldataaccess", "hall.apicallrecord")
RECORDS_MODELS = ("hall.archivepackage", "hall.destructionlist")
ADMINISTRATOR = Role(
    "administrator",
    "administrator",
    _("系统管理员"),
    "admin:index",
    ("hall.view_supervision",),
    model_apps=("approvals", "departments", "hall", "auth"),
    model_exclude=SECURITY_MODELS + AUDIT_MODELS + RECORDS_MODELS,
)
SECURITY_ADMINISTRATOR = Role(
    "security_admin",
    "security_admin",
    _("安全管理员"),
    "admin:index",
    (
        "hall.assign_roles",
        "auth.view_user",
        "auth.change_user",
        "auth.view_group",
        "hall.view_usersession",
        "hall.view_apiclient",
        "hall.add_apiclient",
        "hall.change_apiclient",
        "hall.view_webhooksubscription",
        "hall.change_webhooksubscription",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
    ),
)
AUDIT_ADMINISTRATOR = Role(
    "audit_admin",
    "audit_admin",
    _("审计管理员"),
    "admin:index",
    (
        "hall.view_securityevent",
        "hall.view_personaldataaccess",
        "hall.view_apicallrecord",
        "admin.view_logentry",
    ),
)
# No account holds two of these (the user admin refuses it; `check --deploy --database default`
# names any that does).
SEPARATED_ROLES = (ADMINISTRATOR, SECURITY_ADMINISTRATOR, AUDIT_ADMINISTRATOR)

# Records (issue 29): keeps the archive packages, puts legal holds, and is one of the two people
# a destruction list needs.
ARCHIVIST = Role(
    "archivist",
    "archivist",
    _("档案管理员"),
    "admin:index",
    (
        "hall.approve_destruction",
        "hall.hold_archive",
        "hall.view_archivepackage",
        "hall.change_archivepackage",
        "hall.view_destructionlist",
    ),
)

# Order matters: a user with several roles lands on the first one listed.
ROLES: tuple[Role, ...] = (
    ADMINISTRATOR,
    SECURITY_ADMINISTRATOR,
    AUDIT_ADMINISTRATOR,
    SUPERVISOR,
    ARCHIVIST,
    GOVERNMENT_HEAD,
    OFFICER,
    CLERK,
    AGENT,
    APPLICANT,
)


def _permissions_for(role: Role) -> list[Permission]:
    query = Q(pk__in=[])
    for dotted in role.permissions:
        app_label, codename = dotted.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    for app_label in role.model_apps:
        query |= Q(content_type__app_label=app_label) & ~Q(content_type__model="rolecapability")
    for dotted in role.model_exclude:
        app_label, model = dotted.split(".")
        query &= ~Q(content_type__app_label=app_label, content_type__model=model)
    return list(Permission.objects.filter(query))


@transaction.atomic
def roles_sync() -> dict[str, Group]:
    """Create or update one group per role with exactly the role's permissions."""
    groups = {}
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role.group_name)
        group.permissions.set(_permissions_for(role))
        groups[role.slug] = group
    return groups


def roles_of(user) -> list[Role]:
    """The user's roles, read once per user object (a request asks several times; the log
    lines of the request name the first)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_hall_roles", None)
    if cached is not None:
        return list(cached)
    names = {group.name for group in user.groups.all()}
    roles = [role for role in ROLES if role.group_name in names]
    if user.is_superuser and ADMINISTRATOR not in roles:
        roles.insert(0, ADMINISTRATOR)
    user._hall_roles = tuple(roles)
    return roles


def landing_url_name(user) -> str:
    roles = roles_of(user)
    return roles[0].landing_url_name if roles else "index"


def separated_roles_held(group_names) -> list[Role]:
    """Which of the three administrators' roles a set of group names holds (more than one is
    refused: 三员分立)."""
    names = set(group_names)
    return [role for role in SEPARATED_ROLES if role.group_name in names]
