"""Load test: gunicorn + PostgreSQL + whitenoise, 300 families, wrk on loopback.

    python bench/loadtest.py [--seconds 60] [--connections 64] [--profiles cached,cold,edits]
                             [--workers N] [--threads N] [--env NAME=VALUE ...]

Starts a throwaway PostgreSQL cluster, imports a generated 300-family corpus and the seed
postings, serves the app with production settings under gunicorn on 127.0.0.1, and runs wrk
(Debian's package) against a mix of ladder, level, compare, search and posting pages in
three profiles: pages from the page cache, the page cache off (every request cold), and
readers while an HR editor saves one edit a second through the write service; then against
a static file of the same size as a level page (the ceiling). Every request goes to
this machine only, and every run is bounded in time. Prints the figures and writes them to
``bench/results/<date>-loadtest.txt``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.pgcluster import Cluster, free_port  # noqa: E402

LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


PROFILES = ("cached", "cold", "edits")


def production_env(work: Path, name: str) -> dict[str, str]:
    """Settings of a production server on loopback: debug off, no HTTPS redirects, persistent
    connections, and a cache every worker shares (as Redis or Memcached would be) in ``work``."""
    return {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": f"{name}-" + "k" * 60,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_SESSION_COOKIE_SECURE": "0",
        "DJANGO_CSRF_COOKIE_SECURE": "0",
        "DJANGO_CONN_MAX_AGE": "600",
        "DJANGO_CACHE_BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "DJANGO_CACHE_LOCATION": str(work / "cache"),
    }


def run(cmd: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, text=True, **kwargs)


def wrk(url: str, script: Path | None, seconds: int, connections: int) -> dict[str, float]:
    cmd = ["wrk", "--latency", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run(
        [*cmd, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for pct in ("50", "99"):
        match = re.search(rf"\s{pct}(?:\.000)?%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(match.group(1)), match.group(2)
        figures[f"p{pct}"] = (
            value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
        )
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(match.group(1))
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    ):
        errors += sum(int(x) for x in match.groups())
    figures["errors"] = errors
    figures["requests"] = float(re.search(r"(\d+) requests in", out).group(1))
    return figures


# Each request's time inside the worker (ms) and its path: set against wrk's latency, it tells
# time spent serving from time spent waiting for a worker's thread.
ACCESS_FORMAT = "%(M)s %(U)s"


def serve(
    py: str, env: dict[str, str], port: int, workers: str, log, threads: int = 4
) -> subprocess.Popen:
    """gunicorn on 127.0.0.1:port, once it answers; its access log beside ``log``."""
    server = subprocess.Popen(
        [
            str(Path(py).parent / "gunicorn"),
            "ladder.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            workers,
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--access-logfile",
            str(Path(log.name).with_name("access.log")),
            "--access-logformat",
            ACCESS_FORMAT,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        # A file, not a pipe: nobody reads a pipe, and a full one blocks the workers.
        stderr=log,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read()
            return server
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("loadtest: gunicorn did not come up") from None
            time.sleep(0.3)


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def served(access: Path, since: int) -> dict[str, float]:
    """Median and p99 of the milliseconds the workers spent on the page requests logged after
    byte ``since`` of the access log (none: an empty dict)."""
    with access.open("rb") as log:
        log.seek(since)
        data = log.read()
    times = sorted(
        int(line.split()[0])
        for line in data.decode().splitlines()
        if line[:1].isdigit() and " /static/" not in line
    )
    if not times:
        return {}
    figures = {
        "p50": times[len(times) // 2],
        "p99": times[min(len(times) - 1, int(0.99 * len(times)))],
    }
    return figures


def warm(base: str, paths: list[str]) -> None:
    for path in paths:
        urllib.request.urlopen(base + path, timeout=30).read()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--families", type=int, default=300)
    parser.add_argument(
        "--workers", type=int, default=0, help="gunicorn workers (default: 2 x cores + 1)"
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--profiles",
        default=",".join(PROFILES),
        help="some of the profiles (cached, cold, edits); a partial run saves to "
        "<date>-loadtest-<profiles>.txt",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for the app servers (e.g. LADDER_PAGE_RENDER_WAIT_SECONDS=0), repeatable",
    )
    args = parser.parse_args()
    chosen = [p.strip() for p in args.profiles.split(",") if p.strip()]
    if unknown := set(chosen) - set(PROFILES):
        parser.error(f"unknown profiles: {', '.join(sorted(unknown))}")
    extra = dict(pair.split("=", 1) for pair in args.env)
    if not shutil.which("wrk"):
        print("loadtest: wrk is missing (make loadtest installs Debian's wrk)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="ladder-load-"))
    cluster = Cluster()
    server = None
    try:
        cluster.init()
        cluster.start()
        cluster.create_database()
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": cluster.url,
            **production_env(work, "loadtest"),
            **extra,
        }
        py = sys.executable
        run([py, "manage.py", "migrate", "--noinput", "-v0"], env)
        run(
            [py, "bench/generate.py", "--families", str(args.families), "--out", str(work)],
            env,
            capture_output=True,
        )
        run([py, "manage.py", "import_handbook", str(work)], env, capture_output=True)
        run([py, "manage.py", "import_postings", "fixtures/postings"], env, capture_output=True)
        run([py, "manage.py", "collectstatic", "--noinput", "-v0"], env)
        listed = run(
            [py, "manage.py", "shell", "--no-imports", "-c", PATHS_SNIPPET],
            env,
            capture_output=True,
        ).stdout.split()
        level_size = next(int(word) for word in listed if word.isdigit())
        paths = [word for word in listed if word.startswith("/")]
        # The ceiling: whitenoise serving a file the size of a level page. It must exist
        # before gunicorn starts (whitenoise indexes the static root at start-up).
        static_file = ROOT / "staticfiles" / "loadtest-same-size.html"
        static_file.write_bytes(b"x" * level_size)
        workers = str(args.workers or 2 * (os.cpu_count() or 1) + 1)
        base = f"http://127.0.0.1:{port}"
        log = open(work / "gunicorn.log", "w")  # noqa: SIM115 - closed with the work folder
        server = serve(py, env, port, workers, log, args.threads)
        # Warm every page once (as a real site would be after its first visitors).
        warm(base, paths)
        static_seconds = min(args.seconds, 30)
        script = work / "paths.lua"
        script.write_text(LUA % ", ".join(f'"{p}"' for p in paths))
        lines = [
            f"Load test {dt.date.today()}: gunicorn {workers} workers x {args.threads} threads, "
            "PostgreSQL, "
            f"{args.families} families, {len(paths)} URLs, wrk {args.connections} connections "
            f"for {args.seconds} s per profile on 127.0.0.1"
            + "".join(f"; {name}={value}" for name, value in extra.items())
        ]
        # The ceiling is measured before and after the dynamic runs and the higher figure
        # kept, so a slow moment of the machine cannot flatter the ratios.
        statics = [
            wrk(base + "/static/loadtest-same-size.html", None, static_seconds, args.connections)
        ]
        profiles: dict[str, dict[str, float]] = {}
        in_app: dict[str, dict[str, float]] = {}
        access = work / "access.log"
        edits: list[str] = []
        if "cached" in chosen:
            # 1. Today's mix, pages served from the page cache after the warm-up.
            start = access.stat().st_size
            profiles["cached pages"] = wrk(base + "/", script, args.seconds, args.connections)
            in_app["cached pages"] = served(access, start)
        if "cold" in chosen:
            # 2. The same mix with the page cache off: every request renders its page.
            stop(server)
            server = serve(
                py, {**env, "LADDER_PAGE_CACHE_SECONDS": "0"}, port, workers, log, args.threads
            )
            start = access.stat().st_size
            profiles["page cache off (every request cold)"] = wrk(
                base + "/", script, args.seconds, args.connections
            )
            in_app["page cache off (every request cold)"] = served(access, start)
        if "edits" in chosen:
            # 3. Readers plus one HR edit a second through the write service: each edit
            # changes the content version, so readers find cold pages right after it.
            stop(server)
            server = serve(py, env, port, workers, log, args.threads)
            warm(base, paths)
            editor = subprocess.Popen(
                [py, "manage.py", "shell", "--no-imports", "-c", EDITOR_SNIPPET % args.seconds],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
            start = access.stat().st_size
            profiles["64 readers + 1 edit/s"] = wrk(
                base + "/", script, args.seconds, args.connections
            )
            in_app["64 readers + 1 edit/s"] = served(access, start)
            edits = (editor.communicate(timeout=120)[0] or "").split()
        statics.append(
            wrk(base + "/static/loadtest-same-size.html", None, static_seconds, args.connections)
        )
        static = max(statics, key=lambda figures: figures["rps"])
        before, after = (figures["rps"] for figures in statics)
        lines.append(
            f"static file of {level_size} bytes (ceiling, best of {before:.0f} before and "
            f"{after:.0f} after): {static['rps']:.0f} req/s, "
            f"p50 {static['p50']:.1f} ms, p99 {static['p99']:.1f} ms, "
            f"{int(static['errors'])} errors"
        )
        for name, dynamic in profiles.items():
            ratio = dynamic["rps"] / static["rps"]
            lines.append(
                f"{name}: {dynamic['rps']:.0f} req/s, p50 {dynamic['p50']:.1f} ms, "
                f"p99 {dynamic['p99']:.1f} ms, {int(dynamic['errors'])} errors in "
                f"{int(dynamic['requests'])} requests; dynamic / static {ratio:.2f}"
                + (" (target >= 0.5)" if "edit" in name or "cached" in name else "")
                + f"; p99 < 250 ms {'met' if dynamic['p99'] < 250 else 'MISSED'}"
                + f"; 0 errors {'met' if dynamic['errors'] == 0 else 'MISSED'}"
                + (
                    f"; time in the app p50 {in_app[name]['p50']:.0f} ms, "
                    f"p99 {in_app[name]['p99']:.0f} ms (the rest is waiting for a thread)"
                    if in_app.get(name)
                    else ""
                )
            )
        if "edits" in chosen and len(edits) >= 3:
            done, median, worst = int(edits[0]), float(edits[1]), float(edits[2])
            lines.append(
                f"edits during the last profile: {done} through item_save (one item "
                f"text each, a different family each time), median {median:.0f} ms, "
                f"worst {worst:.0f} ms per edit"
            )
        elif "edits" in chosen:
            lines.append("edits during the last profile: the editor failed (see gunicorn.log)")
        for line in lines:
            print(line, flush=True)
        errors = [
            line
            for line in (work / "gunicorn.log").read_text().splitlines()
            if "Error" in line or "Traceback" in line
        ]
        if errors:
            print("gunicorn errors (first 5):", *errors[:5], sep="\n  ")
        results = ROOT / "bench" / "results"
        results.mkdir(exist_ok=True)
        suffix = "" if set(chosen) == set(PROFILES) else "-" + "-".join(chosen)
        (results / f"{dt.date.today()}-loadtest{suffix}.txt").write_text("\n".join(lines) + "\n")
        static_file.unlink(missing_ok=True)
        return 0
    finally:
        if server is not None:
            stop(server)
        cluster.stop("immediate")
        cluster.remove()
        shutil.rmtree(work, ignore_errors=True)


PATHS_SNIPPET = """
from ladder.models import JobFamily, Level
from postings.models import Posting
paths = []
levels = list(Level.objects.select_related("family").order_by("family__slug", "position")[:400])
for family in JobFamily.objects.order_by("slug")[:100]:
    paths.append(family.get_absolute_url())
