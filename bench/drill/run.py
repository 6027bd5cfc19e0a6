"""`make drill`: set the deployment up, run the load with six faults, check the database,
print the table (and keep it in bench/results/drill-latest.md).

`--short` (run by `make test`): the primary, its replica and PgBouncer only; migrations through
PgBouncer in transaction mode, and the replica router's choices (in scope, after a write, in a
transaction, lagging, replica down). No load, about a minute.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.drill import load, topology
from bench.drill.alerts import AlertWatch
from bench.drill.topology import PRIMARY, REPLICA, VAR
from hall.platform.alerting import DRILL_LIMITS, alert_rules

RESULTS = Path(__file__).resolve().parents[1] / "results"
LOAD_SECONDS = 250
REDIS_OUTAGE_S = 60
CLIENTS = 6
BURST = 1500
# The alerts each fault must raise (hall.platform.alerting, at DRILL_LIMITS), by fault; every
# alert must have cleared once the drill settles.
EXPECTED_ALERTS = {
    0: ["HallTargetDown"],  # a web node stops answering its scrape
    1: ["HallOutboxStuck"],  # the burst's messages wait while a worker host is gone
    2: ["HallNoActiveBeat"],  # nothing runs until the standby beat takes the lock
    3: ["HallReplicaLagging"],  # the replica does not answer
    5: ["HallServerErrors", "HallSweepLagging"],  # 503s; the sweeps cannot be woken
}
CLEAR_PATIENCE_S = 90


@dataclass
class Fault:
    name: str
    at: float  # seconds into the load
    injected: float = 0.0  # monotonic time
    note: str = ""
    recovery_s: float | None = None  # how long the component took to come back (see note)


def _log_has(service: topology.Service, text: str) -> bool:
    return service.log.exists() and text in service.log.read_text(errors="replace")


def _redis(*args: str) -> str:
    return topology.sh("redis-cli", "-p", str(topology.REDIS_PORT), *args).stdout.strip()


def _sms_keys() -> Counter:
    keys: Counter = Counter()
    path = VAR / "sms.jsonl"
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            keys[json.loads(line)["idempotency_key"]] += 1
    return keys


def _fresh_var() -> None:
    for name in ("sms.jsonl", "logs", "nginx", "private", "celery-queue", "metrics",
                 "prometheus"):  # fmt: skip
        path = VAR / name
        if path.is_dir():
            subprocess.run(["rm", "-rf", str(path)], check=True)
        elif path.exists():
            path.unlink()
    VAR.mkdir(parents=True, exist_ok=True)


def _database_up(env: dict) -> topology.Service:
    """The primary, PgBouncer before it, the schema migrated through PgBouncer."""
    topology.primary_make()
    pgbouncer = topology.pgbouncer_service().start()
    topology.manage("migrate", "--noinput", "-v", "0", env=env)
    return pgbouncer


def short() -> int:
    """The short form: PgBouncer's transaction mode and the replica router, on real clusters."""
    started = time.monotonic()
    missing = topology.setup_missing()
    if missing:
        # a developer's machine without root or PostgreSQL's server: said, not failed; CI fails
        print(f"drill --short: cannot set up here ({missing})")
        return 1 if os.environ.get("CI") == "true" else 0
    topology.packages_ensure()
    _fresh_var()
    env = topology.drill_env()
    services = []
    try:
        services.append(topology.redis_service().start())
        services.append(_database_up(env))
        topology.hallside("world", env=env)
        replica_s = topology.replica_make()
        seen = json.loads(topology.hallside("router", env=env))
        REPLICA.stop()
        seen.update(json.loads(topology.hallside("router-replica-down", env=env)))
        REPLICA.start()
    finally:
        for service in reversed(services):
            service.stop()
        REPLICA.stop()
        PRIMARY.stop()
    expected = {
        "default_is": "primary",
        "replica_is": "replica",
        "outside_scope": "default",
        "in_scope": "replica",
        "after_write": "default",
        "in_transaction": "default",
        "lagging": "default",
        "down": "default",
        "server_side_cursors_disabled": True,
    }
    failures = [f"{k}: {seen.get(k)!r}, expected {v!r}" for k, v in expected.items()
                if seen.get(k) != v]  # fmt: skip
    if not seen.get("iterator_rows"):
        failures.append("iterator over PgBouncer returned no rows")
    if seen.get("lagging_lag_s") is None or seen["lagging_lag_s"] <= 1.0:
        failures.append(f"paused replay did not show as lag: {seen.get('lagging_lag_s')}")
    if seen.get("replicated_within_s", 99) >= 10:
        failures.append("a write did not reach the replica within 10 s")
    print(f"drill --short: replica made in {replica_s:.1f} s; router and PgBouncer checks:")
    for key, value in seen.items():
        print(f"  {key:30} {value}")
    for failure in failures:
        print(f"  FAILED {failure}")
    print(f"drill --short: {'failed' if failures else 'passed'} in "
          f"{time.monotonic() - started:.0f} s")  # fmt: skip
    return 1 if failures else 0


