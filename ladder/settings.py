"""Ladder settings, read from the environment (12-factor).

Every knob is an environment variable with a safe default, so a fresh checkout runs on an
embedded SQLite file with nothing to start, and production switches to PostgreSQL with
``DATABASE_URL``.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from urllib.parse import urlsplit

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
    "axes",
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
    # Sign-in by a trusted proxy's header (off unless LADDER_TRUSTED_HEADER is set), then the
    # private-ladder gate: both need request.user (ladder/access.py).
    "ladder.access.TrustedHeaderMiddleware",
    "ladder.access.PrivateLadderMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by its backend into the lockout page.
    "axes.middleware.AxesMiddleware",
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
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["connect_timeout"] = env_int("DJANGO_DB_CONNECT_TIMEOUT", 5)
    # Parameters sent apart from the SQL, so psycopg prepares a query after it has run a few
    # times on a connection: PostgreSQL then plans it once per connection instead of on every
    # request (planning was half of a cold level page's database time: 14.5 -> 10.3 ms a page).
    # Off (0) behind a pooler in transaction mode, which cannot keep prepared statements.
    if env_bool("DJANGO_DB_PREPARED_STATEMENTS", True):
        options["server_side_binding"] = True
        options["prepare_threshold"] = env_int("DJANGO_DB_PREPARE_THRESHOLD", 5)

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
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # The same backend, except that a Redis outage reads as a miss instead of failing the
    # page: everything Ladder caches can be rebuilt from the database (ladder/rediscache.py).
    CACHES["default"]["BACKEND"] = "ladder.rediscache.RedisCache"
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

# ---------------------------------------------------------------- a company's deployment
# Private ladder, single sign-on, trusted-header sign-in and failed-login lockout; every knob
# is an environment variable, all off by default (README, "Deploying for a company").

# Every page and the JSON API need a signed-in user (ladder/access.py).
LADDER_PRIVATE = env_bool("LADDER_PRIVATE", False)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out person is refused before any password is checked.
    "ladder.access.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Answers only the OpenID Connect callback, and only when LADDER_OIDC_ISSUER is set.
    "ladder.oidc.OIDCBackend",
    # Answers only TrustedHeaderMiddleware, which is off unless LADDER_TRUSTED_HEADER is set.
    "ladder.access.TrustedHeaderBackend",
]

# OpenID Connect (mozilla-django-oidc): the provider's endpoints come from its discovery
# document, so the issuer, client id and secret are all a company has to give.
LADDER_OIDC_ISSUER = os.environ.get("LADDER_OIDC_ISSUER", "").strip().rstrip("/")
OIDC_RP_CLIENT_ID = os.environ.get("LADDER_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("LADDER_OIDC_CLIENT_SECRET", "")
if LADDER_OIDC_ISSUER and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured(
        "LADDER_OIDC_ISSUER needs LADDER_OIDC_CLIENT_ID and LADDER_OIDC_CLIENT_SECRET too"
    )
if LADDER_OIDC_ISSUER:
    # Signing out is a form whose answer redirects to the provider's sign-out page, and
    # browsers hold form redirects to the form-action list too.
    SECURE_CSP["form-action"] = [CSP.SELF, urlsplit(LADDER_OIDC_ISSUER)._replace(path="").geturl()]
OIDC_RP_SIGN_ALGO = os.environ.get("LADDER_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("LADDER_OIDC_SCOPES", "openid email profile")
OIDC_TIMEOUT = env_int("LADDER_OIDC_TIMEOUT", 10)
OIDC_USERNAME_ALGO = "ladder.oidc.username_from_claims"
OIDC_AUTHENTICATE_CLASS = "ladder.oidc.AuthenticationRequestView"
OIDC_STORE_ID_TOKEN = True  # the provider's sign-out page wants it back as a hint
OIDC_OP_LOGOUT_URL_METHOD = "ladder.oidc.provider_logout_url"
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?failed=sso"
# The claim holding the person's groups, and which claimed group grants which Ladder group:
# "claimed=Ladder group" pairs, comma-separated.
LADDER_OIDC_GROUPS_CLAIM = os.environ.get("LADDER_OIDC_GROUPS_CLAIM", "groups")
LADDER_OIDC_GROUPS = env_list(
    "LADDER_OIDC_GROUPS", ["HR editors=HR editors", "Recruiters=Recruiters"]
)
for _pair in LADDER_OIDC_GROUPS:
    if "=" not in _pair:
        raise ImproperlyConfigured(
            f"LADDER_OIDC_GROUPS must be claimed=Group pairs separated by commas, not {_pair!r}"
        )

# The addresses of the reverse proxies in front of Ladder (nginx, the SSO proxy): only their
# X-Forwarded-For and sign-in header are believed.
LADDER_TRUSTED_PROXIES = env_list("LADDER_TRUSTED_PROXIES", [])
# Sign-in by a header that the company's SSO proxy sets (Django's RemoteUserMiddleware), only
# from a trusted proxy: anyone else could send the header too.
LADDER_TRUSTED_HEADER = os.environ.get("LADDER_TRUSTED_HEADER", "").strip()
if LADDER_TRUSTED_HEADER and not LADDER_TRUSTED_PROXIES:
    raise ImproperlyConfigured(
        "LADDER_TRUSTED_HEADER needs LADDER_TRUSTED_PROXIES: the addresses of the proxy "
        "that sets it (anyone else could send the header too)"
    )

# Failed-login lockout (django-axes): after LADDER_LOGIN_FAILURE_LIMIT wrong passwords for one
# user name from one address, that pair waits LADDER_LOGIN_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("LADDER_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LADDER_LOGIN_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# Behind a proxy every request comes from the proxy: the visitor's address is the one the
# proxy adds to X-Forwarded-For, or one wrong password would lock the name out for everyone.
AXES_CLIENT_IP_CALLABLE = "ladder.access.client_ip"

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
# How long a request for a missing page waits for the render another request already claimed
# (ladder.caching); 0 (the default): every request renders its own. Off by default: with the
# load test's evenly spread pages and the file cache it cost more than it saved (README).
LADDER_PAGE_RENDER_WAIT_SECONDS = env_int("LADDER_PAGE_RENDER_WAIT_SECONDS", 0)