for level in levels[:200]:
    paths.append(level.get_absolute_url())
for a, b in zip(levels[0:100:2], levels[1:100:2]):
    paths.append(f"/compare/?level={a.key}&level={b.key}")
for word in ["forecast", "planning", "pipeline", "coach", "quote to cash", "vendor"]:
    paths.append("/search/?q=" + word.replace(" ", "+"))
for posting in Posting.objects.all():
    paths.append(posting.get_absolute_url())
from django.test import Client
page = Client(HTTP_HOST="127.0.0.1").get(levels[0].get_absolute_url(), secure=False)
print(len(page.content))
print("\\n".join(paths))
"""

# An HR editor: one item text changed a second through the write service, each time in
# another family among those the readers visit, for the length of a wrk run. Prints the
# number of edits and the median and worst milliseconds one took.
EDITOR_SNIPPET = """
import statistics, time
from ladder.models import Item, JobFamily
from ladder.services import item_save
seconds = %d
visited = JobFamily.objects.order_by("slug")[:100]  # the families the readers' URLs show
items = list(Item.objects.filter(level__family__in=visited).exclude(text="")
             .select_related("level__family").order_by("level__family__slug", "id"))
items = items[::max(1, len(items) // (seconds + 5))]
took = []
start = time.monotonic()
n = 0
while time.monotonic() - start < seconds and n < len(items):
    tick = time.monotonic()
    item = items[n]
    item.text = item.text.rstrip(".") + " (edited)"
    item_save(item=item, reason="load test")
    took.append((time.monotonic() - tick) * 1000)
    n += 1
    time.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
print(n, statistics.median(took) if took else 0, max(took) if took else 0)
"""


if __name__ == "__main__":
    sys.exit(main())
