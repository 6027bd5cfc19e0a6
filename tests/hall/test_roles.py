"""Roles are groups with permissions; each role lands on its own page and no other."""

import pytest
from django.urls import reverse

from hall.roles import ROLES, landing_url_name, roles_sync

LANDINGS = {
    "applicant": "portal:home",
    "clerk": "intake:home",
    "officer": "desk:home",
    "agent": "agency:home",
    "supervisor": "supervision:home",
}


def test_roles_sync_is_idempotent(db):
    first = roles_sync()
    second = roles_sync()
    assert {slug: g.pk for slug, g in first.items()} == {slug: g.pk for slug, g in second.items()}
    assert set(first) == {role.slug for role in ROLES}
    assert first["clerk"].permissions.filter(codename="use_workbench").exists()
    assert not first["clerk"].permissions.filter(codename="view_supervision").exists()


def test_administrator_gets_catalogue_model_permissions(roles):
    codenames = set(roles["administrator"].permissions.values_list("codename", flat=True))
    assert {"add_department", "change_officer"} <= codenames


@pytest.mark.parametrize("slug", sorted(LANDINGS))
def test_each_role_lands_on_its_page(client, make_user, slug):
    user = make_user(f"u-{slug}", slug)
    assert landing_url_name(user) == LANDINGS[slug]
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(LANDINGS[slug])
    assert client.get(reverse(LANDINGS[slug])).status_code == 200


@pytest.mark.parametrize("slug", sorted(LANDINGS))
def test_roles_cannot_open_other_roles_pages(client, make_user, slug):
    client.force_login(make_user(f"u-{slug}", slug))
    for other_slug, url_name in LANDINGS.items():
        if other_slug != slug:
            assert client.get(reverse(url_name)).status_code == 403, (slug, url_name)


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("intake:home"))
    assert response.status_code in {302, 403}
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_administrator_opens_admin(client, make_user):
    admin_user = make_user("boss", "administrator", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    assert client.get(reverse("home"))["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200
