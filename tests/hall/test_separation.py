"""Issue 29: three administrators (三员分立), none holding another's part, none a superuser at
work; every admin act visible to the audit administrator."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.utils import timezone

from hall.checks import administrators_separated

User = get_user_model()


def codenames(group) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_each_administrator_holds_only_its_own_part(roles):
    system, security, audit = (
        codenames(roles[slug]) for slug in ("administrator", "security_admin", "audit_admin")
    )
    assert {"approvals.change_serviceitem", "auth.add_user", "departments.add_department"} <= system
    assert not system & {
        "hall.view_securityevent",
        "hall.view_personaldataaccess",
        "auth.change_group",
        "hall.assign_roles",
        "hall.add_apiclient",
        "hall.approve_destruction",
    }
    assert {"hall.assign_roles", "hall.add_apiclient", "axes.delete_accessattempt"} <= security
    assert not security & {"hall.view_securityevent", "approvals.change_serviceitem"}
    assert audit == {
        "hall.view_securityevent",
        "hall.view_personaldataaccess",
        "hall.view_apicallrecord",
        "admin.view_logentry",
    }


@pytest.fixture
def staff(make_user):
    def make(username: str, role: str):
        return make_user(username, role, is_staff=True)

    return make


def test_each_administrator_reaches_only_its_own_pages(client, staff):
    pages = {
        "administrator": "/admin/approvals/serviceitem/",
        "security_admin": "/admin/hall/apiclient/",
        "audit_admin": "/admin/hall/securityevent/",
    }
    for role in pages:
        client.force_login(staff(f"u-{role}", role))
        for other_role, page in pages.items():
            expected = 200 if other_role == role else 403
            assert client.get(page).status_code == expected, (role, page)
    client.force_login(User.objects.get(username="u-audit_admin"))
    assert client.get("/admin/admin/logentry/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403


def test_no_account_is_given_two_administrators_roles(client, staff, roles):
    security = staff("sec", "security_admin")
    target = staff("someone", "administrator")
    client.force_login(security)
    page = client.get(f"/admin/auth/user/{target.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: form.initial.get(name) for name in form.fields if form.initial.get(name) is not None
    }
    data.update(
        groups=[roles["administrator"].pk, roles["audit_admin"].pk],
        is_active="on",
        is_staff="on",
        date_joined_0=timezone.localtime(target.date_joined).strftime("%Y-%m-%d"),
        date_joined_1=timezone.localtime(target.date_joined).strftime("%H:%M:%S"),
    )
    data.pop("password", None)
    response = client.post(f"/admin/auth/user/{target.pk}/change/", data)
    assert response.status_code == 200  # the form again, with the error
    assert "三员分立" in response.content.decode()
    assert set(target.groups.values_list("name", flat=True)) == {"administrator"}


def test_the_system_administrator_cannot_hand_out_roles(client, staff):
    system = staff("sys", "administrator")
    target = staff("clerkish", "clerk")
    client.force_login(system)
    page = client.get(f"/admin/auth/user/{target.pk}/change/")
    assert page.status_code == 200
    assert "groups" not in page.context["adminform"].form.fields  # shown, not editable


def test_the_deployment_check_names_shared_roles_and_a_superuser_at_work(db, staff, roles):
    assert administrators_separated(databases=["default"]) == []
    both = staff("both", "administrator")
    both.groups.add(roles["security_admin"])
    boss = User.objects.create_superuser("root", password="pw-Hall-2026!")
    boss.last_login = timezone.now() - datetime.timedelta(days=2)
    boss.save()
    found = {problem.id: problem.msg for problem in administrators_separated(databases=["default"])}
    assert set(found) == {"hall.E101", "hall.E102"}
    assert "'both'" in found["hall.E101"] and "'root'" in found["hall.E102"]
    assert administrators_separated(databases=None) == []  # without a database: nothing to say


def test_an_admin_act_is_visible_to_the_audit_administrator(client, staff):
    client.force_login(staff("sys2", "administrator"))
    response = client.post(
        "/admin/departments/department/add/",
        {
            "code": "AUD",
            "name": "审计测试局",
            "short_name": "审计",
            "level": "district",
            "officers-TOTAL_FORMS": "0",
            "officers-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    act = LogEntry.objects.get(object_repr__contains="审计测试局")
    assert act.user.username == "sys2" and act.is_addition()
    client.force_login(staff("aud", "audit_admin"))
    page = client.get("/admin/admin/logentry/")
    assert page.status_code == 200 and "审计测试局" in page.content.decode()
    assert client.get(f"/admin/admin/logentry/{act.pk}/delete/").status_code == 403
