"""Online accounts: registration with an SMS code, identity binding, sign-in by password or code."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse

from hall.accounts import services as accounts
from hall.accounts.sms_codes import sms_code_send
from hall.cases import applicants as intake
from hall.common.personal_data import data_digest, phone_account_username
from hall.models import Applicant, SmsCode
from tests.hall.accounts.test_sms_codes import last_code, sms_lines

PHONE = "13800138000"
ID_NUMBER = "11010519491231002X"
USCC = "91350100M000100Y43"
PASSWORD = "Hall-online-2026"


@pytest.fixture(autouse=True)
def private_cache(settings):
    """Rate-limit counters in a cache of this test's own (never the shared Redis)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"accounts-{uuid.uuid4()}",
        }
    }


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.HALL_SMS_BACKEND = "hall.platform.messaging.FileSmsBackend"
    settings.HALL_SMS_FILE = str(tmp_path / "sms.jsonl")
    return tmp_path / "sms.jsonl"


def register_code(sms_file, phone=PHONE) -> str:
    sms_code_send(phone=phone, purpose=SmsCode.Purpose.REGISTER)
    return last_code(sms_file, phone)


def person(**overrides):
    fields = {
        "phone": PHONE,
        "password": PASSWORD,
        "kind": "person",
        "name": "张三",
        "id_number": ID_NUMBER,
    }
    fields.update(overrides)
    return fields


def test_register_creates_applicant_account(roles, sms_file):
    code = register_code(sms_file)
    user = accounts.account_register(code=code, **person(phone="+86 138 0013 8000"))
    # the username is the phone's keyed digest: the user table holds no phone number
    assert user.username == phone_account_username(PHONE)
    assert PHONE not in user.username
    assert user.check_password(PASSWORD)
    assert user.groups.filter(name="applicant").exists()
    assert user.has_perm("hall.use_applicant_portal")
    applicant = Applicant.objects.get()
    assert applicant.user == user and applicant.id_number == ID_NUMBER
    assert applicant.phone == PHONE and applicant.kind == "person"


def test_enterprise_registers_with_credit_code_and_representative(roles, sms_file):
    code = register_code(sms_file)
    with pytest.raises(ValidationError) as raised:
        accounts.account_register(
            code=code,
            **person(kind="enterprise", name="福田贸易有限公司", id_number="", uscc=USCC),
        )
    assert "legal_representative" in raised.value.message_dict
    user = accounts.account_register(
        code=code,
        **person(
            kind="enterprise",
            name="福田贸易有限公司",
            id_number="",
            uscc=USCC,
            legal_representative="李四",
        ),
    )
    assert user.applicant.uscc == USCC and user.applicant.legal_representative == "李四"


def test_field_errors_come_first_and_keep_the_code(roles, sms_file):
    code = register_code(sms_file)
    # Given a weak password and a wrong check digit
    with pytest.raises(ValidationError) as raised:
        accounts.account_register(
            code=code, **person(password="12345678", id_number="110105194912310021")
        )
    errors = raised.value.message_dict
    # Then both are reported at their fields, in Chinese
    assert "校验" in " ".join(errors["id_number"])
    assert any("数字" in message or "常见" in message for message in errors["password"])
    assert not User.objects.exists()
    # and the code was not used: the corrected form goes through with it
    assert SmsCode.objects.get().attempts == 0
    accounts.account_register(code=code, **person())


def test_wrong_code_creates_nothing(roles, sms_file):
    code = register_code(sms_file)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(ValidationError) as raised:
        accounts.account_register(code=wrong, **person())
    assert raised.value.message_dict["code"] == ["短信验证码不正确或已失效，请重新获取。"]
    assert not User.objects.exists() and not Applicant.objects.exists()


def test_window_applicant_is_bound_when_phone_and_name_match(roles, sms_file):
    known = intake.applicant_register(kind="person", name="张三", phone=PHONE, id_number=ID_NUMBER)
    user = accounts.account_register(code=register_code(sms_file), **person())
    known.refresh_from_db()
    assert known.user == user
    assert Applicant.objects.count() == 1


