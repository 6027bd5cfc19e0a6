"""`make bench`: every figure of issue 8 in one run, with medians over repeated rounds.

Writes bench/results/latest.json and bench/results/latest.md. Uses only its own database
(``hall_bench``, plus ``hall_bench_small`` for the small data size of the page query counts) and
its own Redis database; both are created and migrated here. Sizes and rounds are capped so that a
fresh machine of this kind finishes in under ten minutes; ``BENCH_QUICK=1`` shrinks them further.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import signal
import statistics
import sys
import time

from bench import env

QUICK = os.environ.get("BENCH_QUICK") == "1"
ROUNDS = 3
LIFECYCLE_CASES = 4 if QUICK else 12  # per process per round
PEER_CASES = 20 if QUICK else 60
CEILING_CASES = 10 if QUICK else 30
VANILLA_CASES = 6 if QUICK else 20
# per round: four batches of 100 processes (five due steps each), so two sweepers take two each;
# with 1,500 (three batches) one of two sweepers took two and the round timed that imbalance
# (at most 1.5 × one sweeper). The fixture puts 10,000 due steps back before each sweeper count.
DRAIN_STEPS = 300 if QUICK else 2000
DRAIN_BATCH = 100  # processes per sweep transaction (the sweep's default), for one and two alike
TIMERS = 100 if QUICK else 200  # per round
PAGE_REQUESTS = 100 if QUICK else 200  # per page per round
PAGE_SECONDS = 5.0
FILINGS = 100 if QUICK else 300  # per round
FILING_SECONDS = 8.0
SMALL_DB = "hall_bench_small"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


class Applicants:
    """Fresh identity numbers for every case of every run (a sequence in the bench database)."""

    def __init__(self):
        from bench import db

        self.conn = db.connect(autocommit=True)
        self.conn.execute("CREATE SEQUENCE IF NOT EXISTS bench_applicant_seq START 20000000")

    def block(self, size: int) -> int:
        first = self.conn.execute("SELECT nextval('bench_applicant_seq')").fetchone()[0]
        self.conn.execute("SELECT setval('bench_applicant_seq', %s)", [first + size])
        return first


def _rounds(pool, processes: int, rounds: int, submit) -> dict:
    """Run ``rounds`` rounds of ``processes`` workers started together: cases/s of each round
    and, where the workers measure it (``bench.cpu``), the CPU milliseconds per case of the
    client processes and their PostgreSQL backends. An untimed round first lets every worker warm
    up (imports, caches, its first case)."""
    for r in [submit(worker, time.time(), warm=True) for worker in range(processes)]:
        r.get()
    rates, cpu = [], []
    for _ in range(rounds):
        start_at = time.time() + 0.5
        results = [submit(worker, start_at) for worker in range(processes)]
        runs = [r.get() for r in results]
        begin, end = min(r[0] for r in runs), max(r[1] for r in runs)
        cases = sum(r[2] for r in runs)
        rates.append(cases / (end - begin))
        if all(len(r) == 5 for r in runs):
            client = sum(r[3] for r in runs) * 1000 / cases
            backend = sum(r[4] for r in runs) * 1000 / cases
            cpu.append({"client": client, "backend": backend, "total": client + backend})
    out = {"rounds": rates, "median": median(rates)}
    if cpu:
        out["cpu_ms_per_case"] = {
            part: median([c[part] for c in cpu]) for part in ("client", "backend", "total")
        }
        out["cpu_rounds"] = cpu
    return out


def section_lifecycle(world, pools, applicants) -> dict:
    from bench import lifecycle

    log("lifecycle: queries per case and step")
    recorded = lifecycle.queries_per_case(world, applicants.block(3))
    out = {"queries": {k: v for k, v in recorded.items() if k != "transactions"}}
    out["_transactions"] = recorded["transactions"]
    from bench import trace

    log("lifecycle: statements of one case and a profile of eight (beside the results)")
    out["files"] = [
        trace.statements_write(world, applicants.block(3)),
        *trace.profile_write(world, applicants.block(10)),
    ]
    for processes, pool in pools.items():
        log(f"lifecycle: {processes} process(es), {ROUNDS} rounds of {LIFECYCLE_CASES} cases each")

        def submit(worker, start_at, warm=False, pool=pool):
            cases = 1 if warm else LIFECYCLE_CASES
            return pool.apply_async(
                lifecycle.worker_round,
                (world, worker, applicants.block(cases + 2), cases, start_at),
            )

        out[f"processes_{processes}"] = _rounds(pool, processes, ROUNDS, submit)
    return out


def _engine_rounds(pools, label: str, worker_round, cases: int) -> dict:
    """Rounds of an engine whose workers take (worker, cases, start_at): the peer, vanilla."""
    out = {}
    for processes, pool in pools.items():
        log(f"{label}: {processes} process(es), {ROUNDS} rounds")

        def submit(worker, start_at, warm=False, pool=pool):
            return pool.apply_async(worker_round, (worker, 1 if warm else cases, start_at))

        out[f"processes_{processes}"] = _rounds(pool, processes, ROUNDS, submit)
    return out


def section_peer(pools) -> dict:
    from bench import peer

    peer.table_ensure()
    return {
        "version": peer.versions(),
        "transactions_per_case": peer.transactions_per_case(),
        **_engine_rounds(pools, "peer (SpiffWorkflow)", peer.worker_round, PEER_CASES),
    }


def section_vanilla(pools) -> dict:
    """Vanilla viewflow 2.4 on ApprovalFlow's BPMN (issue 27, §1a): the engine alone."""
    from bench import vanilla

    return {
        "transactions_per_case": vanilla.TRANSACTIONS,
        "queries_per_case": vanilla.queries_per_case(),
        **_engine_rounds(pools, "vanilla viewflow", vanilla.worker_round, VANILLA_CASES),
    }


