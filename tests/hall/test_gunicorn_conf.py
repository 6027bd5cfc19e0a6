"""The web nodes' gunicorn answers without naming itself (no `Server: gunicorn` banner)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("with_conf", [True, False])
def test_gunicorn_with_the_hall_conf_sends_no_server_banner(with_conf, tmp_path):
    port = _free_port()
    env = {**os.environ, "HALL_DEVELOPMENT": "1", "HALL_VAR_DIR": str(tmp_path)}
    conf = ["-c", "python:hall.gunicorn_conf"] if with_conf else []
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), *conf, "hall.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    headers = r.headers
                break
            except urllib.error.HTTPError as answer:  # 503 when a backend is down: fine
                headers = answer.headers
                break
            except OSError:
                assert time.monotonic() < deadline, server.stderr.read1().decode()
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(10)
    if with_conf:
        assert "Server" not in headers
    else:  # what the check is for: gunicorn's own default names itself
        assert headers["Server"].startswith("gunicorn")