def _primary_usage() -> tuple[float, int]:
    """(CPU seconds of the primary's server processes, transactions committed in the drill's
    database) now. Backends that exited count in their postmaster's children's times."""
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = 0.0
    marker = f"{topology.pg_version()}/{PRIMARY.name}"
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if marker not in cmdline:
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        cpu += sum(int(value) for value in fields[11:15]) / ticks  # u/s time, waited children
    commits = int(PRIMARY.psql(
        f"SELECT xact_commit FROM pg_stat_database WHERE datname = '{topology.DB}'"
    ))  # fmt: skip
    return cpu, commits


def _beat_sends(service: topology.Service) -> list[float]:
    """When this beat sent due tasks (its log's times are the hall's, Asia/Shanghai). Beat writes
    the hall's JSON lines in production (hall.platform.logs); plain lines start with the time
    in brackets."""
    import datetime

    times = []
    for line in service.log.read_text(errors="replace").splitlines():
        if "Sending due task" not in line:
            continue
        if line.startswith("{"):
            try:
                stamp = json.loads(line)["time"]  # 2026-12-02 03:11:52,371
            except (ValueError, KeyError):
                continue
        elif line.startswith("["):
            stamp = line[1:24]
        else:
            continue
        moment = datetime.datetime.strptime(f"{stamp} +0800", "%Y-%m-%d %H:%M:%S,%f %z")
        times.append(moment.timestamp())
    return times


