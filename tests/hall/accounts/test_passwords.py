"""Every role changes its own password, under the hall's rules, in the person's language."""

from __future__ import annotations

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from hall.accounts.passwords import VariedPasswordValidator

NEW = "Hall-新密码-2027!"


@pytest.mark.parametrize("role", ["applicant", "clerk", "officer", "supervisor", "agent"])
def test_every_role_changes_its_own_password(make_user, role):
    user = make_user(f"pw-{role}", role)
    browser = Client()
    browser.force_login(user)
    other_device = Client()
    other_device.force_login(user)
    page = browser.get(reverse("password_change"))
    assert page.status_code == 200 and "修改密码" in page.content.decode()
    answer = browser.post(
        reverse("password_change"),
        {"old_password": "pw-Hall-2026!", "new_password1": NEW, "new_password2": NEW},
    )
    assert answer.status_code == 302 and answer["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert browser.get(reverse("password_change_done")).status_code == 200  # still signed in
    # the other device's session ends with the old password
    assert "_auth_user_id" not in other_device.get(reverse("password_change")).wsgi_request.session


def test_a_wrong_current_password_or_a_weak_new_one_is_told_in_chinese(make_user):
    user = make_user("pw-clerk", "clerk", last_name="王五")
    browser = Client()
    browser.force_login(user)
    wrong = browser.post(
        reverse("password_change"),
        {"old_password": "not-it", "new_password1": NEW, "new_password2": NEW},
    )
    assert wrong.status_code == 200 and "旧密码不正确" in wrong.content.decode()
    weak = browser.post(
        reverse("password_change"),
        {
            "old_password": "pw-Hall-2026!",
            "new_password1": "王五王五王五王五王五王五",
            "new_password2": "王五王五王五王五王五王五",
        },
    )
    assert weak.status_code == 200
    assert "不同的字符" in weak.content.decode()
    user.refresh_from_db()
    assert user.check_password("pw-Hall-2026!")


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("王五王五王五王五王五王五", "password_too_uniform"),
        ("abcabcabcabcabc", "password_too_uniform"),
        ("abc12abc12abc12", "password_repeated"),
        ("王五王五王五王五xyz9", "password_personal"),
        ("13800138000Ab!", "password_personal"),
    ],
)
def test_the_varied_rule_refuses_names_phones_and_repetitions(django_user_model, password, code):
    user = django_user_model(username="13800138000", last_name="王五王五")
    with pytest.raises(ValidationError) as refused:
        VariedPasswordValidator().validate(password, user=user)
    assert refused.value.code == code


def test_an_ordinary_passphrase_passes_every_rule(django_user_model):
    user = django_user_model(username="13800138000", last_name="王五")
    password_validation.validate_password("秋天的银杏叶落满了山坡-2026", user=user)


@pytest.mark.parametrize(
    ("password", "said"),
    [
        ("short", "密码太短，至少需要 12 个字符。"),  # Django 5.2 said this one in English
        ("12345678901234", "密码只包含数字"),
        ("password1234", "这个密码太常见了"),
        ("王五王五王五王五王五王五", "至少要包含 5 个不同的字符"),
    ],
)
def test_registration_says_every_password_rule_in_chinese(client, db, roles, password, said):
    answer = client.post(
        reverse("portal:register"),
        {
            "phone": "13800138000",
            "code": "123456",
            "password1": password,
            "password2": password,
            "kind": "person",
            "name": "王五",
            "id_number": "11010519491231002X",
        },
    )
    assert answer.status_code == 400
    html = answer.content.decode()
    assert said in html and "This password" not in html


def test_the_length_rule_is_said_in_english_on_the_english_page(client, db, roles):
    client.cookies["django_language"] = "en"
    answer = client.post(
        reverse("portal:register"),
        {
            "phone": "13800138000",
            "code": "123456",
            "password1": "short",
            "password2": "short",
            "kind": "person",
            "name": "王五",
            "id_number": "11010519491231002X",
        },
    )
    assert "at least 12 characters" in answer.content.decode()
