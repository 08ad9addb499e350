"""Settings for the Bourse d'entraide inter-entreprises.

One module for every deployment: each difference comes from the environment (see README.md,
"Configuration"). With no variable set, the embedded default runs: SQLite, in-memory channel
layer, console e-mail, inline background tasks.

It stays one module past the usual size on purpose: a deployment's whole configuration is read
in one place, in the order Django applies it, each block saying which variable changes it.
"""

import importlib.util
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Security --------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)
# pytest sets PYTEST_VERSION for the whole session: tests run over plain HTTP with a throwaway key.
TESTING = "PYTEST_VERSION" in os.environ
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it, or DEBUG=true for local development."
        )
    SECRET_KEY = "insecure-development-key-only-for-make-run-and-tests"  # noqa: S105

_PLAIN_HTTP = DEBUG or TESTING
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if _PLAIN_HTTP else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not _PLAIN_HTTP)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not _PLAIN_HTTP)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not _PLAIN_HTTP)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if _PLAIN_HTTP else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not _PLAIN_HTTP
SECURE_HSTS_PRELOAD = not _PLAIN_HTTP
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and styles from this site only, no inline script,
# no style attribute, no eval; images also from the map's tile server. See docs/security.md.
_MAP_TILES_URL = os.environ.get("MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
_MAP_TILES_ORIGIN = "/".join(_MAP_TILES_URL.split("/")[:3]).replace("{s}.", "*.")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", _MAP_TILES_ORIGIN],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features no page of this site uses, refused to every origin (bourse.core.headers).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

# --- Applications ----------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.headless",
    "django_tasks",
    "django_tasks_db",
    "bourse.core",
    "accounts",
    "bourse.geo",
    "bourse.moderation",
    "bourse.notifications",
    "bourse.listings",
    "bourse.matching",
    "messaging",
    "bourse.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "bourse.core.headers.security_headers_middleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "bourse.core.throttling.write_throttle_middleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.terms.terms_gate_middleware",
    "django_htmx.middleware.HtmxMiddleware",
    "bourse.core.parsers.JSONLimitsMiddleware",
]

# WhiteNoise serves /static/ from the Python processes (make run, a deployment without a proxy).
# Behind a proxy that serves STATIC_ROOT itself (deploy/nginx.conf), SERVE_STATIC=false takes it
# out of the chain: it is the one middleware that is not async-capable, and under ASGI it costs
# every request two more hops between the event loop and a thread (bench/http_load.py).
SERVE_STATIC = env_bool("SERVE_STATIC", True)
if not SERVE_STATIC:
    MIDDLEWARE.remove("whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "bourse.urls"
WSGI_APPLICATION = "bourse.wsgi.application"
ASGI_APPLICATION = "bourse.asgi.application"

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
                "accounts.context_processors.membership",
                "bourse.notifications.context_processors.notifications",
                "messaging.context_processors.unread",
                "bourse.moderation.context_processors.crisis_banner",
            ],
        },
    },
]
# Rendered pieces of pages kept per process and per kind of piece (bourse/core/fragments.py:
# listing cards, the search form's lists), least recently used dropped first; a card is ~1.5 KB
# with its key, so 10,000 of them are ~15 MB per process. 0: render everything every time.
RENDERED_FRAGMENTS_KEPT = int(os.environ.get("RENDERED_FRAGMENTS_KEPT", "10000"))