def _active_batch_worker(env: dict, workers: dict) -> str | None:
    """The worker host whose pool is running the burst's batch task (Celery's inspect)."""
    result = subprocess.run(
        [str(topology.VENV_BIN / "celery"), "-A", "hall", "inspect", "active", "--json",
         "--timeout", "3"],
        cwd=topology.ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    try:
        replies = json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return None
    for node, tasks in replies.items():
        if any(task["name"] == "hall.tasks.deliver_notifications" for task in tasks):
            host = node.split("@", 1)[1]
            if host in workers:
                return host
    return None


def full() -> int:
    started = time.monotonic()
    missing = topology.setup_missing()
    if missing:
        print(f"drill: cannot set up here ({missing})")
        return 1
    topology.packages_ensure()
    _fresh_var()
    env = topology.drill_env()
    services: list[topology.Service] = []
    timings: dict[str, float] = {}
    faults: list[Fault] = []
    state = None
    watch: AlertWatch | None = None
    try:
        t = time.monotonic()
        services.append(redis := topology.redis_service().start())
        services.append(pgbouncer := _database_up(env))
        timings["primary, PgBouncer, migrations"] = time.monotonic() - t
        t = time.monotonic()
        prepared = json.loads(topology.hallside("prepare", env=env))
        timings["world, API clients, accepted cases"] = time.monotonic() - t
        timings["streaming replica (pg_basebackup)"] = topology.replica_make()
        t = time.monotonic()
        webs = {n: topology.web_service(n, env) for n in (1, 2)}
        for web in webs.values():
            services.append(web.start())
        services.append(topology.nginx_service().start())
        workers = {host: topology.worker_service(host, env) for host in ("host-a", "host-b")}
        for worker in workers.values():
            services.append(worker.start(wait=False))
        beats = {name: topology.beat_service(name, env) for name in ("a", "b")}
        services.append(beats["a"].start(wait=False))
        topology.wait_for(lambda: _log_has(beats["a"], "Acquired lock"), seconds=60,
                          what="the first beat's lock")  # fmt: skip
        services.append(beats["b"].start(wait=False))  # the standby: waits for the lock
        timings["web nodes, nginx, workers, beats"] = time.monotonic() - t
        t = time.monotonic()
        services.append(topology.prometheus_service(alert_rules(limits=DRILL_LIMITS)).start())
        watch = AlertWatch(topology.PROMETHEUS_PORT)
        watch.start()
        topology.wait_for(lambda: _targets_up() == 4, seconds=60,
                          what="Prometheus scraping both nodes and both worker hosts")  # fmt: skip
        timings["Prometheus, its four targets up"] = time.monotonic() - t

        # the due steps fall due all through the load, the Redis outage included
        topology.hallside(
            "due", str(LOAD_SECONDS - 20), env=env, stdin=json.dumps(prepared["due_case_ids"])
        )
        state = load.LoadState(prepared=prepared, port=topology.NGINX_PORT)
        usage_before = _primary_usage()
        load_start = time.monotonic()
        threads = load.start(state, CLIENTS)
        faults = [
            Fault("kill web node 2 (SIGKILL)", 20),
            Fault("kill a worker mid-batch (SIGKILL)", 45),
            Fault("kill the active beat (SIGKILL)", 80),
            Fault("stop the replica", 105),
            Fault("restart PgBouncer", 140),
            Fault(f"stop Redis for {REDIS_OUTAGE_S} s", 170),
        ]

        def at(seconds: float) -> None:
            while time.monotonic() - load_start < seconds:
                time.sleep(0.1)

        # 1. a web node dies; it is started again 15 s later
        at(faults[0].at)
        faults[0].injected = time.monotonic()
        webs[2].kill()
        time.sleep(15)
        webs[2].start()
        faults[0].recovery_s = time.monotonic() - faults[0].injected
        faults[0].note = "node 2 back after"

        # 2. a worker dies in the middle of a batch of messages
        at(faults[1].at)
        batch = json.loads(topology.hallside("burst", str(BURST), env=env))
        batch_keys = {f"hall-outbox-{pk}" for pk in batch["ids"]}
        topology.wait_for(lambda: len(batch_keys & set(_sms_keys())) >= 100, seconds=60,
                          what="the batch's first messages")  # fmt: skip
        host = _active_batch_worker(env, workers) or "host-a"
        faults[1].injected = time.monotonic()
        sent_before = len(batch_keys & set(_sms_keys()))
        workers[host].kill()
        workers[host].start(wait=False)  # the host comes back at once, as a supervisor would
        topology.wait_for(lambda: batch_keys <= set(_sms_keys()), seconds=120,
                          what="the batch's delivery after the kill")  # fmt: skip
        faults[1].recovery_s = time.monotonic() - faults[1].injected
        faults[1].note = (f"{host} killed at {sent_before}/{BURST} sent; "
                          "all delivered after")  # fmt: skip

        # 3. the active beat dies; the standby takes the lock
        at(faults[2].at)
        faults[2].injected = time.monotonic()
        beat_killed_at = time.time()
        beats["a"].kill()
        topology.wait_for(lambda: _log_has(beats["b"], "Acquired lock"), seconds=60,
                          what="the standby beat's takeover")  # fmt: skip
        faults[2].recovery_s = time.monotonic() - faults[2].injected
        faults[2].note = "standby beat acquired the lock after"
        beats["a"].start(wait=False)  # back as the new standby

        # 4. the replica stops for 15 s: routed reads go to the primary meanwhile
        at(faults[3].at)
        faults[3].injected = time.monotonic()
        REPLICA.stop()
        time.sleep(15)
        REPLICA.start()
        back = time.monotonic()
        topology.wait_for(
            lambda: any(r.read_from == "replica" and r.started > back for r in state.records),
            seconds=30, what="reads from the replica again",
        )  # fmt: skip
        faults[3].recovery_s = time.monotonic() - faults[3].injected
        faults[3].note = "routed reads served by the replica again after"

        # 5. PgBouncer restarts (a safe shutdown: SIGINT lets running transactions finish)
        at(faults[4].at)
        faults[4].injected = time.monotonic()
        pgbouncer.kill(signal.SIGINT)
        pgbouncer.start()
        faults[4].recovery_s = time.monotonic() - faults[4].injected
        faults[4].note = "PgBouncer listening again after"

        # 6. Redis stops for a minute and comes back empty (it keeps nothing on disk): no
        # queued tasks, no beat schedule, no beat lock. Beat and the workers must ride it out
        # and the sweeps act on what fell due meanwhile, once.
        at(faults[5].at)
        faults[5].injected = time.monotonic()
        redis.stop()
        time.sleep(REDIS_OUTAGE_S)
        redis.start()
        back = time.time()
        topology.wait_for(
            lambda: json.loads(topology.hallside("heartbeat", env=env))["deemed"] > back,
            seconds=90, what="a deemed-approval sweep after Redis came back", step=1,
        )  # fmt: skip
        faults[5].recovery_s = time.monotonic() - faults[5].injected
        faults[5].note = "a deemed-approval sweep ran again after"
        beats_alive = {name: beat.alive() for name, beat in beats.items()}
        workers_alive = {host: worker.alive() for host, worker in workers.items()}

        at(LOAD_SECONDS)
        state.stop.set()
        for thread in threads:
            thread.join(timeout=load.RUNNING_PATIENCE_S + 10)
        load_seconds = time.monotonic() - load_start
        usage_after = _primary_usage()
        primary = {
            "cpu_s": usage_after[0] - usage_before[0],
            "commits": usage_after[1] - usage_before[1],
        }

        # settle: the sweeps deem what is due and the outbox sends what is left
        t = time.monotonic()
        due_steps = 5 * len(prepared["due_case_ids"])

        def settled() -> bool:
            left = json.loads(topology.hallside("outbox", env=env))
            return not left.get("pending") and not left.get("sending")

        topology.wait_for(settled, seconds=120, what="the outbox to drain", step=2)
        timings["settling (outbox drained)"] = time.monotonic() - t
        t = time.monotonic()
        with contextlib.suppress(RuntimeError):  # said by the check below
            topology.wait_for(lambda: not watch.firing(), seconds=CLEAR_PATIENCE_S,
                              what="every alert to clear", step=1)  # fmt: skip
        watch.stop.set()
        timings["alerts cleared"] = time.monotonic() - t
        payload = {
            "platform_client_id": prepared["platform_client_id"],
            "attempted": state.attempted,
            "answered": state.answered,
            "decided": state.decided,
            "due_case_ids": prepared["due_case_ids"],
        }
        checks = json.loads(topology.hallside("checks", env=env, stdin=json.dumps(payload)))
        # never two active beats: the first sent only until its death, then the standby; after
        # the Redis outage (the lock gone with Redis's memory) either may hold the lock, but
        # one at a time: the merged sends change hands at most once at each of the two
        # moments, never back and forth
        first, standby = _beat_sends(beats["a"]), _beat_sends(beats["b"])
        merged = sorted([(t, "a") for t in first] + [(t, "b") for t in standby])
        handovers = sum(1 for (_, x), (_, y) in itertools.pairwise(merged) if x != y)
        out_of_turn = sum(1 for t in standby if t < beat_killed_at)
        checks["one_beat"] = {
            "sends_first": len(first),
            "sends_standby": len(standby),
            "handovers": handovers,
            "out_of_turn": out_of_turn,
            "ok": out_of_turn == 0 and 1 <= handovers <= 2 and bool(first) and bool(standby),
        }
        checks["alerts"] = _alerts_check(watch, faults)
        # the Redis outage ended nothing: both beats and both worker hosts are the processes
        # that ran before it (none restarted by hand)
        checks["survived_redis"] = {
            **{f"beat_{name}": alive for name, alive in beats_alive.items()},
            **{f"worker_{host}": alive for host, alive in workers_alive.items()},
            "ok": all(beats_alive.values()) and all(workers_alive.values()),
        }
    finally:
        if watch is not None:
            watch.stop.set()
        if state is not None:
            state.stop.set()
        for service in reversed(services):
            service.stop()
        REPLICA.stop()
        PRIMARY.stop()
    report = _report(state, faults, checks, timings, load_seconds, due_steps, primary,
                     time.monotonic() - started)  # fmt: skip
    report += "\n\n" + _alerts_table(watch, faults, load_start)
    print(report)
    with (VAR / "requests.jsonl").open("w") as out:  # every request, for a closer look
        for r in state.records:
            out.write(
                json.dumps(
                    {
                        "started": round(r.started - load_start, 3),
                        "seconds": round(r.ended - r.started, 3),
                        "kind": r.kind,
                        "outcome": r.outcome,
                        "read_from": r.read_from,
                    }
                )
                + "\n"
            )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "drill-latest.md").write_text(report + "\n")
    return 0 if all(check["ok"] for check in checks.values()) else 1


