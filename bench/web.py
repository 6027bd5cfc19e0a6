"""Pages and filing through gunicorn (issue 8, §5–7), and the Celery worker's memory.

gunicorn serves ``hall.wsgi`` (the real settings, the bench's database and Redis) with sync
workers, 2 × cores + 1 of them as gunicorn's documentation suggests. The load generator is a
bounded pool of client threads on loopback (each request a new connection: sync workers close
it); it runs on the same two cores as the server, which the results say.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from bench import env

PAGES = (
    ("baseline", "/bench/baseline/", None),
    ("signed-in empty page", "/bench/signed-in/", "officer"),
    ("officer inbox", "/desk/", "officer"),
    ("clerk workbench", "/window/", "clerk"),
    ("progress lookup", "/lookup/", None),
    ("supervision dashboard", "/supervision/", "supervisor"),
    ("performance figures", "/supervision/performance/", "supervisor"),
)
CLIENTS = 20
REQUESTS_PER_PAGE = 600
SECONDS_PER_PAGE = 12.0
FILINGS = 600
SECONDS_FILING = 15.0
SLOW_S = 2.0  # a page slower than this for one request is reported, not load-tested


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _child_env() -> dict:
    child = dict(os.environ)
    child["DJANGO_SETTINGS_MODULE"] = "bench.settings"  # the hall's, plus the baseline page
    child["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    return child


class Gunicorn:
    def __init__(self, workers: int, *, extra_env: dict | None = None, name: str = "gunicorn"):
        self.workers = workers
        self.port = _free_port()
        self.process: subprocess.Popen | None = None
        self.log = env.VAR / f"{name}.log"
        self.extra_env = extra_env or {}

    def __enter__(self):
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-c",
                "python:hall.gunicorn_conf",
                "hall.wsgi:application",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=env.ROOT,
            env={**_child_env(), **self.extra_env},
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                status, _body, _ = request(self.port, "GET", "/healthz")
                if status in (200, 503) and len(self.worker_pids()) >= self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not start; see {self.log}")

    def worker_pids(self) -> list[int]:
        return _children(self.process.pid) if self.process else []

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(p) for p in path.read_text().split()]
    except OSError:
        return []


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def request(
    port: int,
    method: str,
    path: str,
    *,
    cookies: dict | None = None,
    body=None,
    headers: dict | None = None,
    timeout: float = 60,
):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        all_headers = {"Host": "127.0.0.1", **(headers or {})}
        if cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, data, response
    finally:
        connection.close()


def load(port: int, path: str, sessions: list[dict], *, total: int, seconds: float) -> dict:
    """``total`` GETs (or ``seconds``, whichever ends first) from len(sessions) client threads."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    issued = [0]
    deadline = time.perf_counter() + seconds

    def client(cookies):
        while True:
            with lock:
                if issued[0] >= total or time.perf_counter() > deadline:
                    return
                issued[0] += 1
            started = time.perf_counter()
            status, _data, _ = request(port, "GET", path, cookies=cookies)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=client, args=(s,)) for s in sessions]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return _latency_summary(latencies, wall, statuses)


def _latency_summary(latencies, wall, statuses) -> dict:
    ordered = sorted(latencies)

    def pct(p):
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000

    return {
        "requests": len(ordered),
        "statuses": statuses,
        "p50_ms": pct(50) if ordered else None,
        "p95_ms": pct(95) if ordered else None,
        "per_s": len(ordered) / wall if wall else None,
        "seconds": wall,
    }