# --- Database --------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer commits; the timeout absorbs short write bursts
    # from the ASGI server and the test server running side by side.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parallel plans add tens of ms to the short index queries this application runs (radius
    # search, matching) on a small server (docs/benchmarks.md): off by default for every
    # connection; a larger database server may allow them. JIT compilation likewise: a plan
    # whose estimated cost passes jit_above_cost spent 110-270 ms compiling for a 40 ms query
    # (an inbox of 10,000 conversations); PG_JIT=on gives it back.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        "-c max_parallel_workers_per_gather="
        + str(int(os.environ.get("PG_MAX_PARALLEL_WORKERS_PER_GATHER", "0")))
        + (" -c jit=on" if env_bool("PG_JIT", False) else " -c jit=off")
        # A test database's flush empties the audit log, which its trigger refuses otherwise.
        + (" -c bourse.audit_log_purge=on" if TESTING else "")
    )
    # Behind a pooler in transaction mode (PgBouncer), consecutive statements may reach
    # different server connections: no server-side cursors, no prepared statements.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("PG_TRANSACTION_POOLER", False)
    # Under ASGI each request runs its synchronous part in a thread of its own, so persistent
    # connections (CONN_MAX_AGE) stay open with the finished threads until the server runs out
    # of connections (bench/http_load.py, 50 clients). PG_POOL_MAX_SIZE > 0 gives each process a
    # bounded pool (psycopg_pool) instead: a request borrows a connection, and gives it back at
    # its end; a request finding none free waits up to PG_POOL_TIMEOUT seconds.
    _pool_max = int(os.environ.get("PG_POOL_MAX_SIZE", "0"))
    if _pool_max > 0:
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": min(2, _pool_max),
            "max_size": _pool_max,
            "timeout": float(os.environ.get("PG_POOL_TIMEOUT", "10")),
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0
# PostgreSQL: each event loop (one per server process) keeps up to this many asyncio
# connections for the one statement that stores a chat line sent over a socket
# (messaging.pgasync); 0 sends those through the database threads too.
# The audit log's trigger refuses UPDATE and DELETE; only a test database may be emptied (its
# flush between tests). Never read from the environment (bourse/moderation/append_only.py).
AUDIT_LOG_PURGE_ALLOWED = TESTING
MESSAGING_ASYNC_CONNECTIONS = int(os.environ.get("MESSAGING_ASYNC_CONNECTIONS", "4"))
# Threads doing the sockets' other database work in each server process (messaging.threads);
# 0: 8 on PostgreSQL, 1 on SQLite (one writer at a time).
MESSAGING_DB_THREADS = int(os.environ.get("MESSAGING_DB_THREADS", "0"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and channel layer -----------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# redis-py's default pool (100 connections) fails at once when empty; size it for ~1,000 sockets.
REDIS_MAX_CONNECTIONS = int(os.environ.get("REDIS_MAX_CONNECTIONS", "1000"))
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache with one connection pool per process (not one per request
            # under ASGI, each opening a connection to Redis): bourse/core/cache.py.
            "BACKEND": "bourse.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "bourse"),
            # At most this many connections per process: a request finding them all busy waits
            # for one (a command takes well under a millisecond) rather than opening another.
            "OPTIONS": {
                "pool_class": "redis.BlockingConnectionPool",
                "max_connections": int(os.environ.get("REDIS_CACHE_MAX_CONNECTIONS", "16")),
                "timeout": 5,
            },
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            # channels_redis' pub/sub layer, repaired to survive a Redis restart.
            "BACKEND": "bourse.core.channel_layer.RedisPubSubLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "max_connections": REDIS_MAX_CONNECTIONS,
                        # A Redis that does not answer fails a push quickly (never a request).
                        "socket_connect_timeout": 2,
                    }
                ],
                "prefix": os.environ.get("CHANNEL_LAYER_PREFIX", "bourse"),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Each server process checks its channel layer this often (a message to itself through Redis)
# and tells its sockets at once when it goes down or comes back; every socket also gets a
# heartbeat this often (bourse.core.realtime).
REALTIME_PROBE_SECONDS = float(os.environ.get("REALTIME_PROBE_SECONDS", "1"))
REALTIME_HEARTBEAT_SECONDS = float(os.environ.get("REALTIME_HEARTBEAT_SECONDS", "10"))

# --- E-mail ----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "sent-emails"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds an SMTP connection may wait before it gives up (the worker then retries later).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Bourse d'entraide <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Absolute links in e-mails (matches, messages) start with this.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Tasks -----------------------------------------------------------------------------------
# "immediate" runs tasks inline (embedded default, tests); "database" queues them for
# `manage.py db_worker` (production).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate")
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[TASKS_BACKEND]
    }
}
# The outbox (bourse.core.outbox): every e-mail and piece of background work is a row written in
# the transaction of the change that causes it, run after commit, retried with exponential
# backoff (base × 2^(attempt−1), at most OUTBOX_RETRY_MAX_SECONDS apart) until it succeeds or
# has failed OUTBOX_MAX_ATTEMPTS times; a run that outlives its lease (a killed worker) is
# taken up again by the scheduler's sweeper.
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "10"))
OUTBOX_RETRY_BASE_SECONDS = float(os.environ.get("OUTBOX_RETRY_BASE_SECONDS", "30"))
OUTBOX_RETRY_MAX_SECONDS = float(os.environ.get("OUTBOX_RETRY_MAX_SECONDS", str(6 * 3600)))
OUTBOX_LEASE_SECONDS = float(os.environ.get("OUTBOX_LEASE_SECONDS", "300"))

