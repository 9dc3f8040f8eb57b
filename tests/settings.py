"""Test settings: the real settings plus what only tests want."""

import os

# The suite never reads the developer's local .env (written by `make run`, debug on).
os.environ.setdefault("LADDER_ENV_FILE", "")
os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-insecure-key-" + "x" * 40)
# Playwright's sync API runs an event loop in the test thread; Django's ORM is still used
# synchronously from that thread, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from ladder.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A file, not memory, so tests can run manage.py in a subprocess against the same database.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    import tempfile
    from pathlib import Path

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"ladder-test-{os.getpid()}.sqlite3")
    }
# Tests roll the database back between tests, so content versions repeat: no page cache here
# (tests/ladder/test_caching.py turns it on for itself).
LADDER_PAGE_CACHE_SECONDS = 0
