"""The drill's view of Prometheus's alerts: which fired when, and when each cleared, read from
Prometheus's HTTP API (`/api/v1/alerts`) every half second while the drill runs."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

POLL_S = 0.5


@dataclass
class Firing:
    alert: str
    labels: str  # the labels that tell two firings of one alert apart (instance, sweep)
    started: float  # monotonic
    ended: float | None = None


@dataclass
class AlertWatch:
    port: int
    firings: list[Firing] = field(default_factory=list)
    errors: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def _firing_now(self) -> set[tuple[str, str]] | None:
        url = f"http://127.0.0.1:{self.port}/api/v1/alerts"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                alerts = json.load(response)["data"]["alerts"]
        except (OSError, urllib.error.URLError, ValueError, KeyError):
            self.errors += 1
            return None
        return {
            (
                alert["labels"]["alertname"],
                ",".join(
                    f"{key}={value}"
                    for key, value in sorted(alert["labels"].items())
                    if key in ("instance", "sweep")
                ),
            )
            for alert in alerts
            if alert["state"] == "firing"
        }

    def poll(self) -> None:
        now_firing = self._firing_now()
        if now_firing is None:
            return
        now = time.monotonic()
        open_ = {(f.alert, f.labels): f for f in self.firings if f.ended is None}
        for key, firing in open_.items():
            if key not in now_firing:
                firing.ended = now
        for key in now_firing - open_.keys():
            self.firings.append(Firing(*key, started=now))

    def run(self) -> None:
        while not self.stop.is_set():
            self.poll()
            time.sleep(POLL_S)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="alert-watch", daemon=True)
        thread.start()
        return thread

    def firing(self) -> list[Firing]:
        return [f for f in self.firings if f.ended is None]
