"""What the request metrics and the request-id logging cost a page (issue 33: "≤ 5 % of page
throughput"): the same pages served by two gunicorns on the same database, one as production
runs them (the hall's `RequestMetrics` and `RequestContext` middleware, prometheus-client in
multiprocess mode writing its samples to a directory, JSON log lines) and one without the two
middleware (bench.settings under HALL_BENCH_WITHOUT_OBSERVABILITY), in interleaved rounds.

`make bench` runs it inside its web section; `python -m bench.observability` runs it alone (on the
bench's database, made and migrated if missing) and writes bench/results/observability-latest.md.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

from bench import env

PAGES = (
    ("signed-in empty page", "/bench/signed-in/", "officer"),
    ("progress lookup", "/lookup/", None),
    ("officer inbox", "/desk/", "officer"),
)
ROUNDS = 5
REQUESTS = 600
SECONDS = 8.0


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def measure(world, *, rounds: int = ROUNDS) -> dict:
    from bench import web

    cores = os.cpu_count() or 1
    # prometheus-client's advice: the multiprocess directory on a tmpfs (its files are mmapped and
    # written on every sample; on a disk the page cache writes them back)
    shm = Path("/dev/shm")
    samples = (shm if shm.is_dir() else env.VAR) / "hall-bench-metrics"
    shutil.rmtree(samples, ignore_errors=True)
    samples.mkdir(parents=True)
    users = web.roles_users(world)
    observed = {"PROMETHEUS_MULTIPROC_DIR": str(samples), "HALL_LOG_FORMAT": "json"}
    bare = {"HALL_BENCH_WITHOUT_OBSERVABILITY": "1", "HALL_LOG_FORMAT": "json"}
    per_s: dict[str, dict[str, list[float]]] = {
        label: {"with": [], "without": []} for label, _, _ in PAGES
    }
    with (
        web.Gunicorn(2 * cores + 1, extra_env=observed, name="gunicorn-observed") as with_,
        web.Gunicorn(2 * cores + 1, extra_env=bare, name="gunicorn-bare") as without,
    ):
        servers = {"with": with_, "without": without}
        for label, path, role in PAGES:
            sessions = web.sessions_for(users.get(role) if role else None, web.CLIENTS)
            for server in servers.values():
                for _ in range(3):  # every worker a little warm
                    web.request(server.port, "GET", path, cookies=sessions[0])
            for number in range(rounds):
                # alternate which goes first, so neither always meets the warmer machine
                order = ("with", "without") if number % 2 == 0 else ("without", "with")
                for variant in order:
                    result = web.load(
                        servers[variant].port, path, sessions, total=REQUESTS, seconds=SECONDS
                    )
                    if set(result["statuses"]) != {200}:
                        raise RuntimeError(f"{path} ({variant}): {result['statuses']}")
                    per_s[label][variant].append(result["per_s"])
    pages = {}
    for label, path, _ in PAGES:
        with_s, without_s = median(per_s[label]["with"]), median(per_s[label]["without"])
        pages[label] = {
            "path": path,
            "with_per_s": with_s,
            "without_per_s": without_s,
            "ratio": with_s / without_s,
            "rounds": per_s[label],
        }
    return {"rounds": rounds, "gunicorn_workers": 2 * cores + 1, "pages": pages}


def markdown(result: dict) -> str:
    lines = [
        f"Metrics and logs, their cost (medians of {result['rounds']} interleaved rounds; "
        f"{result['gunicorn_workers']} gunicorn workers each):",
        "",
        "| page | with metrics and logs req/s | without req/s | ratio |",
        "|---|---:|---:|---:|",
    ]
    for label, page in result["pages"].items():
        lines.append(
            f"| {label} (`{page['path']}`) | {page['with_per_s']:.1f} | "
            f"{page['without_per_s']:.1f} | {page['ratio']:.3f} |"
        )
    return "\n".join(lines)


def main() -> int:
    env.configure()
    from bench import db

    db.ensure_database()
    env.django_setup()
    db.migrate()
    from bench.world import world_ensure

    started = time.perf_counter()
    result = measure(world_ensure())
    result["seconds"] = time.perf_counter() - started
    env.RESULTS.mkdir(exist_ok=True)
    (env.RESULTS / "observability-latest.json").write_text(json.dumps(result, indent=2) + "\n")
    text = markdown(result)
    (env.RESULTS / "observability-latest.md").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
