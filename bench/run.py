"""Ladder benchmarks: one line per figure, ratios measured in the same run.

    python bench/run.py [--quick] [--save] [--postgres] [--sizes 300,3000]
                        [--only import,pages,search,matching,admin] [--pages-only]

Runs on a throwaway SQLite file by default; with ``DATABASE_URL`` set (e.g. by
``tests/pgcluster.py -- python bench/run.py``) the same figures come from PostgreSQL.
``--save`` also writes the output to ``bench/results/<date>.txt`` (``<date>-<sections>.txt`` for
an ``--only`` run).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

LINES: list[str] = []


def say(line: str) -> None:
    print(line, flush=True)
    LINES.append(line)


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def setup_django(db_file: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{db_file}"
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    settings.LADDER_PAGE_CACHE_SECONDS = 600  # the warm figures use the page cache
    # The production default (ladder/settings.py): a cache directory the workers share, so
    # cached pages live outside the worker, as they do in production.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(db_file.parent / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
            "KEY_PREFIX": db_file.stem,
        }
    }


def reset_db() -> None:
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)


def bench_import(n: int, folder: Path, runs: int) -> float:
    """Import ``folder`` into an empty database ``runs`` times; the database keeps the last."""
    import markdown

    from ladder.handbook.sources import collect_sources
    from ladder.services import family_import

    sources = collect_sources([folder])

    def render_all() -> tuple[float, float]:
        start, start_cpu = time.perf_counter(), time.process_time()
        for source in sources:
            markdown.markdown(source.data.decode("utf-8"))
        return time.perf_counter() - start, time.process_time() - start_cpu

    # Twice where affordable, each into an empty database: this machine's speed wanders, so
    # the floor is measured right after each import too and the ratio compares the means
    # (a floor measured once, after both imports, was at the mercy of that moment's load).
    times = []
    cpu = []  # CPU seconds of this process: less swayed than wall time by other sessions' load
    floors = []
    for _ in range(runs):
        reset_db()
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        family_import(sources=sources)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        floors.append(render_all())
    seconds = statistics.mean(times)
    floor = statistics.mean(f for f, _ in floors)
    floor_cpu = statistics.mean(c for _, c in floors)
    each = " and ".join(f"{t:.2f}" for t in times)
    say(
        f"import {n} families: {seconds:.2f} s (mean of {each}), "
        f"{len(sources) / seconds:.0f} pages/s; markdown-only floor "
        f"{len(sources) / floor:.0f} pages/s; import/floor time ratio {seconds / floor:.1f}x "
        f"(target <= 3x); CPU {statistics.mean(cpu):.2f} s / {floor_cpu:.2f} s, ratio "
        f"{statistics.mean(cpu) / floor_cpu:.1f}x"
    )
    return seconds / floor


def bench_seed() -> None:
    from ladder.handbook import parse_handbook
    from ladder.handbook.sources import Source
    from ladder.services import family_import

    data = (ROOT / "fixtures" / "handbook" / "sales-operations.md").read_bytes()
    parse = timed(lambda: parse_handbook(data, "seed"), 20)
    reset_db()
    start = time.perf_counter()
    family_import(sources=[Source("sales-operations.md", data)])
    total = (time.perf_counter() - start) * 1000
    say(f"seed page: parse median {statistics.median(parse):.1f} ms; parse+import {total:.0f} ms")


def bench_corpus() -> None:
    corpus = ROOT.parent / "shared" / "corpus"
    if not corpus.exists():
        say("real corpus: not present, skipped")
        return
    from ladder.handbook.sources import collect_sources
    from ladder.services import family_import

    reset_db()
    sources = collect_sources([corpus / "handbook", corpus / "handbook-current"])
    start = time.perf_counter()
    summary = family_import(sources=sources)
    seconds = time.perf_counter() - start
    say(
        f"real corpus import: {len(sources)} pages in {seconds:.2f} s (target < 10 s); "
        f"{len(summary.warnings)} warnings"
    )


def bench_inheritance() -> None:
    from ladder.inheritance import Node, NodeItem, effective_items

    for depth in (1, 3, 6):
        graph = {}
        for i in range(depth + 1):
            items = [NodeItem(f"Item {i}.{j} with some words") for j in range(20)]
            if i:
                items.insert(0, NodeItem("", extends=[(f"l{i - 1}", None)]))
            graph[f"l{i}"] = Node(f"l{i}", f"Level {i}", {"responsibilities": items})
        times = timed(lambda g=graph, d=depth: effective_items(f"l{d}", g), 200)
        say(
            f"effective items at inheritance depth {depth}: median "
            f"{statistics.median(times) * 1000:.0f} µs ({(depth + 1) * 20} items)"
        )


def page_urls() -> dict[str, str]:
    """One representative URL per page kind, chosen the same way at every corpus size."""
    from django.urls import NoReverseMatch, reverse

    from ladder.models import Level

    # The same family (number 0 of the generator) at every corpus size, so the figures differ
    # by the size of the corpus only, not by which page happened to sort first.
    levels = Level.objects.select_related("family").filter(
        family__source_name__endswith="family-0000.md"
    )
    level, other = levels.order_by("position")[2:4]
    urls = {
        "level page": level.get_absolute_url(),
        "ladder page": level.family.get_absolute_url(),
        "search": "/search/?q=forecast+planning",
    }
    with contextlib.suppress(NoReverseMatch):
        urls["compare partial"] = (
            reverse("ladder:compare") + f"?level={level.key}&level={other.key}"
        )
    return urls


def measure_pages(label: str) -> dict[str, tuple[float, float, int]]:
    from django.core.cache import cache

    # Django clears the query log when each request starts; keep it, so the count is real.
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    request_started.disconnect(reset_queries)
    client = Client()
    results = {}
    for name, url in page_urls().items():
        headers = {"HX-Request": "true"} if "partial" in name else {}
        response = client.get(url, headers=headers)
        if response.status_code != 200:
            say(f"{name} [{label}]: HTTP {response.status_code} for {url}, skipped")
            continue
        # Cold: the page cache emptied before every request, so the view does all its work.
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            client.get(url, headers=headers)

        times = []
        for _ in range(40):
            cache.clear()  # not timed
            start = time.perf_counter()
            client.get(url, headers=headers)
            times.append((time.perf_counter() - start) * 1000)
        results[name] = (statistics.median(times), p95(times), len(ctx.captured_queries))
        warm = timed(lambda u=url, h=headers: client.get(u, headers=h), 40)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url, headers=headers)
        results[f"{name} (warm cache)"] = (
            statistics.median(warm),
            p95(warm),
            len(ctx.captured_queries),
        )
    return results


# One- and three-word queries as people type them: a common word, a rarer one, a prefix.
SEARCHES = {
    "search 1 word": "/search/?q=forecast",
    "search 1 word, prefix": "/search/?q=forec",
    "search 3 words": "/search/?q=forecast+territory+planning",
    "search 3 words, prefix": "/search/?q=pipeline+hygiene+sal",
    "search 3 words, family filter": "/search/?q=forecast+territory+planning&family={family}",
}


def measure_search() -> dict[str, tuple[float, float, int]]:
    """Cold searches (page cache emptied): median, worst and queries of each query."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from ladder.models import JobFamily

    family = JobFamily.objects.filter(source_name__endswith="family-0000.md").get().slug
    client = Client()
    results = {}
    for name, url in SEARCHES.items():
        url = url.format(family=family)
        times = []
        for _ in range(25):
            cache.clear()
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
        assert b'class="result ' in response.content, f"{url} found nothing"
        results[name] = (statistics.median(times), max(times), len(ctx.captured_queries))
    return results


