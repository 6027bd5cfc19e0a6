"""CPU time per case: the client process's and its PostgreSQL backend's (issue 27).

Cases per second hide where the time goes on a shared 2-core machine; CPU seconds do not: the
client's from `time.process_time()`, the backend's from `/proc/<pid>/stat` (utime + stime) of the
server process serving the client's connection, which runs on this same machine.
"""

from __future__ import annotations

import os
import time

_TICK = os.sysconf("SC_CLK_TCK")


def backend_cpu_s(pid: int) -> float:
    """The PostgreSQL backend's user + system CPU seconds so far (0 if it cannot be read)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # after the command name: state is field 3, utime 14 and stime 15 (1-based, proc(5))
    return (int(fields[11]) + int(fields[12])) / _TICK


class CpuMeter:
    """CPU seconds spent by this process and one PostgreSQL backend between `start` and `stop`."""

    def __init__(self, backend_pid: int) -> None:
        self.backend_pid = backend_pid
        self.client = self.backend = 0.0

    def start(self) -> None:
        self._client0 = time.process_time()
        self._backend0 = backend_cpu_s(self.backend_pid)

    def stop(self) -> tuple[float, float]:
        self.client = time.process_time() - self._client0
        self.backend = backend_cpu_s(self.backend_pid) - self._backend0
        return self.client, self.backend


def django_backend_pid() -> int:
    from django.db import connection

    connection.ensure_connection()
    return connection.connection.info.backend_pid
