"""Issue 29: personal data sealed at rest, found by keyed digests, rotated without a gap."""

from __future__ import annotations

import base64
import io
import subprocess

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from hall.common import personal_data as pd
from hall.models import Applicant

KEY_1 = base64.b64encode(b"1" * 32).decode()
KEY_2 = base64.b64encode(b"2" * 32).decode()
LOOKUP = base64.b64encode(b"L" * 32).decode()


def keys(value: str, **extra):
    return override_settings(
        HALL_DATA_KEY_PROVIDER="", HALL_DATA_KEYS=value, HALL_DATA_LOOKUP_KEY=LOOKUP, **extra
    )


@pytest.mark.parametrize("cipher, short", [("aes-256-gcm", "a"), ("sm4-gcm", "s")])
def test_a_value_seals_and_opens_under_either_cipher(cipher, short):
    with keys(f"k1:{KEY_1}", HALL_DATA_CIPHER=cipher):
        first = pd.data_seal("13800138000", purpose="applicant.phone")
        second = pd.data_seal("13800138000", purpose="applicant.phone")
        assert first.startswith(f"e1:{short}:k1:") and "13800138000" not in first
        assert first != second  # a fresh nonce each time: equal values do not look equal
        assert pd.data_open(first, purpose="applicant.phone") == "13800138000"
        assert pd.sealed_cipher(first) == short and pd.sealed_key_id(first) == "k1"


def test_a_value_opens_only_in_its_own_column_and_only_unchanged():
    with keys(f"k1:{KEY_1}"):
        sealed = pd.data_seal("11010519491231002X", purpose="applicant.id_number")
        with pytest.raises(pd.PersonalDataError):
            pd.data_open(sealed, purpose="applicant.phone")  # copied to another column
        body = sealed.rsplit(":", 1)[1]
        flipped = body[:-3] + ("A" if body[-3] != "A" else "B") + body[-2:]
        with pytest.raises(pd.PersonalDataError):
            pd.data_open(sealed.replace(body, flipped), purpose="applicant.id_number")
    with keys(f"k2:{KEY_2}"), pytest.raises(pd.PersonalDataError):
        pd.data_open(sealed, purpose="applicant.id_number")  # its key is gone
    assert pd.data_open("13800138000", purpose="applicant.phone") == "13800138000"  # clear


@pytest.mark.parametrize("hash_name", ["sha256", "sm3"])
def test_the_lookup_digest_is_keyed_and_bound_to_its_purpose(hash_name):
    with keys(f"k1:{KEY_1}", HALL_DATA_HASH=hash_name):
        digest = pd.data_digest("13800138000", purpose="phone")
        assert digest == pd.data_digest("13800138000", purpose="phone")
        assert digest != pd.data_digest("13800138000", purpose="id_number")
        assert len(digest) == 64
    with override_settings(
        HALL_DATA_KEY_PROVIDER="",
        HALL_DATA_KEYS=f"k1:{KEY_1}",
        HALL_DATA_LOOKUP_KEY=KEY_2,
        HALL_DATA_HASH=hash_name,
    ):
        assert pd.data_digest("13800138000", purpose="phone") != digest


@pytest.mark.parametrize(
    "value, lookup, problem",
    [
        ("k1", LOOKUP, "<id>:<base64>"),
        ("k-1:" + KEY_1, LOOKUP, "<id>:<base64>"),
        ("k1:not base64!", LOOKUP, "base64"),
        ("k1:" + base64.b64encode(b"short").decode(), LOOKUP, "32 bytes"),
        ("k1:" + KEY_1, "", "HALL_DATA_LOOKUP_KEY"),
    ],
)
def test_a_bad_key_setting_is_refused_with_what_is_wrong(value, lookup, problem):
    with pytest.raises(ImproperlyConfigured, match=problem):
        pd.EnvironmentKeyProvider(keys=value, lookup_key=lookup)


def test_masks():
    assert pd.masked_id_number("11010519491231002X") == "1101**********002X"
    assert pd.masked_phone("13800138000") == "138****8000"
    assert pd.masked_phone("123") == "****"
    assert pd.masked_address("深圳市福田区福华路 1 号 张三") == "深圳市福田区********"


def test_a_sealed_column_refuses_an_exact_lookup_that_could_never_match(db):
    with pytest.raises(FieldError):
        list(Applicant.objects.filter(phone="13800138000"))
    assert Applicant.objects.filter(id_number__isnull=True).count() == 0


def _person(number: int) -> Applicant:
    return Applicant.objects.create(
        kind="person",
        name=f"测试{number}",
        phone=f"1380013{number:04d}",
        id_number=f"11010519491231{number:03d}X",
    )


