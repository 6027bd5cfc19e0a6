"""Settings for Seamless Hall. Every deployment-specific value comes from the environment."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from hall.platform import backends, seal

BASE_DIR = Path(__file__).resolve().parent.parent
ENV = os.environ


def env_bool(name: str, default: bool) -> bool:
    value = ENV.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = ENV.get(name)
    if not value:
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


DEBUG = env_bool("DEBUG", False)
# `make run`, `make test` and `make bench` set HALL_DEVELOPMENT=1 (the Makefile; tests.settings
# for a bare pytest). Anything else is production: it refuses to start on a development default.
DEVELOPMENT = DEBUG or env_bool("HALL_DEVELOPMENT", False)
VAR_DIR = backends.var_dir(ENV)
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = ENV.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEVELOPMENT:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in production (it signs sessions, kiosk ticket links and "
            "password resets); see README, Configuration"
        )
    # Development: a random key of this checkout, kept in var/ and never in the repository, so
    # that nobody can sign a kiosk token with a key read from the source.
    SECRET_KEY = backends.development_secret_key(VAR_DIR)
elif len(SECRET_KEY) < 50 and not DEVELOPMENT:
    raise ImproperlyConfigured("SECRET_KEY must have at least 50 characters in production")
elif not DEVELOPMENT and backends.secret_key_is_known(SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY is a key known from the repository or a project template: anyone can read it"
    )

# The address printed in QR codes on notices and SMS links: production must name its own.
HALL_PUBLIC_URL = ENV.get("HALL_PUBLIC_URL", "").rstrip("/")
if not HALL_PUBLIC_URL:
    if not DEVELOPMENT:
        raise ImproperlyConfigured(
            "HALL_PUBLIC_URL must be set in production (printed in notices' QR codes and SMS)"
        )
    # development: where `make run` serves (HALL_BIND), so a notice's QR code, an SMS link and
    # an appeal link reach the running hall (issue 32: they stayed on :8000 whatever the bind)
    _bind_host, _colon, _bind_port = ENV.get("HALL_BIND", "127.0.0.1:8000").rpartition(":")
    if _bind_host in ("", "0.0.0.0", "::", "[::]"):  # every interface: this machine's own
        _bind_host = "127.0.0.1"
    HALL_PUBLIC_URL = f"http://{_bind_host}:{_bind_port or '8000'}"
# The seal of the electronic licences (PAdES): production names the licensing authority's
# certificate and key; development makes a self-signed demo pair in var/ (hall.platform.seal).
HALL_LICENCE_SEAL_CERT = ENV.get("HALL_LICENCE_SEAL_CERT", "")
HALL_LICENCE_SEAL_KEY = ENV.get("HALL_LICENCE_SEAL_KEY", "")
HALL_LICENCE_SEAL_PASSPHRASE = ENV.get("HALL_LICENCE_SEAL_PASSPHRASE", "")
if not (HALL_LICENCE_SEAL_CERT and HALL_LICENCE_SEAL_KEY):
    if not DEVELOPMENT:
        raise ImproperlyConfigured(
            "HALL_LICENCE_SEAL_CERT and HALL_LICENCE_SEAL_KEY must be set in production (the "
            "certificate and key that seal electronic licences); see README, Configuration"
        )
    _seal_cert, _seal_key = seal.development_seal(VAR_DIR)
    HALL_LICENCE_SEAL_CERT, HALL_LICENCE_SEAL_KEY = str(_seal_cert), str(_seal_key)
elif not DEVELOPMENT:
    _seal_problem = seal.seal_pair_problem(
        HALL_LICENCE_SEAL_CERT, HALL_LICENCE_SEAL_KEY, HALL_LICENCE_SEAL_PASSPHRASE
    )
    if _seal_problem:
        raise ImproperlyConfigured(f"HALL_LICENCE_SEAL_CERT/KEY: {_seal_problem}")
# Personal data at rest (issue 29, hall.common.personal_data): the keys that seal ID numbers,
# phones and addresses ("k2:<base64>,k1:<base64>", the first seals) and the key of the lookup
# digests. Production must set both (or name a provider, e.g. a 密码机's); development keeps a
# key file of this checkout in var/.
HALL_DATA_KEY_PROVIDER = ENV.get("HALL_DATA_KEY_PROVIDER", "")
HALL_DATA_KEYS = ENV.get("HALL_DATA_KEYS", "")
HALL_DATA_LOOKUP_KEY = ENV.get("HALL_DATA_LOOKUP_KEY", "")
HALL_DATA_KEY_FILE = ENV.get("HALL_DATA_KEY_FILE", "")
if not (HALL_DATA_KEY_PROVIDER or HALL_DATA_KEYS):
    if not DEVELOPMENT:
        raise ImproperlyConfigured(
            "HALL_DATA_KEYS and HALL_DATA_LOOKUP_KEY (or HALL_DATA_KEY_PROVIDER) must be set in "
            "production: they seal the applicants' personal data; see README, Configuration"
        )
    HALL_DATA_KEY_FILE = HALL_DATA_KEY_FILE or str(VAR_DIR / "personal-data-keys.json")
# AES-256-GCM, or SM4-GCM for GB/T 39786 (密评); the lookup digests' HMAC: SHA-256 or SM3.
HALL_DATA_CIPHER = ENV.get("HALL_DATA_CIPHER", "aes-256-gcm")
HALL_DATA_HASH = ENV.get("HALL_DATA_HASH", "sha256")
# Whether an applicant's "who viewed my data" page names the staff member, or only their role
# and department (the default; a hall's policy may allow names).
HALL_ACCESS_LOG_SHOWS_NAMES = env_bool("HALL_ACCESS_LOG_SHOWS_NAMES", False)
# A closed case becomes an archive package this many days after closing (hall.cases.archiving).
HALL_ARCHIVE_AFTER_DAYS = int(ENV.get("HALL_ARCHIVE_AFTER_DAYS", "30"))

_PUBLIC_HOST = urlsplit(HALL_PUBLIC_URL).hostname or "localhost"
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    (
        list(dict.fromkeys(["localhost", "127.0.0.1", "[::1]", "testserver", _PUBLIC_HOST]))
        if DEVELOPMENT
        else [_PUBLIC_HOST]
    ),
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

(VAR_DIR / "staticfiles").mkdir(exist_ok=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "viewflow",
    "viewflow.workflow",
    "hall",
    "departments",
    "approvals",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # the API reference page's assets, from PyPI (no CDN)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",  # login failure limits (django-axes), after the apps whose templates it may use
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # a request id for every log line and the X-Request-ID header (hall.platform.logs)
    "hall.platform.logs.RequestContext",
    # every request's duration and query count for /metrics (hall.platform.metrics)
    "hall.platform.metrics.RequestMetrics",
    # PostgreSQL or Redis down: the hall's 503 page, never a 500 (hall.platform.outage)
    "hall.platform.outage.OutageAnswer",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # refuses NUL characters in the path, query and form with a 400 page (hall.platform.guard)
    "hall.platform.guard.RequestInputGuard",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified() (django-otp)
    "django.contrib.messages.middleware.MessageMiddleware",
    # staff: 30 minutes idle, 12 hours at most (hall.platform.sessions)
    "hall.platform.sessions.StaffSessionLimits",
    # no-store on every signed-in page and the lookup's and kiosk's personal pages
    "hall.platform.sessions.PersonalPagesNotStored",
    # second factor for staff: who must give one reaches only its pages until then
    "hall.accounts.middleware.SecondFactorRequired",
    # login failure limits on every form that signs in (django-axes): last, as it asks
    "axes.middleware.AxesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "hall.urls"
WSGI_APPLICATION = "hall.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hall.context_processors.hall",
            ],
        },
    },
]

DATABASE_CHOICE = backends.choose_database(ENV)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_CHOICE.url, conn_max_age=int(ENV.get("DB_CONN_MAX_AGE", "60"))
    )
}
# A kept connection is checked before a request reuses it, so a restarted PgBouncer or
# PostgreSQL costs a reconnect, not an error page.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite serialises writers; a busy timeout keeps the web server and worker from failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A streaming replica for the reads of supervision, performance and the public register
# (hall.platform.replica); without REPLICA_DATABASE_URL every read goes to the primary.
if ENV.get("REPLICA_DATABASE_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        ENV["REPLICA_DATABASE_URL"], conn_max_age=int(ENV.get("DB_CONN_MAX_AGE", "60"))
    )
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    # a replica that is down must cost a second or two, not the page
    DATABASES["replica"]["OPTIONS"] = {"connect_timeout": 2}
    DATABASE_ROUTERS = ["hall.platform.replica.ReplicaRouter"]
HALL_REPLICA_MAX_LAG = float(ENV.get("HALL_REPLICA_MAX_LAG_SECONDS", "5"))
HALL_REPLICA_CHECK_SECONDS = float(ENV.get("HALL_REPLICA_CHECK_SECONDS", "2"))
# The replica's own server for the lag check (not PgBouncer, which would keep a question to a
# stopped replica waiting for its query_wait_timeout); empty: the check uses the replica alias.
HALL_REPLICA_CHECK_URL = ENV.get("HALL_REPLICA_CHECK_URL", "")
HALL_READ_SOURCE_HEADER = env_bool("HALL_READ_SOURCE_HEADER", False)
# Behind PgBouncer in transaction pooling, consecutive transactions of one Django connection
# may run on different server connections: no server-side cursors (a named cursor would
# outlive its transaction), and no session state (the hall sets none: its locks and settings
# are transaction-scoped, and the time zone is a parameter PgBouncer tracks per client).
if env_bool("HALL_DB_TRANSACTION_POOLING", False):
    for _database in DATABASES.values():
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True
# Server-side binding (issue 27): psycopg sends the parameters apart from the SQL, and a
# statement a connection has run HALL_DB_PREPARE_THRESHOLD times is prepared, so PostgreSQL
# parses and plans the hall's hot statements once per connection instead of once per run (the
# step lock's eight-table join cost ~1.5 ms of planning a call). A prepared statement lives in a
# server connection: behind a pooler in transaction mode it works only where the pooler tracks
# them (PgBouncer ≥ 1.21 with max_prepared_statements; say so with HALL_DB_POOLER_PREPARES=1),
# otherwise the statements are bound on the server but not prepared.
HALL_DB_PREPARE = not env_bool("HALL_DB_TRANSACTION_POOLING", False) or env_bool(
    "HALL_DB_POOLER_PREPARES", False
)
for _database in DATABASES.values():
    if _database["ENGINE"].endswith("postgresql") and env_bool("HALL_DB_SERVER_SIDE_BINDING", True):
        _database.setdefault("OPTIONS", {})["server_side_binding"] = True
        _database["OPTIONS"]["prepare_threshold"] = (
            int(ENV.get("HALL_DB_PREPARE_THRESHOLD", "2")) if HALL_DB_PREPARE else None
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Failed sign-ins (等保 2.0 level 3, ASVS V2.2): django-axes counts them per account *and*
# address pair, so guessing from one place locks that pair for 15 minutes, while the person
# signing in from anywhere else is not locked out by an attacker. An administrator unlocks in the
# admin ("Access attempts"). The staff form, the admin's and the portal's all go through it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(ENV.get("HALL_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(ENV.get("HALL_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# ... and one address's failures over all accounts (hall.platform.login_limits).
AXES_HANDLER = "hall.platform.login_limits.AddressAwareHandler"
HALL_LOGIN_ADDRESS_FAILURE_LIMIT = int(ENV.get("HALL_LOGIN_ADDRESS_FAILURE_LIMIT", "50"))
# ... and one account's failures over all addresses: past this many, one attempt per interval.
HALL_LOGIN_ACCOUNT_SLOWDOWN_AFTER = int(ENV.get("HALL_LOGIN_ACCOUNT_SLOWDOWN_AFTER", "10"))
HALL_LOGIN_ACCOUNT_INTERVAL_SECONDS = int(ENV.get("HALL_LOGIN_ACCOUNT_INTERVAL_SECONDS", "10"))
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "errors/locked_out.html"
AXES_VERBOSE = False

# Argon2id first (the OWASP recommendation for new hashes); older PBKDF2 hashes still verify and
# are upgraded at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        # Django's rule, its message in the hall's catalogue (Django 5.2 shows it in English)
        "NAME": "hall.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # the name or phone repeated, one piece repeated, too few different characters
    {"NAME": "hall.accounts.passwords.VariedPasswordValidator"},
]
# Second factor (hall.accounts.two_factor): required of these roles ("administrator" also
# covers Django staff and superusers); other staff may turn it on. Codes name this issuer.
HALL_2FA_REQUIRED_ROLES = env_list("HALL_2FA_REQUIRED_ROLES", ["supervisor", "administrator"])
OTP_TOTP_ISSUER = ENV.get("HALL_2FA_ISSUER", "无缝隙政务服务大厅")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "index"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Installed from the npm registry by `make install` (package.json); never from a CDN.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
# Static files are the hall's own pages' (no other site loads them): no wildcard CORS header.
WHITENOISE_ALLOW_ALL_ORIGINS = False
STORAGES = {
    # Uploaded scans and issued notices live outside the web root and are served only by views
    # that check who is asking; on disk they are sealed like personal data (issue 29).
    "default": {
        "BACKEND": "hall.common.personal_data.SealedFileSystemStorage",
        "OPTIONS": {"location": str(Path(ENV.get("HALL_MEDIA_ROOT", VAR_DIR / "private")))},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True


SESSION_COOKIE_HTTPONLY = True
# 等保 2.0 level 3 / ASVS V3: staff sessions end when idle and after a fixed lifetime.
HALL_STAFF_IDLE_MINUTES = int(ENV.get("HALL_STAFF_IDLE_MINUTES", "30"))
HALL_STAFF_SESSION_HOURS = int(ENV.get("HALL_STAFF_SESSION_HOURS", "12"))
# HTTPS (ASVS V9, 等保 "通信传输"): behind HALL_HTTPS=1 every request is redirected to HTTPS,
# HSTS is sent for a year with subdomains and preload, and cookies only travel over TLS. Behind
# a proxy that terminates TLS, HALL_PROXY_SSL_HEADER=1 trusts its X-Forwarded-Proto (only then).
HALL_HTTPS = env_bool("HALL_HTTPS", False)
SECURE_SSL_REDIRECT = HALL_HTTPS
SECURE_HSTS_SECONDS = int(ENV.get("HALL_HSTS_SECONDS", "31536000")) if HALL_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HALL_HTTPS
SECURE_HSTS_PRELOAD = HALL_HTTPS and env_bool("HALL_HSTS_PRELOAD", True)
if env_bool("HALL_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]  # the load balancer's probe speaks plain HTTP
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", HALL_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles and everything else from the hall's own
# origin only, no inline script or style anywhere (the templates load static files), no
# framing. Bootstrap's form icons are data: SVGs. A view may send a stricter policy of its own
# (applicants' scans: `sandbox`), which the middleware keeps.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Celery -------------------------------------------------------------------------------
BROKER_CHOICE = backends.choose_broker(ENV)
CELERY_BROKER_URL = BROKER_CHOICE.url
if BROKER_CHOICE.url.startswith("filesystem"):
    _queue_dir = VAR_DIR / "celery-queue"
    (_queue_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_queue_dir / "processed"),
    }
    (VAR_DIR / "celery-results").mkdir(parents=True, exist_ok=True)
    CELERY_RESULT_BACKEND = ENV.get("CELERY_RESULT_BACKEND", f"file://{VAR_DIR / 'celery-results'}")
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": 2,
        "socket_timeout": 10,
    }
    CELERY_RESULT_BACKEND = ENV.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
# The cache is shared by every web process (rate limits, lookups): Redis when the hall has it.
if BROKER_CHOICE.embedded:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": ENV.get("REDIS_CACHE_URL", ENV.get("REDIS_URL", backends.LOCAL_REDIS_URL)),
            "KEY_PREFIX": "hall",
            # a Redis outage answers the hall's 503 page within a second, not a hung request
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
# A web process must not wait long for a broker that is down: connect within 2 s, retry a
# publish once, and after a failure skip publishing for a while (hall.platform.broker); the
# sweeps deliver what was not published.
CELERY_BROKER_CONNECTION_TIMEOUT = float(ENV.get("HALL_BROKER_CONNECT_TIMEOUT", "2"))
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 10
HALL_BROKER_BACKOFF_SECONDS = int(ENV.get("HALL_BROKER_BACKOFF_SECONDS", "15"))
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker that loses the broker reconnects with back-off for as long as it takes (Celery's
# default gives up after 100 tries and the worker exits): the sweeps must resume by themselves.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# With Redis, beat keeps its schedule and a lock in Redis (celery-redbeat): a second beat
# started as a standby waits for the lock and takes over within HALL_BEAT_LOCK_SECONDS of the
# active one dying, so there is never a second active beat. The embedded broker keeps the file.
HALL_BEAT_SCHEDULER = ENV.get("HALL_BEAT_SCHEDULER", "file" if BROKER_CHOICE.embedded else "redis")
if HALL_BEAT_SCHEDULER == "redis":
    # redbeat's scheduler, made to outlive a Redis outage (hall.platform.beat)
    CELERY_BEAT_SCHEDULER = "hall.platform.beat.HallRedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = ENV.get("HALL_BEAT_REDIS_URL", CELERY_BROKER_URL)
    CELERY_REDBEAT_KEY_PREFIX = ENV.get("HALL_BEAT_KEY_PREFIX", "hall-beat:")
    CELERY_REDBEAT_LOCK_TIMEOUT = int(ENV.get("HALL_BEAT_LOCK_SECONDS", "30"))
    # the active beat renews its lock at least this often: well inside the lock's lifetime
    CELERY_BEAT_MAX_LOOP_INTERVAL = max(1, CELERY_REDBEAT_LOCK_TIMEOUT // 5)
# How often beat wakes the sweeps that act on deadlines and the outbox (seconds).
HALL_SWEEP_SECONDS = float(ENV.get("HALL_SWEEP_SECONDS", "60"))
HALL_OUTBOX_SWEEP_SECONDS = float(ENV.get("HALL_OUTBOX_SWEEP_SECONDS", "30"))
# A message claimed for sending and not recorded within this time is sent again, with the same
# idempotency key (hall.outbox.delivery).
# Webhook receivers are reached only on the public internet (hall.platform.egress): a network
# named here (CIDR, comma-separated) is allowed on purpose, e.g. a department's own network.
HALL_EGRESS_ALLOWED_NETWORKS = env_list("HALL_EGRESS_ALLOWED_NETWORKS", [])
HALL_OUTBOX_STALE_SECONDS = int(ENV.get("HALL_OUTBOX_STALE_SECONDS", "300"))
# A sweep not run within its period plus this many seconds is late: `/healthz` says "degraded"
# and names the oldest (hall.platform.heartbeats).
# /metrics: a scraper with this bearer token, or on these networks (hall.platform.metrics)
HALL_METRICS_TOKEN = ENV.get("HALL_METRICS_TOKEN", "")
# a worker host's task metrics on their own port (needs PROMETHEUS_MULTIPROC_DIR; off when unset)
HALL_WORKER_METRICS_PORT = int(ENV.get("HALL_WORKER_METRICS_PORT", "0") or 0)
HALL_WORKER_METRICS_ADDRESS = ENV.get("HALL_WORKER_METRICS_ADDRESS", "127.0.0.1")
HALL_METRICS_ALLOWED_NETWORKS = [
    network.strip()
    for network in ENV.get("HALL_METRICS_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128").split(",")
    if network.strip()
]
# A rotated webhook secret keeps signing beside the new one for this long (hall.outbox.webhooks).
HALL_WEBHOOK_SECRET_OVERLAP_HOURS = int(ENV.get("HALL_WEBHOOK_SECRET_OVERLAP_HOURS", "24"))
HALL_SWEEP_GRACE_SECONDS = int(ENV.get("HALL_SWEEP_GRACE_SECONDS", "120"))
# Deadlines live in the database; beat only wakes the sweeps up (never ETA/countdown tasks).
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "hall-heartbeat": {"task": "hall.tasks.heartbeat", "schedule": crontab(minute="*/5")},
    "hall-outbox-drain": {"task": "hall.tasks.drain_outbox", "schedule": HALL_OUTBOX_SWEEP_SECONDS},
    "hall-webhook-sweep": {
        "task": "hall.tasks.sweep_webhooks",
        "schedule": HALL_OUTBOX_SWEEP_SECONDS,
    },
    "hall-notice-render-sweep": {"task": "hall.tasks.sweep_notice_renders", "schedule": 60.0},
    "departments-supervision-figures": {
        "task": "departments.tasks.refresh_supervision_figures",
        "schedule": float(ENV.get("HALL_SUPERVISION_FIGURES_SECONDS", "30")),
    },
    "departments-performance-open-cases": {
        "task": "departments.tasks.refresh_performance_open_cases",
        "schedule": float(ENV.get("HALL_SUPERVISION_FIGURES_SECONDS", "30")),
    },
    "departments-performance-month": {
        "task": "departments.tasks.refresh_performance_month",
        "schedule": float(ENV.get("HALL_SUPERVISION_FIGURES_SECONDS", "30")),
    },
    "approvals-deemed-approval-sweep": {
        "task": "approvals.tasks.sweep_deemed_approvals",
        "schedule": HALL_SWEEP_SECONDS,
    },
    "approvals-warning-sweep": {"task": "approvals.tasks.sweep_warnings", "schedule": 300.0},
    "hall-security-log-purge": {
        "task": "hall.tasks.purge_security_log",
        "schedule": crontab(hour=3, minute=17),
    },
    "hall-audit-chains-extend": {"task": "hall.tasks.extend_audit_chains", "schedule": 60.0},
    "hall-audit-chains-check": {
        "task": "hall.tasks.check_audit_chains",
        "schedule": crontab(hour=2, minute=47),
    },
    "hall-archive-sweep": {
        "task": "hall.tasks.sweep_archives",
        "schedule": crontab(hour=1, minute=57),
    },
    "hall-retention-sweep": {
        "task": "hall.tasks.sweep_retention",
        "schedule": crontab(hour=3, minute=37),
    },
    "hall-stray-render-sweep": {
        "task": "hall.tasks.sweep_stray_renders",
        "schedule": crontab(hour=3, minute=47),
    },
    "hall-appointment-no-shows": {
        "task": "hall.tasks.sweep_appointment_no_shows",
        "schedule": 600.0,
    },
    "hall-appointment-reminders": {
        "task": "hall.tasks.send_appointment_reminders",
        "schedule": crontab(minute=5),
    },
    "hall-rating-sweep": {"task": "hall.tasks.sweep_ratings", "schedule": crontab(minute=35)},
    "hall-deemed-acceptance-sweep": {
        "task": "hall.tasks.sweep_deemed_acceptance",
        "schedule": HALL_SWEEP_SECONDS,
    },
    # 免申即享: who qualifies is found once a day; confirmed lists are granted within a minute
    "hall-benefit-offers": {
        "task": "hall.benefits.offers_find",
        "schedule": crontab(hour=7, minute=3),
    },
    "hall-benefit-grants": {"task": "hall.benefits.grants_issue", "schedule": 60.0},
    "hall-webhook-failures": {"task": "hall.tasks.tell_webhook_failures", "schedule": 600.0},
    "hall-api-uploads-purge": {
        "task": "hall.tasks.purge_api_uploads",
        "schedule": crontab(minute=23),
    },
    # 接诉即办: an urgent order's 2 hours need the minute; cards, 催办, listing and call-backs
    "hall-order-sweep": {"task": "hall.tasks.sweep_orders", "schedule": HALL_SWEEP_SECONDS},
}

# --- The open API (/api/v1/, hall.api) -------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["hall.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["hall.api.permissions.ScopeRequired"],
    "DEFAULT_THROTTLE_CLASSES": ["hall.api.throttling.PerClientRate"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["hall.api.parsers.HallJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "hall.api.schema.ScopedAutoSchema",
    "EXCEPTION_HANDLER": "hall.api.errors.problem_details",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "无缝隙政务服务大厅 开放接口",
    "DESCRIPTION": (
        "事项目录、代为申报与办件进度、部门审查环节、监察统计。以 `Authorization: Bearer <密钥>`"
        " 调用；写操作可带 `Idempotency-Key`；错误按 RFC 9457 problem details 返回。"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "hall.models.cases.Case.Status",
        "MaterialStatusEnum": "hall.models.cases.CaseMaterial.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "hall.api.schema.problem_responses",
    ],
}

# --- Domain settings ----------------------------------------------------------------------
HALL_NAME = ENV.get("HALL_NAME", "深圳市福田区行政服务大厅")
HALL_WARNING_YELLOW_DAYS = int(ENV.get("HALL_WARNING_YELLOW_DAYS", "2"))
# The supervision dashboard's totals and the performance page's count of open cases are
# snapshots refreshed this often by beat (departments.supervision.figures,
# departments.performance.open_cases); a page recomputes them itself past twice this age.
HALL_SUPERVISION_FIGURES_SECONDS = int(ENV.get("HALL_SUPERVISION_FIGURES_SECONDS", "30"))
# The security log is kept this many days (at least 183: the Cybersecurity Law's six months).
HALL_SECURITY_LOG_DAYS = max(int(ENV.get("HALL_SECURITY_LOG_DAYS", "365")), 183)
# How long the other records are kept (hall.platform.retention, README "Security"): an SMS's or
# email's text after sending, a one-time code's row, a record of an API call (at least 183).
HALL_OUTBOX_BODY_DAYS = int(ENV.get("HALL_OUTBOX_BODY_DAYS", "180"))
HALL_SMS_CODE_DAYS = int(ENV.get("HALL_SMS_CODE_DAYS", "2"))
# Contact details of an applicant with no account and no open case, after their last case closed.
HALL_CONTACT_DAYS = int(ENV.get("HALL_CONTACT_DAYS", str(3 * 365)))
HALL_API_RECORD_DAYS = max(int(ENV.get("HALL_API_RECORD_DAYS", "365")), 183)
# Online filings one applicant account may make in an hour (hall.online.filing).
HALL_ONLINE_FILINGS_PER_HOUR = int(ENV.get("HALL_ONLINE_FILINGS_PER_HOUR", "20"))
# Queue tickets one kiosk (its address) may issue in a minute; a busy hall's kiosk issues a few.
HALL_KIOSK_TICKETS_PER_MINUTE = int(ENV.get("HALL_KIOSK_TICKETS_PER_MINUTE", "12"))
# 国办发〔2020〕45号: people aged 70 or over may take a priority ticket at the kiosk (their ID
# number checked, not kept); the queue calls them first only when the hall turns this on.
HALL_QUEUE_ELDER_PRIORITY = ENV.get("HALL_QUEUE_ELDER_PRIORITY", "0") == "1"
# Appointments (hall.queue.appointments): the hall's opening hours on working days, cut into
# slots; each on-site window of a queue category takes this many bookings per slot.
HALL_OPENING_HOURS = ENV.get("HALL_OPENING_HOURS", "09:00-12:00,13:30-17:00")
HALL_APPOINTMENT_SLOT_MINUTES = int(ENV.get("HALL_APPOINTMENT_SLOT_MINUTES", "30"))
HALL_APPOINTMENTS_PER_WINDOW = int(ENV.get("HALL_APPOINTMENTS_PER_WINDOW", "2"))
HALL_APPOINTMENT_DAYS_AHEAD = int(ENV.get("HALL_APPOINTMENT_DAYS_AHEAD", "5"))
HALL_UPLOAD_MAX_BYTES = int(ENV.get("HALL_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
# Pixels one request may ask the server to decode, all its images together, read from their
# headers before any is decoded: 120 million is a dozen A4 pages scanned at 300 dpi, or ten
# phone photos; each image on its own stays under 36 million (hall.common.validators).
HALL_UPLOAD_PIXELS_PER_REQUEST = int(ENV.get("HALL_UPLOAD_PIXELS_PER_REQUEST", "120000000"))
# Refused before a view runs (hall.platform.guard): one form field, and one request body.
HALL_FIELD_MAX_CHARS = int(ENV.get("HALL_FIELD_MAX_CHARS", "5000"))
HALL_REQUEST_MAX_BYTES = int(ENV.get("HALL_REQUEST_MAX_BYTES", str(12 * HALL_UPLOAD_MAX_BYTES)))

# Messages: SMS through a pluggable backend (console, file, or an HTTP gateway adapter).
HALL_SMS_BACKEND = ENV.get("HALL_SMS_BACKEND", "hall.platform.messaging.ConsoleSmsBackend")
# Result delivery (approvals.reviews.delivery): the courier's booking system and the pick-up
# lockers' controller, each a file under VAR_DIR by default (hall.platform.logistics).
HALL_VAR_DIR = str(VAR_DIR)
HALL_COURIER_BACKEND = ENV.get("HALL_COURIER_BACKEND", "hall.platform.logistics.FileCourierBackend")
HALL_LOCKER_BACKEND = ENV.get("HALL_LOCKER_BACKEND", "hall.platform.logistics.FileLockerBackend")
HALL_LOCKER_PLACE = ENV.get("HALL_LOCKER_PLACE", "大厅一楼东侧智能取件柜")
HALL_SMS_FILE = ENV.get("HALL_SMS_FILE", str(VAR_DIR / "sms.jsonl"))
HALL_SMS_GATEWAY_URL = ENV.get("HALL_SMS_GATEWAY_URL", "")
HALL_SMS_GATEWAY_TOKEN = ENV.get("HALL_SMS_GATEWAY_TOKEN", "")
EMAIL_BACKEND = ENV.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = ENV.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(ENV.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = ENV.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = ENV.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = ENV.get("DEFAULT_FROM_EMAIL", "hall@localhost")

# JSON lines in production (each with its request id, user, role and case; never an ID number,
# phone or code: hall.platform.logs), plain text in development; HALL_LOG_FORMAT overrides.
HALL_LOG_FORMAT = ENV.get("HALL_LOG_FORMAT", "plain" if DEVELOPMENT else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request": {"()": "hall.platform.logs.RequestContextFilter"},
        "redacted": {"()": "hall.platform.logs.Redacted"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": (
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(user_id)s "
                "%(role)s %(case)s %(task)s"
            ),
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if HALL_LOG_FORMAT == "json" else "plain",
            "filters": ["request", "redacted"],
        }
    },
    "root": {"handlers": ["console"], "level": ENV.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
# Workers and beat keep the hall's logging (JSON lines in production, each line written while a
# task runs carrying its id and name) instead of Celery's own plain-text root handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
