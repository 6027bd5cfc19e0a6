"""Sign-in failure limits (django-axes) on the staff, admin and portal forms: guessing is
stopped per account and address, a victim signing in from elsewhere is not locked out, and an
administrator can unlock."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

PASSWORD = "Right-password-2026"


@pytest.fixture
def officer(make_user):
    user = make_user("guarded-officer", "officer")
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client, url, username, password, address):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.parametrize("url_name", ["login", "admin:login"])
def test_forty_wrong_passwords_then_the_right_one_is_refused(client, officer, url_name):
    url = reverse(url_name)
    statuses = [
        _login(client, url, officer.username, f"wrong-{n}", "203.0.113.9").status_code
        for n in range(40)
    ]
    assert statuses[:4] == [200] * 4  # the form says the password is wrong
    assert set(statuses[4:]) == {429}  # the fifth failure locks the pair
    response = _login(client, url, officer.username, PASSWORD, "203.0.113.9")
    assert response.status_code == 429
    assert "登录已暂停" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_attacker_elsewhere_does_not_lock_the_victim_out(client, officer):
    url = reverse("login")
    for n in range(10):
        _login(client, url, officer.username, f"wrong-{n}", "198.51.100.7")
    response = _login(client, url, officer.username, PASSWORD, "192.0.2.20")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(officer.pk)


def test_an_administrator_unlocks_the_account(client, officer):
    url = reverse("login")
    for n in range(6):
        _login(client, url, officer.username, f"wrong-{n}", "203.0.113.9")
    assert _login(client, url, officer.username, PASSWORD, "203.0.113.9").status_code == 429
    attempt = AccessAttempt.objects.get(username=officer.username)
    assert attempt.failures_since_start >= 5
    attempt.delete()  # what "Access attempts → delete" in the admin does
    assert _login(client, url, officer.username, PASSWORD, "203.0.113.9").status_code == 302


def test_passwords_are_hashed_with_argon2_and_staff_need_twelve_characters(settings):
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from hall import settings as configured  # the tests themselves hash with MD5, for speed

    assert configured.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with pytest.raises(ValidationError):
        validate_password("Short-2026x")  # 11 characters
    validate_password("Twelve-chars-2026")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    assert make_password("Twelve-chars-2026").startswith("argon2$argon2id$")


def test_one_address_trying_many_accounts_is_stopped_across_accounts(client, make_user, settings):
    """Credential stuffing: four guesses each on many accounts, never five on one."""
    settings.HALL_LOGIN_ADDRESS_FAILURE_LIMIT = 12
    url = reverse("login")
    victims = [make_user(f"stuffed-{n}", "clerk") for n in range(4)]
    statuses = [
        _login(client, url, victim.username, f"guess-{n}", "203.0.113.50").status_code
        for victim in victims[:3]
        for n in range(4)
    ]
    # the twelfth failure from this address, over three accounts, locks the address out
    assert statuses == [200] * 11 + [429]
    # and the next account is refused before its password is tried
    assert _login(client, url, victims[3].username, "guess", "203.0.113.50").status_code == 429
    # the same people from their own addresses are unaffected
    victims[3].set_password(PASSWORD)
    victims[3].save()
    assert _login(client, url, victims[3].username, PASSWORD, "192.0.2.77").status_code == 302


def test_many_addresses_guessing_one_account_are_slowed_and_the_owner_still_signs_in(
    client, officer, settings
):
    """The attack: 8 addresses made 32 guesses on one account, each pair under its limit. Past
    the account's threshold it takes one attempt per interval, whoever makes it."""
    settings.HALL_LOGIN_ACCOUNT_SLOWDOWN_AFTER = 10
    url = reverse("login")
    for n in range(10):  # two each from five addresses: no pair reaches its own limit
        answer = _login(client, url, officer.username, f"wrong-{n}", f"198.51.100.{n // 2}")
        assert answer.status_code == 200
    owner = _login(client, url, officer.username, PASSWORD, "192.0.2.20")
    assert owner.status_code == 302  # the interval's one attempt: the owner is in
    client.logout()
    guess = _login(client, url, officer.username, "wrong-again", "198.51.100.9")
    assert guess.status_code == 429  # the next guess, within the interval, is refused
    assert "每隔几秒只受理一次登录" in guess.content.decode()
