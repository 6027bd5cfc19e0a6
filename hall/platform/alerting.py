"""The hall's Prometheus alert rules, written from one place with their limits.

`manage.py alert_rules` prints them as a Prometheus rule file (JSON, which Prometheus reads as
YAML); an operator loads it beside the scrape of every web node (`/metrics`) and worker host
(`HALL_WORKER_METRICS_PORT`). The drill (`make drill`) writes the same rules with shorter
limits, so that its minute-long faults show each alert firing and clearing; `promtool test
rules` holds the production limits to their meaning (tests/hall/platform/test_alerting.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AlertLimits:
    # the outbox's oldest waiting message (a citizen's SMS, a notice) older than this
    outbox_oldest_seconds: int = 300
    # a deadline sweep behind its oldest due row by more than this (deemed acceptance, approval)
    sweep_lag_seconds: int = 120
    # the share of answers that are server errors, over `window`
    error_ratio: float = 0.01
    # the read replica behind by more than this (or not answering)
    replica_lag_seconds: int = 30
    # no beat entry has run to its end for this long: beat (or every worker) is gone
    beat_silent_seconds: int = 120
    # the window rates are taken over, and how long a condition must hold before it fires
    window: str = "5m"
    hold: str = "1m"


PRODUCTION_LIMITS = AlertLimits()

# The drill's faults last 15–60 s; it scrapes every second. Its sweeps run every 5 s and a
# standby beat takes the lock some 9–10 s after the active one dies (HALL_BEAT_LOCK_SECONDS=10),
# so 6 s lies between the normal rhythm and a takeover (a pool busy with a burst may cross it too;
# the drill reports such a firing and does not count it).
DRILL_LIMITS = AlertLimits(
    outbox_oldest_seconds=30,
    sweep_lag_seconds=20,
    error_ratio=0.01,
    replica_lag_seconds=5,
    beat_silent_seconds=6,
    window="15s",
    hold="0s",
)


def _rule(name: str, expr: str, hold: str, summary: str, severity: str = "page") -> dict:
    return {
        "alert": name,
        "expr": expr,
        "for": hold,
        "labels": {"severity": severity},
        "annotations": {"summary": summary},
    }


def alert_rules(*, limits: AlertLimits = PRODUCTION_LIMITS) -> dict:
    """The rule file's content: one group, every alert with its limit in its expression."""
    hold, window = limits.hold, limits.window
    requests = f"sum(rate(hall_http_request_seconds_count[{window}]))"
    errors = f'sum(rate(hall_http_request_seconds_count{{status=~"5.."}}[{window}]))'
    return {
        "groups": [
            {
                "name": "hall",
                "rules": [
                    _rule(
                        "HallOutboxStuck",
                        f"max(hall_outbox_oldest_seconds) > {limits.outbox_oldest_seconds}",
                        hold,
                        "A message has waited over {{ $value | humanizeDuration }} to be sent "
                        "(workers or the SMS gateway)",
                    ),
                    _rule(
                        "HallSweepLagging",
                        f"max by (sweep) (hall_sweep_lag_seconds) > {limits.sweep_lag_seconds}",
                        hold,
                        "The {{ $labels.sweep }} sweep is {{ $value | humanizeDuration }} behind "
                        "its oldest due row: deadlines are not acted on",
                    ),
                    _rule(
                        "HallServerErrors",
                        f"({errors} / {requests}) > {limits.error_ratio}",
                        hold,
                        "{{ $value | humanizePercentage }} of the hall's answers are server errors",
                    ),
                    _rule(
                        "HallReplicaLagging",
                        f"max(hall_replica_lag_seconds) > {limits.replica_lag_seconds} "
                        "or min(hall_replica_up) == 0",
                        hold,
                        "The read replica is behind or not answering; reads go to the primary",
                        severity="ticket",
                    ),
                    _rule(
                        "HallNoActiveBeat",
                        f"min(hall_sweep_last_run_age_seconds) > {limits.beat_silent_seconds}",
                        hold,
                        "No beat entry has run for {{ $value | humanizeDuration }}: "
                        "no active beat (or no worker)",
                    ),
                    _rule(
                        "HallTargetDown",
                        'up{job=~"hall-web|hall-worker"} == 0',
                        hold,
                        "{{ $labels.job }} {{ $labels.instance }} does not answer its scrape",
                        severity="ticket",
                    ),
                ],
            }
        ]
    }