def section_replay(world, pools, applicants) -> dict:
    """The real-schema ceiling (issue 27, §1b): our exact statements replayed on our tables."""
    from bench import replay

    log("real-schema ceiling: recording one case's statements")
    recording = replay.record(world, applicants.block(3))
    out = {
        "statements_per_case": sum(len(t["statements"]) for t in recording["transactions"]),
        "transactions_per_case": len(recording["transactions"]),
        "rows_created_per_case": {t: len(ids) for t, ids in recording["created"].items()},
    }
    for processes, pool in pools.items():
        log(f"real-schema ceiling: {processes} process(es), {ROUNDS} rounds")

        def submit(worker, start_at, warm=False, pool=pool):
            cases = 1 if warm else CEILING_CASES
            return pool.apply_async(replay.worker_round, (recording, worker, cases, start_at))

        out[f"processes_{processes}"] = _rounds(pool, processes, ROUNDS, submit)
    return out


def section_ceiling(pools, transactions) -> dict:
    from bench import ceiling

    ceiling.table_ensure()
    out = {}
    for processes, pool in pools.items():
        log(f"ceiling (bare SQL): {processes} process(es), {ROUNDS} rounds")

        def submit(worker, start_at, warm=False, pool=pool):
            cases = 1 if warm else CEILING_CASES
            return pool.apply_async(ceiling.worker_round, (transactions, worker, cases, start_at))

        out[f"processes_{processes}"] = _rounds(pool, processes, ROUNDS, submit)
    return out


def section_sweep(world, pool) -> dict:
    from bench import fixture, sweep

    out = {"topup": fixture.due_topup(world)}
    log(f"sweep: nothing due at {out['topup']['open_steps']:,} open steps")
    out["nothing_due"] = sweep.nothing_due()
    for sweepers in (1, 2):
        if sweepers > 1:
            out[f"topup_{sweepers}"] = fixture.due_topup(world)
        log(f"sweep: {sweepers} sweeper(s), {ROUNDS} rounds of {DRAIN_STEPS} due steps")
        runs = [
            sweep.drain(pool, steps=DRAIN_STEPS, sweepers=sweepers, batch=DRAIN_BATCH)
            for _ in range(ROUNDS)
        ]
        out[f"sweepers_{sweepers}"] = {
            "runs": runs,
            "median_per_s": median([r["per_s"] for r in runs]),
            "duplicates": sum(r["duplicates"] for r in runs),
        }
    log("baseline: viewflow fire_due_timers")
    out["timers_nothing_due"] = sweep.timers_nothing_due()
    for dispatchers in (1, 2):
        runs = [
            sweep.timers_fire(pool, count=TIMERS, dispatchers=dispatchers) for _ in range(ROUNDS)
        ]
        out[f"timers_{dispatchers}"] = {
            "runs": runs,
            "median_per_s": median([r["per_s"] for r in runs]),
        }
    return out


