"""Settings, read from the environment so the same code runs on a laptop and in production.

DATABASE_URL   default: a SQLite file at var/kembar.sqlite3; e.g. postgres://postgres@127.0.0.1:5432/kembar
SECRET_KEY     required when DEBUG is off
DEBUG          "1"/"true" to turn on (default on for a checkout, off when SECRET_KEY is set)
ALLOWED_HOSTS  comma-separated, default "127.0.0.1,localhost"
EMAIL_URL-like settings: EMAIL_HOST, EMAIL_PORT, DEFAULT_FROM_EMAIL

With DEBUG off (production) also: SECURE_SSL_REDIRECT (default on), SECURE_PROXY_SSL_HEADER
(the header a TLS-terminating proxy sets, e.g. "X-Forwarded-Proto"), SECURE_HSTS_SECONDS
(default one year), CSRF_TRUSTED_ORIGINS; see docs/operations.md and docs/configuration.md.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", default=not SECRET_KEY)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in the environment when DEBUG is off (a long random string, "
            "e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(50))'`); "
            "`make serve` keeps one in var/secret_key for a trial on this machine."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

# The site's address as its users reach it (scheme and host, no path): e-mails link to pages under it.
# Development serves on 127.0.0.1:8000 (`make run`); a real server must say its own (a deployment
# check warns when it is missing).
KEMBAR_SITE_URL = os.environ.get("KEMBAR_SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").strip().rstrip("/")

# The key that signs backups' manifests (kembar/dashboard/backup): kept outside the archive, so a
# restore can tell a backup this installation wrote from one edited afterwards. Defaults to
# SECRET_KEY; set it to keep old backups restorable when SECRET_KEY changes, and to restore on
# another installation (docs/operations.md#backup-and-restore).
KEMBAR_BACKUP_KEY = os.environ.get("KEMBAR_BACKUP_KEY", "")

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "csp",
    "axes",
    # The second factor (docs/accounts.md): time-based codes from an authenticator app, and
    # single-use recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "kembar.core",
    "kembar.gazetteer",
    "kembar.accounts",
    "kembar.partnerships",
    "kembar.agreements",
    "kembar.activities",
    "kembar.meetings",
    "kembar.solutions",
    "kembar.grants",
    "kembar.matching",
    "kembar.conversations",
    "kembar.plans",
    "kembar.insights",
    "kembar.offices",
    "kembar.proposals",
    "kembar.dashboard",
    "kembar.api",
    # Last, as its documentation asks: a stored document's file is removed once the row that
    # holds it is deleted (cascades included) or given another file, after the commit.
    "django_cleanup.apps.CleanupConfig",
]

MIDDLEWARE = [
    # First: names and times every request, one log line each (kembar/core/logs.py).
    "kembar.core.logs.RequestLogMiddleware",
    # Errors under /api/ that no operation answered (404, 405, 413, 500) as JSON too.
    "kembar.api.middleware.ApiErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files from the app server itself (hashed names, compressed, cached for a year);
    # in DEBUG the staticfiles app serves them from the source folders instead.
    *(["whitenoise.middleware.WhiteNoiseMiddleware"] if not DEBUG else []),
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # The session's second factor (request.user.is_verified()), then: a session that owes it
    # goes to the code or the set-up page before anything else.
    "django_otp.middleware.OTPMiddleware",
    "kembar.accounts.middleware.SecondFactorMiddleware",
    # The signed-in user's own language and time zone on every page.
    "kembar.accounts.middleware.PreferencesMiddleware",
    # Last: turns a login refused for too many failures into the login page with a message.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kembar.urls"

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
                "kembar.accounts.context_processors.memberships",
            ],
        },
    },
]

# Form fields render through one template, components/field.html (kembar.core.rendering).
FORM_RENDERER = "kembar.core.rendering.FormRenderer"

WSGI_APPLICATION = "kembar.wsgi.application"

_default_sqlite = PROJECT_DIR / "var" / "kembar.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{_default_sqlite}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    # Take the write lock when a transaction starts: two deferred transactions that both
    # upgrade to writing fail at once with "database is locked" instead of waiting.
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A connection per request costs PostgreSQL a new backend process (a few milliseconds of the
    # server's CPU each time): with DEBUG off each app server process keeps its connection for
    # CONN_MAX_AGE seconds (default 60; checked before reuse), so connections = processes.
    if "CONN_MAX_AGE" not in os.environ and not DEBUG:
        DATABASES["default"]["CONN_MAX_AGE"] = 60
    # No JIT: it compiles any query costed above jit_above_cost, and the health ranking's
    # correlated subqueries over 25,000 partnerships took 1.5–2 s to compile for 0.5 s of work.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or None}

# Django's cache (the insights health ranking, kembar/insights/health/score.py). CACHE_URL=redis://host:6379/1
# shares it between all app server processes, so a change seen by one drops every process's copy;
# without it each process keeps its own in memory, up to LOCMEM_CACHE_ENTRIES values (default
# 20,000: the pages keep a value per row shown, and Django's 300 would push out the portal's
# events, seconds to work out again, after a few pages of the list).
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("CACHE_URL must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379/1.")
CACHES = {
    "default": {"BACKEND": "kembar.core.caching.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("LOCMEM_CACHE_ENTRIES", "20000"))},
    }
}

# Background jobs (kembar/core/mail.py, docs/operations.md): Django's tasks API (the django-tasks
# backport). TASKS_BACKEND=database (default) keeps the queue in the database, so one server
# needs nothing more; TASKS_BACKEND=rq puts it on Redis (TASKS_REDIS_URL) for several servers;
# TASKS_BACKEND=immediate runs each task at once in the process that enqueues it (the tests).
# `kembar worker` runs the queue.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database")
TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in TASKS_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(TASKS_BACKENDS)}, not {TASKS_BACKEND!r}.")
TASKS = {"default": {"BACKEND": TASKS_BACKENDS[TASKS_BACKEND], "QUEUES": ["default"]}}
if TASKS_BACKEND == "rq":
    INSTALLED_APPS.insert(INSTALLED_APPS.index("django_cleanup.apps.CleanupConfig"), "django_rq")
    RQ_QUEUES = {"default": {"URL": os.environ.get("TASKS_REDIS_URL", "redis://127.0.0.1:6379/2")}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login rate limiting (django-axes): after AXES_FAILURE_LIMIT wrong passwords for a username,
# that username cannot log in (not even with the right password) for AXES_COOLOFF_TIME, on the
# login page and in /admin/ alike; a successful login clears the count. By username, not by
# address: behind a proxy every request comes from the proxy's address. Failures are kept in
# the database, so the limit holds across workers and app servers.
AUTHENTICATION_BACKENDS = [
    "kembar.core.security.LoginRateLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kembar.core.security.lockout_response"
AXES_VERBOSE = False
# axes.W006 warns that a lockout without the client address can be dodged by changing user agent
# or cookies; a lockout by username cannot, and one by address would lock out a whole office
# (or, behind the proxy, everyone) for one person's typos.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# A second factor is required of office administrators, oversight members and platform
# administrators (kembar.accounts.permissions.requires_second_factor) and offered to everyone.
# KEMBAR_DEMO=1 (`make run`: a trial installation whose demo logins are public) only offers it.
KEMBAR_DEMO = env_bool("KEMBAR_DEMO", False)
KEMBAR_SECOND_FACTOR_REQUIRED = not KEMBAR_DEMO
# The issuer an authenticator app shows beside the account.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "kembar")
# A password reset link works for three days.
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:dashboard"
LOGOUT_REDIRECT_URL = "dashboard:dashboard"

# The default language of pages (until a visitor switches) and of command output.
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "id")
# Each language is named in its own words (the Profile's choice lists them so). Adding one is a
# line here, a catalogue (`make messages`) and a formats module: docs/development.md#languages.
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English")), ("ja", _("日本語"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
# Short dates of each language ("29 Feb 2020", "2020年2月29日"): kembar/core/formats.
FORMAT_MODULE_PATH = ["kembar.core.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", PROJECT_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", PROJECT_DIR / "var" / "media"))
# Uploaded documents: MEDIA_ROOT on the local disk (default; several app servers share it as one
# mounted folder), or MEDIA_STORAGE=s3 for an S3-compatible store through django-storages:
# AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL (empty: Amazon S3 itself), AWS_S3_REGION_NAME,
# AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. The bucket stays private: downloads go through the
# app, which checks the reader's permission, and never hand out the bucket's own URLs.
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "local").strip().lower()
if MEDIA_STORAGE == "local":
    _media_storage: dict = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME (and the AWS_* settings it uses).")
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("AWS_LOCATION", "media").strip("/"),
            # Private objects; no name is ever overwritten (UploadPath makes each one unique).
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be local or s3, not {MEDIA_STORAGE!r}.")
STORAGES = {
    "default": _media_storage,
    # In production `collectstatic` writes hashed, compressed copies that can be cached forever.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kembar@localhost")
if DEBUG and "EMAIL_HOST" not in os.environ:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# EMAIL_FILE_PATH: every mail is written as a file into that folder instead of being sent (a
# trial or load test that counts what would have gone out; Django's file-based backend).
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]

# Sessions live in the database (any app server can serve any request) and end after a working
# day, or when the browser closes, whichever comes first.
# With a shared cache (CACHE_URL) a session is read from the cache and written through to the
# database (cached_db): one query less on every signed-in request, and the session is still in
# the database (the Profile's list of one's sessions). Signing a session out deletes both. Never
# with the per-process memory cache: another process would keep a signed-out session.
if CACHE_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(60 * 60 * 12)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)

# Headers on every response, in development too.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if not DEBUG:
    # TLS: a proxy in front usually terminates it and says so in a header, e.g.
    # SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto" (meaning "X-Forwarded-Proto: https"). Set it
    # only when that proxy overwrites the header that clients send.
    _proxy_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
    if _proxy_header:
        _name, _, _value = _proxy_header.partition(":")
        SECURE_PROXY_SSL_HEADER = ("HTTP_" + _name.strip().upper().replace("-", "_"), _value.strip() or "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

# Where the real twinning data lives in a checkout (tests and benchmarks only).
SHARED_DATA_DIR = Path(os.environ.get("KEMBAR_SHARED_DATA", PROJECT_DIR.parent / "shared" / "data"))

# Map tiles for Leaflet maps, e.g. "https://tile.openstreetmap.org/{z}/{x}/{y}.png" with its attribution.
# Empty (the default) draws markers and partnership lines on the bundled country outlines, offline.
MAP_TILES = os.environ.get("KEMBAR_MAP_TILES", "")
MAP_ATTRIBUTION = os.environ.get("KEMBAR_MAP_ATTRIBUTION", "")


def _origin(url: str) -> str:
    """The scheme and host of a tile URL template, as CSP wants it ("{s}" subdomains become "*")."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}" if parts.scheme and parts.netloc else ""


# Content-Security-Policy on every response (django-csp 4): nothing but this site's own files, no
# inline script, no inline style, no plugins, no framing. Inline JSON data blocks
# (type="application/json") are data, not script, and need no exception. Leaflet and Swagger UI
# set styles through the DOM (element.style), which style-src does not govern.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *filter(None, [_origin(MAP_TILES)])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# How long an invitation link (kembar.offices) stays valid, in days.
KEMBAR_INVITATION_DAYS = int(os.environ.get("KEMBAR_INVITATION_DAYS", "14"))
# Proposals from outside (docs/proposals.md): at most so many from one network address, and so
# many to one government from all addresses, within KEMBAR_PROPOSAL_WINDOW_MINUTES; and each
# attached document at most KEMBAR_PROPOSAL_MAX_DOCUMENT_MB (and the upload limit).
KEMBAR_PROPOSALS_PER_ADDRESS = int(os.environ.get("KEMBAR_PROPOSALS_PER_ADDRESS", "5"))
KEMBAR_PROPOSALS_PER_TARGET = int(os.environ.get("KEMBAR_PROPOSALS_PER_TARGET", "30"))
KEMBAR_PROPOSAL_WINDOW_MINUTES = int(os.environ.get("KEMBAR_PROPOSAL_WINDOW_MINUTES", "60"))
KEMBAR_PROPOSAL_MAX_DOCUMENT_MB = int(os.environ.get("KEMBAR_PROPOSAL_MAX_DOCUMENT_MB", "10"))
# Uploaded documents (kembar/core/uploads.py): the largest accepted file, in MB. Uploads are kept
# under MEDIA_ROOT, which is never served by URL: downloads check the reader's permission.
KEMBAR_MAX_UPLOAD_MB = int(os.environ.get("KEMBAR_MAX_UPLOAD_MB", "20"))

# Insights (kembar/insights/analytics/pivot.py): the pandemic period the pivot compares with before and after
# (first and last day, YYYY-MM-DD), and the zone whose quarters the platform-wide figures use.
KEMBAR_PANDEMIC_START = os.environ.get("KEMBAR_PANDEMIC_START", "2020-03-01")
KEMBAR_PANDEMIC_END = os.environ.get("KEMBAR_PANDEMIC_END", "2022-12-31")
KEMBAR_INSIGHTS_TIME_ZONE = os.environ.get("KEMBAR_INSIGHTS_TIME_ZONE", "Asia/Jakarta")

# Partner matchmaking (kembar/matching/services.py): where `kembar match-train` saves the model and
# the pages load it from; empty: matching-model.pkl beside MEDIA_ROOT (var/).
MATCHING_MODEL_PATH = os.environ.get("MATCHING_MODEL_PATH") or None

# Logs on stderr for the deployment's collector (docs/operations.md#logs): JSON lines by default
# with DEBUG off, each with the request's id; LOG_FORMAT=text for a human at a terminal.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json").lower()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "kembar.core.logs.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "kembar.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["request"],
        },
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own: 5xx with their tracebacks (django.request), security warnings.
        "django": {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False},
        # runserver's access lines would repeat kembar.request's.
        "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
    },
}
