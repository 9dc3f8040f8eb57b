"""A throwaway PostgreSQL cluster for the test run.

``python tests/pgcluster.py -- COMMAND ...`` creates a cluster in a temp dir (``initdb``), starts
it on a free loopback port with its socket in the same temp dir, runs COMMAND with
``DATABASE_URL`` pointing at it, then stops and removes the cluster, even when COMMAND fails or is
interrupted. The exit code is COMMAND's. ``Cluster`` is importable for fault tests that need to
stop and restart the server.

As root, the server runs as the ``postgres`` system user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _find_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if candidates:
        return candidates[0]
    raise SystemExit(
        f"pgcluster: {name} not found; install PostgreSQL server binaries "
        "(apt-get install postgresql)"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A PostgreSQL cluster living in a temporary directory."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="ladder-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root
        self.log = self.root / "server.log"
        self.port = free_port()
        self.user: str | None = None
        if os.geteuid() == 0:
            self.user = "postgres"
            pw = pwd.getpwnam(self.user)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        os.chmod(self.root, 0o700)

    @classmethod
    def attach(cls, root: Path, port: int) -> Cluster:
        """The running cluster of this test run (``LADDER_PG_ROOT``), to stop and start it."""
        cluster = cls.__new__(cls)
        cluster.root = root
        cluster.data = root / "data"
        cluster.socket_dir = root
        cluster.log = root / "server.log"
        cluster.port = port
        cluster.user = "postgres" if os.geteuid() == 0 else None
        return cluster

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = list(args)
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/ladder"

    def init(self) -> None:
        self._run(
            _find_bin("initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        self._run(
            _find_bin("pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(_find_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def create_database(self, name: str = "ladder") -> None:
        for _ in range(50):
            result = self._run(
                _find_bin("createdb"),
                "-h",
                str(self.socket_dir),
                "-p",
                str(self.port),
                "-U",
                "postgres",
                name,
                check=False,
            )
            if result.returncode == 0 or "already exists" in result.stderr:
                return
            time.sleep(0.1)
        raise RuntimeError(f"createdb failed: {result.stderr}")

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Cluster:
        self.init()
        self.start()
        self.create_database()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop("immediate")
        self.remove()


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        print("usage: pgcluster.py -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    cluster = Cluster()
    # Turn SIGTERM into a normal exit so the finally block removes the cluster.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        cluster.init()
        cluster.start()
        cluster.create_database()
        print(f"pgcluster: PostgreSQL on 127.0.0.1:{cluster.port} ({cluster.root})", flush=True)
        env = {**os.environ, "DATABASE_URL": cluster.url, "LADDER_PG_ROOT": str(cluster.root)}
        return subprocess.call(argv, env=env)
    except subprocess.CalledProcessError as exc:
        print(f"pgcluster: {' '.join(exc.cmd)} failed:\n{exc.stderr}", file=sys.stderr)
        return 1
    finally:
        cluster.stop("immediate")
        cluster.remove()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
