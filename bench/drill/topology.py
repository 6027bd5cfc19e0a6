"""The drill's deployment on one machine, from Debian's packages and the project's venv.

    client ─▶ nginx :8640 ─┬─▶ gunicorn node 1 :8641 ─┐
                           └─▶ gunicorn node 2 :8642 ─┤
    celery worker host-a ───────────────────────────────┼─▶ PgBouncer :6441 (transaction pooling)
    celery worker host-b ───────────────────────────────┤      ├─▶ primary :5441 ──WAL──┐
    beat (active) / beat (standby, waits for the lock) ─┘      └─▶ replica :5442 ◀──────┘
    every process ─▶ Redis :6449 (broker, cache, beat's schedule and lock)
    Prometheus :8690 ─▶ both nodes' /metrics, both worker hosts' :8651/:8652 (the hall's alert
                        rules with the drill's short limits)

The two PostgreSQL clusters and the Redis server are the drill's own (`pg_createcluster`,
dropped and made afresh each run; a `redis-server` on its own port that keeps nothing on disk),
so the machine's main cluster, its Redis and its test databases are never touched, and the drill
may stop its Redis as a fault. Processes
run in their own sessions so that a fault can kill one with all its children.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from hall.platform.seal import development_seal

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var" / "drill"
RUN = Path("/tmp/hall-drill")  # PgBouncer runs as postgres and keeps its files here
VENV_BIN = Path(sys.executable).parent
DB = "hall_drill"
REDIS_PORT = 6449
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
PRIMARY_PORT, REPLICA_PORT, PGBOUNCER_PORT = 5441, 5442, 6441
NGINX_PORT, WEB_PORTS = 8640, (8641, 8642)
PROMETHEUS_PORT = 8690
WORKER_METRICS_PORTS = {"host-a": 8651, "host-b": 8652}
PACKAGES = {
    "pgbouncer": "/usr/sbin/pgbouncer",
    "nginx": "/usr/sbin/nginx",
    "prometheus": "/usr/bin/prometheus",
}


def pg_version() -> str:
    versions = sorted(Path("/usr/lib/postgresql").iterdir(), key=lambda p: int(p.name))
    return versions[-1].name


def pg_bin(name: str) -> str:
    return str(Path("/usr/lib/postgresql") / pg_version() / "bin" / name)


def sh(*command: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if check and result.returncode != 0:
        raise RuntimeError(f"drill: {' '.join(command)} failed:\n{result.stderr[-2000:]}")
    return result


def port_open(port: int, timeout: float = 0.3) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for(predicate, *, seconds: float, what: str, step: float = 0.2) -> float:
    """Wait until predicate() is true; return how long it took."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > seconds:
            raise RuntimeError(f"drill: {what} not ready after {seconds:.0f} s")
        time.sleep(step)
    return time.monotonic() - start


def setup_missing() -> str:
    """Why the drill cannot set itself up on this machine; empty when it can."""
    if not shutil.which("pg_createcluster") or not Path("/usr/lib/postgresql").exists():
        return "no PostgreSQL server packages (postgresql, postgresql-common)"
    if os.geteuid() != 0:
        return "it makes PostgreSQL clusters and runs PgBouncer as postgres: run it as root"
    if not shutil.which("redis-server") or not shutil.which("redis-cli"):
        return "no Redis server (redis-server, redis-cli)"
    return ""