def test_window_applicant_with_another_phone_is_not_bound(roles, sms_file):
    # Someone who knows a person's name and ID number, with their own phone
    known = intake.applicant_register(
        kind="person", name="张三", phone="13900139000", id_number=ID_NUMBER
    )
    with pytest.raises(ValidationError) as raised:
        accounts.account_register(code=register_code(sms_file), **person())
    assert "窗口" in raised.value.message_dict["id_number"][0]
    known.refresh_from_db()
    assert known.user is None and known.phone == "13900139000"
    assert not User.objects.exists()


def test_identity_bound_to_another_account_is_refused(roles, sms_file):
    accounts.account_register(code=register_code(sms_file), **person())
    other = "13700137000"
    with pytest.raises(ValidationError) as raised:
        accounts.account_register(code=register_code(sms_file, other), **person(phone=other))
    assert "id_number" in raised.value.message_dict
    assert User.objects.count() == 1


def test_phone_already_registered(roles, sms_file):
    accounts.account_register(code=register_code(sms_file), **person())
    SmsCode.objects.update(created_at="2000-01-01T00:00:00Z")
    with pytest.raises(ValidationError) as raised:
        accounts.account_register(
            code=register_code(sms_file), **person(name="王五", id_number="110101199003074514")
        )
    assert "已注册" in raised.value.message_dict["phone"][0]


def test_identity_bind_for_an_account_without_identity(make_user, sms_file):
    user = make_user("applicant", "applicant", last_name="张", first_name="三")
    applicant = accounts.account_identity_bind(
        user=user,
        phone=PHONE,
        code=register_code(sms_file),
        kind="person",
        name="张三",
        id_number=ID_NUMBER,
    )
    assert applicant.user == user
    # again: nothing changes
    assert (
        accounts.account_identity_bind(
            user=user, phone=PHONE, code="x", kind="person", name="张三", id_number=ID_NUMBER
        )
        == applicant
    )


# --- over HTTP --------------------------------------------------------------------------------


