"""A company's deployment on loopback, and the checks that prove it (``make cluster``).

    python bench/cluster.py [--pairs 1000] [--connections 16]

Starts, all on 127.0.0.1 and all in one temporary directory: a throwaway PostgreSQL cluster
(tests/pgcluster.py), Redis (``redis-server``, no persistence), two gunicorn app nodes A and B,
nginx balancing them, and the task worker (``manage.py db_worker`` when the tasks backend is
installed). Settings are the README's: ``DJANGO_CACHE_BACKEND=…RedisCache`` with redis-py and
hiredis, production mode, nginx named as the trusted proxy.

Then, under a steady read load (wrk through nginx), it measures:

1. stale reads: an item edited in the admin through node A, then its level page read from node
   B straight away, as a visitor; ``--pairs`` times. Every read must show the edit.
2. node A killed (SIGKILL to its whole process group) mid-load: failed requests and the
   seconds from the kill to the last error, then A is started again.
3. Redis stopped for 10 s mid-load: 5xx count, p99, and cache hits after Redis is back.
4. PostgreSQL restarted mid-load: 503 answers during the outage, other 5xx, the seconds until
   every answer is 200 again, without touching the app nodes.

A probe thread requests a page through nginx every 20 ms during phases 2–4 and keeps each
answer's time and status: that gives the timelines wrk cannot. Figures are printed and saved
to ``bench/results/<date>-cluster.txt``. Ctrl-C (or SIGTERM) stops everything it started.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import html.parser
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.pgcluster import Cluster, free_port  # noqa: E402

PY = sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")
ADMIN = ("cluster-admin", "cluster-check-passphrase-1")

NGINX_CONF = """
worker_processes 1;
error_log {root}/nginx-error.log warn;
pid {root}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {root}/nginx-tmp/body;
    proxy_temp_path {root}/nginx-tmp/proxy;
    fastcgi_temp_path {root}/nginx-tmp/fastcgi;
    uwsgi_temp_path {root}/nginx-tmp/uwsgi;
    scgi_temp_path {root}/nginx-tmp/scgi;
    upstream ladder {{
        # A node that refuses connections is skipped for 5 s, then tried again.
        server 127.0.0.1:{port_a} max_fails=1 fail_timeout=5s;
        server 127.0.0.1:{port_b} max_fails=1 fail_timeout=5s;
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://ladder;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            # A GET that fails on a dead node is retried on the other one; a 503 from a live
            # node (its database is down) is an answer, not a failure, and is passed on.
            proxy_next_upstream error timeout;
            proxy_connect_timeout 1s;
            proxy_read_timeout 30s;
        }}
    }}
}}
"""

# Requests cycle through the paths; every answer's status is counted, so a 503 (database down,
# expected) and a 502 or 500 (never expected) can be told apart.
LUA = """
local paths = {%s}
local i = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) counts = {} end
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
-- Each connection is a visitor who reads a page, then pauses: a steady load, not a flood.
delay = function() return %d end
response = function(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end
done = function(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do total[status] = (total[status] or 0) + n end
  end
  for status, n in pairs(total) do io.write(string.format("status %%d: %%d\\n", status, n)) end
end
"""

PATHS_SNIPPET = """
from ladder.models import Item, JobFamily, Level
from postings.models import Posting
levels = list(Level.objects.select_related("family").order_by("family__slug", "position")[:400])
paths = ["/", "/postings/"]
paths += [family.get_absolute_url() for family in JobFamily.objects.order_by("slug")[:60]]
paths += [level.get_absolute_url() for level in levels[:200]]
for a, b in zip(levels[0:100:2], levels[1:100:2]):
    paths.append(f"/compare/?level={a.key}&level={b.key}")
for word in ["forecast", "planning", "pipeline", "coach", "quote to cash", "vendor"]:
    paths.append("/search/?q=" + word.replace(" ", "+"))
paths += [posting.get_absolute_url() for posting in Posting.objects.all()]
item = (
    Item.objects.filter(level__family__slug="sales-operations", extends_level__isnull=True)
    .filter(parent__isnull=True)
    .exclude(text="")
    .select_related("level")
    .order_by("level__position", "section", "position")
    .first()
)
print("ITEM", item.pk, item.level.get_absolute_url())
print("\\n".join(paths))
"""


@dataclass
class Probe:
    """GET through nginx every 20 ms; keeps (time, status) with status 0 for a failed request."""

    port: int
    paths: list[str]
    # (start, status, milliseconds, path)
    samples: list[tuple[float, int, float, str]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(10)

    def _run(self) -> None:
        i = 0
        while not self._stop.is_set():
            path = self.paths[i % len(self.paths)]
            i += 1
            started = time.monotonic()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", path)
                status = conn.getresponse().status
                conn.close()
            except OSError:
                status = 0
            self.samples.append((started, status, (time.monotonic() - started) * 1000, path))
            time.sleep(max(0.0, 0.02 - (time.monotonic() - started)))

    def between(self, start: float, end: float) -> list[tuple[float, int]]:
        return [(t, s) for t, s, _, _ in self.samples if start <= t <= end]

    def p99(self, start: float, end: float) -> float:
        times = sorted(ms for t, _, ms, _ in self.samples if start <= t <= end)
        return times[min(len(times) - 1, int(len(times) * 0.99))] if times else 0.0

    def by_kind(self, start: float, end: float) -> str:
        """Where the time went: per kind of page, answers, median and slowest; then the
        slowest requests themselves (a p99 over 500 ms is explained by these)."""
        kinds: dict[str, list[float]] = {}
        window = [(ms, path) for t, _, ms, path in self.samples if start <= t <= end]
        for ms, path in window:
            kinds.setdefault(page_kind(path), []).append(ms)
        parts = []
        for kind, times in sorted(kinds.items(), key=lambda kv: -max(kv[1])):
            times.sort()
            parts.append(
                f"{kind} {len(times)}x p50 {times[len(times) // 2]:.0f} max {times[-1]:.0f} ms"
            )
        slowest = sorted(window, reverse=True)[:5]
        return (
            "; ".join(parts) + " | slowest: " + ", ".join(f"{p} {ms:.0f} ms" for ms, p in slowest)
        )


def page_kind(path: str) -> str:
    """The view a path reaches, for the per-kind timings."""
    if path == "/":
        return "home"
    if path.startswith("/postings/"):
        return "posting list" if path == "/postings/" else "posting"
    for prefix, kind in (("/compare/", "compare"), ("/search/", "search")):
        if path.startswith(prefix):
            return kind
    depth = len([part for part in path.split("?")[0].split("/") if part])
    return {2: "family", 3: "level"}.get(depth, "other")


class FormValues(html.parser.HTMLParser):
    """The values a browser would submit from the admin's change form."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.values[name] = a.get("value", "on" if a.get("type") == "checkbox" else "")
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


class Deployment:
    """Every process of the deployment, started and stopped by this object."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.pg = Cluster()
        self.redis_port = free_port()
        self.ports = {"A": free_port(), "B": free_port()}
        self.nginx_port = free_port()
        self.nodes: dict[str, subprocess.Popen] = {}
        self.redis: subprocess.Popen | None = None
        self.nginx: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.worker_exits = 0
        self.pg_stopped = False
        self.stopping = threading.Event()
        self.logs: list = []

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.pg.url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "cluster-check-" + "s" * 60,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "DJANGO_SESSION_COOKIE_SECURE": "0",
            "DJANGO_CSRF_COOKIE_SECURE": "0",
            "DJANGO_CONN_MAX_AGE": "600",
            "DJANGO_CACHE_BACKEND": "django.core.cache.backends.redis.RedisCache",
            "DJANGO_CACHE_LOCATION": f"redis://127.0.0.1:{self.redis_port}/0",
            "LADDER_TRUSTED_PROXIES": "127.0.0.1",
            "DJANGO_SUPERUSER_USERNAME": ADMIN[0],
            "DJANGO_SUPERUSER_PASSWORD": ADMIN[1],
            "DJANGO_SUPERUSER_EMAIL": "cluster@example.org",
        }

    def _log(self, name: str):
        handle = open(self.work / f"{name}.log", "a")  # noqa: SIM115 - closed in stop()
        self.logs.append(handle)
        return handle

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [PY, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.work),
            ],
            stdout=self._log("redis"),
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.redis_port, "Redis", self.redis)

    def stop_redis(self) -> None:
        if self.redis and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(10)

    def start_node(self, name: str) -> None:
        self.nodes[name] = subprocess.Popen(
            [
                GUNICORN,
                "ladder.wsgi",
                "-b",
                f"127.0.0.1:{self.ports[name]}",
                "-w",
                "2",
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--access-logfile",
                "/dev/null",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self._log(f"node-{name}"),
            # Its own process group, so a kill takes the master and its workers at once,
            # as a machine dying would.
            start_new_session=True,
        )
        wait_for_http(self.ports[name], f"node {name}", proc=self.nodes[name])

    def heal(self) -> None:
        """Start again whatever a check stopped and did not bring back (it failed midway)."""
        if self.pg_stopped:
            self.pg.start()
            self.pg_stopped = False
        if self.redis is None or self.redis.poll() is not None:
            self.start_redis()
        for name, node in self.nodes.items():
            if node.poll() is not None:
                self.start_node(name)

    def kill_node(self, name: str) -> None:
        os.killpg(self.nodes[name].pid, signal.SIGKILL)
        self.nodes[name].wait(10)

    def start_nginx(self) -> None:
        (self.work / "nginx-tmp").mkdir(exist_ok=True)
        # nginx workers run as an unprivileged user and buffer large answers here.
        os.chmod(self.work, 0o755)
        os.chmod(self.work / "nginx-tmp", 0o777)
        conf = self.work / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                root=self.work,
                port=self.nginx_port,
                port_a=self.ports["A"],
                port_b=self.ports["B"],
            )
        )
        self.nginx = subprocess.Popen(
            [nginx_binary(), "-p", str(self.work), "-c", str(conf), "-g", "daemon off;"],
            stdout=self._log("nginx"),
            stderr=subprocess.STDOUT,
        )
        wait_for_http(self.nginx_port, "nginx", proc=self.nginx)

    def start_worker(self) -> bool:
        probe = subprocess.run(
            [PY, "manage.py", "help", "db_worker"],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
        )
        if probe.returncode != 0:
            return False
        self._spawn_worker()
        threading.Thread(target=self._supervise_worker, daemon=True).start()
        return True

    def _spawn_worker(self) -> None:
        self.worker = subprocess.Popen(
            [PY, "manage.py", "db_worker"],
            cwd=ROOT,
            env=self.env,
            stdout=self._log("worker"),
            stderr=subprocess.STDOUT,
        )

    def _supervise_worker(self) -> None:
        """Start the worker again whenever it exits, as systemd's Restart=always does:
        db_worker exits when the database goes away."""
        while not self.stopping.is_set():
            if self.worker.poll() is not None and not self.stopping.is_set():
                self.worker_exits += 1
                time.sleep(1)
                self._spawn_worker()
            time.sleep(0.5)

    def stop(self) -> None:
        """Stop everything; each step on its own, so one that fails leaves no other running."""
        self.stopping.set()
        for proc in [self.worker, self.nginx, *self.nodes.values()]:
            if proc is not None and proc.poll() is None:
                try:
                    if proc in self.nodes.values():
                        os.killpg(proc.pid, signal.SIGTERM)
                    else:
                        proc.terminate()
                    proc.wait(20)
                except (subprocess.TimeoutExpired, ProcessLookupError):
                    if proc in self.nodes.values():
                        with contextlib.suppress(ProcessLookupError):
                            os.killpg(proc.pid, signal.SIGKILL)
                    proc.kill()
        try:
            self.stop_redis()
        except subprocess.TimeoutExpired:
            self.redis.kill()
        try:
            self.pg.stop("immediate")
        finally:
            self.pg.remove()
            for handle in self.logs:
                handle.close()


def nginx_binary() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


def _ours(proc: subprocess.Popen | None, what: str, port: int) -> None:
    """The answer came from the process just started, not from another program that took the
    port meanwhile (ours then exits: it could not listen)."""
    if proc is not None:
        time.sleep(0.3)
        if proc.poll() is not None:
            raise PortTaken(f"{what} exited at start: port {port} is taken by another program")


def wait_for_port(
    port: int, what: str, proc: subprocess.Popen | None = None, seconds: float = 30
) -> None:
    import socket

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise PortTaken(f"{what} exited at start (port {port} taken?)")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                _ours(proc, what, port)
                return
        time.sleep(0.1)
    raise CheckFailed(f"{what} did not start on port {port}")


def on_a_free_port(start, attribute: tuple[object, str, str | None], tries: int = 3) -> None:
    """``start()``; when the port picked at set-up was taken meanwhile (another cluster or
    test run on this machine), again on a new free port. Only for a first start: a restart
    must keep its port, nginx names it."""
    owner, name, key = attribute
    for attempt in range(tries):
        try:
            start()
            return
        except PortTaken:
            if attempt == tries - 1:
                raise
            if key is None:
                setattr(owner, name, free_port())
            else:
                getattr(owner, name)[key] = free_port()


class CheckFailed(Exception):
    """The deployment did not do what a check needs; the logs say why."""


class PortTaken(CheckFailed):
    """A process could not listen on its port: another program has it."""


def wait_for_http(
    port: int,
    what: str,
    path: str = "/healthz",
    seconds: float = 60,
    proc: subprocess.Popen | None = None,
) -> None:
    deadline = time.monotonic() + seconds
    last = "no answer"
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise PortTaken(f"{what} exited at start (port {port} taken?)")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path)
            status = conn.getresponse().status
            if status == 200:
                _ours(proc, what, port)
                return
            last = f"status {status}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.2)
    raise CheckFailed(f"{what} did not answer {path} with 200 on port {port} ({last})")


# wrk runs still going: a check that fails midway leaves its load behind otherwise.
_loads: list[subprocess.Popen] = []


def stop_all_wrk() -> None:
    while _loads:
        proc = _loads.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def start_wrk(port: int, script: Path, connections: int, seconds: int = 600) -> subprocess.Popen:
    """wrk in the background until interrupted (or ``seconds``); ``finish_wrk`` reads it."""
    proc = subprocess.Popen(
        [
            "wrk",
            "--latency",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _loads.append(proc)
    return proc


def finish_wrk(proc: subprocess.Popen, interrupt: bool = True) -> dict:
    if interrupt:
        proc.send_signal(signal.SIGINT)  # wrk stops and prints its figures
    out, _ = proc.communicate(timeout=660)
    if proc in _loads:
        _loads.remove(proc)
    return parse_wrk(out)


def parse_wrk(out: str) -> dict:
    figures: dict = {
        "requests": float(re.search(r"(\d+) requests in", out).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
    }
    for pct in ("50", "99"):
        match = re.search(rf"\s{pct}(?:\.000)?%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(match.group(1)), match.group(2)
        figures[f"p{pct}"] = (
            value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
        )
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    figures["non2xx"] = int(match.group(1)) if match else 0
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    figures["socket_errors"] = sum(int(x) for x in match.groups()) if match else 0
    figures["socket_detail"] = match.group(0).removeprefix("Socket errors: ") if match else "none"
    statuses = {int(code): int(n) for code, n in re.findall(r"status (\d+): (\d+)", out)}
    figures["5xx"] = sum(n for code, n in statuses.items() if code >= 500)
    figures["503"] = statuses.get(503, 0)
    return figures


def redis_hits(port: int) -> int:
    import redis

    return int(redis.Redis(port=port, socket_timeout=2).info("stats")["keyspace_hits"])


def admin_session(port: int):
    import requests

    session = requests.Session()
    base = f"http://127.0.0.1:{port}"
    login = session.get(f"{base}/admin/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    answer = session.post(
        f"{base}/admin/login/?next=/admin/",
        data={"username": ADMIN[0], "password": ADMIN[1], "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=10,
    )
    if answer.status_code != 302:
        raise CheckFailed("could not sign in to the admin on node A")
    return session


def phase_stale_reads(
    deployment: Deployment, item_id: int, level_url: str, pairs: int, lines: list[str]
) -> None:
    session = admin_session(deployment.ports["A"])
    change = f"http://127.0.0.1:{deployment.ports['A']}/admin/ladder/item/{item_id}/change/"
    form = FormValues()
    form.feed(session.get(change, timeout=10).text)
    data = dict(form.values)
    original = data["text"]
    node_b = http.client.HTTPConnection("127.0.0.1", deployment.ports["B"], timeout=10)
    stale = failed_edits = 0
    edit_ms: list[float] = []
    started = time.monotonic()
    for i in range(1, pairs + 1):
        marker = f"(cluster edit {i})"
        data["text"] = f"{original} {marker}"
        t0 = time.monotonic()
        answer = session.post(change, data={**data, "_save": "Save"}, allow_redirects=False)
        edit_ms.append((time.monotonic() - t0) * 1000)
        if answer.status_code != 302:
            failed_edits += 1
            continue
        # The very next request, to the other node, as a visitor (the page cache's path). A
        # keep-alive connection node B closed while idle (gunicorn's keepalive is 2 s) is
        # opened again: that is not a failed read.
        try:
            node_b.request("GET", level_url)
            page = node_b.getresponse().read().decode()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            node_b.close()
            node_b = http.client.HTTPConnection("127.0.0.1", deployment.ports["B"], timeout=10)
            node_b.request("GET", level_url)
            page = node_b.getresponse().read().decode()
        if marker not in page:
            stale += 1
    seconds = time.monotonic() - started
    edit_ms.sort()
    lines.append(
        f"1. stale reads: {stale} of {pairs - failed_edits} edit-then-read pairs "
        f"(edit saved in the admin through node A, level page read from node B at once, as a "
        f"visitor); {failed_edits} edits refused; {seconds:.0f} s, edit median "
        f"{edit_ms[len(edit_ms) // 2]:.0f} ms"
    )
    data["text"] = original
    session.post(change, data={**data, "_save": "Save"}, allow_redirects=False)


def phase_node_kill(
    deployment: Deployment, script: Path, connections: int, probe: Probe, lines: list[str]
) -> None:
    load = start_wrk(deployment.nginx_port, script, connections)
    time.sleep(3)
    killed_at = time.monotonic()
    deployment.kill_node("A")
    time.sleep(5)
    figures = finish_wrk(load)
    end = time.monotonic()
    errors = [t for t, s in probe.between(killed_at - 0.5, end) if s == 0 or s >= 500]
    recovery = f"{max(errors) - killed_at:.2f} s" if errors else "0 s (no error seen)"
    lines.append(
        f"2. node A killed (SIGKILL) mid-load: {figures['non2xx'] + figures['socket_errors']:.0f} "
        f"failed requests of {figures['requests']:.0f} through nginx ({figures['non2xx']:.0f} "
        f"non-2xx, {figures['socket_errors']:.0f} socket errors; at most {connections} were in "
        f"flight); errors stopped {recovery} after the kill; p99 {figures['p99']:.0f} ms"
    )
    deployment.start_node("A")


def phase_redis_outage(
    deployment: Deployment, script: Path, connections: int, probe: Probe, lines: list[str]
) -> None:
    load = start_wrk(deployment.nginx_port, script, connections)
    time.sleep(3)
    down_at = time.monotonic()
    deployment.stop_redis()
    time.sleep(10)
    deployment.start_redis()
    up_at = time.monotonic()
    hits_before = redis_hits(deployment.redis_port)
    time.sleep(3)
    hits_after = redis_hits(deployment.redis_port)
    figures = finish_wrk(load)
    during = probe.between(down_at, up_at)
    fives = sum(1 for _, s in during if s >= 500 or s == 0)
    outage_p99 = probe.p99(down_at, up_at)
    clean = figures["5xx"] + figures["socket_errors"] + fives == 0
    verdict = "met" if max(outage_p99, figures["p99"]) < 500 and clean else "MISSED"
    lines.append(
        f"3. Redis stopped for 10 s mid-load: wrk {figures['5xx']:.0f} answers 5xx and "
        f"{figures['socket_errors']:.0f} socket errors of {figures['requests']:.0f} requests, "
        f"p50 {figures['p50']:.0f} ms, p99 {figures['p99']:.0f} ms over the 16 s; probe during "
        f"the outage {len(during)} requests, {fives} errors, p99 {outage_p99:.0f} ms (p99 < 500 "
        f"ms and no 5xx: {verdict}); Redis back: {hits_after - hits_before} cache hits in the "
        f"next 3 s; probe during the outage by page: {probe.by_kind(down_at, up_at)}"
    )


def phase_postgres_restart(
    deployment: Deployment, script: Path, connections: int, probe: Probe, lines: list[str]
) -> None:
    load = start_wrk(deployment.nginx_port, script, connections)
    time.sleep(3)
    down_at = time.monotonic()
    deployment.pg_stopped = True
    deployment.pg.stop("fast")
    time.sleep(3)
    deployment.pg.start()
    deployment.pg_stopped = False
    up_at = time.monotonic()
    time.sleep(5)
    figures = finish_wrk(load)
    end = time.monotonic()
    window = probe.between(down_at, end)
    by_status: dict[int, int] = {}
    for _, status in window:
        by_status[status] = by_status.get(status, 0) + 1
    bad = [t for t, s in window if s != 200]
    last_error = f"last one {max(bad) - down_at:.1f} s after the stop" if bad else "none seen"
    others = sum(n for s, n in by_status.items() if s not in (200, 503))
    tail = probe.between(end - 2, end)
    lines.append(
        f"4. PostgreSQL restarted mid-load (down {up_at - down_at:.1f} s, app nodes untouched): "
        f"wrk {figures['503']:.0f} answers 503, {figures['5xx'] - figures['503']:.0f} other "
        f"5xx, {figures['socket_errors']:.0f} socket errors of {figures['requests']:.0f}; "
        f"probe {by_status.get(503, 0)} answers 503, {by_status.get(200, 0)} answers 200 "
        f"(pages in the cache), {others} other errors, {last_error}; in the last 2 s "
        f"{sum(1 for _, s in tail if s == 200)} of {len(tail)} answers 200"
    )


def print_log_tails(work: Path) -> None:
    for log in sorted(work.glob("*.log")):
        tail = log.read_text(errors="replace").splitlines()[-15:]
        if tail:
            print(f"--- {log.name} (last lines)", *tail, sep="\n", file=sys.stderr)


def run_phase(label: str, phase, deployment: Deployment, lines: list[str]) -> bool:
    """Run one check; if it fails, its line says so and the deployment is put back together
    (node A, Redis, PostgreSQL running) so that the next check still measures something."""
    count = len(lines)
    try:
        phase()
        ok = True
    except Exception as exc:  # noqa: BLE001 - one failed check must not hide the others
        del lines[count:]
        lines.append(f"{label}: FAILED ({type(exc).__name__}: {exc})")
        print_log_tails(deployment.work)
        stop_all_wrk()
        ok = False
    try:
        deployment.heal()
    except Exception as exc:  # noqa: BLE001 - reported; the next check will fail and say so
        lines[-1] += f" (could not restore the deployment afterwards: {exc})"
    lines[-1] += f" [load average {os.getloadavg()[0]:.1f}]"
    print(lines[-1], flush=True)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--families", type=int, default=30)
    # A steady load, below what two cores can render without the cache (the Redis phase).
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--pause-ms", type=int, default=40)
    args = parser.parse_args()
    for tool in ("redis-server", "wrk"):
        if not shutil.which(tool):
            print(f"cluster: {tool} is missing (make cluster installs it)", file=sys.stderr)
            return 2
    if not Path(nginx_binary()).exists():
        print("cluster: nginx is missing (make cluster installs nginx-light)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="ladder-cluster-"))
    deployment = Deployment(work)
    # Ctrl-C and SIGTERM end the run through the finally block below, which stops everything.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        deployment.pg.init()
        deployment.pg.start()
        deployment.pg.create_database()
        on_a_free_port(deployment.start_redis, (deployment, "redis_port", None))
        deployment.manage("migrate", "--noinput", "-v0")
        deployment.manage("import_handbook", "fixtures/handbook")
        # A ladder of a company's size beside the seed: generated families (bench/generate.py).
        subprocess.run(
            [
                PY,
                "bench/generate.py",
                "--families",
                str(args.families),
                "--out",
                str(work / "corpus"),
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        deployment.manage("import_handbook", str(work / "corpus"))
        deployment.manage("import_postings", "fixtures/postings")
        deployment.manage("collectstatic", "--noinput", "-v0")
        deployment.manage("createsuperuser", "--noinput")
        listed = deployment.manage("shell", "--no-imports", "-c", PATHS_SNIPPET).split("\n")
        _, item_id, level_url = next(line for line in listed if line.startswith("ITEM")).split()
        paths = [line for line in listed if line.startswith("/")]
        for name in ("A", "B"):
            on_a_free_port(
                lambda name=name: deployment.start_node(name), (deployment, "ports", name)
            )
        on_a_free_port(deployment.start_nginx, (deployment, "nginx_port", None))
        has_worker = deployment.start_worker()
        for path in paths:  # warm the page cache, as a live site is
            wait_for_http(deployment.nginx_port, "nginx", path=path, seconds=30)
        script = work / "paths.lua"
        script.write_text(LUA % (", ".join(f'"{p}"' for p in paths), args.pause_ms))
        lines = [
            f"Cluster check {dt.date.today()}: PostgreSQL, Redis (redis-py + hiredis), nginx "
            f"balancing 2 gunicorn nodes (2 workers x 4 threads each), "
            f"{'1 task worker (db_worker)' if has_worker else 'no task worker (no db_worker)'}"
            f"; seed handbook + {args.families} generated families, {len(paths)} URLs; "
            f"wrk {args.connections} connections through nginx, each pausing {args.pause_ms} ms "
            f"between pages, all on 127.0.0.1 "
            f"({os.cpu_count()} cores, shared: the load average after each line counts every "
            f"process on the machine)"
        ]
        steady = finish_wrk(
            start_wrk(deployment.nginx_port, script, args.connections, seconds=3), interrupt=False
        )
        lines.append(
            f"0. steady read load through nginx: {steady['rps']:.0f} req/s, p50 "
            f"{steady['p50']:.1f} ms, p99 {steady['p99']:.1f} ms, "
            f"{steady['non2xx'] + steady['socket_errors']:.0f} errors"
        )
        lines[-1] += f" [load average {os.getloadavg()[0]:.1f}]"
        print(lines[0], lines[1], sep="\n", flush=True)

        failed = 0

        def stale_reads() -> None:
            # A light read load during the pairs: steady, without starving the edits of CPU.
            load = start_wrk(deployment.nginx_port, script, 2)
            phase_stale_reads(deployment, int(item_id), level_url, args.pairs, lines)
            figures = finish_wrk(load)
            lines[-1] += (
                f"; read load meanwhile {figures['rps']:.0f} req/s, "
                f"{figures['non2xx'] + figures['socket_errors']:.0f} errors ("
                f"{figures['non2xx']:.0f} non-2xx, {figures['5xx']:.0f} of them 5xx; "
                f"{figures['socket_errors']:.0f} socket errors: {figures['socket_detail']})"
            )

        failed += not run_phase("1. stale reads", stale_reads, deployment, lines)
        # Every edit started a new content version: warm the pages again, as visitors would.
        for path in paths:
            try:
                wait_for_http(deployment.nginx_port, "nginx", path=path, seconds=30)
            except CheckFailed as exc:
                print(f"cluster: warming {path}: {exc}", file=sys.stderr)
        probe = Probe(deployment.nginx_port, paths)
        probe.start()
        phases = {
            "2. node A killed": phase_node_kill,
            "3. Redis stopped": phase_redis_outage,
            "4. PostgreSQL restarted": phase_postgres_restart,
        }
        for label, phase in phases.items():
            failed += not run_phase(
                label,
                lambda phase=phase: phase(deployment, script, args.connections, probe, lines),
                deployment,
                lines,
            )
        probe.stop()
        if has_worker:
            alive = deployment.worker.poll() is None
            lines.append(
                f"task worker: exited {deployment.worker_exits} times (db_worker stops when "
                f"PostgreSQL goes away) and was started again by the script, as systemd's "
                f"Restart=always would; {'running' if alive else 'NOT running'} at the end"
            )
            print(lines[-1], flush=True)

        results = ROOT / "bench" / "results"
        results.mkdir(exist_ok=True)
        out = results / f"{dt.date.today()}-cluster.txt"
        out.write_text("\n".join(lines) + "\n")
        print(f"saved to {out.relative_to(ROOT)}")
        if failed:
            print(f"cluster: {failed} check(s) could not run, see above", file=sys.stderr)
        return 1 if failed else 0
    except subprocess.CalledProcessError as exc:
        print(f"cluster: {' '.join(map(str, exc.cmd))} failed:\n{exc.stderr}", file=sys.stderr)
        return 1
    except CheckFailed as exc:
        print(f"cluster: {exc}", file=sys.stderr)
        print_log_tails(work)
        return 1
    finally:
        stop_all_wrk()
        deployment.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