def section_orders(pool) -> dict:
    from bench import orders

    out = {"setup": orders.orders_ensure(log=log)}
    log(f"orders: nothing due at {orders.OPEN_ORDERS:,} open orders")
    out["nothing_due"] = orders.nothing_due()
    for sweepers in (1, 2):
        log(f"orders: {sweepers} sweeper(s), {ROUNDS} rounds of {orders.DUE} due orders")
        runs = [orders.drain(pool, sweepers=sweepers) for _ in range(ROUNDS)]
        out[f"sweepers_{sweepers}"] = {
            "runs": runs,
            "median_per_s": median([r["per_s"] for r in runs]),
            "duplicates": sum(r["duplicates"] for r in runs),
            "missed": sum(r["missed"] for r in runs),
        }
    return out


def section_web(world) -> dict:
    from bench import web

    cores = os.cpu_count() or 1
    out = {"gunicorn_workers": 2 * cores + 1, "clients": web.CLIENTS}
    log("web: queries per page at two data sizes (Django test client)")
    from bench.world import bundle_ensure

    bundle = bundle_ensure()  # before the servers start: their catalogue is read per process
    out["queries_small"] = web.page_queries(SMALL_DB, small=True)
    out["queries_large"] = web.page_queries(env.DB_NAME, small=False)
    with web.CeleryWorker(concurrency=cores) as worker, web.Gunicorn(2 * cores + 1) as server:
        log(f"web: gunicorn on 127.0.0.1:{server.port}, Celery worker pid {worker.process.pid}")
        page_rounds, skipped = [], {}
        for n in range(ROUNDS):
            log(f"web: pages, round {n + 1}/{ROUNDS}")
            page_rounds.append(
                web.pages(
                    server.port, world, total=PAGE_REQUESTS, seconds=PAGE_SECONDS, skipped=skipped
                )
            )
        out["pages"] = _page_medians(page_rounds)
        filing_rounds = []
        for n in range(ROUNDS):
            log(f"web: filing over HTTP, round {n + 1}/{ROUNDS}")
            filing_rounds.append(
                web.filing(server.port, world, total=FILINGS, seconds=FILING_SECONDS)
            )
        bundle_rounds = []
        for n in range(ROUNDS):
            log(f"web: a five-item 一件事 filed over HTTP, round {n + 1}/{ROUNDS}")
            bundle_rounds.append(
                web.filing(
                    server.port, world, total=FILINGS // 5, seconds=FILING_SECONDS, bundle=bundle
                )
            )
        out["bundle_filing"] = {
            "rounds": bundle_rounds,
            "median_per_s": median([r.get("per_s") for r in bundle_rounds]),
            "median_p50_ms": median([r.get("p50_ms") for r in bundle_rounds]),
            "median_p95_ms": median([r.get("p95_ms") for r in bundle_rounds]),
        }
        out["filing"] = {
            "rounds": filing_rounds,
            "median_per_s": median([r.get("per_s") for r in filing_rounds]),
            "median_p50_ms": median([r.get("p50_ms") for r in filing_rounds]),
            "median_p95_ms": median([r.get("p95_ms") for r in filing_rounds]),
        }
        out["memory"] = {
            "gunicorn_worker_peak_rss_mib": max(
                (web.peak_rss_kib(pid) for pid in server.worker_pids()), default=0
            )
            / 1024,
            "celery_peak_rss_mib": {
                str(pid): web.peak_rss_kib(pid) / 1024 for pid in worker.pids()
            },
            "celery_queue_left": web.queue_length(),
        }
        out["memory"]["celery_worker_peak_rss_mib"] = max(
            out["memory"]["celery_peak_rss_mib"].values(), default=0
        )
    out["memory"]["celery_queue_purged"] = web.queue_purge()
    return out


