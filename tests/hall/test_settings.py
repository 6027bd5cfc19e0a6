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


def test_secret_key_is_required_when_production_says_so():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env["HALL_REQUIRE_SECRET_KEY"] = "1"
    result = subprocess.run(
        [sys.executable, "-c", "import hall.settings"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
