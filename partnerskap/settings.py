"""Settings for Partnerskapsportalen, read from the environment.

DATABASE_URL  default: an SQLite file in var/ (the embedded default); e.g. postgres:///portal
SECRET_KEY    generated and kept in var/ for development; required when DEBUG is off
DEBUG         "1"/"true" for development (default on unless DJANGO_PRODUCTION=1)
ALLOWED_HOSTS comma-separated; defaults to localhost in development
REDIS_URL     a shared cache in Redis instead of the database table (createcachetable)
AWS_STORAGE_BUCKET_NAME  files in S3-compatible object storage instead of MEDIA_ROOT
TASKS_BACKEND immediate|database (django-tasks; `manage.py db_worker` runs the database's)
TRUSTED_PROXY_COUNT  reverse proxies that append to X-Forwarded-For (default 0: none)
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


PRODUCTION = env_bool("DJANGO_PRODUCTION", False)
DEBUG = env_bool("DEBUG", not PRODUCTION)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development: generate once and keep it, so sessions survive restarts.
    VAR_DIR.mkdir(exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "rules.apps.AutodiscoverRulesConfig",
    "rest_framework.authtoken",
    "simple_history",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "partnerskap",
    "tiltak",
    "hoering",
    "rapportering",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before the session: a cookie holding a NUL is dropped before the session store reads it.
    "partnerskap.middleware.BadInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "partnerskap.middleware.NorwegianFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "partnerskap.middleware.ServiceErrorMiddleware",
]

if PRODUCTION:
    # Static files served by the app server itself (compressed, cache-busted by manifest).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "partnerskap.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "partnerskap.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'portal.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache for every worker process (the login throttle counts there): the database, in the
# table made by `manage.py createcachetable`, or Redis when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "portal_cache"}
    )
}
# How many reverse proxies in front of the app append to X-Forwarded-For. 0: the client is
# REMOTE_ADDR and the header is ignored (anyone can write it); N: the Nth address from the right.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

AUTH_USER_MODEL = "partnerskap.Bruker"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "partnerskap.auth.EmailBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 7  # invitation links are valid for a week
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Partnerskapsportalen <noreply@localhost>"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")

# Background work (django-tasks): emails, reminders, large PDFs and imports are enqueued as
# tasks. TASKS_BACKEND=database keeps them in PostgreSQL for `manage.py db_worker` (production);
# "immediate" (the default in development and tests) runs each task at once in the process.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database" if PRODUCTION else "immediate")
if TASKS_BACKEND not in ("database", "immediate"):
    raise ImproperlyConfigured("TASKS_BACKEND must be 'database' or 'immediate'.")
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if TASKS_BACKEND == "database"
        else "django_tasks.backends.immediate.ImmediateBackend"
    }
}

# Finished task results are kept this long (`manage.py periodic` prunes them).
TASK_RESULTS_MAX_AGE_DAYS = int(os.environ.get("TASK_RESULTS_MAX_AGE_DAYS", "14"))
# Email through the filesystem (EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend).
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]

# Periodic jobs (`manage.py periodic`, partnerskap/periodic.py): {name: function}. Each runs under
# a PostgreSQL advisory lock, so two schedulers at once never run one job twice in parallel.
# An app adds its own here (hoering: reminders, with rows claimed before sending).
PERIODIC_JOBS = {
    "excel-pending": "tiltak.services.excel.pending.periodic_clean",
    "task-results": "partnerskap.periodic.prune_task_results",
    "sessions": "partnerskap.periodic.clear_sessions",
}
# A pending Excel import (between preview and apply) is kept this long.
EXCEL_PENDING_MAX_AGE_HOURS = float(os.environ.get("EXCEL_PENDING_MAX_AGE_HOURS", "6"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Norwegian first: bokmål is the default; nynorsk and English are complete translations.
LANGUAGE_CODE = "nb"
LANGUAGES = [
    ("nb", _("Bokmål")),
    ("nn", _("Nynorsk")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["partnerskap.formats"]
LANGUAGE_COOKIE_NAME = "portal_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "partnerskap.api_schema.PortalAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "partnerskap.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # Token first, so an anonymous write gets 401 with "WWW-Authenticate: Token".
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "EXCEPTION_HANDLER": "partnerskap.api.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Partnerskapsportalen API",
    "DESCRIPTION": "Lese-API for handlingsprogram, tiltak og organisasjoner.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

# Strict Content-Security-Policy: no inline scripts or styles anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# Reasons (for a deletion, for going back from adopted) are the user's words: keep them whole.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# The admin is read-only for the programme tree (tiltak/admin.py): no revert past the services.
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Logging (issue 8): one JSON object per line in production -------------------------------
# Formatters and the request id are in partnerskap/logging.py; gunicorn's access and error logs
# use the same JSON (gunicorn.conf.py). Everything goes through the root handler, Django's own
# loggers included, so there is one format. LOG_FORMAT=text|json overrides the default.
LOG_FORMAT = os.environ.get("LOG_FORMAT") or ("text" if DEBUG else "json")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be 'text' or 'json'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "partnerskap.logging.JsonFormatter"},
        "text": {"()": "partnerskap.logging.TextFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Django's default sends "django" to a text handler of its own in DEBUG: one format only.
    "loggers": {"django": {"handlers": [], "propagate": True}},
}


# --- Serving (issue 8): gunicorn behind a TLS proxy (gunicorn.conf.py, README «Running in
# production») --------------------------------------------------------------------------------

# The request id first, so redirects, static files and error pages carry it too.
MIDDLEWARE.insert(0, "partnerskap.logging.RequestIdMiddleware")
# gzip for text responses, compressing what every inner middleware wrote; WhiteNoise (above it in
# production) answers static files itself, with its precompressed .br/.gz files.
MIDDLEWARE.insert(
    MIDDLEWARE.index("partnerskap.middleware.BadInputMiddleware"),
    "partnerskap.compression.TextGZipMiddleware",
)

# Probes over plain http to the app port (partnerskap/health.py) are answered, not redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# Under gunicorn (gunicorn.conf.py sets this) the scheme is the server's: it believes
# X-Forwarded-Proto only from TRUSTED_PROXY_IPS. Django's SECURE_PROXY_SSL_HEADER would believe
# any client that reaches the app port directly.
if env_bool("DJANGO_SCHEME_FROM_SERVER", False):
    SECURE_PROXY_SSL_HEADER = None

# A local trial of production mode over plain http on 127.0.0.1 (`make serve`): no redirect to
# https and no Secure-only cookies. The three deploy-check warnings about exactly that are
# silenced by name, so `check --deploy --fail-level WARNING` still fails on anything else. Never
# set behind the TLS proxy in real production.
PLAIN_HTTP = env_bool("DJANGO_PLAIN_HTTP", False)
if PLAIN_HTTP and not DEBUG:
    SECURE_SSL_REDIRECT = False
    SESSION_COOKIE_SECURE = False
    CSRF_COOKIE_SECURE = False
    LANGUAGE_COOKIE_SECURE = False
    SILENCED_SYSTEM_CHECKS = ["security.W008", "security.W012", "security.W016"]

# Static files (production): WhiteNoise serves the hashed names from STATIC_ROOT with
# "max-age=315360000, public, immutable" and the .br/.gz made by collectstatic. Only the hashed
# names are kept (every reference goes through {% static %}, and the manifest is strict), which
# halves collectstatic's compression work; source maps are for developer tools, not compressed.
if os.environ.get("STATIC_ROOT"):
    STATIC_ROOT = Path(os.environ["STATIC_ROOT"])
if PRODUCTION:
    STORAGES["staticfiles"]["BACKEND"] = "partnerskap.storage.StaticFilesStorage"
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

# --- Shared state (issue 8): nothing depends on which app server a request reaches ----------

# Sessions in the database (Django's default engine, named here so it stays so): every server
# reads the same sessions; `manage.py clearsessions` (run by `manage.py periodic`) prunes them.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Files through Django's storage API (default_storage): pending Excel imports
# (tiltak/services/excel/pending.py) and what hearings and reports store. On the filesystem
# under MEDIA_ROOT (one shared volume for every app server, backed up by scripts/backup.sh), or
# in S3-compatible object storage (django-storages) when AWS_STORAGE_BUCKET_NAME is set. The
# bucket must be private: files are never public, every URL is signed (querystring_auth).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or VAR_DIR / "media")
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    # Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the environment (boto3 reads
    # them, or an instance role); never in this file.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            # MinIO, Ceph, a Norwegian cloud's S3 API…; empty for AWS itself.
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            # A key prefix inside the bucket, so one bucket may hold several portals.
            "location": os.environ.get("AWS_LOCATION", ""),
            # Path-style addressing for S3-compatible servers without bucket subdomains.
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
            "default_acl": None,  # the bucket's policy: private
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