def measure_admin(label: str = "") -> dict[str, tuple[float, float, int]]:
    """Admin › Levels: the changelist, searched, and a level's change form, as a superuser.

    Also says each page's median CPU time (``time.process_time``: this process's share, which
    other work on a shared machine inflates less than the wall clock) and the load average.
    """
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from ladder.models import Level

    user = User.objects.create_superuser("bench-admin", "bench@example.com", "pw")
    client = Client()
    client.force_login(user)
    level = Level.objects.filter(family__source_name__endswith="family-0000.md").first()
    urls = {
        "admin level changelist": "/admin/ladder/level/",
        "admin level changelist, searched": "/admin/ladder/level/?q=forecast",
        "admin level change form": f"/admin/ladder/level/{level.pk}/change/",
    }
    results, cpu = {}, {}
    for name, url in urls.items():
        client.get(url)
        times, cpus = [], []
        for _ in range(7):
            start, start_cpu = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            cpus.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, url
        results[name] = (statistics.median(times), max(times), len(ctx.captured_queries))
        cpu[name.removeprefix("admin level ")] = statistics.median(cpus)
    user.delete()
    say(
        f"admin CPU medians [{label}], load average {os.getloadavg()[0]:.1f}: "
        + ", ".join(f"{name} {ms:.0f} ms" for name, ms in cpu.items())
    )
    return results


# The sections of a size's run, in order; ``--only`` picks some (the import always runs: the
# others measure what it imported).
SECTIONS = ("import", "pages", "search", "matching", "admin")