def _page_medians(rounds: list[dict]) -> dict:
    pages = {}
    for label in rounds[0]:
        entries = [r[label] for r in rounds]
        if "skipped" in entries[0]:
            pages[label] = entries[0]
            continue
        pages[label] = {
            "path": entries[0]["path"],
            "rounds": entries,
            "p50_ms": median([e["p50_ms"] for e in entries]),
            "p95_ms": median([e["p95_ms"] for e in entries]),
            "per_s": median([e["per_s"] for e in entries]),
        }
    return pages


def versions(pg_version: str) -> dict:
    from importlib.metadata import version

    return {
        "python": platform.python_version(),
        "django": version("Django"),
        "viewflow": version("django-viewflow"),
        "spiffworkflow": version("SpiffWorkflow"),
        "postgresql": pg_version,
        "psycopg": version("psycopg"),
        "gunicorn": version("gunicorn"),
        "celery": version("celery"),
        "reportlab": version("reportlab"),
    }


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # so that gunicorn and the Celery worker are stopped too


def main() -> int:
    signal.signal(signal.SIGTERM, _terminate)
    started = time.perf_counter()
    env.configure()
    from bench import db

    load_before = os.getloadavg()
    log(f"database {env.DB_NAME}: " + ("created" if db.ensure_database() else "exists"))
    env.django_setup()
    migrate_s = db.migrate()
    from bench import fixture, report
    from bench.world import world_ensure

    world = world_ensure()
    log("fixture: 1,000,000 cases / 1,000,000 open steps (loaded once, then reused)")
    fixture_info = fixture.fixture_ensure(world, log=lambda m: log(m))
    statistics_info = db.analyze()
    log(
        f"statistics: ANALYZE in {statistics_info['seconds']} s "
        f"(autovacuum {statistics_info['autovacuum']} on this server)"
    )
    cores = os.cpu_count() or 1
    context = multiprocessing.get_context("spawn")
    pools = {1: context.Pool(1, initializer=_init), cores: context.Pool(cores, initializer=_init)}
    applicants = Applicants()
    results = {
        "machine": {
            "cores": cores,
            "load_average_before": load_before,
            "platform": platform.platform(),
        },
        "versions": versions(db.server_version()),
        "postgresql_settings": db.server_settings(),
        "setup": {"migrate_s": migrate_s, "fixture": fixture_info, "analyze": statistics_info},
        "quick": QUICK,
    }
    try:
        results["lifecycle"] = section_lifecycle(world, pools, applicants)
        transactions = results["lifecycle"].pop("_transactions")
        results["vanilla"] = section_vanilla(pools)
        results["peer"] = section_peer(pools)
        results["ceiling"] = section_ceiling(pools, transactions)
        try:
            results["replay"] = section_replay(world, pools, applicants)
        except Exception as error:  # a replay that cannot run is reported, not the run lost
            log(f"real-schema ceiling failed: {error}")
            results["replay"] = {"error": f"{type(error).__name__}: {error}"}
        results["sweep"] = section_sweep(world, pools[cores])
        results["orders"] = section_orders(pools[cores])
    finally:
        for pool in pools.values():
            pool.terminate()
    results["web"] = section_web(world)
    from bench import observability

    log("web: what the request metrics and logs cost (two servers, interleaved rounds)")
    results["observability"] = observability.measure(world)
    results["machine"]["load_average_after"] = os.getloadavg()
    results["seconds"] = time.perf_counter() - started
    results["targets"] = report.target_values(results)
    env.RESULTS.mkdir(exist_ok=True)
    (env.RESULTS / "latest.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n"
    )
    markdown = report.markdown(results)
    (env.RESULTS / "latest.md").write_text(markdown)
    print(markdown)
    log(f"done in {results['seconds']:.0f} s; bench/results/latest.md and latest.json written")
    return 0


def _init() -> None:
    env.django_setup()


if __name__ == "__main__":
    sys.exit(main())