def sessions_for(user_id: int | None, count: int) -> list[dict]:
    """Logged-in session cookies (Django's own login, without the password hash round)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    if user_id is None:
        return [{} for _ in range(count)]
    user = get_user_model().objects.get(pk=user_id)
    cookies = []
    for _ in range(count):
        client = Client()
        client.force_login(user)
        cookies.append({"sessionid": client.cookies["sessionid"].value})
    return cookies


def roles_users(world) -> dict[str, int]:
    return {
        "officer": world.officer_ids[0],
        "clerk": world.clerk_ids[0],
        "supervisor": world.supervisor_id,
    }


def pages(
    port: int, world, *, total=REQUESTS_PER_PAGE, seconds=SECONDS_PER_PAGE, skipped=None
) -> dict:
    """One round over the pages. A page found too slow (or missing) in an earlier round is
    reported as it was then, not probed again (``skipped`` carries it between rounds)."""
    users = roles_users(world)
    results = {}
    skipped = {} if skipped is None else skipped
    for label, path, role in PAGES:
        if label in skipped:
            results[label] = skipped[label]
            continue
        sessions = sessions_for(users.get(role) if role else None, CLIENTS)
        started = time.perf_counter()
        try:
            status, data, _ = request(port, "GET", path, cookies=sessions[0], timeout=SLOW_S * 4)
        except TimeoutError:
            results[label] = {"path": path, "skipped": f"one request took over {SLOW_S * 4:.0f} s"}
            continue
        single = time.perf_counter() - started
        if status == 404:
            results[label] = {"path": path, "skipped": "404: the page does not exist yet"}
            continue
        if status != 200:
            results[label] = {"path": path, "skipped": f"status {status} for a logged-in {role}"}
            continue
        if single > SLOW_S:
            results[label] = {
                "path": path,
                "skipped": f"one request took {single:.1f} s ({len(data) / 1e6:.1f} MB of HTML): "
                "not load-tested",
                "single_request_s": single,
                "html_bytes": len(data),
            }
            continue
        for _ in range(3):  # warm every worker's caches a little
            request(port, "GET", path, cookies=sessions[0])
        results[label] = {"path": path, **load(port, path, sessions, total=total, seconds=seconds)}
    skipped.update((label, result) for label, result in results.items() if "skipped" in result)
    return results


# --- filing over HTTP ----------------------------------------------------------------------------


def filing(port: int, world, *, total=FILINGS, seconds=SECONDS_FILING, bundle: str = "") -> dict:
    """POST the workbench's file form with a fresh submission_key each time (20 clients): one
    item, or with `bundle` a 一件事 application (all its items, the shared question once)."""
    from hall.models import Applicant

    applicant = Applicant.objects.order_by("pk").first()
    path = f"/window/applicant/{applicant.pk}/file/"
    sessions = sessions_for(world.clerk_ids[1], CLIENTS)
    chosen = f"bundle={bundle}" if bundle else f"item={world.item_id}"
    fields = (
        {"bundle": bundle, "all__agent": "no"}
        if bundle
        else {"item": world.item_id, f"{world.item_id}__agent": "no"}
    )
    for cookies in sessions:
        status, _data, response = request(port, "GET", f"{path}?{chosen}", cookies=cookies)
        if status != 200:
            return {"skipped": f"GET {path} answered {status}"}
        token = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
        cookies["csrftoken"] = token.group(1) if token else cookies.get("csrftoken", "")
    latencies, statuses = [], {}
    lock = threading.Lock()
    issued = [0]
    deadline = time.perf_counter() + seconds

    def client(cookies):
        from urllib.parse import urlencode

        while True:
            with lock:
                if issued[0] >= total or time.perf_counter() > deadline:
                    return
                issued[0] += 1
            body = urlencode(
                {
                    "csrfmiddlewaretoken": cookies["csrftoken"],
                    **fields,
                    "submission_key": str(uuid.uuid4()),
                }
            )
            started = time.perf_counter()
            status, _data, response = request(
                port,
                "POST",
                path,
                cookies=cookies,
                body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            elapsed = time.perf_counter() - started
            ok = status == 302 and "/window/case/" in (response.getheader("Location") or "")
            with lock:
                latencies.append(elapsed)
                key = status if ok or status != 302 else "302-elsewhere"
                statuses[key] = statuses.get(key, 0) + 1

    threads = [threading.Thread(target=client, args=(s,)) for s in sessions]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    summary = _latency_summary(latencies, wall, statuses)
    summary["filed"] = statuses.get(302, 0)
    summary["per_s"] = summary["filed"] / wall
    return summary


# --- queries per page, through the Django test client ------------------------------------------


def page_queries_here() -> dict:
    """In this process's database: the queries each page runs for its user."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.world import world_ensure
    from hall.models import Case

    world = world_ensure()
    users = roles_users(world)
    from django.contrib.auth import get_user_model

    out = {"cases": Case.objects.count()}
    for label, path, role in PAGES:
        client = Client()
        if role:
            client.force_login(get_user_model().objects.get(pk=users[role]))
        signal.signal(signal.SIGALRM, _too_slow)
        try:
            signal.alarm(int(SLOW_S * 4))
            client.get(path)  # warm
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
        except TimeoutError:
            out[label] = {"status": None, "queries": None, "note": "over 8 s: not counted"}
            continue
        finally:
            signal.alarm(0)
        out[label] = {"status": response.status_code, "queries": len(captured)}
    out["bundle filing"] = _bundle_filing_queries(world)
    return out