def bench_sizes(corpus_dirs: dict[int, Path], only: frozenset[str] = frozenset(SECTIONS)) -> None:
    """Import each size, then measure every page kind, search, matching and the admin on it."""
    measured: dict[int, dict[str, tuple[float, float, int]]] = {}
    for n, folder in corpus_dirs.items():
        bench_import(n, folder, runs=2 if n <= 300 and "import" in only else 1)
        _seed_postings()
        measured[n] = {}
        if "pages" in only:
            measured[n].update(measure_pages(f"{n} families"))
        if "search" in only:
            measured[n].update(measure_search())
        if "matching" in only:
            measured[n].update(_measure_matching())
        if "admin" in only:
            measured[n].update(measure_admin(f"{n} families"))
    small_n, large_n = list(corpus_dirs)[:2] if len(corpus_dirs) > 1 else (0, 0)
    if not small_n:
        return
    for name in measured[small_n]:
        if name not in measured[large_n]:
            continue
        small, large = measured[small_n][name], measured[large_n][name]
        spread = "max" if name.startswith(("search", "admin")) else "p95"
        say(
            f"{name}: median {small[0]:.1f} / {large[0]:.1f} ms, {spread} {small[1]:.1f} / "
            f"{large[1]:.1f} ms, queries {small[2]} / {large[2]} at {small_n} / {large_n} "
            f"families (time ratio {large[0] / small[0]:.2f}, queries "
            f"{'equal' if small[2] == large[2] else 'DIFFERENT'})"
        )


def _seed_postings() -> None:
    try:
        from postings.services import Source as PSource
        from postings.services import posting_import
    except ImportError:
        return
    folder = ROOT / "fixtures" / "postings"
    posting_import(sources=[PSource(p.name, p.read_bytes()) for p in sorted(folder.iterdir())])


def _measure_matching() -> dict[str, tuple[float, float, int]]:
    try:
        from postings.models import Posting
        from postings.services import posting_matches
    except ImportError:
        return {}
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ladder.models import Item
    from ladder.services import item_save
    from postings import services

    posting = Posting.objects.order_by("pk").first()
    if posting is None:
        return {}
    times = []
    queries = 0
    for _ in range(2):
        # Nothing cached: the level index is built from every level. The shared cache and
        # this process's own copy both (the copy would answer, and never be published, so
        # an edit's refresh below would find no index to build on).
        cache.clear()
        services._by_version = None
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            posting_matches(posting)
        times.append((time.perf_counter() - start) * 1000)
        queries = len(ctx.captured_queries)
    warm = []
    for _ in range(20):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            posting_matches(posting)
        warm.append((time.perf_counter() - start) * 1000)
    # One family edited through the service: its refresh runs when the edit commits.
    refresh: list[float] = []
    refresh_queries: list[int] = []
    after = []
    item = Item.objects.filter(level__family__source_name__endswith="family-0001.md").first()
    original = services.level_index_refresh
    for n in range(5):

        def timed_refresh(**kwargs) -> bool:
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as refresh_ctx:
                done = original(**kwargs)
            refresh.append((time.perf_counter() - start) * 1000)
            refresh_queries.append(len(refresh_ctx.captured_queries))
            assert done, "the refresh found no index to build on"
            return done

        services.level_index_refresh = timed_refresh
        try:
            item.text = f"Own the forecast review number {n}"
            item_save(item=item)
        finally:
            services.level_index_refresh = original
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as after_ctx:
            posting_matches(posting)
        after.append((time.perf_counter() - start) * 1000)
    return {
        "posting match, index built whole (nothing cached)": (
            statistics.median(times),
            max(times),
            queries,
        ),
        "posting match, index cached": (
            statistics.median(warm),
            p95(warm),
            len(ctx.captured_queries),
        ),
        "matching index refresh of one edited family (at commit)": (
            statistics.median(refresh),
            max(refresh),
            max(refresh_queries),
        ),
        "posting match right after an edit": (
            statistics.median(after),
            max(after),
            len(after_ctx.captured_queries),
        ),
    }


def bench_memory(folder: Path, n: int, every: int = 1) -> None:
    """Peak RSS of a fresh worker process serving every family page and every ``every``-th
    level page of the ``n``-family corpus, then a search and a posting match.

    The import runs in a separate process first: a web worker never imports.
    """
    db = folder / f"mem{n}.sqlite3"
    prelude = f"""
import os, resource, sys
sys.path.insert(0, {str(ROOT)!r}); sys.path.insert(0, {str(ROOT / "bench")!r})
import run
run.setup_django(__import__('pathlib').Path({str(db)!r}))
"""
    load = (
        prelude
        + f"""
from django.core.management import call_command
call_command("migrate", verbosity=0)
from ladder.handbook.sources import collect_sources
from ladder.services import family_import
family_import(sources=collect_sources([{str(folder / str(n))!r}]))
run._seed_postings()
"""
    )
    serve = (
        prelude
        + """
from django.test import Client
from ladder.models import JobFamily, Level

def peak_mb():
    # VmHWM is this process's own peak; ru_maxrss would carry the parent's across exec.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024

client = Client()
# Only the addresses are loaded up front: iterating over full Level rows (each with its
# effective lists) would measure this loop's memory, not the worker's.
urls = [f"/families/{slug}/" for slug in JobFamily.objects.values_list("slug", flat=True)]
urls += [
    f"/families/{family}/{level}/"
    for family, level in Level.objects.values_list("family__slug", "slug")[::EVERY]
]
before = peak_mb()
for url in urls:
    assert client.get(url).status_code == 200, url
pages = peak_mb()
from postings.models import Posting
from postings.services import posting_matches
assert client.get("/search/?q=forecast+territory+planning").status_code == 200
posting_matches(Posting.objects.order_by("pk").first())
print(before, pages, peak_mb(), len(urls))
""".replace("EVERY", str(every))
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    for code in (load, serve):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
        )
        if out.returncode != 0:
            say(f"memory: failed ({out.stderr.strip().splitlines()[-1] if out.stderr else '?'})")
            return
    before, after, matched, pages = (int(x) for x in out.stdout.split()[-4:])
    which = "all" if every == 1 else f"every family and every {every}th level page:"
    say(
        f"memory at {n} families: peak RSS of a worker {after} MB after serving {which} {pages} "
        f"pages (target <= 150 MB at 300; {before} MB after start-up); {matched} MB after "
        "also a search and a posting match (the matching index in memory)"
    )


def calibrate() -> None:
    """A fixed pure-Python loop, so figures from machines of different speed can be compared."""
    start = time.perf_counter()
    sum(i * i for i in range(5_000_000))
    elapsed = (time.perf_counter() - start) * 1000
    say(f"machine speed: a fixed pure-Python loop takes {elapsed:.0f} ms")


def run_postgres(sizes: str, only: str) -> None:
    """The same figures (but memory) from PostgreSQL: this script again, in a throwaway cluster."""
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tests" / "pgcluster.py"),
            "--",
            sys.executable,
            __file__,
            "--quick",
            "--sizes",
            sizes,
            "--only",
            only,
        ],
        capture_output=True,
        text=True,
        timeout=3 * 3600,
        check=False,
    )
    lines = [
        line for line in out.stdout.splitlines() if not line.startswith(("wrote ", "pgcluster:"))
    ]
    if out.returncode != 0:
        tail = (out.stderr.strip().splitlines() or ["?"])[-1]
        lines.append(f"postgresql run failed: {tail}")
    for line in lines:
        say(line)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--save", action="store_true", help="write bench/results/<date>.txt")
    parser.add_argument("--quick", action="store_true", help="skip the memory run")
    parser.add_argument(
        "--postgres", action="store_true", help="then the same figures on a throwaway PostgreSQL"
    )
    parser.add_argument(
        "--sizes", default="300,3000", help="generated corpus sizes, smaller first (300,3000)"
    )
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"sections to run at each size, comma-separated, from {','.join(SECTIONS)} (the "
        "import always runs, once; without 'import' the seed, corpus, inheritance, compare, "
        "matching-quality and memory figures are skipped too)",
    )
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="the same as --only import,pages: the import and the page figures at each size",
    )
    args = parser.parse_args()
    if args.pages_only:
        args.only = "import,pages"
    only = frozenset(args.only.split(","))
    if unknown := only - set(SECTIONS):
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="ladder-bench-"))
    setup_django(workdir / "bench.sqlite3")
    import generate
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, stdout=io.StringIO())
    say(f"Ladder benchmarks, {dt.date.today()}, {connection.vendor}, {os.cpu_count()} cores")
    calibrate()
    sizes = [int(n) for n in args.sizes.split(",")]
    dirs = {}
    for n in sizes:
        generate.main(["--families", str(n), "--out", str(workdir / str(n))])
        dirs[n] = workdir / str(n)
    gc.collect()
    full = only == frozenset(SECTIONS)
    if full:
        bench_seed()
        bench_corpus()
        bench_inheritance()
        for extra in ("bench_compare", "bench_matching"):
            try:
                module = __import__(extra)
                module.run(say)
            except ImportError:
                pass
    bench_sizes(dirs, only)
    if full and not args.quick:
        for n in sizes:
            # Every page at 300; at 3,000 that is 37,000 cold pages: a tenth of the levels.
            bench_memory(workdir, n, every=1 if n <= 300 else 10)
    shutil.rmtree(workdir, ignore_errors=True)
    if args.postgres:
        say("")
        run_postgres(args.sizes, args.only)
    say(f"({time.perf_counter() - started:.0f} s in all)")
    if args.save:
        results = ROOT / "bench" / "results"
        results.mkdir(exist_ok=True)
        # A partial run is saved beside the full figures, never over them.
        suffix = "" if full else "-" + "-".join(s for s in SECTIONS if s in only)
        target = results / f"{dt.date.today()}{suffix}.txt"
        target.write_text("\n".join(LINES) + "\n")
        print(f"saved to {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