# --- Authentication (django-allauth) ---------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# Names, phone, job title and consent to the terms, on the page and in the app API's sign-up
# (allauth builds both forms on this class); the pages' labels and order: ACCOUNT_FORMS.
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupDetailsForm"
ACCOUNT_FORMS = {"signup": "accounts.signup.SignupForm", "login": "accounts.signup.LoginForm"}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Bourse d'entraide] "
# allauth's default rate limits (signups, logins, failed logins, codes...) count in the cache
# (Redis in production, so every process shares them). ACCOUNT_RATE_LIMITS_ENABLED=false turns
# them off, e.g. for a load test.
# Failed logins: 10 a minute per IP, and 5 per 5 minutes per key, the key being the (account,
# IP) pair and not the account alone (accounts.adapter), so that failing on purpose from
# elsewhere cannot lock a victim out. A refused login answers 429 with Retry-After.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/300s/key"}
if not env_bool("ACCOUNT_RATE_LIMITS_ENABLED", True):
    ACCOUNT_RATE_LIMITS = False
# Behind a reverse proxy that uvicorn does not already trust (--forwarded-allow-ips), the number
# of proxies whose X-Forwarded-For allauth's per-IP limits may believe.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
HEADLESS_ONLY = False
HEADLESS_CLIENTS = ("app", "browser")
HEADLESS_SERVE_SPECIFICATION = True
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": "/comptes/confirm-email/{key}/",
    "account_reset_password_from_key": "/comptes/password/reset/key/{key}/",
    "account_signup": "/comptes/signup/",
}

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.SessionTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # JSON bodies: at most API_JSON_MAX_BYTES and API_JSON_MAX_DEPTH levels (a 400 otherwise).
    "DEFAULT_PARSER_CLASSES": [
        "bourse.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Writes (POST, PUT, PATCH, DELETE) per user and per company; reads are not throttled.
    # The same budgets apply to the pages' forms (bourse.core.throttling). "N/s|min|hour|day".
    "DEFAULT_THROTTLE_CLASSES": [
        "bourse.core.throttling.UserWriteThrottle",
        "bourse.core.throttling.CompanyWriteThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "writes_user": os.environ.get("THROTTLE_WRITES_USER", "60/min"),
        "writes_company": os.environ.get("THROTTLE_WRITES_COMPANY", "300/min"),
        "photo_uploads": os.environ.get("THROTTLE_PHOTO_UPLOADS", "60/hour"),
    },
    "DATETIME_FORMAT": "iso-8601",
    # A service's refusal (bourse.core.errors.ServiceError) becomes 400 naming the field.
    "EXCEPTION_HANDLER": "bourse.core.errors.api_exception_handler",
}
API_JSON_MAX_BYTES = int(os.environ.get("API_JSON_MAX_BYTES", str(1024 * 1024)))
API_JSON_MAX_DEPTH = int(os.environ.get("API_JSON_MAX_DEPTH", "32"))
SPECTACULAR_SETTINGS = {
    "TITLE": "Bourse d'entraide inter-entreprises — API",
    "DESCRIPTION": "REST API v1. See docs/api.md for the WebSocket protocol.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Every operation documents the errors it can answer (400, 401, 403, 404, 413, 429).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "bourse.core.schema.document_error_responses",
    ],
    # Several models have a `status` or `kind`: give each choice set its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "CompanyStatusEnum": "accounts.models.Company.Status",
        "ListingStatusEnum": "bourse.listings.models.Listing.Status",
        "ListingKindEnum": "bourse.listings.models.Kind",
        "NotificationKindEnum": "bourse.notifications.models.Notification.Kind",
        "ReportStatusEnum": "bourse.moderation.models.Report.Status",
        "AdvisorCallOutcomeEnum": "bourse.moderation.models.AdvisorCall.Outcome",
        "UnitEnum": "bourse.listings.models.Unit",
    },
}

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Files -----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Leaflet's files come from the django-leaflet package. Its app is not installed: its admin
# integration needs GDAL, which this project does not use (plain latitude/longitude columns).
_LEAFLET_STATIC = Path(importlib.util.find_spec("leaflet").submodule_search_locations[0]) / "static"
STATICFILES_DIRS = [BASE_DIR / "frontend", _LEAFLET_STATIC]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not _PLAIN_HTTP and env_bool("STATIC_MANIFEST", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Without collectstatic (make run, tests) WhiteNoise serves straight from the finders.
WHITENOISE_USE_FINDERS = _PLAIN_HTTP
WHITENOISE_AUTOREFRESH = _PLAIN_HTTP
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Photos are checked by the listings app (10 MB); the request limits leave room for the form.
# REQUEST_MAX_BODY_BYTES: any request body, files included, refused (413) before it is read
# (bourse.core.limits); the proxy in front should use the same figure (docs/security.md).
REQUEST_MAX_BODY_BYTES = int(os.environ.get("REQUEST_MAX_BODY_BYTES", str(12 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
# Photos decoded at once per server process (bourse.listings.photos), and how long (seconds) an
# upload waits for its turn before a "try again" message.
PHOTO_DECODE_CONCURRENCY = int(os.environ.get("PHOTO_DECODE_CONCURRENCY", "2"))
PHOTO_DECODE_WAIT = float(os.environ.get("PHOTO_DECODE_WAIT", "30"))
# bench/http_load.py's floor: GET /bench/floor, a bare JSON view on the same processes. Routed only
# when this is true (never in production by default).
BENCH_FLOOR_VIEW = env_bool("BENCH_FLOOR_VIEW", False)

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (46.6, 2.4),
    "DEFAULT_ZOOM": 6,
    "TILES": _MAP_TILES_URL,
    "ATTRIBUTION_PREFIX": "© OpenStreetMap",
}

# --- Marketplace rules -----------------------------------------------------------------------
LISTINGS_REQUIRE_APPROVAL = env_bool("LISTINGS_REQUIRE_APPROVAL", True)
# A company or listing waiting longer than this for a moderator is highlighted in the queues.
MODERATION_TARGET_HOURS = int(os.environ.get("MODERATION_TARGET_HOURS", "24"))
# "Besoins sans réponse": a published listing with no conversation after this many days goes on
# the advisors' call list of its territory.
UNANSWERED_AFTER_DAYS = int(os.environ.get("UNANSWERED_AFTER_DAYS", "3"))
# A company verified less than NEW_COMPANY_DAYS ago opens at most this many new conversations
# in any 24 hours (messages in its existing conversations are not counted).
NEW_COMPANY_DAYS = int(os.environ.get("NEW_COMPANY_DAYS", "7"))
NEW_COMPANY_CONVERSATIONS_PER_DAY = int(os.environ.get("NEW_COMPANY_CONVERSATIONS_PER_DAY", "10"))
LISTING_LIFETIME_DAYS = int(os.environ.get("LISTING_LIFETIME_DAYS", "60"))
# Crisis mode (bourse/listings/crises.py): while a crisis covers a département, its pending
# companies and listings are due within this many hours, and its listings published or renewed
# stay online this many days.
CRISIS_MODERATION_TARGET_HOURS = int(os.environ.get("CRISIS_MODERATION_TARGET_HOURS", "4"))
CRISIS_LISTING_LIFETIME_DAYS = int(os.environ.get("CRISIS_LISTING_LIFETIME_DAYS", "120"))
# How long the one-click links of the "still current?" e-mail stay valid (listings/freshness.py).
FRESHNESS_LINK_DAYS = int(os.environ.get("FRESHNESS_LINK_DAYS", "14"))

# --- Personal data (RGPD) ----------------------------------------------------------------------
# Who to write to about personal data (the privacy page shows it), and how long things are kept
# (the retention jobs of accounts, listings and messaging apply them; the privacy page says them).
PRIVACY_CONTACT_EMAIL = os.environ.get("PRIVACY_CONTACT_EMAIL", "rgpd@localhost")
RETENTION_CONVERSATION_MONTHS = 24  # a conversation without a message for that long: anonymised
RETENTION_DRAFT_MONTHS = 6  # a draft listing untouched for that long: deleted
RETENTION_ACCOUNT_MONTHS = 24  # an account not used for that long: warned, then deleted
RETENTION_ACCOUNT_NOTICE_DAYS = 30  # between the warning and the deletion
# The version of the terms of use (templates/legal/terms.html) in force. Change it with the text:
# everyone who accepted another version is asked to accept this one at their next page
# (accounts/terms.py). A date, shown on the terms page.
TERMS_VERSION = os.environ.get("TERMS_VERSION", "2026-12-03")
# Matching: a new match scoring at least this (0 to 1) is announced to both companies, once;
# at most MATCH_NOTIFY_LIMIT of them (the best) per publication, the rest stay in suggestions.
MATCH_NOTIFY_THRESHOLD = float(os.environ.get("MATCH_NOTIFY_THRESHOLD", "0.7"))
MATCH_NOTIFY_LIMIT = int(os.environ.get("MATCH_NOTIFY_LIMIT", "5"))

# --- Outside services -----------------------------------------------------------------------
# Public services the product uses when it can reach them, never depends on (bourse/core/outside).
# An empty URL switches one off; tests never reach the network (they play recorded answers).
REGISTRY_API_URL = os.environ.get(
    "REGISTRY_API_URL", "" if TESTING else "https://recherche-entreprises.api.gouv.fr"
)
REGISTRY_TIMEOUT = float(os.environ.get("REGISTRY_TIMEOUT", "4"))
# The registry's published limit is 7 calls per second per address: stay under it.
REGISTRY_RATE_PER_SECOND = int(os.environ.get("REGISTRY_RATE_PER_SECOND", "6"))
# The Base Adresse Nationale places a street address (50 calls per second published).
GEOCODER_API_URL = os.environ.get(
    "GEOCODER_API_URL", "" if TESTING else "https://api-adresse.data.gouv.fr"
)
GEOCODER_TIMEOUT = float(os.environ.get("GEOCODER_TIMEOUT", "3"))
GEOCODER_RATE_PER_SECOND = int(os.environ.get("GEOCODER_RATE_PER_SECOND", "40"))
# Verified companies are asked about again every this many days (closed establishments).
REGISTRY_RECHECK_DAYS = int(os.environ.get("REGISTRY_RECHECK_DAYS", "30"))
REGISTRY_RECHECK_BATCH = int(os.environ.get("REGISTRY_RECHECK_BATCH", "500"))

# --- Logging ---------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
