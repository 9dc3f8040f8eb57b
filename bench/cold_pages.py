"""CPU cost of cold pages: the load test's URL mix rendered in-process, page cache off.

    python bench/cold_pages.py [--families 300] [--rounds 5] [--prof] [--html DIR]
    python tests/pgcluster.py -- python bench/cold_pages.py       # the same on PostgreSQL

Migrates a fresh database (a temporary SQLite file, or ``DATABASE_URL`` when set, e.g. by
``tests/pgcluster.py``), generates and imports ``--families`` families
(``bench/generate.py``, ``import_handbook``) and the seed postings (``import_postings``), then
renders the load test's URLs (``PATHS_SNIPPET`` of bench/loadtest.py: family, level, compare,
search and posting pages) with ``django.test.Client`` under the production settings
(``ladder.settings``, DEBUG off) and ``LADDER_PAGE_CACHE_SECONDS=0``, as the load test's cold
profile serves them. The compare URLs are also asked for as htmx partials (``#comparison``),
outside the mix.

One untimed round warms the process (template loader, markdown and URL caches), then
``--rounds`` timed ones. Prints this process's CPU milliseconds per request
(``time.process_time``; the database server's own CPU is not in it) for each URL type and for
the mix: the median over rounds of each round's mean. ``--prof`` adds a cProfile top list of
one more round; ``--html DIR`` saves every page's HTML there (one file per URL), to diff the
pages before and after a change.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loadtest import PATHS_SNIPPET, production_env  # noqa: E402

# Compare URLs asked for again with these headers: the partial a level picker swaps in.
PARTIAL_HEADERS = {"HX-Request": "true", "HX-Target": "comparison"}


def setup(work: Path) -> None:
    """Production settings as the load test's app servers run them, page cache off."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "ladder.settings",
            "LADDER_ENV_FILE": "",
            **production_env(work, "cold-pages"),
            "LADDER_PAGE_CACHE_SECONDS": "0",
        }
    )
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{work / 'db.sqlite3'}")
    import django

    django.setup()


def load(work: Path, families: int) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    # The manifest storage of production needs the collected files, as the load test does.
    call_command("collectstatic", interactive=False, verbosity=0)
    corpus = work / "corpus"
    subprocess.run(
        [sys.executable, "bench/generate.py", "--families", str(families), "--out", str(corpus)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with contextlib.redirect_stdout(io.StringIO()):
        call_command("import_handbook", str(corpus), verbosity=0)
        call_command("import_postings", str(ROOT / "fixtures" / "postings"), verbosity=0)


def load_test_paths() -> list[str]:
    """The load test's URLs, chosen by its own snippet (which also prints a page's size)."""
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(PATHS_SNIPPET, namespace)  # noqa: S102 - our own snippet, shared with loadtest.py
    return namespace["paths"]


_LEVEL = re.compile(r"^/families/[^/]+/[^/]+/$")


def kind(path: str) -> str:
    if path.startswith("/compare/"):
        return "compare page"
    if path.startswith("/search/"):
        return "search"
    if path.startswith("/families/"):
        return "level page" if _LEVEL.match(path) else "family page"
    return "posting page"


def requests_of(paths: list[str]) -> list[tuple[str, str, dict[str, str]]]:
    """(type, path, headers): the mix, then the compare partials."""
    mix = [(kind(path), path, {}) for path in paths]
    partials = [("compare partial", p, PARTIAL_HEADERS) for p in paths if kind(p) == "compare page"]
    return mix + partials


def one_round(client, requests) -> dict[str, list[float]]:
    """CPU ms of each request, by type."""
    cpu: dict[str, list[float]] = {}
    for name, path, headers in requests:
        start = time.process_time()
        response = client.get(path, headers=headers)
        elapsed = (time.process_time() - start) * 1000
        if response.status_code != 200:
            raise SystemExit(f"cold_pages: HTTP {response.status_code} for {path}")
        cpu.setdefault(name, []).append(elapsed)
    return cpu


def save_html(client, requests, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, path, headers in requests:
        content = client.get(path, headers=headers).content
        stem = re.sub(r"[^a-z0-9]+", "-", f"{name} {path}".lower()).strip("-")
        (folder / f"{stem}.html").write_bytes(content)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--prof", action="store_true", help="a cProfile top list of one round")
    parser.add_argument("--html", type=Path, help="save every page's HTML in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ladder-cold-") as tmp:
        work = Path(tmp)
        setup(work)
        from django.db import connection
        from django.test import Client

        load(work, args.families)
        requests = requests_of(load_test_paths())
        client = Client(HTTP_HOST="127.0.0.1")
        one_round(client, requests)  # warm-up, untimed
        if args.html:
            save_html(client, requests, args.html)
        rounds = [one_round(client, requests) for _ in range(args.rounds)]
        names = list(dict.fromkeys(name for name, _, _ in requests))
        mix = [name for name in names if name != "compare partial"]
        count = sum(len(rounds[0][name]) for name in mix)
        print(
            f"cold pages, {connection.vendor}, {args.families} families, {count} URLs in the "
            f"mix, {args.rounds} rounds: CPU ms per request (median of the rounds' means)"
        )
        for name in names:
            means = [statistics.fmean(r[name]) for r in rounds]
            print(f"  {name:<16} {statistics.median(means):7.2f}  ({len(rounds[0][name])} URLs)")
        totals = [sum(sum(r[name]) for name in mix) / count for r in rounds]
        print(f"  {'mix':<16} {statistics.median(totals):7.2f}")
        if args.prof:
            profile = cProfile.Profile()
            profile.enable()
            one_round(client, requests)
            profile.disable()
            stats = pstats.Stats(profile).strip_dirs().sort_stats("cumulative")
            stats.print_stats(45)
            stats.sort_stats("tottime").print_stats(30)
        connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
