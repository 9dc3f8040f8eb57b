"""Faults: an import killed half way, PostgreSQL restarting under the app, racing imports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from ladder.handbook.sources import Source
from ladder.models import JobFamily, Level
from ladder.services import family_import
from tests.conftest import ROOT
from tests.dbstate import fingerprint

SEED = ROOT / "fixtures" / "handbook" / "sales-operations.md"


def _manage_env() -> dict[str, str]:
    """Environment for a subprocess that talks to this test run's database."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = (
            f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
        )
    else:
        env["DATABASE_URL"] = f"sqlite:///{settings['NAME']}"
    return env


def _generate(tmp_path: Path, families: int) -> Path:
    out = tmp_path / f"gen{families}"
    subprocess.run(
        [sys.executable, "bench/generate.py", "--families", str(families), "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return out


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_import_killed_half_way_leaves_the_database_as_before(tmp_path: Path):
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    before = fingerprint()
    folder = _generate(tmp_path, 150)
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "import_handbook", str(folder)],
        cwd=ROOT,
        env=_manage_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Wait until the import's transaction has written something (it holds a transaction id),
    # then kill it without warning.
    deadline = time.monotonic() + 60
    writing = False
    with connection.cursor() as cursor:
        while time.monotonic() < deadline and proc.poll() is None:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                "AND backend_xid IS NOT NULL AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                time.sleep(0.3)  # let it write a good share of the rows
                writing = True
                break
            time.sleep(0.02)
    assert writing, "the import finished or never started writing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    # PostgreSQL rolls the dead connection's transaction back.
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                "AND datname = current_database() AND backend_xid IS NOT NULL"
            )
            if not cursor.fetchone()[0]:
                break
            time.sleep(0.05)
    assert fingerprint() == before
    assert JobFamily.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_family_at_once_give_one_whole_version(tmp_path: Path):
    text = SEED.read_text()
    version_a = tmp_path / "a" / "sales-operations.md"
    version_b = tmp_path / "b" / "sales-operations.md"
    version_a.parent.mkdir()
    version_b.parent.mkdir()
    version_a.write_text(text.replace("Lead and facilitate forecast calls", "Version A duty"))
    version_b.write_text(
        text.replace("Lead and facilitate forecast calls", "Version B duty").replace(
            "### Partner Operations Project Manager", "### Partner Operations Lead"
        )
    )
    env = _manage_env()
    procs = [
        subprocess.Popen(
            [sys.executable, "manage.py", "import_handbook", str(path)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in (version_a, version_b)
    ]
    results = [proc.communicate(timeout=120) for proc in procs]
    codes = [proc.returncode for proc in procs]
    for (_out, err), code in zip(results, codes, strict=True):
        assert "Traceback" not in err
        assert code == 0 or "nothing was written" in err
    assert 0 in codes, results
    family = JobFamily.objects.get(slug="sales-operations")
    duty = Level.objects.get(family=family, slug="sr-sales-operations-analyst").effective[
        "responsibilities"
    ][0]["text"]
    has_lead = Level.objects.filter(family=family, slug="partner-operations-lead").exists()
    # Never a mix: version A's duty comes with A's levels, B's with B's.
    assert (duty, has_lead) in {("Version A duty", False), ("Version B duty", True)}
    assert family.source == (version_a if duty == "Version A duty" else version_b).read_text()


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_restart_gives_503_then_recovers_without_restarting_the_app(live_server):
    root = os.environ.get("LADDER_PG_ROOT")
    if not root:
        pytest.skip("needs the cluster made by tests/pgcluster.py")
    from tests.pgcluster import Cluster

    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    assert _get(live_server.url + "/api/families/")[0] == 200
    cluster = Cluster.attach(Path(root), int(connection.settings_dict["PORT"]))
    cluster.stop("fast")
    try:
        status, body = _get(live_server.url + "/families/sales-operations/")
        assert status == 503
        assert b"Temporarily unavailable" in body
        assert b"Traceback" not in body
        assert _get(live_server.url + "/api/families/")[0] == 503
    finally:
        cluster.start()
        connection.close()  # this thread's connection died with the server
    # The app's next request reconnects by itself (CONN_HEALTH_CHECKS).
    deadline = time.monotonic() + 20
    status = None
    while time.monotonic() < deadline:
        status = _get(live_server.url + "/api/families/")[0]
        if status == 200:
            break
        time.sleep(0.2)
    assert status == 200
