"""Settings read from the environment with safe defaults."""

import os
import subprocess
import sys

from django.conf import settings


def settings_in_subprocess(environ: dict, expression: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env.update(environ)
    code = f"import hall.settings as s; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_the_development_public_url_follows_where_make_run_serves():
    def public_url(**environ):
        env = {"HALL_DEVELOPMENT": "1", "HALL_PUBLIC_URL": "", **environ}
        return settings_in_subprocess(env, "s.HALL_PUBLIC_URL")

    assert public_url() == "http://127.0.0.1:8000"
    assert public_url(HALL_BIND="127.0.0.1:9000") == "http://127.0.0.1:9000"
    assert public_url(HALL_BIND="0.0.0.0:8080") == "http://127.0.0.1:8080"
    assert public_url(HALL_BIND="[::1]:8001") == "http://[::1]:8001"
    assert public_url(HALL_BIND="8002") == "http://127.0.0.1:8002"
    # a public URL given is kept, whatever the bind
    assert public_url(HALL_BIND="0.0.0.0:9000", HALL_PUBLIC_URL="https://hall.example.cn/") == (
        "https://hall.example.cn"
    )
    # and the host it names is one the hall answers for
    allowed = settings_in_subprocess(
        {"HALL_DEVELOPMENT": "1", "HALL_PUBLIC_URL": "", "HALL_BIND": "192.168.1.5:8000"},
        "s.ALLOWED_HOSTS",
    )
    assert "192.168.1.5" in allowed


def test_time_and_language_defaults():
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]


def test_debug_is_off_unless_asked_for():
    assert settings_in_subprocess({}, "s.DEBUG") == "False"
    assert settings_in_subprocess({"DEBUG": "true"}, "s.DEBUG") == "True"


def test_allowed_hosts_and_database_url_come_from_environment(tmp_path):
    environ = {
        "ALLOWED_HOSTS": "hall.example.cn, kiosk.example.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
    }
    assert settings_in_subprocess(environ, "s.ALLOWED_HOSTS") == str(
        ["hall.example.cn", "kiosk.example.cn"]
    )
    assert settings_in_subprocess(environ, "s.DATABASES['default']['ENGINE']") == (
        "django.db.backends.sqlite3"
    )


def test_embedded_broker_uses_filesystem_transport(tmp_path):
    environ = {"CELERY_BROKER_URL": "filesystem://", "HALL_VAR_DIR": str(tmp_path)}
    assert settings_in_subprocess(environ, "s.CELERY_BROKER_URL") == "filesystem://"
    assert settings_in_subprocess(environ, "s.CELERY_RESULT_BACKEND").startswith("file://")
    assert (tmp_path / "celery-queue").is_dir()


PRODUCTION_ONLY = {
    "SECRET_KEY",
    "DEBUG",
    "HALL_DEVELOPMENT",
    "HALL_PUBLIC_URL",
    "ALLOWED_HOSTS",
    "HALL_LICENCE_SEAL_CERT",
    "HALL_LICENCE_SEAL_KEY",
    "HALL_DATA_KEYS",
    "HALL_DATA_LOOKUP_KEY",
    "HALL_DATA_KEY_PROVIDER",
}
DATA_KEYS = {
    "HALL_DATA_KEYS": "p1:" + "MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE=",
    "HALL_DATA_LOOKUP_KEY": "TExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTEw=",
}
REPOSITORY_DEVELOPMENT_KEY = "insecure-development-key-set-SECRET_KEY-in-production"


