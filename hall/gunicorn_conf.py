"""Gunicorn's settings for the hall's web nodes: `gunicorn -c python:hall.gunicorn_conf hall.wsgi`.

Gunicorn names itself in a `Server` header on every response and has no setting to stop it; a
banner tells an attacker which server and version to look up. The response class below drops
the header (nginx in front adds its own, without a version: `server_tokens off`).
"""

import os

from gunicorn.http import wsgi
from prometheus_client import multiprocess


class _ResponseWithoutBanner(wsgi.Response):
    def default_headers(self):
        return [line for line in super().default_headers() if not line.startswith("Server:")]


# gunicorn.http.wsgi.create() builds each response from this module attribute
wsgi.Response = _ResponseWithoutBanner

worker_class = "sync"


def child_exit(server, worker):
    """A worker gone: its Prometheus samples stop counting as live (multiprocess mode, when
    PROMETHEUS_MULTIPROC_DIR is set; hall.platform.metrics)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
