"""WSGI entry point (gunicorn ladder.wsgi)."""

import os
import threading

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ladder.settings")

application = get_wsgi_application()


def _warm() -> None:
    from django.db import connection

    from postings.services import level_index_warm

    try:
        level_index_warm()
    finally:
        connection.close()  # this thread's own connection, not left open when it ends


if os.environ.get("LADDER_WARM_INDEX", "1") != "0":
    # Each worker loads the posting matching index while it waits for its first request, so
    # that a Redis outage later finds a copy in the process to bring up to date (a build costs
    # seconds per worker). In the background: the worker answers at once.
    threading.Thread(target=_warm, name="warm-matching-index", daemon=True).start()