def production_start(environ: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ONLY}
    env.update(environ)
    return subprocess.run(
        [sys.executable, "-c", "import hall.settings as s; print(s.ALLOWED_HOSTS)"],
        env=env,
        capture_output=True,
        text=True,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = production_start({"HALL_PUBLIC_URL": "https://hall.example.gov.cn"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = production_start(
        {"SECRET_KEY": "short-key", "HALL_PUBLIC_URL": "https://hall.example.gov.cn"}
    )
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_production_refuses_to_start_without_the_public_url():
    result = production_start({"SECRET_KEY": "k" * 60})
    assert result.returncode != 0
    assert "HALL_PUBLIC_URL must be set in production" in result.stderr


def test_production_refuses_to_start_without_the_licence_seal():
    result = production_start(
        {"SECRET_KEY": "k" * 60, "HALL_PUBLIC_URL": "https://hall.example.gov.cn/"}
    )
    assert result.returncode != 0
    assert "HALL_LICENCE_SEAL_CERT and HALL_LICENCE_SEAL_KEY must be set" in result.stderr


def test_production_accepts_only_its_public_host_by_default(tmp_path):
    from hall.platform.seal import seal_pair_make

    cert, key = seal_pair_make(tmp_path)
    result = production_start(
        {
            "SECRET_KEY": "k" * 60,
            "HALL_PUBLIC_URL": "https://hall.example.gov.cn/",
            "HALL_LICENCE_SEAL_CERT": str(cert),
            "HALL_LICENCE_SEAL_KEY": str(key),
            **DATA_KEYS,
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['hall.example.gov.cn']"


def test_production_refuses_to_start_without_the_personal_data_keys(tmp_path):
    from hall.platform.seal import seal_pair_make

    cert, key = seal_pair_make(tmp_path)
    environ = {
        "SECRET_KEY": "k" * 60,
        "HALL_PUBLIC_URL": "https://hall.example.gov.cn/",
        "HALL_LICENCE_SEAL_CERT": str(cert),
        "HALL_LICENCE_SEAL_KEY": str(key),
    }
    result = production_start(environ)
    assert result.returncode != 0
    assert "HALL_DATA_KEYS and HALL_DATA_LOOKUP_KEY" in result.stderr
    # and no key file is made for production to fall back on
    assert not list(tmp_path.glob("personal-data-keys*"))
    assert oct(key.stat().st_mode & 0o777) == "0o600"


def test_development_key_is_random_per_checkout_and_kept(tmp_path):
    first = settings_in_subprocess(
        {"HALL_DEVELOPMENT": "1", "HALL_VAR_DIR": str(tmp_path / "a")}, "s.SECRET_KEY"
    )
    again = settings_in_subprocess(
        {"HALL_DEVELOPMENT": "1", "HALL_VAR_DIR": str(tmp_path / "a")}, "s.SECRET_KEY"
    )
    other = settings_in_subprocess(
        {"HALL_DEVELOPMENT": "1", "HALL_VAR_DIR": str(tmp_path / "b")}, "s.SECRET_KEY"
    )
    assert first == again != other
    assert len(first) >= 50 and first != REPOSITORY_DEVELOPMENT_KEY
    assert oct((tmp_path / "a" / "development-secret-key").stat().st_mode & 0o777) == "0o600"


def test_https_setting_turns_on_redirect_hsts_and_secure_cookies():
    environ = {"HALL_DEVELOPMENT": "1", "HALL_HTTPS": "1"}
    expression = (
        "(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    assert settings_in_subprocess(environ, expression) == "(True, 31536000, True, True, True)"
    off = settings_in_subprocess({"HALL_DEVELOPMENT": "1"}, expression)
    assert off == "(False, 0, False, False, False)"


def test_forged_kiosk_ticket_token_with_the_old_repository_key_is_refused(client, db):
    """The attack as made: tokens signed with the key that used to sit in the repository."""
    from django.core import signing

    from hall.queue.common import CATEGORY_LETTERS
    from hall.queue.kiosk.views import SESSION_SHOWN, TICKET_SALT
    from hall.queue.services import ticket_issue

    ticket = ticket_issue(category=next(iter(CATEGORY_LETTERS)))
    assert settings.SECRET_KEY != REPOSITORY_DEVELOPMENT_KEY
    for pk in (ticket.pk, ticket.pk + 1, 1):
        forged = signing.dumps(pk, key=REPOSITORY_DEVELOPMENT_KEY, salt=TICKET_SALT)
        assert client.get(f"/kiosk/ticket/{forged}/").status_code == 404
    genuine = signing.dumps(ticket.pk, salt=TICKET_SALT)
    session = client.session
    session[SESSION_SHOWN] = [genuine]  # as the kiosk session that took the ticket has it
    session.save()
    assert client.get(f"/kiosk/ticket/{genuine}/").status_code == 200


def test_a_replica_url_adds_the_replica_and_its_router():
    environ = {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:6432/hall",
        "REPLICA_DATABASE_URL": "postgres://postgres@127.0.0.1:6432/hall_replica",
    }
    assert settings_in_subprocess(environ, "s.DATABASES['replica']['NAME']") == "hall_replica"
    assert settings_in_subprocess(environ, "s.DATABASE_ROUTERS") == str(
        ["hall.platform.replica.ReplicaRouter"]
    )
    assert settings_in_subprocess({}, "getattr(s, 'DATABASE_ROUTERS', [])") == "[]"


def test_transaction_pooling_turns_server_side_cursors_off():
    environ = {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:6432/hall",
        "REPLICA_DATABASE_URL": "postgres://postgres@127.0.0.1:6432/hall_replica",
    }
    expression = "[d.get('DISABLE_SERVER_SIDE_CURSORS', False) for d in s.DATABASES.values()]"
    assert settings_in_subprocess(environ, expression) == "[False, False]"
    pooled = {**environ, "HALL_DB_TRANSACTION_POOLING": "1"}
    assert settings_in_subprocess(pooled, expression) == "[True, True]"


def test_beat_keeps_its_schedule_and_lock_in_redis_when_the_broker_is_redis(tmp_path):
    redis = {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/3", "HALL_BEAT_LOCK_SECONDS": "10"}
    # redbeat's scheduler, made to ride out a Redis outage (hall.platform.beat)
    scheduler = settings_in_subprocess(redis, "s.CELERY_BEAT_SCHEDULER")
    assert scheduler == "hall.platform.beat.HallRedBeatScheduler"
    assert settings_in_subprocess(redis, "s.CELERY_BROKER_CONNECTION_MAX_RETRIES") == "None"
    assert settings_in_subprocess(redis, "s.CELERY_REDBEAT_LOCK_TIMEOUT") == "10"
    # the lock is renewed well within its lifetime
    assert settings_in_subprocess(redis, "s.CELERY_BEAT_MAX_LOOP_INTERVAL") == "2"
    embedded = {"CELERY_BROKER_URL": "filesystem://", "HALL_VAR_DIR": str(tmp_path)}
    assert settings_in_subprocess(embedded, "hasattr(s, 'CELERY_BEAT_SCHEDULER')") == "False"


def _production_environ(tmp_path, **overrides) -> dict:
    from hall.platform.seal import seal_pair_make

    cert, key = seal_pair_make(tmp_path / "seal")
    environ = {
        "SECRET_KEY": "k" * 60,
        "HALL_PUBLIC_URL": "https://hall.example.gov.cn/",
        "HALL_LICENCE_SEAL_CERT": str(cert),
        "HALL_LICENCE_SEAL_KEY": str(key),
        **DATA_KEYS,
    }
    environ.update(overrides)
    return environ


def test_production_refuses_the_key_the_repository_once_carried(tmp_path):
    """The old development key is 53 characters, long enough to pass the length rule, and
    anyone can read it in the repository's history; so can a project template's."""
    for known in (REPOSITORY_DEVELOPMENT_KEY, "django-insecure-" + "x" * 50):
        assert len(known) >= 50
        result = production_start(_production_environ(tmp_path, SECRET_KEY=known))
        assert result.returncode != 0
        assert "known from the repository" in result.stderr


def test_production_refuses_a_seal_pair_that_cannot_seal(tmp_path):
    from hall.platform.seal import seal_pair_make

    _other_cert, other_key = seal_pair_make(tmp_path / "other")
    missing = production_start(
        _production_environ(tmp_path, HALL_LICENCE_SEAL_CERT=str(tmp_path / "nowhere.pem"))
    )
    assert missing.returncode != 0 and "cannot be read" in missing.stderr
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("-----BEGIN CERTIFICATE-----\nnot a certificate\n")
    broken = production_start(_production_environ(tmp_path, HALL_LICENCE_SEAL_CERT=str(garbage)))
    assert broken.returncode != 0 and "cannot be read" in broken.stderr
    mismatched = production_start(
        _production_environ(tmp_path, HALL_LICENCE_SEAL_KEY=str(other_key))
    )
    assert mismatched.returncode != 0
    assert "not the key of the seal certificate" in mismatched.stderr
    assert production_start(_production_environ(tmp_path)).returncode == 0


def test_seed_demo_refuses_to_run_in_production(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ONLY}
    env.update(_production_environ(tmp_path))
    env["DJANGO_SETTINGS_MODULE"] = "hall.settings"
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/production.sqlite3"
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "runs only in development" in result.stderr
    assert "Demo data loaded" not in result.stdout
