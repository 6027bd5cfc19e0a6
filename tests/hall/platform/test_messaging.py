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


def test_console_backend_masks_verification_codes_at_info(caplog):
    import logging

    caplog.set_level(logging.INFO, logger="hall.platform.messaging")
    ConsoleSmsBackend().send(
        phone="13800138000",
        text="【大厅】您的登录验证码为 482913，5 分钟内有效。",
        message_id="sms-code:7",
    )
    ConsoleSmsBackend().send(
        phone="13800138000", text="您的办件 FT2026120100001 已受理。", message_id="case:1:sms"
    )
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "482913" not in logged and "******" in logged
    assert "13800138000" not in logged and "138****8000" in logged
    assert "FT2026120100001" in logged  # ordinary messages are logged as they are