def test_register_page_sends_code_then_registers_and_signs_in(client, roles, sms_file):
    page = client.get(reverse("portal:register"))
    assert page.status_code == 200
    assert "注册网上办事账号" in page.content.decode()

    sent = client.post(
        reverse("portal:sms_send"), {"purpose": "register", "phone": PHONE}, follow=True
    )
    assert "验证码已发送至 138****8000" in sent.content.decode()
    # the phone is carried into the form
    assert f'value="{PHONE}"' in sent.content.decode()
    code = last_code(sms_file)

    response = client.post(
        reverse("portal:register"),
        {
            "phone": PHONE,
            "code": code,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "kind": "person",
            "name": "张三",
            "id_number": ID_NUMBER,
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    home = client.get(reverse("portal:home"))
    assert home.status_code == 200 and "张三" in home.content.decode()


def test_register_errors_are_at_the_field_in_chinese(client, roles, sms_file):
    response = client.post(
        reverse("portal:register"),
        {
            "phone": "138",
            "code": "123456",
            "password1": PASSWORD,
            "password2": "something-else",
            "kind": "person",
            "name": "张三",
            "id_number": "110105194912310021",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    form = response.context["form"]
    assert "两次输入的密码不一致" in str(form.errors["password2"])
    # every problem in this one round (issue 32), not one after another: the wrong phone and
    # the wrong check digit of the ID number beside the password mismatch, summarised on top
    assert set(form.errors) >= {"password2", "phone", "id_number"}
    summary = html.split('role="alert"', 1)[1].split("</div>", 1)[0]
    assert 'href="#id_phone"' in summary and 'href="#id_id_number"' in summary
    assert 'id="id_password2"' in html and 'aria-invalid="true"' in html
    assert 'aria-describedby="id_password2-error' in html
    # a password is never echoed back into the page
    assert PASSWORD not in html


def test_service_errors_land_on_the_form_fields(client, roles, sms_file):
    code = register_code(sms_file)
    response = client.post(
        reverse("portal:register"),
        {
            "phone": PHONE,
            "code": code,
            "password1": "12345678",
            "password2": "12345678",
            "kind": "person",
            "name": "张三",
            "id_number": "110105194912310021",
        },
    )
    form = response.context["form"]
    assert set(form.errors) >= {"password1", "id_number"}
    assert not User.objects.exists()


def test_sign_in_with_phone_and_password(client, roles, sms_file):
    accounts.account_register(code=register_code(sms_file), **person())
    page = client.get(reverse("portal:login"))
    assert "手机号码" in page.content.decode()
    wrong = client.post(reverse("portal:login"), {"username": PHONE, "password": "nope"})
    assert wrong.status_code == 400
    assert "手机号码或密码不正确" in wrong.content.decode()
    ok = client.post(reverse("portal:login"), {"username": "138 0013 8000", "password": PASSWORD})
    assert ok.status_code == 302
    assert client.get(reverse("portal:home")).status_code == 200


def test_sign_in_failures_are_limited(client, roles, sms_file):
    accounts.account_register(code=register_code(sms_file), **person())
    url = reverse("portal:login")
    for _ in range(4):
        response = client.post(
            url, {"username": PHONE, "password": "nope"}, REMOTE_ADDR="198.51.100.7"
        )
        assert response.status_code == 400
    # the fifth failure locks this phone from this address; the right password is refused too
    client.post(url, {"username": PHONE, "password": "nope"}, REMOTE_ADDR="198.51.100.7")
    blocked = client.post(
        url, {"username": PHONE, "password": PASSWORD}, REMOTE_ADDR="198.51.100.7"
    )
    assert blocked.status_code == 429
    assert "登录已暂停" in blocked.content.decode()
    # the citizen signing in from their own device is not locked out by the guesses
    own = client.post(url, {"username": PHONE, "password": PASSWORD}, REMOTE_ADDR="192.0.2.44")
    assert own.status_code == 302


def test_next_must_stay_on_this_site(client, roles, sms_file):
    accounts.account_register(code=register_code(sms_file), **person())
    response = client.post(
        reverse("portal:login") + "?next=https://evil.example/",
        {"username": PHONE, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert "evil" not in response["Location"]


def test_sign_in_by_code_does_not_tell_which_phones_have_accounts(client, roles, sms_file):
    accounts.account_register(code=register_code(sms_file), **person())
    SmsCode.objects.all().delete()
    known = client.post(
        reverse("portal:sms_send"), {"purpose": "login", "phone": PHONE}, follow=True
    )
    unknown = client.post(
        reverse("portal:sms_send"), {"purpose": "login", "phone": "13900139000"}, follow=True
    )
    assert known.status_code == unknown.status_code == 200
    for response, phone in ((known, "138****8000"), (unknown, "139****9000")):
        assert f"如该手机号已注册，验证码已发送至 {phone}" in response.content.decode()
    # only the registered phone got a code
    assert [line["phone"] for line in sms_lines(sms_file)][-1] == PHONE
    assert not SmsCode.objects.filter(
        phone_digest=data_digest("13900139000", purpose="phone")
    ).exists()

    response = client.post(
        reverse("portal:login_code"), {"phone": PHONE, "code": last_code(sms_file)}
    )
    assert response.status_code == 302
    assert client.get(reverse("portal:home")).status_code == 200


def test_sign_in_by_wrong_code(client, roles, sms_file):
    response = client.post(reverse("portal:login_code"), {"phone": PHONE, "code": "123456"})
    assert response.status_code == 400
    assert "短信验证码不正确或已失效" in response.content.decode()


def test_sms_requests_are_limited_per_address(client, roles, sms_file):
    for index in range(10):
        client.post(
            reverse("portal:sms_send"), {"purpose": "register", "phone": f"1370013{index:04d}"}
        )
    response = client.post(
        reverse("portal:sms_send"), {"purpose": "register", "phone": "13600136000"}, follow=True
    )
    assert "获取验证码过于频繁" in response.content.decode()
    assert not SmsCode.objects.filter(
        phone_digest=data_digest("13600136000", purpose="phone")
    ).exists()


def test_account_without_identity_is_asked_to_bind(client, make_user, sms_file):
    user = make_user("applicant", "applicant")
    client.force_login(user)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert reverse("portal:identity") in response.content.decode()
    response = client.get(reverse("portal:catalogue"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:identity")
    client.post(reverse("portal:sms_send"), {"purpose": "bind", "phone": PHONE})
    response = client.post(
        reverse("portal:identity"),
        {
            "phone": PHONE,
            "code": last_code(sms_file),
            "kind": "person",
            "name": "张三",
            "id_number": ID_NUMBER,
        },
    )
    assert response.status_code == 302
    assert Applicant.objects.get().user == user