def packages_ensure() -> None:
    """nginx, PgBouncer and Prometheus from Debian's packages, installed when missing (as
    root)."""
    missing = [name for name, path in PACKAGES.items() if not Path(path).exists()]
    if not missing:
        return
    if os.geteuid() != 0:
        raise RuntimeError(f"drill: install {' '.join(missing)} (apt-get install) and run again")
    print(f"drill: installing {' '.join(missing)} from Debian's packages", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    apt_packages = ["nginx-light" if name == "nginx" else name for name in missing]
    result = sh("apt-get", "install", "-y", "-q", *apt_packages, check=False, env=env)
    if result.returncode != 0:  # the package lists may be stale on a fresh machine
        sh("apt-get", "update", "-q", env=env)
        sh("apt-get", "install", "-y", "-q", *apt_packages, env=env)
    # the packages' own services are not part of the drill (and may not have started anyway)
    for name in missing:
        sh("service", name, "stop", check=False)


# --- PostgreSQL ---------------------------------------------------------------------------------

CLUSTER_SETTINGS = """\
listen_addresses = '127.0.0.1'
max_connections = 200
shared_buffers = '128MB'
wal_level = replica
max_wal_senders = 4
wal_keep_size = '256MB'
hot_standby = on
hot_standby_feedback = on
# durability stays on: the drill measures the real thing
fsync = on
synchronous_commit = on
log_min_messages = warning
"""

HBA = """\
local all all trust
host all all 127.0.0.1/32 trust
host replication postgres 127.0.0.1/32 trust
"""


@dataclass
class Cluster:
    name: str
    port: int

    @property
    def conf_dir(self) -> Path:
        return Path("/etc/postgresql") / pg_version() / self.name

    @property
    def data_dir(self) -> Path:
        return Path("/var/lib/postgresql") / pg_version() / self.name

    def exists(self) -> bool:
        return self.conf_dir.exists()

    def drop(self) -> None:
        if self.exists():
            sh("pg_dropcluster", "--stop", pg_version(), self.name, check=False)

    def create(self) -> None:
        sh("pg_createcluster", pg_version(), self.name, "-p", str(self.port), "--start-conf=manual")
        (self.conf_dir / "conf.d").mkdir(exist_ok=True)
        (self.conf_dir / "conf.d" / "drill.conf").write_text(CLUSTER_SETTINGS)
        (self.conf_dir / "pg_hba.conf").write_text(HBA)

    def start(self) -> None:
        sh("pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), self.name, "start")
        wait_for(lambda: port_open(self.port), seconds=30, what=f"cluster {self.name}")

    def stop(self) -> None:
        sh("pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), self.name, "stop",
           "-m", "fast", check=False)  # fmt: skip

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = sh("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d",
                    database, "-Atc", sql)  # fmt: skip
        return result.stdout.strip()


PRIMARY = Cluster("hall-drill-primary", PRIMARY_PORT)
REPLICA = Cluster("hall-drill-replica", REPLICA_PORT)


def primary_make() -> None:
    REPLICA.drop()
    PRIMARY.drop()
    PRIMARY.create()
    PRIMARY.start()
    PRIMARY.psql(f"CREATE DATABASE {DB}")


def replica_make() -> float:
    """A streaming replica of the primary as it is now (pg_basebackup -R); its seconds."""
    start = time.monotonic()
    REPLICA.drop()
    REPLICA.create()
    for path in REPLICA.data_dir.iterdir():  # the directory stays, owned by postgres
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    sh("runuser", "-u", "postgres", "--", pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p",
       str(PRIMARY_PORT), "-U", "postgres", "-D", str(REPLICA.data_dir), "-R", "-X", "stream",
       "-c", "fast")  # fmt: skip
    REPLICA.start()
    wait_for(lambda: REPLICA.psql("SELECT pg_is_in_recovery()") == "t", seconds=30, what="replica")
    return time.monotonic() - start


# --- processes ----------------------------------------------------------------------------------


@dataclass
class Service:
    """One long-running process of the drill (in its own session: killed with its children)."""

    name: str
    command: list[str]
    env: dict[str, str] | None = None
    user: str | None = None
    ready_port: int | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def log(self) -> Path:
        return VAR / "logs" / f"{self.name}.log"

    def start(self, *, wait: bool = True) -> Service:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            user=self.user,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if wait and self.ready_port:
            wait_for(lambda: port_open(self.ready_port), seconds=60, what=self.name)
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        self.kill(signal.SIGTERM)


def drill_env() -> dict[str, str]:
    """The hall's configuration in the drill: production mode (no development defaults), every
    connection through PgBouncer, the replica for the routed reads, the drill's Redis, and the
    sweeps, the beat lock and the outbox's resend on short intervals so that a few minutes
    show each fault's whole course."""
    env = {key: value for key, value in os.environ.items() if key not in ("HALL_DEVELOPMENT",
                                                                         "DEBUG")}  # fmt: skip
    key_file = VAR / "secret-key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(64))
    cert, key = development_seal(VAR)  # the drill's own seal for electronic licences
    data_keys = VAR / "personal-data-keys"  # the drill's own keys of personal data (issue 29)
    if not data_keys.exists():
        data_keys.write_text(
            " ".join(base64.b64encode(secrets.token_bytes(32)).decode() for _ in range(2))
        )
    data_key, lookup_key = data_keys.read_text().split()
    env.update(
        HALL_DATA_KEYS=f"drill1:{data_key}",
        HALL_DATA_LOOKUP_KEY=lookup_key,
        DJANGO_SETTINGS_MODULE="hall.settings",
        HALL_LICENCE_SEAL_CERT=str(cert),
        HALL_LICENCE_SEAL_KEY=str(key),
        SECRET_KEY=key_file.read_text().strip(),
        HALL_PUBLIC_URL=f"http://127.0.0.1:{NGINX_PORT}",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{PGBOUNCER_PORT}/{DB}",
        REPLICA_DATABASE_URL=f"postgres://postgres@127.0.0.1:{PGBOUNCER_PORT}/{DB}_replica",
        HALL_REPLICA_CHECK_URL=f"postgres://postgres@127.0.0.1:{REPLICA_PORT}/{DB}",
        HALL_DB_TRANSACTION_POOLING="1",
        DB_CONN_MAX_AGE="60",
        CELERY_BROKER_URL=REDIS_URL,
        CELERY_RESULT_BACKEND=REDIS_URL,
        REDIS_URL=REDIS_URL,
        REDIS_CACHE_URL=REDIS_URL,
        HALL_BEAT_SCHEDULER="redis",
        HALL_BEAT_LOCK_SECONDS="10",
        HALL_SWEEP_SECONDS="5",
        HALL_OUTBOX_SWEEP_SECONDS="5",
        HALL_OUTBOX_STALE_SECONDS="20",
        HALL_SUPERVISION_FIGURES_SECONDS="10",
        HALL_REPLICA_MAX_LAG_SECONDS="5",
        HALL_REPLICA_CHECK_SECONDS="1",
        HALL_READ_SOURCE_HEADER="1",
        HALL_VAR_DIR=str(VAR),
        HALL_MEDIA_ROOT=str(VAR / "private"),
        HALL_SMS_BACKEND="hall.platform.messaging.FileSmsBackend",
        HALL_SMS_FILE=str(VAR / "sms.jsonl"),
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def redis_service() -> Service:
    """The drill's Redis: its own port, nothing kept on disk (as on this project's machines), so
    that a restart after the Redis fault starts empty: no queues, no beat schedule, no lock."""
    return Service(
        "redis",
        ["redis-server", "--bind", "127.0.0.1", "--port", str(REDIS_PORT), "--save", "",
         "--appendonly", "no"],
        ready_port=REDIS_PORT,
    )  # fmt: skip


def pgbouncer_service() -> Service:
    RUN.mkdir(parents=True, exist_ok=True)
    shutil.chown(RUN, "postgres", "postgres")
    ini = RUN / "pgbouncer.ini"
    ini.write_text(
        f"""\
[databases]
{DB} = host=127.0.0.1 port={PRIMARY_PORT} dbname={DB}
{DB}_replica = host=127.0.0.1 port={REPLICA_PORT} dbname={DB}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {PGBOUNCER_PORT}
unix_socket_dir = {RUN}
auth_type = trust
auth_file = {RUN}/userlist.txt
admin_users = postgres
; transaction pooling: a server connection serves one transaction, then the next client's
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
reserve_pool_size = 5
server_connect_timeout = 2
server_login_retry = 1
; a client waits at most this long for a server connection (a stopped replica's included)
query_wait_timeout = 5
logfile = {RUN}/pgbouncer.log
pidfile = {RUN}/pgbouncer.pid
"""
    )
    (RUN / "userlist.txt").write_text('"postgres" ""\n')
    for path in (ini, RUN / "userlist.txt"):
        shutil.chown(path, "postgres", "postgres")
    return Service("pgbouncer", ["/usr/sbin/pgbouncer", str(ini)], user="postgres",
                   ready_port=PGBOUNCER_PORT)  # fmt: skip


def nginx_service() -> Service:
    home = VAR / "nginx"
    home.mkdir(parents=True, exist_ok=True)
    upstreams = "\n".join(
        f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=3s;" for port in WEB_PORTS
    )
    conf = home / "nginx.conf"
    conf.write_text(
        f"""\
worker_processes 1;
pid {home}/nginx.pid;
error_log {home}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    server_tokens off;
    client_body_temp_path {home}/body;
    proxy_temp_path {home}/proxy;
    fastcgi_temp_path {home}/fastcgi;
    uwsgi_temp_path {home}/uwsgi;
    scgi_temp_path {home}/scgi;
    upstream hall_web {{
{upstreams}
    }}
    server {{
        listen 127.0.0.1:{NGINX_PORT};
        client_max_body_size 130m;
        location / {{
            proxy_pass http://hall_web;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_connect_timeout 1s;
            proxy_read_timeout 30s;
            # a node that refuses or fails is skipped; GETs are retried on the other node,
            # a POST only when it never reached the first (nginx's rule for non-idempotent)
            proxy_next_upstream error timeout http_502 http_504;
            proxy_next_upstream_tries 2;
            proxy_next_upstream_timeout 10s;
        }}
    }}
}}
"""
    )
    return Service("nginx", ["/usr/sbin/nginx", "-c", str(conf), "-p", str(home), "-g",
                             "daemon off;"], ready_port=NGINX_PORT)  # fmt: skip


def _metrics_dir(name: str) -> str:
    """A process group's own directory for prometheus-client's multiprocess samples (emptied by
    the drill's fresh start, kept across a fault's restart as a real host's would be)."""
    path = VAR / "metrics" / name
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


def web_service(number: int, env: dict[str, str]) -> Service:
    port = WEB_PORTS[number - 1]
    env = {**env, "PROMETHEUS_MULTIPROC_DIR": _metrics_dir(f"web-{number}")}
    return Service(
        f"web-{number}",
        [str(VENV_BIN / "gunicorn"), "-c", "python:hall.gunicorn_conf", "hall.wsgi:application",
         "--bind", f"127.0.0.1:{port}",
         "--workers", "3", "--timeout", "30", "--graceful-timeout", "5",
         "--log-level", "warning"],
        env=env,
        ready_port=port,
    )  # fmt: skip


def worker_service(host: str, env: dict[str, str]) -> Service:
    env = {
        **env,
        "PROMETHEUS_MULTIPROC_DIR": _metrics_dir(f"worker-{host}"),
        "HALL_WORKER_METRICS_PORT": str(WORKER_METRICS_PORTS[host]),
    }
    return Service(
        f"worker-{host}",
        [str(VENV_BIN / "celery"), "-A", "hall", "worker", "--hostname", f"drill@{host}",
         "--concurrency", "2", "--loglevel", "WARNING", "--without-mingle",
         "--without-gossip"],
        env=env,
    )  # fmt: skip


def beat_service(name: str, env: dict[str, str]) -> Service:
    return Service(
        f"beat-{name}",
        [str(VENV_BIN / "celery"), "-A", "hall", "beat", "--loglevel", "INFO",
         "--schedule", str(VAR / f"beat-{name}.schedule")],
        env={**env, "LOG_LEVEL": "INFO"},
    )  # fmt: skip


def prometheus_service(rules: dict) -> Service:
    """Debian's Prometheus scraping both web nodes and both worker hosts every second, with the
    hall's alert rules (hall.platform.alerting) at the drill's limits."""
    home = VAR / "prometheus"
    home.mkdir(parents=True, exist_ok=True)
    (home / "rules.yml").write_text(json.dumps(rules))
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s", "scrape_timeout": "1s"},
        "rule_files": [str(home / "rules.yml")],
        "scrape_configs": [
            {
                "job_name": "hall-web",
                "metrics_path": "/metrics",
                "static_configs": [{"targets": [f"127.0.0.1:{port}" for port in WEB_PORTS]}],
            },
            {
                "job_name": "hall-worker",
                "static_configs": [
                    {"targets": [f"127.0.0.1:{port}" for port in WORKER_METRICS_PORTS.values()]}
                ],
            },
        ],
    }
    (home / "prometheus.yml").write_text(json.dumps(config))  # JSON is YAML to Prometheus
    return Service(
        "prometheus",
        ["/usr/bin/prometheus", f"--config.file={home / 'prometheus.yml'}",
         f"--storage.tsdb.path={home / 'data'}",
         f"--web.listen-address=127.0.0.1:{PROMETHEUS_PORT}", "--log.level=warn"],
        ready_port=PROMETHEUS_PORT,
    )  # fmt: skip


def manage(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
        text=True,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"drill: manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def hallside(*args: str, env: dict[str, str], stdin: str = "") -> str:
    result = subprocess.run(
        [str(VENV_BIN / "python"), "-m", "bench.drill.hallside", *args], cwd=ROOT, env=env,
        capture_output=True, text=True, input=stdin,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"drill: hallside {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout
