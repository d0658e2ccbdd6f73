"""Sangdam settings: one module, configured from the environment.

Embedded mode (the default) needs nothing: SQLite in ``var/``, local media, the
in-memory channel layer. ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and
Redis for the scaled mode. ``SANGDAM_DEMO=1`` enables demo conveniences (HTTP Basic
on the API, the printed demo login); it is never on unless asked for.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _

from sangdam.core.env import env_bool, env_int, env_list, env_str
from sangdam.core.storage import default_storage_from_env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SANGDAM_VAR_DIR", str(BASE_DIR / "var")))

DEMO = env_bool("SANGDAM_DEMO")
DEBUG = env_bool("DJANGO_DEBUG", default=False)
# Never a key written in the source: status links signed with a published key can be forged
# for any ticket. Without SECRET_KEY (the demo, a first run) a random key is generated once
# into VAR_DIR; servers outside demo mode refuse weak keys (sangdam/core/secret_file.py).
SECRET_KEY = env_str("SECRET_KEY")
SECRET_KEY_FROM_ENVIRONMENT = bool(SECRET_KEY)
if not SECRET_KEY:
    from sangdam.core.secret_file import load_or_create_secret

    SECRET_KEY = load_or_create_secret(VAR_DIR / "secret_key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "sangdam.accounts.adminapp.SangdamAdminConfig",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "sangdam.core",
    "sangdam.accounts",
    "sangdam.customers",
    "sangdam.tickets",
    "sangdam.connectors",
    "sangdam.connectors.email",
    "sangdam.connectors.app",
    "sangdam.connectors.line",
    "sangdam.connectors.kakao",
    "sangdam.connectors.phone",
    "sangdam.console",
    "sangdam.service",
    "sangdam.center",
    "sangdam.routing",
    "sangdam.automations",
    "sangdam.portal",
    "sangdam.api",
    "sangdam.search",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Webhooks, app API calls and REST API calls with a bearer token go straight to their
    # view from here: nothing below is for them (core/machine_calls.py).
    "sangdam.core.machine_calls.MachineCallsMiddleware",
    # Outside the session and CSRF middleware, so it sees the cookies they set.
    "sangdam.core.https.SecureCookiesOverHttps",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the first reader of request.POST (CSRF): small forms parsed by `multipart`.
    "sangdam.core.small_forms.SmallFormMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sangdam.core.csp.PageCSPMiddleware",
    # Turns a login refused for lockout into the 429 page / problem (sangdam/accounts/lockout.py).
    "axes.middleware.AxesMiddleware",
    # Innermost on purpose: it is sync-only (it acts in process_view, so its place does not
    # change what it does), and a sync middleware at the bottom makes Django run the whole
    # chain and the view in one worker thread per request instead of hopping between the
    # event loop and threads for every middleware hook (bench/intake.py: server CPU per
    # inquiry 9.8 -> 8.5 ms on SQLite, 9.3 -> 9.0 ms on PostgreSQL).
    "sangdam.accounts.middleware.UserLanguageMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"].endswith("postgresql") and env_bool(
        "DATABASE_POOL", default=True
    ):
        # Under ASGI every request runs in a fresh thread, so CONN_MAX_AGE never reuses a
        # connection: each request paid a new PostgreSQL backend (bench/intake.py: 6-8% of
        # server time, and a fork on the database host). A psycopg pool is shared by threads.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN", 2),
            "max_size": env_int("DATABASE_POOL_MAX", 20),
            "timeout": 10,
        }
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # Parameters bound by the server, not quoted into the statement by Python (Django's
        # default, ~15 % of a web process's CPU per inquiry), and a statement a connection
        # has run 5 times prepared (Django turns psycopg's preparing off): the harness's
        # PostgreSQL form ran 206 -> 233 inquiries/s, its mail 5.05 -> 4.67 ms of CPU each,
        # but bench/intake.py (REST API, embedded) 250 -> 200/s (docs/architecture.md).
        # Off for a pooler in transaction mode that cannot keep prepared statements.
        server_side = env_bool("DATABASE_SERVER_SIDE_BINDING", default=True)
        prepare = env_int("DATABASE_PREPARE_THRESHOLD", 5) if server_side else 0
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=server_side, prepare_threshold=prepare or None
        )
else:
    DATABASES = {
        "default": {
            # Django's SQLite backend, with this process's writers queued on a lock.
            "ENGINE": "sangdam.core.sqlite",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "sangdam.sqlite3")),
            # HTTP runs on a fixed pool of threads (config/asgi.py): each keeps its
            # connection instead of opening one (and running the PRAGMAs) per request.
            "CONN_MAX_AGE": env_int("SQLITE_CONN_MAX_AGE", 600),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers queue on
                # busy_timeout instead of failing with "database is locked" mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, channel layer -------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES: dict[str, dict[str, Any]] = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "sangdam.core.redis_layer.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    # Django's default of 300 entries culls a third of them at random once exceeded: with
    # a few hundred messenger users' profiles, rate-limit counters and presence that is a
    # miss on almost every read (bench/webhooks.py, LINE: a profile call per message).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": env_int("LOCMEM_CACHE_ENTRIES", 20000)},
        }
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "sangdam.core.memory_layer.MemoryChannelLayer"}}

# --- background tasks -----------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "sangdam.core.taskloop.DatabaseBackend"),
        "QUEUES": ["default", "delivery", "webhooks"],
    }
}
# How long an idle worker waits before it looks for tasks again: a webhook's message shows in
# the inbox up to this much later. One query per look (bench/webhooks.py, "paced").
TASK_POLL_SECONDS = float(env_str("TASK_POLL_SECONDS", "0.1"))
# The embedded worker waits up to this long before each claim while the process is answering
# requests, then runs one task anyway (core/inflight.py); 0: it never gives way.
EMBEDDED_WORKER_GIVE_WAY_SECONDS = float(env_str("EMBEDDED_WORKER_GIVE_WAY_SECONDS", "0.2"))

# --- auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "sangdam.accounts.lockout.LockoutBackend",  # first: refuses locked-out logins
    # Django's model backend, whose per-request user read also brings the two-factor flag
    # and the unread notification count every console page shows (one query, not three).
    "sangdam.console.session_user.ConsoleBackend",
]
# Lockout after failed logins (console and API Basic auth), per account and per address.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "sangdam.accounts.lockout.client_ip"  # REMOTE_ADDR, never X-Forwarded-For
AXES_USERNAME_CALLABLE = "sangdam.accounts.lockout.username_of"
AXES_LOCKOUT_CALLABLE = "sangdam.accounts.lockout.lockout_response"
AXES_DISABLE_ACCESS_LOG = (
    True  # no row per successful login (API Basic auth would write one each call)
)
AXES_VERBOSE = False
# Content-Security-Policy on console and portal pages (django-csp): scripts and styles only
# from our own static files (a nonce is there for any inline script that must exist), images
# also from https (customers' remote mail images, shown on request), websockets to ourselves.
# The API (JSON, and its docs page that loads Swagger UI from a CDN) is left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/", "/django-admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Two-factor login (TOTP apps + backup codes, sangdam/accounts/twofactor.py).
TWO_FACTOR_REQUIRED_FOR_ADMINS = env_bool("TWO_FACTOR_REQUIRED_FOR_ADMINS", default=False)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Sangdam")
# Requests a minute per API token (or Basic-auth user) on the REST API; 0 = no limit.
API_RATE_PER_MINUTE = env_int("API_RATE_PER_MINUTE", 120)
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:inbox"
LOGOUT_REDIRECT_URL = "console:login"
AUTH_PASSWORD_VALIDATORS = [
    {
        # Refuses the agent's own email (or its name part) and their display name.
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["email", "username", "display_name"]},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# HTTP Basic (email + password) on the REST API; tokens always work.
API_ALLOW_BASIC_AUTH = env_bool("API_ALLOW_BASIC_AUTH", default=DEMO)

# --- i18n -----------------------------------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "sangdam" / "locale"]
USE_I18N = True
# Zero-padded short Korean date formats (Django's are not: "2026-12-2 15:31").
FORMAT_MODULE_PATH = ["sangdam.core.formats"]
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Seoul")
# Languages the intake detects in customer text (ISO 639-1).
DETECT_LANGUAGES = env_list(
    "DETECT_LANGUAGES", ["ko", "en", "ja", "zh", "vi", "th", "es", "fr", "de", "ru"]
)

# --- static, media --------------------------------------------------------------------
STATIC_URL = "/static/"
# `collectstatic` target; embedded mode serves straight from the apps (WhiteNoise finders).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# Attachments: the local media folder, or an S3-compatible bucket (SANGDAM_S3_BUCKET).
STORAGES = {
    "default": default_storage_from_env(),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
ATTACHMENT_MAX_COUNT = env_int("ATTACHMENT_MAX_COUNT", 10)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- mail -----------------------------------------------------------------------------
# The demo writes outgoing mail to var/outbox instead of sending it anywhere.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEMO
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = str(VAR_DIR / "outbox")
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "support@example.com")
# Inbound mail larger than this is refused (SMTP 552) before it reaches the intake.
EMAIL_MAX_MESSAGE_BYTES = env_int("EMAIL_MAX_MESSAGE_BYTES", 25 * 1024 * 1024)
# Bytes of large mail (announced 1 MB or more) the SMTP receiver takes in at once; a sender
# that would go over is told to retry later (452). Large mail is spooled to the temporary
# folder and its files decoded there (about twice its size on disk, little memory).
EMAIL_LARGE_MAIL_BUDGET_BYTES = env_int(
    "EMAIL_LARGE_MAIL_BUDGET_BYTES", 4 * EMAIL_MAX_MESSAGE_BYTES
)
# Mails accepted per sender address per hour; more is a storm (two autoresponders
# answering each other): the SMTP receiver answers 451 (the sender retries later), an
# IMAP message is held for an agent. 0 turns the limit off.
EMAIL_SENDER_RATE_LIMIT = env_int("EMAIL_SENDER_RATE_LIMIT", 60)
# Recipients the SMTP receiver takes in one transaction; the next get 452 (RFC 5321).
EMAIL_MAX_RECIPIENTS = env_int("EMAIL_MAX_RECIPIENTS", 50)
# Authentication-Results written by these servers (authserv-id) are trusted; others may
# be forged by the sender. Empty: record them, marked untrusted.
EMAIL_AUTHSERV_IDS = [x.strip() for x in env_str("EMAIL_AUTHSERV_IDS").split(",") if x.strip()]
# Check DKIM signatures ourselves (one DNS lookup per mail) when no trusted header did.
EMAIL_VERIFY_DKIM = env_bool("EMAIL_VERIFY_DKIM")

# --- sangdam behaviour ----------------------------------------------------------------
REFERENCE_PREFIX = env_str("REFERENCE_PREFIX", "SD")
REOPEN_WINDOW_DAYS = env_int("REOPEN_WINDOW_DAYS", 7)
DELIVERY_MAX_ATTEMPTS = env_int("DELIVERY_MAX_ATTEMPTS", 6)
DELIVERY_BACKOFF_SECONDS = env_int("DELIVERY_BACKOFF_SECONDS", 30)
# Channels, topics and form questions are kept this long in each process (sangdam/core/memo.py).
MEMO_SECONDS = env_int("MEMO_SECONDS", 5)
# Embedded mode runs the task worker and scheduler inside the web process.
EMBEDDED_WORKERS = env_bool("SANGDAM_EMBEDDED_WORKERS", default=False)

# --- customer portal (web form, status page) -----------------------------------------
# Submissions per client IP and per email address in each window; over it: a 429 page
# saying when to retry. The per-IP limit is high enough for an office of customers behind
# one NAT address; one person is held back by the per-email limit.
PORTAL_RATE_LIMIT_PER_IP = env_int("PORTAL_RATE_LIMIT_PER_IP", 300)
PORTAL_RATE_LIMIT_PER_EMAIL = env_int("PORTAL_RATE_LIMIT_PER_EMAIL", 10)
PORTAL_RATE_LIMIT_WINDOW = env_int("PORTAL_RATE_LIMIT_WINDOW", 3600)
# How long a status-page magic link works (seconds); "find my inquiry" mails a fresh one.
PORTAL_LINK_MAX_AGE = env_int("PORTAL_LINK_MAX_AGE", 30 * 24 * 3600)
PORTAL_MAX_FILES = env_int("PORTAL_MAX_FILES", 5)
# URL parameters the form keeps as hidden fields and stores in the ticket's metadata.
# Sites allowed to frame the inquiry form (CSP frame-ancestors); empty: any site may.
PORTAL_FRAME_ANCESTORS = env_list("PORTAL_FRAME_ANCESTORS", [])
PORTAL_HIDDEN_FIELDS = env_list(
    "PORTAL_HIDDEN_FIELDS", ["user_id", "app_version", "platform", "device", "order_id", "source"]
)

# --- live chat (sangdam/connectors/livechat) -------------------------------------------
# Messages a minute from one visitor and from one IP address (an office behind one NAT
# address chats with several people at once); over it the widget is told to wait.
LIVECHAT_RATE_PER_VISITOR = env_int("LIVECHAT_RATE_PER_VISITOR", 30)
LIVECHAT_RATE_PER_IP = env_int("LIVECHAT_RATE_PER_IP", 300)

SESSION_COOKIE_HTTPONLY = True
# Cookies are Secure on every HTTPS request anyway (sangdam/core/https.py); SECURE_COOKIES=1
# makes them Secure on plain HTTP too (a proxy that does not say it terminated TLS).
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES")
# Behind a TLS-terminating proxy: the header it sets, e.g. SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto
# (only when the proxy always sets or overwrites it; clients could send it themselves).
_proxy_ssl_header = env_str("SECURE_PROXY_SSL_HEADER")
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
# HSTS on every HTTPS response (never on plain HTTP, so the demo is unaffected).
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per task run is noise in the embedded console; TASKS_LOG_LEVEL=INFO shows it.
        "django_tasks": {"level": env_str("TASKS_LOG_LEVEL", "WARNING")},
        # httpx logs every request URL at INFO, and the Bot API puts the token in the URL.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "django_tasks_db": {"level": env_str("TASKS_LOG_LEVEL", "WARNING")},
        # Logs every bounce detector it tries at INFO.
        "flufl.bounce": {"level": "WARNING"},
    },
}

# --- in-app channel (sangdam/connectors/app, docs/channels/in-app.md) -----------------
APP_API_RATE_PER_APP = env_int("APP_API_RATE_PER_APP", 6000)  # requests a minute per app
APP_API_RATE_PER_USER = env_int("APP_API_RATE_PER_USER", 120)  # ... per app user or device
APP_SECRET_OVERLAP_HOURS = env_int("APP_SECRET_OVERLAP_HOURS", 72)  # old secret after rotation
APP_FCM_BASE_URL = env_str("APP_FCM_BASE_URL", "https://fcm.googleapis.com")
APP_APNS_BASE_URL = env_str("APP_APNS_BASE_URL", "")  # "" = Apple's (sandbox per app)
APP_PUSH_ALLOW_HTTP = env_bool("APP_PUSH_ALLOW_HTTP", default=False)  # plain-http Web Push

# --- outbound fetches of outsider-chosen URLs (sangdam/core/netguard.py, docs/security.md) --
# Push endpoints, webhook targets, remote media: only public internet addresses. Turn on for
# tests or a provider on this machine, or name the internal networks that may be reached.
NETGUARD_ALLOW_LOCAL = env_bool("NETGUARD_ALLOW_LOCAL", default=False)
NETGUARD_ALLOWED_NETWORKS = env_list("NETGUARD_ALLOWED_NETWORKS", [])

# --- webhook channels (sangdam/connectors/webhooks, docs/channels/webhooks.md) ---------
# Where each provider's API lives; SANGDAM_<KIND>_API_BASE points it elsewhere (tests and
# `sangdam fake-providers` use local servers that speak the same API).
PROVIDER_BASE_URLS = {
    kind: env_str(f"SANGDAM_{kind.upper()}_API_BASE", default)
    for kind, default in {
        "telegram": "https://api.telegram.org",
        "line": "https://api.line.me",
        "line_data": "https://api-data.line.me",
        "facebook": "https://graph.facebook.com",
        "instagram": "https://graph.facebook.com",
        "phone": "https://api.twilio.com",
    }.items()
}
# Media URLs found in payloads go through the SSRF guard (NETGUARD_* above).
PROVIDER_TIMEOUT_SECONDS = float(env_int("PROVIDER_TIMEOUT_SECONDS", 15))
PROVIDER_HTTP_ATTEMPTS = env_int("PROVIDER_HTTP_ATTEMPTS", 3)  # per call, inside one task run
PROVIDER_RETRY_BASE_SECONDS = float(env_int("PROVIDER_RETRY_BASE_SECONDS", 1))
PROVIDER_MAX_RETRY_AFTER = float(env_int("PROVIDER_MAX_RETRY_AFTER", 10))  # longer: task retries
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 6)  # processing one event, then "failed"
WEBHOOK_MAX_BODY_BYTES = env_int("WEBHOOK_MAX_BODY_BYTES", 1024 * 1024)
# --- search (sangdam/search, docs/search.md) --------------------------------------------
# Keep the search index up to date as tickets change (a task after each change). Off: no
# index writes at all (search then finds only what `sangdam reindex_search` indexed).
SEARCH_INDEX = env_bool("SEARCH_INDEX", default=True)
# Which engine answers searches: "database" (SQLite FTS5 / PostgreSQL tsvector) or a
# dotted path to a sangdam.search.backends.base.SearchBackend subclass (OpenSearch, ...).
SEARCH_BACKEND = env_str("SEARCH_BACKEND", "database")