def test_rotation_is_resumable_and_every_row_stays_readable(db):
    with keys(f"k1:{KEY_1}"):
        people = [_person(number) for number in range(5)]
        found = Applicant.objects.get(**Applicant.id_number_lookup(people[3].id_number))
        assert found.pk == people[3].pk and found.phone == people[3].phone
    with keys(f"k2:{KEY_2},k1:{KEY_1}"):
        run = pd.rows_protect(Applicant, sealed=["id_number", "phone"], digests={}, batch_size=2)
        assert next(run)[0] == 2  # stopped after one batch, as a crash would
        run.close()
        counts = pd.stored_key_counts(Applicant, "phone")
        assert counts == {"k1": 3, "k2": 2}
        assert sorted(a.phone for a in Applicant.objects.all()) == sorted(p.phone for p in people)
        # run again: only what is left
        assert (
            sum(rows for rows, _pk in pd.rows_protect(Applicant, sealed=["phone", "id_number"]))
            == 3
        )
        assert pd.stored_key_counts(Applicant, "phone") == {"k2": 5}
    with keys(f"k2:{KEY_2}"):  # the old key can go: nothing needs it
        assert sorted(a.id_number for a in Applicant.objects.all()) == sorted(
            p.id_number for p in people
        )
        found = Applicant.objects.get(**Applicant.id_number_lookup(people[0].id_number))
        assert found.pk == people[0].pk


def test_rows_written_in_clear_are_sealed_and_given_their_digests(db):
    person = _person(7)
    Applicant.objects.filter(pk=person.pk).update(id_number_digest=None, phone_digest="")
    with connection.cursor() as cursor:  # as an older release wrote them
        cursor.execute(
            "UPDATE hall_applicant SET phone = %s, id_number = %s WHERE id = %s",
            ["13800130007", "11010519491231007X", person.pk],
        )
    assert Applicant.objects.get(pk=person.pk).phone == "13800130007"  # clear still reads
    call_command("personal_data_protect", batch_size=1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, id_number FROM hall_applicant WHERE id = %s", [person.pk])
        phone, id_number = cursor.fetchone()
    assert phone.startswith("e1:") and id_number.startswith("e1:")
    assert Applicant.objects.get(**Applicant.id_number_lookup("11010519491231007X")).pk == (
        person.pk
    )


@pytest.mark.django_db(transaction=True)
def test_a_dump_of_the_demo_hall_shows_no_id_number_phone_or_address(on_postgres):
    if not on_postgres:
        pytest.skip("pg_dump needs PostgreSQL")
    from hall.models import Case

    call_command("seed_demo")
    people = list(Applicant.objects.all())
    secrets = {a.phone for a in people} | {a.id_number for a in people if a.id_number}
    secrets |= {c.delivery_address for c in Case.objects.all() if c.delivery_address}
    assert len(secrets) >= 4  # two phones, an ID number, a delivery address
    settings_dict = connection.settings_dict
    dump = subprocess.run(
        [
            "pg_dump",
            "--data-only",
            "-h",
            settings_dict["HOST"] or "127.0.0.1",
            "-p",
            str(settings_dict["PORT"] or 5432),
            "-U",
            settings_dict["USER"] or "postgres",
            settings_dict["NAME"],
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "hall_applicant" in dump
    leaked = sorted(value for value in secrets if value in dump)
    assert leaked == []


def test_private_files_are_sealed_on_disk_and_clear_to_the_code(tmp_path):
    storage = pd.SealedFileSystemStorage(location=str(tmp_path))
    scan = b"%PDF-1.7 identity card of 11010519491231002X"
    name = storage.save("uploads/id.pdf", ContentFile(scan))
    on_disk = (tmp_path / name).read_bytes()
    assert on_disk.startswith(pd.BYTES_MAGIC) and b"11010519491231002X" not in on_disk
    assert storage.sealed_on_disk(name)
    with storage.open(name) as handle:
        assert handle.read() == scan
    # a file written in clear before sealing reads as it is, then is sealed in place
    (tmp_path / "old.pdf").write_bytes(scan)
    assert storage.open("old.pdf").read() == scan and not storage.sealed_on_disk("old.pdf")
    assert storage.seal_in_place("old.pdf") and storage.sealed_on_disk("old.pdf")
    assert not storage.seal_in_place("old.pdf")  # already under the current key
    assert storage.open("old.pdf").read() == scan
    # a changed byte on disk does not open
    damaged = bytearray((tmp_path / name).read_bytes())
    damaged[-1] ^= 1
    (tmp_path / name).write_bytes(bytes(damaged))
    with pytest.raises(pd.PersonalDataError):
        storage.open(name)


def test_the_command_seals_private_files_written_in_clear(db, settings, tmp_path):
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from hall.models import Notice
    from tests.departments.builders import bare_case

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "hall.common.personal_data.SealedFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    (tmp_path / "notices").mkdir()
    (tmp_path / "notices" / "old.pdf").write_bytes(b"%PDF-1.7 written in clear")
    Notice.objects.create(
        case=bare_case(),
        kind="acceptance",
        number="福田测试〔2026〕第1号",
        issued_at=timezone.now(),
        pdf="notices/old.pdf",
    )
    call_command("personal_data_protect", files=True, stdout=io.StringIO())
    assert (tmp_path / "notices" / "old.pdf").read_bytes().startswith(pd.BYTES_MAGIC)
    assert default_storage.open("notices/old.pdf").read() == b"%PDF-1.7 written in clear"
