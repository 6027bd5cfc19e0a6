"""Personal data at rest (issue 29; 等保 L3-CES1-27/28, GB/T 39786-2021, PIPL Art. 51).

ID numbers, phone numbers and addresses are stored sealed: each value on its own with
authenticated encryption (AES-256-GCM by default, SM4-GCM with `HALL_DATA_CIPHER=sm4-gcm`), a
fresh 96-bit nonce, the column's name as associated data (a value copied into another column does
not open), and the id of the key that sealed it. A stored value reads

    e1:<cipher>:<key id>:<base64url(nonce | ciphertext | tag)>

so a key rotation can tell what is still under an old key, and a value written before this
module (clear text) is read as it is until `manage.py personal_data_protect` seals it.

A column that is looked up exactly (an ID number, a phone) has a keyed digest beside it
(HMAC-SHA256, or HMAC-SM3 with `HALL_DATA_HASH=sm3`, under a lookup key of its own): the hall
finds, and keeps unique, by the digest; nobody holding the database but not the key can run the
18-digit ID numbers of a district through the hash.

Keys reach the code through one small interface, `KeyProvider`: the key ids with their key
material, which one seals new values, and the lookup key. `EnvironmentKeyProvider` reads
`HALL_DATA_KEYS` and `HALL_DATA_LOOKUP_KEY` (production must set them); development keeps a key
file in var/ (`LocalKeyFileProvider`); a 密码机 or a KMS plugs in as another provider named by
`HALL_DATA_KEY_PROVIDER`. Each key's material is stretched per cipher with HKDF, so one key id
serves both ciphers.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import models, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils.module_loading import import_string

from hall.common.bulk import rows_update

PREFIX = "e1"
NONCE_BYTES = 12
TAG_BYTES = 16
# The short names stored in each value, and the settings' names for them.
CIPHERS = {"aes-256-gcm": "a", "sm4-gcm": "s"}
HASHES = ("sha256", "sm3")


class PersonalDataError(Exception):
    """A sealed value that does not open: an unknown key id, or a value changed in storage."""


class KeyProvider(Protocol):
    def sealing_key_id(self) -> str:
        """The key that seals new values."""

    def key(self, key_id: str) -> bytes:
        """The material of a key (at least 32 bytes); KeyError when it is not known."""

    def key_ids(self) -> list[str]:
        """Every key this provider can open with, the sealing key first."""

    def lookup_key(self) -> bytes:
        """The key of the lookup digests (never rotated: the digests would all change)."""


def _decoded(text: str, *, name: str) -> bytes:
    try:
        material = base64.b64decode(text.strip(), validate=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: a key must be base64") from error
    if len(material) < 32:
        raise ImproperlyConfigured(f"{name}: a key must be at least 32 bytes")
    return material


class EnvironmentKeyProvider:
    """Keys from the environment: `HALL_DATA_KEYS="k2:<base64>,k1:<base64>"` (the first seals,
    the others still open what they sealed) and `HALL_DATA_LOOKUP_KEY=<base64>`."""

    def __init__(self, *, keys: str, lookup_key: str) -> None:
        self._keys: dict[str, bytes] = {}
        for part in keys.split(","):
            key_id, colon, material = part.strip().partition(":")
            if not colon or not key_id.isascii() or not key_id.isalnum():
                raise ImproperlyConfigured(
                    "HALL_DATA_KEYS: write each key as <id>:<base64>, ids of letters and digits"
                )
            self._keys[key_id] = _decoded(material, name="HALL_DATA_KEYS")
        if not lookup_key:
            raise ImproperlyConfigured("HALL_DATA_LOOKUP_KEY must be set beside HALL_DATA_KEYS")
        self._lookup = _decoded(lookup_key, name="HALL_DATA_LOOKUP_KEY")

    def sealing_key_id(self) -> str:
        return next(iter(self._keys))

    def key(self, key_id: str) -> bytes:
        return self._keys[key_id]

    def key_ids(self) -> list[str]:
        return list(self._keys)

    def lookup_key(self) -> bytes:
        return self._lookup


class LocalKeyFileProvider(EnvironmentKeyProvider):
    """Development: the keys of this checkout in a file of var/ (mode 0600), made at random on
    first use and never in the repository. `manage.py personal_data_protect --new-key` adds a
    key in front of the others (a rotation)."""

    def __init__(self, path: Path) -> None:
        data = self.read_or_create(path)
        super().__init__(
            keys=",".join(f"{key_id}:{material}" for key_id, material in data["keys"]),
            lookup_key=data["lookup"],
        )

    @staticmethod
    def read_or_create(path: Path) -> dict[str, Any]:
        try:
            return json.loads(path.read_text())
        except FileNotFoundError:
            pass
        data = {"keys": [["k1", _new_key()]], "lookup": _new_key()}
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # two processes starting at once keep the first one's keys
            return json.loads(path.read_text())
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle)
        return data

    @staticmethod
    def key_add(path: Path) -> str:
        """Put a new key in front (it seals from now on); returns its id."""
        data = LocalKeyFileProvider.read_or_create(path)
        taken = {key_id for key_id, _material in data["keys"]}
        number = len(taken) + 1
        while f"k{number}" in taken:
            number += 1
        data["keys"].insert(0, [f"k{number}", _new_key()])
        temporary = path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle)
        temporary.replace(path)
        return f"k{number}"


def _new_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


@functools.cache
def _provider_for(name: str, keys: str, lookup: str, key_file: str) -> KeyProvider:
    if name:
        return import_string(name)()
    if keys:
        return EnvironmentKeyProvider(keys=keys, lookup_key=lookup)
    if key_file:
        return LocalKeyFileProvider(Path(key_file))
    raise ImproperlyConfigured("HALL_DATA_KEYS is not set (README, Personal data and records)")


def key_provider() -> KeyProvider:
    """The configured provider (cached per configuration, so a test's settings take effect)."""
    return _provider_for(
        getattr(settings, "HALL_DATA_KEY_PROVIDER", ""),
        getattr(settings, "HALL_DATA_KEYS", ""),
        getattr(settings, "HALL_DATA_LOOKUP_KEY", ""),
        getattr(settings, "HALL_DATA_KEY_FILE", ""),
    )


def providers_forget() -> None:
    """Drop cached providers and ciphers (after a key file changed)."""
    _provider_for.cache_clear()
    _cipher_for.cache_clear()


# --- sealing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cipher:
    short: str
    key: bytes

    def seal(self, nonce: bytes, data: bytes, associated: bytes) -> bytes:
        if self.short == "a":
            return AESGCM(self.key).encrypt(nonce, data, associated)
        encryptor = Cipher(algorithms.SM4(self.key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(associated)
        return encryptor.update(data) + encryptor.finalize() + encryptor.tag

    def open(self, nonce: bytes, sealed: bytes, associated: bytes) -> bytes:
        if self.short == "a":
            return AESGCM(self.key).decrypt(nonce, sealed, associated)
        body, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
        decryptor = Cipher(algorithms.SM4(self.key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(associated)
        return decryptor.update(body) + decryptor.finalize()


@functools.cache
def _cipher_for(short: str, material: bytes) -> _Cipher:
    length = 32 if short == "a" else 16
    label = b"hall.personal_data " + short.encode()
    key = HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=label).derive(material)
    return _Cipher(short=short, key=key)


def _sealing_cipher_short() -> str:
    name = getattr(settings, "HALL_DATA_CIPHER", "aes-256-gcm")
    if name not in CIPHERS:
        raise ImproperlyConfigured(f"HALL_DATA_CIPHER must be one of {', '.join(CIPHERS)}")
    return CIPHERS[name]


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX + ":")


def sealed_key_id(value: str) -> str | None:
    """The key id a stored value was sealed with (None for clear text)."""
    if not is_sealed(value):
        return None
    parts = value.split(":", 3)
    return parts[2] if len(parts) == 4 else None


def sealed_cipher(value: str) -> str | None:
    parts = value.split(":", 3) if is_sealed(value) else []
    return parts[1] if len(parts) == 4 else None


def data_seal(value: str, *, purpose: str) -> str:
    """`value` sealed under the sealing key, bound to `purpose` (the column)."""
    provider = key_provider()
    key_id = provider.sealing_key_id()
    short = _sealing_cipher_short()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = _cipher_for(short, provider.key(key_id)).seal(nonce, value.encode(), purpose.encode())
    body = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
    return f"{PREFIX}:{short}:{key_id}:{body}"


def data_open(stored: str, *, purpose: str) -> str:
    """The clear value of a stored one (clear text written before sealing is returned as is)."""
    if not is_sealed(stored):
        return stored
    try:
        _prefix, short, key_id, body = stored.split(":", 3)
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        material = key_provider().key(key_id)
        if short not in CIPHERS.values():
            raise KeyError(short)
        clear = _cipher_for(short, material).open(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode()
        )
    except (KeyError, ValueError, InvalidTag) as error:
        raise PersonalDataError(f"a sealed {purpose} value does not open") from error
    return clear.decode()


BYTES_MAGIC = b"HALLSEALED1\n"


def bytes_seal(data: bytes, *, purpose: str) -> bytes:
    """A file's bytes sealed like a value: a header line with cipher and key id, then nonce,
    ciphertext and tag (an archive package, an identity document's scan)."""
    provider = key_provider()
    key_id = provider.sealing_key_id()
    short = _sealing_cipher_short()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = _cipher_for(short, provider.key(key_id)).seal(nonce, data, purpose.encode())
    return BYTES_MAGIC + f"{short}:{key_id}\n".encode() + nonce + sealed


def bytes_open(stored: bytes, *, purpose: str) -> bytes:
    """The clear bytes of a sealed file (bytes without the header are returned as they are)."""
    if not stored.startswith(BYTES_MAGIC):
        return stored
    header, _newline, raw = stored[len(BYTES_MAGIC) :].partition(b"\n")
    try:
        short, key_id = header.decode().split(":", 1)
        if short not in CIPHERS.values():
            raise KeyError(short)
        cipher = _cipher_for(short, key_provider().key(key_id))
        return cipher.open(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode())
    except (KeyError, ValueError, UnicodeDecodeError, InvalidTag) as error:
        raise PersonalDataError(f"a sealed {purpose} file does not open") from error


def keyed_mac(key: bytes, message: bytes) -> str:
    """HMAC-SHA256, or HMAC-SM3 with `HALL_DATA_HASH=sm3`: 64 hex characters (the lookup
    digests and the log chains)."""
    name = getattr(settings, "HALL_DATA_HASH", "sha256")
    if name == "sm3":
        mac = crypto_hmac.HMAC(key, hashes.SM3())
        mac.update(message)
        return mac.finalize().hex()
    if name != "sha256":
        raise ImproperlyConfigured(f"HALL_DATA_HASH must be one of {', '.join(HASHES)}")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def data_digest(value: str, *, purpose: str) -> str:
    """The keyed lookup digest of a (normalised) value: 64 hex characters."""
    return keyed_mac(key_provider().lookup_key(), purpose.encode() + b"\x00" + value.encode())


def phone_account_username(phone: str) -> str:
    """The username of an online account signed in by a (normalised) mobile number: its digest,
    so that the user table, the security log and the lockout records hold no phone number."""
    return "m-" + data_digest(phone, purpose="phone")


# --- masking ----------------------------------------------------------------------------------


def masked_id_number(value: str) -> str:
    """4403**********1234: the region and the last four, enough to tell two people apart."""
    value = value or ""
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}" if len(value) > 8 else value


def masked_phone(value: str) -> str:
    """138****8000 (anything shorter than a mobile number: ****)."""
    value = value or ""
    return f"{value[:3]}****{value[-4:]}" if len(value) >= 11 else "****"


def masked_name(value: str) -> str:
    """张*, 欧阳**: the first character, the rest starred."""
    value = (value or "").strip()
    return f"{value[:1]}{'*' * (len(value) - 1)}" if value else ""


def masked_address(value: str) -> str:
    """The first six characters (city and district), the rest starred."""
    value = value or ""
    return f"{value[:6]}{'*' * min(8, max(0, len(value) - 6))}" if value else ""


# --- model fields -----------------------------------------------------------------------------


class SealedTextField(models.TextField):
    """A text column whose values are sealed in the database and clear in Python.

    Only `isnull` can be looked up: an exact match on a sealed column can never be true (each
    value has its own nonce), so the field refuses it rather than quietly find nothing; look up
    by the digest beside it (`DigestField`).
    """

    def __init__(self, *args: Any, purpose: str, **kwargs: Any) -> None:
        self.purpose = purpose
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return data_open(value, purpose=self.purpose)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "" or is_sealed(value):
            return value
        return data_seal(value, purpose=self.purpose)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


class DigestField(models.CharField):
    """The keyed lookup digest of another field of the same row, kept up to date on every save
    (Django calls `pre_save` for save() and bulk_create; an `update()` of the source field must
    set the digest too). Query it with `data_digest(value, purpose=field.purpose)`."""

    def __init__(self, *args: Any, source: str = "", purpose: str = "", **kwargs: Any) -> None:
        self.source = source
        self.purpose = purpose
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["purpose"] = self.purpose
        kwargs.pop("editable", None)
        kwargs.pop("blank", None)
        if kwargs.get("max_length") == 64:
            kwargs.pop("max_length")
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.source)
        digest = data_digest(value, purpose=self.purpose) if value else None
        if not self.null and digest is None:
            digest = ""
        setattr(model_instance, self.attname, digest)
        return digest


# --- files ------------------------------------------------------------------------------------

FILE_PURPOSE = "private.file"


class SealedFileSystemStorage(FileSystemStorage):
    """The private files (scans and uploads of identity documents, notices, licences, archive
    packages) sealed on disk like personal data, clear to the code that opens them: every read
    goes through the storage, so the views, the checks and the archive see the file as written.
    A file written before sealing is read as it is (`personal_data_protect --files` seals it)."""

    def _save(self, name, content):
        if hasattr(content, "seek"):
            content.seek(0)
        data = content.read()
        if isinstance(data, str):
            data = data.encode()
        return super()._save(name, ContentFile(bytes_seal(data, purpose=FILE_PURPOSE)))

    def _open(self, name, mode="rb"):
        with super()._open(name, "rb") as handle:
            raw = handle.read()
        return ContentFile(bytes_open(raw, purpose=FILE_PURPOSE), name=name)

    def sealed_on_disk(self, name: str) -> bool:
        with super()._open(name, "rb") as handle:
            return handle.read(len(BYTES_MAGIC)) == BYTES_MAGIC

    def seal_in_place(self, name: str) -> bool:
        """Seal a file written in clear (or under an old key); True when it was rewritten."""
        with super()._open(name, "rb") as handle:
            raw = handle.read()
        if raw.startswith(BYTES_MAGIC):
            header = raw[len(BYTES_MAGIC) :].split(b"\n", 1)[0].decode()
            current = f"{_sealing_cipher_short()}:{key_provider().sealing_key_id()}"
            if header == current:
                return False
        clear = bytes_open(raw, purpose=FILE_PURPOSE)
        path = Path(self.path(name))
        temporary = path.with_name(path.name + ".sealing")
        temporary.write_bytes(bytes_seal(clear, purpose=FILE_PURPOSE))
        temporary.replace(path)
        return True


# --- sealing what is stored in clear or under an old key ------------------------------------


def _current_prefix() -> str:
    return f"{PREFIX}:{_sealing_cipher_short()}:{key_provider().sealing_key_id()}:"


def rows_protect(
    model: type[models.Model],
    *,
    sealed: list[str],
    digests: dict[str, str] | None = None,
    batch_size: int = 1000,
) -> Iterator[tuple[int, int]]:
    """Seal under the current key every value of `sealed` that is clear or under another key,
    and fill each digest of `digests` ({digest field: source field}) that is missing, in
    batches of `batch_size` rows by primary key, each batch in its own transaction.

    Yields (rows changed, last primary key) per batch. Resumable by construction: it looks for
    rows that still need work, so a run stopped anywhere simply goes on where it was; every row
    stays readable throughout (an old key opens until its last value is sealed again).
    Works with a migration's historical models too.
    """
    digests = digests or {}
    prefix = _current_prefix()
    raw = {f"raw_{name}": Cast(name, output_field=TextField()) for name in sealed}
    stale = Q(pk__in=[])
    for name in sealed:
        stale |= (
            Q(**{f"raw_{name}__isnull": False})
            & ~Q(**{f"raw_{name}": ""})
            & ~Q(**{f"raw_{name}__startswith": prefix})
        )
    for digest, source in digests.items():
        missing = Q(**{f"{digest}__isnull": True}) | Q(**{digest: ""})
        stale |= (
            missing
            & Q(**{f"{source}__isnull": False})
            & ~Q(**{f"raw_{source}": ""} if source in sealed else {source: ""})
        )
    after = 0
    while True:
        with transaction.atomic():
            batch = list(
                model._default_manager.annotate(**raw)
                .filter(stale, pk__gt=after)
                .order_by("pk")
                .select_for_update(of=("self",))[:batch_size]
            )
            if not batch:
                return
            for row in batch:
                for digest, source in digests.items():
                    value = getattr(row, source)
                    field = model._meta.get_field(digest)
                    empty = None if field.null else ""
                    setattr(
                        row, digest, data_digest(value, purpose=field.purpose) if value else empty
                    )
            rows_update(batch, [*sealed, *digests])
            after = batch[-1].pk
        yield len(batch), after


def stored_key_counts(model: type[models.Model], field: str) -> dict[str, int]:
    """How many stored values of a sealed column are under each key ("clear" for none)."""
    counts: dict[str, int] = {}
    rows = (
        model._default_manager.annotate(raw=Cast(field, output_field=TextField()))
        .exclude(raw="")
        .filter(raw__isnull=False)
        .values_list("raw", flat=True)
        .iterator(chunk_size=5000)
    )
    for value in rows:
        key = sealed_key_id(value) or "clear"
        counts[key] = counts.get(key, 0) + 1
    return counts