def _bundle_filing_queries(world) -> dict:
    """The statements of filing one five-item 一件事 application at the window (one POST)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.world import bundle_ensure
    from hall.models import Applicant

    code = bundle_ensure()
    client = Client()
    client.force_login(get_user_model().objects.get(pk=world.clerk_ids[1]))
    path = f"/window/applicant/{Applicant.objects.order_by('pk').first().pk}/file/"
    post = {"bundle": code, "all__agent": "no"}
    client.post(path, {**post, "submission_key": str(uuid.uuid4())})  # warm
    with CaptureQueriesContext(connection) as captured:
        response = client.post(path, {**post, "submission_key": str(uuid.uuid4())})
    return {"status": response.status_code, "queries": len(captured)}


def _too_slow(signum, frame):
    raise TimeoutError


def page_queries(database: str, *, small: bool) -> dict:
    """Run page_queries_here in a child process on ``database`` (its own settings and DB)."""
    child = dict(os.environ)
    child["BENCH_DB_NAME"] = database
    out = subprocess.run(
        [sys.executable, "-m", "bench.web", "page-queries", *(["small"] if small else [])],
        cwd=env.ROOT,
        env=child,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- the Celery worker ---------------------------------------------------------------------------


class CeleryWorker:
    def __init__(self, concurrency: int):
        self.concurrency = concurrency
        self.process = None
        self.log = env.VAR / "celery.log"

    def __enter__(self):
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "celery"),
                "-A",
                "hall",
                "worker",
                "--concurrency",
                str(self.concurrency),
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=env.ROOT,
            env=_child_env(),
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        return self

    def pids(self) -> list[int]:
        return [self.process.pid, *_children(self.process.pid)] if self.process else []

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def queue_length() -> int:
    import redis

    return redis.Redis.from_url(env.REDIS_URL).llen("celery")


def queue_purge() -> int:
    import redis

    client = redis.Redis.from_url(env.REDIS_URL)
    length = client.llen("celery")
    client.delete("celery")
    return length


def _small_database_ensure() -> None:
    """The small data size: the bench's catalogue and a handful of cases driven end to end."""
    from bench import lifecycle
    from bench.world import world_ensure
    from hall.models import Case

    world = world_ensure()
    if Case.objects.count() < 5:
        life = lifecycle.lifecycle_prepare(world, 0)
        for n in range(5):
            lifecycle.case_run(life, 30_000_000 + n)


if __name__ == "__main__":
    if sys.argv[1:2] == ["page-queries"]:
        from bench import db

        db.ensure_database()
        env.django_setup()
        db.migrate()
        if sys.argv[2:] == ["small"]:
            _small_database_ensure()
        print(json.dumps(page_queries_here()))
