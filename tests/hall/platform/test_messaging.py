"""The SMS backend named in the settings, including the module path deployments used before the
backends moved into hall.platform."""

from __future__ import annotations

import pytest

from hall.platform.messaging import ConsoleSmsBackend, FileSmsBackend, sms_backend


@pytest.mark.parametrize(
    "path",
    ["hall.platform.messaging.FileSmsBackend", "hall.messaging.FileSmsBackend"],
)
def test_the_configured_backend_is_loaded(settings, tmp_path, path):
    settings.HALL_SMS_BACKEND = path
    settings.HALL_SMS_FILE = str(tmp_path / "sms.log")
    assert isinstance(sms_backend(), FileSmsBackend)


def test_console_is_the_default(settings):
    assert settings.HALL_SMS_BACKEND == "hall.platform.messaging.ConsoleSmsBackend"
    assert isinstance(sms_backend(), ConsoleSmsBackend)
