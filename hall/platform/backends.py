"""Choose the database and the Celery broker for this process.

PostgreSQL and Redis are the production components. When no URL is configured, a process uses
them if they answer on their usual local ports, and otherwise falls back to embedded defaults that
need no server: a SQLite file and Celery's filesystem transport. This module has no Django
import so that settings, the Makefile and the tests can all call it.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]  # hall/platform/ -> the checkout
LOCAL_POSTGRES = ("127.0.0.1", 5432)
LOCAL_REDIS = ("127.0.0.1", 6379)
LOCAL_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/seamless_hall"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass(frozen=True)
class Choice:
    url: str
    embedded: bool
    reason: str


Probe = Callable[[str, int], bool]


def port_answers(host: str, port: int, timeout: float = 0.3) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def var_dir(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("HALL_VAR_DIR", BASE_DIR / "var"))


def choose_database(environ: Mapping[str, str], probe: Probe = port_answers) -> Choice:
    if environ.get("DATABASE_URL"):
        url = environ["DATABASE_URL"]
        return Choice(url, url.startswith("sqlite"), "DATABASE_URL is set")
    if probe(*LOCAL_POSTGRES):
        return Choice(LOCAL_POSTGRES_URL, False, "PostgreSQL answers on 127.0.0.1:5432")
    sqlite_path = var_dir(environ) / "hall.sqlite3"
    return Choice(
        f"sqlite:///{sqlite_path}",
        True,
        "no PostgreSQL on 127.0.0.1:5432; using the embedded SQLite file",
    )


def choose_broker(environ: Mapping[str, str], probe: Probe = port_answers) -> Choice:
    for name in ("CELERY_BROKER_URL", "REDIS_URL"):
        if environ.get(name):
            url = environ[name]
            return Choice(url, url.startswith(("filesystem", "memory")), f"{name} is set")
    if probe(*LOCAL_REDIS):
        return Choice(LOCAL_REDIS_URL, False, "Redis answers on 127.0.0.1:6379")
    return Choice(
        "filesystem://",
        True,
        "no Redis on 127.0.0.1:6379; using Celery's filesystem transport",
    )


def describe(environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    database, broker = choose_database(environ), choose_broker(environ)
    lines = []
    for label, choice in (("database", database), ("broker", broker)):
        kind = "embedded fallback" if choice.embedded else "production component"
        lines.append(f"{label}: {_redact(choice.url)} ({kind}: {choice.reason})")
    return "\n".join(lines)


def _redact(url: str) -> str:
    if "@" in url and ":" in url.split("@", 1)[0].split("//", 1)[-1]:
        scheme, rest = url.split("//", 1)
        credentials, host = rest.split("@", 1)
        return f"{scheme}//{credentials.split(':', 1)[0]}:***@{host}"
    return url


if __name__ == "__main__":
    print(describe())


def development_secret_key(var_dir: Path) -> str:
    """The development SECRET_KEY of this checkout: made once at random and kept (mode 0600) in
    var/, so that it is never the same on two machines and never in the repository."""
    path = var_dir / "development-secret-key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(50)
    try:
        # O_EXCL: two processes starting at once keep the first one's key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


# SHA-256 digests of keys anyone can read: the development key this repository once carried
# (in its history for good). Kept as digests so that the key itself is not written here again.
KNOWN_SECRET_KEY_DIGESTS = {
    "2218f86394e83f5590465e48500f265f9b518c2ea4b35439578cc91a75e9cb57",
}


def secret_key_is_known(key: str) -> bool:
    """A key from the repository's history or a project template (django-insecure-...)."""
    digest = hashlib.sha256(key.encode()).hexdigest()
    return digest in KNOWN_SECRET_KEY_DIGESTS or key.startswith("django-insecure-")
