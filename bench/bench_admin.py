"""Admin › Levels with the whole corpus (about 600 levels): the list HR opens most.

``.venv/bin/python bench/bench_admin.py`` prints the median and p95 of the list page (100 rows)
and of the extends autocomplete, on a throwaway SQLite database (or ``DATABASE_URL``).
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]


def timed(get, url: str, runs: int = 20) -> list[float]:
    get(url)  # warm: templates compiled, connections open
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def main() -> int:
    import run

    workdir = Path(tempfile.mkdtemp(prefix="ladder-bench-admin-"))
    run.setup_django(workdir / "bench.sqlite3")
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    from ladder.handbook.sources import collect_sources
    from ladder.models import Level
    from ladder.services import family_import

    settings.DEBUG = False
    call_command("migrate", verbosity=0, stdout=io.StringIO())
    corpus = ROOT / "tests" / "data" / "corpus"
    family_import(sources=collect_sources([corpus / "handbook", corpus / "handbook-current"]))
    user = User.objects.create_superuser("bench", "bench@example.org", "bench-password-1")
    client = Client()
    client.force_login(user)
    levels = Level.objects.count()
    for label, url in (
        ("Admin › Levels (100 rows)", "/admin/ladder/level/"),
        (
            "level autocomplete 'manager'",
            "/admin/autocomplete/?app_label=ladder&model_name=item"
            "&field_name=extends_level&term=manager",
        ),
    ):
        times = timed(client.get, url)
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(
            f"{label} at {levels} levels: median {statistics.median(times):.0f} ms, "
            f"p95 {p95:.0f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
