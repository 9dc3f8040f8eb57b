"""The README's commands work as written on a fresh clone after ``make run``.

A copy of the tracked files stands in for the clone (its ``.venv`` points at the environment
running the tests); nothing in it is set up by hand: ``make run`` writes the ``.env``, migrates,
loads the seed and serves with the task worker beside it, then each ``manage.py`` command the
README shows runs exactly as written, with no ``DJANGO_*`` variable in the environment.
"""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

README = ROOT / "README.md"
# Sections whose commands need servers of their own: tests/pgcluster.py covers PostgreSQL, the
# company deployment is what `make cluster` runs (bench/cluster.py).
SERVER_HEADINGS = ("## Running on PostgreSQL", "## Deploying for a company")


def readme_commands(text: str) -> list[str]:
    """Every ``manage.py`` command the README shows, in code blocks and inline code."""
    for heading in SERVER_HEADINGS:
        text = text.split(heading)[0] + "\n" + _after_next_heading(text, heading)
    commands: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if "manage.py" in line:
                commands.append(line)
    for span in re.findall(r"`([^`\n]*manage\.py[^`\n]*)`", text):
        if span.startswith((".venv/", "DJANGO_")) and span not in commands:
            commands.append(span)
    return commands


def _after_next_heading(text: str, heading: str) -> str:
    _, _, rest = text.partition(heading)
    later = rest.split("\n## ")[1:]
    return "## " + "\n## ".join(later) if later else ""


def _environment() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "LADDER_", "PYTEST", "DATABASE_URL"))
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tracked files of the repository, as a fresh clone has them."""
    target = tmp_path_factory.mktemp("clone") / "ladder"
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(Path(sys.prefix))
    return target


@pytest.fixture(scope="module")
def served(clone: Path) -> Iterator[dict]:
    """``make run`` in the clone, until the home page answers; stopped afterwards."""
    port = _free_port()
    log = (clone / "make-run.log").open("w")
    # -o: the shared environment is installed already; everything else runs as on a new machine.
    process = subprocess.Popen(
        ["make", "-o", ".venv/.installed", "run", f"PORT={port}"],
        cwd=clone,
        env=_environment(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180
    status = None
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                status = response.status
                break
        except OSError:
            time.sleep(0.5)
    try:
        yield {"status": status, "pgid": process.pid, "log": clone / "make-run.log"}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _session_commands(pgid: int) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pgid:
                continue
            found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, ProcessLookupError):
            continue
    return found


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        shell=True,
        cwd=cwd,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _interactive(command: str, cwd: Path, answers: list[tuple[str, str]]) -> tuple[int, str]:
    """Run ``command`` on a terminal, answering each prompt as a person would."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        command,
        shell=True,
        cwd=cwd,
        env=_environment(),
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        start_new_session=True,
    )
    os.close(terminal)
    screen = ""
    answered = 0  # prompts are looked for only in what came after the last answer
    pending = list(answers)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(controller, 4096).decode(errors="replace")
            except OSError:
                break
            if not chunk:
                break
            screen += chunk
        if pending and re.search(pending[0][0] + r"\s*$", screen[answered:]):
            os.write(controller, (pending.pop(0)[1] + "\n").encode())
            answered = len(screen)
        if process.poll() is not None and not ready:
            break
    os.close(controller)
    return process.wait(timeout=30), screen


def test_readme_lists_the_commands_this_test_runs():
    commands = readme_commands(README.read_text())
    joined = "\n".join(commands)
    for expected in ("createsuperuser", "import_handbook", "import_postings", "check --deploy"):
        assert expected in joined, f"README no longer shows manage.py {expected}"


def test_every_readme_command_works_as_written_after_make_run(clone: Path, served: dict):
    log = served["log"].read_text()
    assert served["status"] == 200, log
    time.sleep(2)  # a worker that fails at start-up has exited by now
    running = "\n".join(_session_commands(served["pgid"]))
    assert "db_worker" in running, running
    assert "runserver" in running, running

    env_file = (clone / ".env").read_text()
    assert "DJANGO_DEBUG=1" in env_file
    key = re.search(r"^DJANGO_SECRET_KEY=(\S+)$", env_file, flags=re.M)
    assert key and len(key.group(1)) >= 50
    assert "/.env" in (clone / ".gitignore").read_text().splitlines()

    for command in readme_commands(README.read_text()):
        command = command.replace("<50+ random characters>", "r4nd0m-" + "k3y-" * 13)
        if "import_handbook" in command:
            command = re.sub(r"PATH \[PATH \.\.\.\]", "fixtures/handbook", command)
        if "import_postings" in command:
            command = re.sub(r"PATH \[PATH \.\.\.\]", "fixtures/postings", command)
        if command.endswith("createsuperuser"):
            password = "Ladder-readme-" + "9f3kq" * 3
            code, screen = _interactive(
                command,
                clone,
                [
                    (r"Username[^:]*:", "hr-admin"),
                    (r"Email address:", "hr@example.org"),
                    (r"Password:", password),
                    (r"Password \(again\):", password),
                ],
            )
            assert code == 0, screen
            assert "Superuser created successfully" in screen, screen
            continue
        result = _run(command, clone)
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
        assert "DJANGO_SECRET_KEY must be set" not in result.stderr


def test_production_still_refuses_to_start_without_a_real_key(clone: Path):
    """The local .env is for development only: with debug off and no .env there is no key."""
    env = {**_environment(), "DJANGO_DEBUG": "0", "LADDER_ENV_FILE": ""}
    result = subprocess.run(
        [".venv/bin/python", "manage.py", "check"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr
