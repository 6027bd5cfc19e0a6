"""Second factor for staff (django-otp TOTP and recovery codes): required of supervisors and
administrators, optional for clerks and officers, asked at every sign-in once set up."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hall.models import SecurityEvent

PASSWORD = "Right-password-2026"
REQUIRED = override_settings(HALL_2FA_REQUIRED_ROLES=["supervisor", "administrator"])


def _user(make_user, name, role):
    user = make_user(name, role)
    user.set_password(PASSWORD)
    user.save()
    return user


def _sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def _code(device: TOTPDevice, *, drift: int = 0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{value:06d}"


def _unthrottle(device) -> None:
    """A wrong code delays the next try by a second (django-otp's throttling); skip the wait."""
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()


def _enrol(client, user) -> list[str]:
    client.get(reverse("two_factor:setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    _unthrottle(device)
    response = client.post(reverse("two_factor:setup"), {"code": _code(device)})
    assert response.status_code == 200
    return response.context["codes"]


@REQUIRED
def test_a_supervisor_must_set_up_a_second_factor_before_any_page(client, make_user):
    supervisor = _user(make_user, "tf-supervisor", "supervisor")
    _sign_in(client, supervisor)
    response = client.get("/supervision/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor:setup"))
    setup = client.get(response["Location"])
    assert setup.status_code == 200
    assert setup.context["qr"].startswith("data:image/svg+xml;base64,")
    # a wrong first code sets up nothing
    assert client.post(reverse("two_factor:setup"), {"code": "000000"}).status_code == 400
    assert not TOTPDevice.objects.filter(user=supervisor, confirmed=True).exists()
    codes = _enrol(client, supervisor)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/supervision/").status_code == 200
    kinds = set(SecurityEvent.objects.filter(user_id=supervisor.pk).values_list("kind", flat=True))
    assert {"login", "otp_failed", "otp_enrolled"} <= kinds


@REQUIRED
def test_the_next_sign_in_asks_for_the_code_and_refuses_a_wrong_one(client, make_user):
    supervisor = _user(make_user, "tf-supervisor2", "supervisor")
    _sign_in(client, supervisor)
    _enrol(client, supervisor)
    client.post(reverse("logout"))
    _sign_in(client, supervisor)
    response = client.get("/supervision/")
    assert response["Location"].startswith(reverse("two_factor:verify"))
    wrong = client.post(reverse("two_factor:verify"), {"code": "123456", "next": "/supervision/"})
    assert wrong.status_code == 400
    assert client.get("/supervision/").status_code == 302
    device = TOTPDevice.objects.get(user=supervisor, confirmed=True)
    _unthrottle(device)
    # a code of the next time step, as from a phone whose clock runs a little ahead
    right = client.post(
        reverse("two_factor:verify"), {"code": _code(device, drift=1), "next": "/supervision/"}
    )
    assert right.status_code == 302 and right["Location"] == "/supervision/"
    assert client.get("/supervision/").status_code == 200


@REQUIRED
def test_a_recovery_code_works_once(client, make_user):
    supervisor = _user(make_user, "tf-supervisor3", "supervisor")
    _sign_in(client, supervisor)
    code = _enrol(client, supervisor)[0]
    for attempt in range(2):
        client.post(reverse("logout"))
        _sign_in(client, supervisor)
        response = client.post(reverse("two_factor:verify"), {"code": code, "next": "/home/"})
        if attempt == 0:
            assert response.status_code == 302
        else:
            assert response.status_code == 400  # used up
    assert StaticToken.objects.filter(device__user=supervisor).count() == 9
    assert (
        SecurityEvent.objects.filter(user_id=supervisor.pk, kind="otp_recovery_used").count() == 1
    )


@REQUIRED
def test_an_administrator_is_held_at_the_admin_too(client, make_user):
    admin_user = _user(make_user, "tf-admin", "administrator")
    admin_user.is_staff = True
    admin_user.save()
    client.post(reverse("admin:login"), {"username": admin_user.username, "password": PASSWORD})
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor:setup"))


@REQUIRED
def test_clerks_may_but_need_not_use_a_second_factor(client, make_user):
    clerk = _user(make_user, "tf-clerk", "clerk")
    _sign_in(client, clerk)
    assert client.get("/window/").status_code == 200
    _enrol(client, clerk)  # turned on voluntarily: asked from now on
    client.post(reverse("logout"))
    _sign_in(client, clerk)
    assert client.get("/window/")["Location"].startswith(reverse("two_factor:verify"))


@pytest.mark.parametrize("required", [["supervisor", "administrator", "clerk", "officer"]])
def test_the_setting_can_require_it_of_clerks_and_officers(client, make_user, required):
    officer = _user(make_user, "tf-officer", "officer")
    with override_settings(HALL_2FA_REQUIRED_ROLES=required):
        _sign_in(client, officer)
        assert client.get("/desk/")["Location"].startswith(reverse("two_factor:setup"))
