"""import_handbook: one transaction, idempotent, clear errors, the real corpus."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ladder.models import FamilyVersion, Grade, ImportRun, Item, JobFamily, Level
from tests.conftest import ROOT
from tests.dbstate import fingerprint

SEED = ROOT / "fixtures" / "handbook" / "sales-operations.md"
CORPUS = ROOT / "tests" / "data" / "corpus"

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_handbook", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fail(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import_handbook", *args, stdout=out, stderr=err)
    return str(info.value), err.getvalue()


def test_seed_import_creates_the_family_its_levels_grades_and_items():
    out, _ = run(str(SEED))
    assert "1 created" in out
    assert "levels: 17 created" in out
    family = JobFamily.objects.get(slug="sales-operations")
    assert family.title == "Sales Operations"
    assert family.source_checksum
    assert family.base_url == "https://about.gitlab.com"
    assert Level.objects.filter(family=family).count() == 17
    assert sorted(int(g.number) for g in Grade.objects.all()) == [5, 6, 7, 8, 9, 10, 11]
    grade = Grade.objects.get(number=7)
    assert grade.link.startswith("https://about.gitlab.com/handbook/total-rewards/")
    sr = Level.objects.get(slug="sr-sales-operations-analyst")
    assert len(sr.effective["responsibilities"]) == 17
    assert sr.effective["responsibilities"][0]["text"] == "Lead and facilitate forecast calls"
    director = Level.objects.get(slug="director-sales-operations")
    assert director.reports_to.slug == "senior-director-sales-operations"
    top = Level.objects.get(slug="senior-director-sales-operations")
    assert top.reports_to is None
    assert top.reports_to_title == "VP, Field Operations"
    channel = Level.objects.get(slug="senior-channel-operations-manager")
    assert (channel.grade.number, channel.grade_inferred) == (9, True)
    stack = Level.objects.get(slug="sales-operations-analyst-sales-tech-stack")
    assert (stack.grade.number, stack.grade_inferred) == (6, True)
    extends = Item.objects.get(
        level__slug="senior-manager-sales-operations", section="requirements", position=0
    )
    assert extends.extends_level.slug == "manager-sales-operations"
    assert extends.extends_section == "requirements"
    assert FamilyVersion.objects.filter(family=family).count() == 1
    assert ImportRun.objects.count() == 1


def test_reimporting_the_same_file_changes_nothing_and_says_so():
    run(str(SEED))
    before = fingerprint("ladder")
    out, _ = run(str(SEED))
    assert "Nothing changed" in out
    assert "17 unchanged" in out
    after = fingerprint("ladder")
    after.pop("ladder.ImportRun")
    before.pop("ladder.ImportRun")
    assert after == before


def test_dry_run_prints_what_would_change_and_writes_nothing():
    before = fingerprint("ladder")
    out, _ = run("--dry-run", str(SEED))
    assert out.strip().endswith(".")
    assert "Dry run: would import" in out
    assert "levels: 17 created" in out
    assert fingerprint("ladder") == before


def test_an_edited_page_updates_only_what_changed(tmp_path: Path):
    run(str(SEED))
    text = SEED.read_text()
    text = text.replace("- Lead and facilitate forecast calls\n", "- Lead the forecast calls\n")
    text = text.replace("### Partner Operations Project Manager", "### Partner Ops Lead")
    edited = tmp_path / "sales-operations.md"
    edited.write_text(text)
    out, _ = run(str(edited))
    assert "1 updated" in out
    assert "1 removed" in out  # Partner Operations Project Manager is gone
    sr = Level.objects.get(slug="sr-sales-operations-analyst")
    assert sr.effective["responsibilities"][0]["text"] == "Lead the forecast calls"
    assert sr.version == 2
    assert Level.objects.get(slug="manager-sales-operations").version == 1
    assert Level.objects.filter(slug="partner-ops-lead").exists()
    assert FamilyVersion.objects.filter(family__slug="sales-operations").count() == 2


BAD_PAGES = {
    "cycle.md": (
        "---\ntitle: Tea Roles\n---\n## Levels\n### A\n#### A Responsibilities\n"
        "- Extends that of the B Responsibilities\n### B\n#### B Responsibilities\n"
        "- Extends that of the A Responsibilities\n",
        "extends cycle: A → B → A",
    ),
    "no-front-matter.md": ("## Levels\n### A\n- x\n", "no front matter"),
    "empty.md": ("", "empty page"),
    "binary.md": (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00", "binary file"),
    "huge.md": (b"- bullet\n" * (20 * 1024 * 1024 // 9 + 1), "MB"),
}


@pytest.mark.parametrize("name", sorted(BAD_PAGES))
def test_a_bad_page_fails_the_whole_run_and_writes_nothing(tmp_path: Path, name: str):
    run(str(SEED))
    before = fingerprint("ladder")
    content, message = BAD_PAGES[name]
    bad = tmp_path / name
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    other = tmp_path / "other.md"
    other.write_text("---\ntitle: Other Roles\n---\n## Levels\n### Other\n- Do things\n")
    error, stderr = fail(str(other), str(bad))
    assert "nothing was written" in error
    assert message in stderr
    assert str(bad) in stderr
    assert "Traceback" not in stderr
    assert fingerprint("ladder") == before
    assert not JobFamily.objects.filter(slug="other").exists()


def test_unknown_extends_target_fails_in_strict_mode_only(tmp_path: Path):
    page = tmp_path / "tea.md"
    page.write_text(
        "---\ntitle: Tea Roles\n---\n## Levels\n### A\n#### A Responsibilities\n"
        "- Extends that of the Potter Responsibilities\n- Brew\n"
    )
    before = fingerprint("ladder")
    _error, stderr = fail("--strict", str(page))
    assert f"{page}:7: " in stderr
    assert "'Potter', which matches no level" in stderr
    assert fingerprint("ladder") == before
    out, _ = run(str(page))
    assert "unknown-extends 1" in out
    item = Item.objects.get(level__slug="a", position=0)
    assert item.extends_level is None  # kept as text, never silently dropped
    assert "Potter" in item.text


def test_missing_path_is_a_clear_error():
    error, stderr = fail("/no/such/handbook.md")
    assert "/no/such/handbook.md: no such file or folder" in stderr


def test_every_corpus_page_imports_in_one_run():
    out, err = run(str(CORPUS / "handbook"), str(CORPUS / "handbook-current"))
    assert err == ""
    assert JobFamily.objects.count() >= 140
    assert Level.objects.count() > 500
    summary = out.strip().splitlines()[-1]
    assert "warnings (" in summary  # counted by kind
    # Re-running over the folder is a no-op.
    out, _ = run(str(CORPUS / "handbook"), str(CORPUS / "handbook-current"))
    assert "Nothing changed" in out