def _targets_up() -> int:
    """How many of Prometheus's targets answered their last scrape."""
    url = f"http://127.0.0.1:{topology.PROMETHEUS_PORT}/api/v1/query?query=up"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            results = json.load(response)["data"]["result"]
    except (OSError, ValueError, KeyError):
        return 0
    return sum(1 for result in results if result["value"][1] == "1")


def _fault_of(firing, faults: list[Fault]) -> int | None:
    """The fault in whose window (from its injection to the next one's) an alert began."""
    injected = [fault.injected for fault in faults]
    for index, start in enumerate(injected):
        end = injected[index + 1] if index + 1 < len(injected) else float("inf")
        if start and start <= firing.started < end:
            return index
    return None


def _alerts_check(watch: AlertWatch, faults: list[Fault]) -> dict:
    fired = {(_fault_of(f, faults), f.alert) for f in watch.firings}
    expected = [(index, name) for index, names in EXPECTED_ALERTS.items() for name in names]
    missing = [f"{name} at fault {index + 1}" for index, name in expected
               if (index, name) not in fired]  # fmt: skip
    still = sorted({f.alert for f in watch.firing()})
    return {
        "expected": len(expected),
        "fired_as_expected": len(expected) - len(missing),
        "missing": "; ".join(missing) or "none",
        "still_firing": ", ".join(still) or "none",
        "poll_errors": watch.errors,
        "ok": not missing and not still,
    }


