"""Ladder settings, read from the environment (12-factor).

Every knob is an environment variable with a safe default, so a fresh checkout runs on an
embedded SQLite file with nothing to start, and production switches to PostgreSQL with
``DATABASE_URL``.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def load_env_file(path: Path) -> None:
    """Read ``KEY=value`` lines of a local ``.env`` into the environment.

    ``make run`` writes a git-ignored ``.env`` (debug on, a generated key) so every
    ``manage.py`` command of the README works as written on a fresh clone. A variable already
    set in the environment wins, so production configuration never comes from this file.
    """
    if not path.is_file():
        return
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.removeprefix("export ").partition("=")
        if not sep or not key.strip():
            raise ImproperlyConfigured(f"{path}:{number}: expected KEY=value, not {raw!r}")
        os.environ.setdefault(key.strip(), value.strip().strip("\"'"))


# LADDER_ENV_FILE names another file; set to an empty string it reads none (the test suite).
_env_file = os.environ.get("LADDER_ENV_FILE", str(BASE_DIR / ".env"))
if _env_file:
    load_env_file(Path(_env_file))

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # A clear one-line message instead of a traceback: this is the most common
        # first-run mistake in production.
        raise SystemExit(
            "ladder: DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(set DJANGO_DEBUG=1 for local development)."
        )
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "simple_history",
    "django_tasks_db",
    "ladder",
    "postings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions, CSRF and authentication: a cached page for an anonymous visitor needs
    # none of them (see ladder/caching.py).
    "ladder.caching.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "ladder.urls"
WSGI_APPLICATION = "ladder.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
        # A restarted PostgreSQL must not leave workers holding dead connections.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of failing
    # with "database is locked" half way through an import.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;",
    }
else:
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DJANGO_DB_CONNECT_TIMEOUT", 5
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (handbook imports uploaded in the admin) is queued in the database and run by
# ``manage.py db_worker``, which ``make run`` starts beside the server: no broker to run.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The default cache is a directory every worker on this machine shares (pages, the content
# version, the posting match index), so nothing is held per process; a company-wide deployment
# on several machines points this at Redis or Memcached.
CACHES = {
    "default": {
        "BACKEND": os.environ.get(
            "DJANGO_CACHE_BACKEND", "django.core.cache.backends.filebased.FileBasedCache"
        ),
        "LOCATION": os.environ.get("DJANGO_CACHE_LOCATION", str(BASE_DIR / "var" / "cache")),
        "TIMEOUT": env_int("DJANGO_CACHE_TIMEOUT", 3600),
        # Keys hold content version numbers, which restart at 1 in every database: two
        # databases sharing a cache must not share pages.
        "KEY_PREFIX": hashlib.sha256(
            "|".join(
                str(DATABASES["default"].get(part, ""))
                for part in ("ENGINE", "NAME", "HOST", "PORT")
            ).encode()
        ).hexdigest()[:12],
    }
}
if not CACHES["default"]["BACKEND"].endswith(("RedisCache", "PyMemcacheCache", "PyLibMCCache")):
    # Django's default of 300 entries culls a third of the cache whenever a site has more
    # pages than that; every level page is an entry.
    CACHES["default"]["OPTIONS"] = {"MAX_ENTRIES": env_int("DJANGO_CACHE_MAX_ENTRIES", 20000)}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Serve files straight from the finders when collectstatic has not run (dev and tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads are read into memory and parsed; the importers refuse larger files themselves.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("LADDER_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# Security. Production defaults are strict; each is overridable for a TLS-terminating proxy
# or a plain-HTTP load test.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE", not DEBUG)
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Only our own static files (htmx is served from django-htmx's vendored copy) may run or style.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "frame-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
}

LOGIN_URL = "admin:login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Ladder's own knobs.
LADDER_GRADE_MIN = env_int("LADDER_GRADE_MIN", 1)
LADDER_GRADE_MAX = env_int("LADDER_GRADE_MAX", 20)
# Where handbook-relative links (/handbook/…) of a page point when the page, its front matter
# (base_url) and the import's --base-url name no site; empty: such links are shown as text.
LADDER_HANDBOOK_BASE_URL = os.environ.get("LADDER_HANDBOOK_BASE_URL", "").strip()
# Admin uploads of more pages than this are checked and imported by the task worker.
LADDER_UPLOAD_INLINE_PAGES = env_int("LADDER_UPLOAD_INLINE_PAGES", 3)
# Whole pages for anonymous visitors, invalidated by every import and edit (0 turns it off).
LADDER_PAGE_CACHE_SECONDS = env_int("LADDER_PAGE_CACHE_SECONDS", 600)
