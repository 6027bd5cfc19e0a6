"""The alert rules (hall.platform.alerting) at their production limits, run by Prometheus's own
rule tester (`promtool test rules`, Debian's prometheus package): each alert fires on series just
past its limit and stays quiet just inside it. The drill (`make drill`) shows them firing and
clearing against the running hall."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from django.core.management import call_command

from hall.platform.alerting import DRILL_LIMITS, AlertLimits, alert_rules

PROMTOOL = shutil.which("promtool")


@pytest.fixture
def promtool():
    if PROMTOOL is None:
        message = (
            "promtool is missing (Debian's prometheus package; `make drill-short` installs it)"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return PROMTOOL


def alert(name: str, summary: str, **labels) -> dict:
    return {
        "exp_labels": {"severity": "ticket" if name in TICKETS else "page", **labels},
        "exp_annotations": {"summary": summary},
    }


REPLICA = "The read replica is behind or not answering; reads go to the primary"


TICKETS = {"HallReplicaLagging", "HallTargetDown"}
LIMITS = AlertLimits()
WEB = {"job": "hall-web", "instance": "web-1:8000"}


def series(metric: str, values: str, **labels) -> dict:
    labels = {**WEB, **labels}
    inner = ",".join(f'{key}="{value}"' for key, value in labels.items())
    return {"series": f"{metric}{{{inner}}}", "values": values}


def case(name: str, input_series: list[dict], fires: dict[str, list[dict]], at: str = "10m"):
    return {
        "interval": "1m",
        "input_series": input_series,
        "alert_rule_test": [
            {"eval_time": at, "alertname": alertname, "exp_alerts": expected}
            for alertname, expected in fires.items()
        ],
        "name": name,
    }


def run_promtool(promtool, tmp_path, rules: dict, tests: list[dict]) -> subprocess.CompletedProcess:
    (tmp_path / "rules.yml").write_text(json.dumps(rules))
    (tmp_path / "tests.yml").write_text(
        json.dumps({"rule_files": ["rules.yml"], "evaluation_interval": "1m", "tests": tests})
    )
    return subprocess.run(
        [promtool, "test", "rules", "tests.yml"], cwd=tmp_path, capture_output=True, text=True
    )


def test_each_alert_fires_past_its_production_limit_and_not_inside_it(promtool, tmp_path):
    over, under = LIMITS.outbox_oldest_seconds + 60, LIMITS.outbox_oldest_seconds - 60
    lag_over, lag_under = LIMITS.sweep_lag_seconds + 30, LIMITS.sweep_lag_seconds - 30
    silent = LIMITS.beat_silent_seconds
    tests = [
        case(
            "a message waiting too long; a sweep behind",
            [
                series("hall_outbox_oldest_seconds", f"{over}x15"),
                series("hall_sweep_lag_seconds", f"{lag_over}x15", sweep="deemed_approval"),
                series("hall_sweep_lag_seconds", "0x15", sweep="deemed_acceptance"),
            ],
            {
                "HallOutboxStuck": [
                    alert(
                        "HallOutboxStuck",
                        "A message has waited over 6m 0s to be sent (workers or the SMS gateway)",
                    )
                ],
                "HallSweepLagging": [
                    alert(
                        "HallSweepLagging",
                        "The deemed_approval sweep is 2m 30s behind its oldest due row: "
                        "deadlines are not acted on",
                        sweep="deemed_approval",
                    )
                ],
            },
        ),
        case(
            "inside the limits",
            [
                series("hall_outbox_oldest_seconds", f"{under}x15"),
                series("hall_sweep_lag_seconds", f"{lag_under}x15", sweep="deemed_approval"),
                series("hall_sweep_last_run_age_seconds", f"{silent - 30}x15"),
                series("hall_replica_up", "1x15"),
                series("hall_replica_lag_seconds", f"{LIMITS.replica_lag_seconds - 5}x15"),
                series("up", "1x15"),
            ],
            {
                name: []
                for name in (
                    "HallOutboxStuck",
                    "HallSweepLagging",
                    "HallNoActiveBeat",
                    "HallReplicaLagging",
                    "HallTargetDown",
                )
            },
        ),
        case(
            "2 % server errors fire, 0.5 % do not",
            # per minute: 1,000 answers on each node, 20 of them 5xx on one node
            [
                series("hall_http_request_seconds_count", "0+980x15", status="200", view="a"),
                series("hall_http_request_seconds_count", "0+20x15", status="503", view="a"),
                series(
                    "hall_http_request_seconds_count",
                    "0+995x15",
                    status="200",
                    view="a",
                    instance="web-2:8000",
                ),
                series(
                    "hall_http_request_seconds_count",
                    "0+5x15",
                    status="500",
                    view="a",
                    instance="web-2:8000",
                ),
            ],
            {
                "HallServerErrors": [
                    alert("HallServerErrors", "1.25% of the hall's answers are server errors")
                ]
            },
        ),
        case(
            "half a per cent of server errors",
            [
                series("hall_http_request_seconds_count", "0+995x15", status="200", view="a"),
                series("hall_http_request_seconds_count", "0+5x15", status="500", view="a"),
            ],
            {"HallServerErrors": []},
        ),
        case(
            "beat silent, the replica down, a worker host not answering",
            [
                series("hall_sweep_last_run_age_seconds", f"{silent + 60}x15"),
                series("hall_replica_up", "0x15"),
                series("up", "0x15", job="hall-worker", instance="host-a:9100"),
            ],
            {
                "HallNoActiveBeat": [
                    alert(
                        "HallNoActiveBeat",
                        "No beat entry has run for 3m 0s: no active beat (or no worker)",
                    )
                ],
                "HallReplicaLagging": [alert("HallReplicaLagging", REPLICA)],
                "HallTargetDown": [
                    alert(
                        "HallTargetDown",
                        "hall-worker host-a:9100 does not answer its scrape",
                        job="hall-worker",
                        instance="host-a:9100",
                    )
                ],
            },
        ),
        case(
            "the replica answering but behind",
            [
                series("hall_replica_up", "1x15"),
                series("hall_replica_lag_seconds", f"{LIMITS.replica_lag_seconds + 10}x15"),
            ],
            {"HallReplicaLagging": [alert("HallReplicaLagging", REPLICA)]},
        ),
        case(
            "a condition shorter than the hold does not fire",
            [series("hall_outbox_oldest_seconds", f"{over} 0x15")],
            {"HallOutboxStuck": []},
            at="1m",
        ),
    ]

    result = run_promtool(promtool, tmp_path, alert_rules(), tests)

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_drills_rules_are_the_same_alerts_with_shorter_limits(promtool, tmp_path):
    production, drill = alert_rules(), alert_rules(limits=DRILL_LIMITS)
    names = [[rule["alert"] for rule in file["groups"][0]["rules"]] for file in (production, drill)]
    assert names[0] == names[1]
    (tmp_path / "drill.yml").write_text(json.dumps(drill))
    checked = subprocess.run([promtool, "check", "rules", str(tmp_path / "drill.yml")],
                             capture_output=True, text=True)  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_command_prints_the_production_rules(capsys):
    call_command("alert_rules")
    assert json.loads(capsys.readouterr().out) == alert_rules()