def _alerts_table(watch: AlertWatch, faults: list[Fault], load_start: float) -> str:
    lines = [f"Alerts read from Prometheus (rules of hall.platform.alerting at the drill's limits: "
             f"outbox {DRILL_LIMITS.outbox_oldest_seconds} s, sweep lag "
             f"{DRILL_LIMITS.sweep_lag_seconds} s, 5xx > {DRILL_LIMITS.error_ratio:.0%} over "
             f"{DRILL_LIMITS.window}, replica {DRILL_LIMITS.replica_lag_seconds} s, beat silent "
             f"{DRILL_LIMITS.beat_silent_seconds} s; scraped every second).", "",
             "| alert | labels | during | fired s after the fault | cleared s after the fault "
             "| expected |", "|---|---|---|---:|---:|---|"]  # fmt: skip
    for firing in sorted(watch.firings, key=lambda f: f.started):
        index = _fault_of(firing, faults)
        base = faults[index].injected if index is not None else load_start
        during = faults[index].name if index is not None else "before the faults"
        cleared = f"{firing.ended - base:.1f}" if firing.ended else "still firing"
        expected = "yes" if firing.alert in EXPECTED_ALERTS.get(index, []) else ""
        lines.append(f"| {firing.alert} | {firing.labels} | {during} | "
                     f"{firing.started - base:.1f} | {cleared} | {expected} |")  # fmt: skip
    if not watch.firings:
        lines.append("| (none fired) | | | | | |")
    return "\n".join(lines)


