"""Every hostile or broken handbook page: a clear message naming the file, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ladder.handbook.sources import Source
from ladder.services import family_import
from tests.conftest import ROOT
from tests.dbstate import fingerprint

BAD = ROOT / "tests" / "data" / "bad" / "handbook"
SEED = ROOT / "fixtures" / "handbook" / "sales-operations.md"
FILES = sorted(p for p in BAD.glob("*.md"))
STRICT = sorted(p for p in (BAD / "strict").glob("*.md"))

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    return fingerprint()


def _refused(args: list[str], path: Path, before) -> str:
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_handbook", *args, str(path), stdout=StringIO(), stderr=err)
    message = err.getvalue()
    assert str(path) in message, message
    assert "Traceback" not in message
    assert fingerprint() == before
    return message


def test_the_bad_corpus_is_large_enough():
    assert len(FILES) + len(STRICT) >= 25


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_bad_page_is_refused_and_changes_nothing(seeded, path: Path):
    message = _refused([], path, seeded)
    assert message.startswith("error: ")


@pytest.mark.parametrize("path", STRICT, ids=lambda p: p.name)
def test_self_extends_and_unknown_targets_are_refused_in_strict_mode(seeded, path: Path):
    message = _refused(["--strict"], path, seeded)
    assert ":8: " in message  # the line of the extends bullet


def test_a_twenty_megabyte_page_is_refused(seeded, tmp_path: Path):
    big = tmp_path / "twenty-mb.md"
    big.write_bytes(b"---\ntitle: Big Roles\n---\n" + b"- " + b"x" * (20 * 1024 * 1024) + b"\n")
    assert "20.0 MB" in _refused([], big, seeded)


def test_a_million_bullets_are_refused(seeded, tmp_path: Path):
    page = tmp_path / "million.md"
    page.write_bytes(b"---\ntitle: Many Roles\n---\n## Levels\n### A\n" + b"- x\n" * 1_000_000)
    assert "more than 20000 bullets" in _refused([], page, seeded)


def test_the_cli_exits_non_zero_with_one_line_per_problem_and_no_traceback(tmp_path: Path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "import_handbook",
            str(BAD / "empty.md"),
            str(BAD / "grade-ten.md"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"error: {BAD / 'empty.md'}: empty page: nothing to import"
    assert lines[1].startswith(f"error: {BAD / 'grade-ten.md'}:7: grade 'ten' is not a number")
    assert lines[-1] == "CommandError: import failed with 2 error(s); nothing was written"