def _report(state, faults, checks, timings, load_seconds, due_steps, primary, total_seconds):
    records = state.records
    by_kind = Counter(r.kind for r in records)
    failures = Counter((r.kind, r.outcome) for r in records if r.failed)
    lines = ["# Scale-out drill", ""]
    lines += [f"Run {time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} cores; "
              f"{CLIENTS} clients for {load_seconds:.0f} s through nginx; "
              f"whole drill {total_seconds:.0f} s.", ""]  # fmt: skip
    lines += ["| setup | seconds |", "|---|---:|"]
    lines += [f"| {name} | {seconds:.1f} |" for name, seconds in timings.items()]
    lines += ["", "| requests | count | per second | median ms | p95 ms | failed |",
              "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    for kind in ("filing", "decision", "lookup", "dashboard"):
        mine = [r for r in records if r.kind == kind]
        if not mine:
            continue
        times = sorted((r.ended - r.started) * 1000 for r in mine)
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        lines.append(
            f"| {kind} | {by_kind[kind]} | {by_kind[kind] / load_seconds:.1f} | "
            f"{statistics.median(times):.0f} | {p95:.0f} | {sum(r.failed for r in mine)} |"
        )
    answered = [r for r in records if not r.failed]
    core_share = primary["cpu_s"] / load_seconds
    lines += [
        "",
        f"Primary during the load: {primary['commits'] / load_seconds:.0f} commits/s, "
        f"{core_share:.2f} cores busy ({primary['cpu_s']:.0f} CPU-s); "
        f"{len(answered) / load_seconds:.0f} answered requests/s, of them "
        f"{len(state.answered) / load_seconds:.1f} filings/s.",
    ]
    if core_share:
        lines.append(
            f"At this mix one core of the primary carries about "
            f"{len(state.answered) / load_seconds / core_share:.0f} filings/s "
            f"(with their share of decisions, lookups and dashboards)."
        )
    routed = Counter(r.read_from for r in records if r.read_from)
    lines += ["", f"Routed reads: {routed.get('replica', 0)} from the replica, "
              f"{routed.get('default', 0)} from the primary.", ""]  # fmt: skip
    lines += ["| errors by kind | count |", "|---|---:|"]
    lines += [f"| {kind}: {outcome} | {n} |" for (kind, outcome), n in sorted(failures.items())]
    if not failures:
        lines.append("| (none) | 0 |")
    lines += ["", f"A request is degraded when it failed or took over {load.SLOW_S:.0f} s; a "
              "fault's degraded time runs from the fault to its last degraded request.", "",
              "| fault | at s | failed requests | slow requests | degraded s | recovery |",
              "|---|---:|---:|---:|---:|---|"]  # fmt: skip
    for index, fault in enumerate(faults):
        if not fault.injected:
            continue
        until = faults[index + 1].injected if index + 1 < len(faults) else float("inf")
        # a request belongs to the fault before its answer
        window = [r for r in records if fault.injected <= r.ended < until]
        bad = [r for r in window if r.failed or r.slow]
        degraded = max((r.ended for r in bad), default=fault.injected) - fault.injected
        recovery = f"{fault.note} {fault.recovery_s:.1f} s" if fault.recovery_s else fault.note
        slow = sum(1 for r in window if r.slow and not r.failed)
        lines.append(f"| {fault.name} | {fault.at:.0f} | {sum(r.failed for r in window)} | "
                     f"{slow} | {degraded:.1f} | {recovery} |")  # fmt: skip
    lines += ["", "| check | result | figures |", "|---|---|---|"]
    names = {
        "filings": "every filing answered with success exists exactly once",
        "decisions": "every decision answered with success is recorded once",
        "deemed": f"every due step ({due_steps}) deemed exactly once",
        "notifications": "every message sent, none lost (a repeat carries its first key)",
        "half_written": "no case half-written",
        "one_beat": "never two active beats",
        "survived_redis": "beat and workers outlived the Redis outage",
        "alerts": "each fault's alerts fired in Prometheus, and every alert cleared",
    }
    for key, name in names.items():
        check = checks[key]
        figures = ", ".join(f"{k} {v}" for k, v in check.items() if k != "ok")
        lines.append(f"| {name} | {'pass' if check['ok'] else 'FAIL'} | {figures} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.drill")
    parser.add_argument("--short", action="store_true", help="the router and PgBouncer only")
    args = parser.parse_args(argv)
    return short() if args.short else full()


if __name__ == "__main__":
    sys.exit(main())
