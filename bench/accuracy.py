"""Importer accuracy against the hand-read answer key (``make accuracy``).

    python bench/accuracy.py [--save] [--corpus DIR] [--keys DIR]

Imports every page the key covers (all of them first, as one ladder, so pages can extend each
other; then each keyed page again on its own inside a rolled-back savepoint, so that older
versions of a family are measured as themselves), reads back what is stored and compares it with
``tests/data/answer_key/handbook/*.yaml``. Prints level precision and recall, exact grades,
extends targets, own-item counts and reports-to, then what differs per page. ``--save`` writes
``bench/results/<date>-accuracy.txt``; ``tests/handbook/test_accuracy.py`` fails when a figure
drops below the last saved one (a ratchet).

The comparison reads titles the way a person does (case, "Sr." = "Senior", an acronym for the
words it abbreviates, small typos) without calling the importer's own resolver, so a wrong
resolution cannot agree with itself.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KEYS = ROOT / "tests" / "data" / "answer_key" / "handbook"
CORPUS = ROOT / "tests" / "data" / "corpus"
RESULTS = ROOT / "bench" / "results"
SECTIONS = ("responsibilities", "requirements")
# name in the report → (target, label)
TARGETS = {
    "level_precision": 0.99,
    "level_recall": 0.99,
    "grade_exact": 0.98,
    "extends": 0.98,
    "own_items": 0.95,
}
LABELS = {
    "level_precision": "level precision",
    "level_recall": "level recall",
    "grade_exact": "grade exactly right",
    "extends": "extends targets right",
    "own_items": "own-item counts right",
    "reports_to": "reports-to right",
}
_LABEL = re.compile(r"\*\*[^*]+\*\*:?")
_EXTENDS_TEXT = re.compile(r"^\W*(?:extends?|in addition to)\b", re.I)


# --------------------------------------------------------------------------- the key


@dataclass
class KeyLevel:
    title: str
    grade: tuple[Decimal, Decimal | None] | None
    extends: dict[str, list[str]]
    own: dict[str, int]
    reports_to: str | None


@dataclass
class PageKey:
    page: str
    levels: list[KeyLevel]
    not_levels: list[str]


def parse_grade(value: object) -> tuple[Decimal, Decimal | None] | None:
    """ "8" → (8, None); "11-12" and "11 or 12" → (11, 12); None → None."""
    if value is None or str(value).strip().lower() in {"", "none", "null"}:
        return None
    numbers = re.findall(r"\d+(?:\.\d+)?", str(value))
    low = Decimal(numbers[0])
    high = Decimal(numbers[1]) if len(numbers) > 1 and Decimal(numbers[1]) > low else None
    return low, high


def _titles(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value if v]
    return [str(value)]


def load_keys(folder: Path = KEYS) -> list[PageKey]:
    import yaml

    keys = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        levels = [
            KeyLevel(
                title=str(lv["title"]),
                grade=parse_grade(lv.get("grade")),
                extends={s: _titles((lv.get("extends") or {}).get(s)) for s in SECTIONS},
                own={s: int(lv.get(f"own_{s}") or 0) for s in SECTIONS},
                reports_to=lv.get("reports_to") or None,
            )
            for lv in data.get("levels") or []
        ]
        keys.append(PageKey(data["page"], levels, [str(t) for t in data.get("not_levels") or []]))
    return keys


# --------------------------------------------------------------------------- titles


def _norm(title: str) -> str:
    from ladder.handbook import normalize_title

    return normalize_title(title)


def _initials(words: list[str]) -> str:
    return "".join(w[0] for w in words if w not in {"of", "and", "the", "for"})


def same_title(written: str, stored: str) -> bool:
    """Would a person read ``written`` as naming ``stored``? Case, abbreviations, an acronym
    ("AVP", "CSM"), filler words and small typos are forgiven; other words are not."""
    from rapidfuzz import fuzz

    a, b = _norm(written), _norm(stored)
    if not a or not b:
        return False
    if a == b:
        return True
    # "X (Intermediate)" is the handbook's name for plain "X"; "Sales Development Representative
    # (SDR)" is also called "SDR".
    alias = re.search(r"\(([A-Za-z]{2,6})\)\s*$", stored)
    if alias and a == alias.group(1).lower():
        return True
    a = re.sub(r"\bintermediate\b", "", a).split()
    b = re.sub(r"\bintermediate\b", "", b).split()
    a, b = " ".join(a), " ".join(b)
    if a == b:
        return True
    filler = {"the", "level", "role", "job", "a", "an"}
    wa = [w for w in a.split() if w not in filler]
    wb = [w for w in b.split() if w not in filler]
    if wa == wb:
        return True
    # The same words in another order: "Learning and Development Manager" is "Manager,
    # Learning & Development".
    if sorted(w for w in wa if w != "and") == sorted(w for w in wb if w != "and"):
        return True
    # An acronym word stands for a run of the other title's words.
    expanded = []
    for word in wa:
        if 2 <= len(word) <= 5 and word not in wb:
            for start in range(len(wb)):
                for end in range(start + 2, len(wb) + 1):
                    if _initials(wb[start:end]) == word:
                        expanded.extend(wb[start:end])
                        break
                else:
                    continue
                break
            else:
                expanded.append(word)
        else:
            expanded.append(word)
    if expanded == wb:
        return True
    # A typo is forgiven, another seniority ("Junior" for "Senior") is not.
    seniority = {"junior", "associate", "senior", "staff", "principal", "lead", "distinguished"}
    if seniority & set(expanded) != seniority & set(wb):
        return False
    return fuzz.ratio(" ".join(expanded), " ".join(wb)) >= 92


def key_target(written: str, page_titles: list[str], all_titles: list[str]) -> str | None:
    """The keyed level a written extends target names, as a reader resolves it: the same
    title, else on the same page the one level that has every written word (a word left out,
    "Senior Analytics Analyst"; a seniority alone, "Intermediate level"), else None: the target
    names no level and nothing can be stored."""
    for titles in (page_titles, all_titles):
        hit = next((t for t in titles if same_title(written, t)), None)
        if hit:
            return hit
    words = set(_norm(written).split()) - {"level", "role", "the", "of", "and", "for", "a"}
    seniority = {"junior", "associate", "senior", "staff", "principal", "lead", "manager"}
    if words:
        covering = [
            t
            for t in page_titles
            if words <= set(_norm(t).split()) and not (seniority & set(_norm(t).split()) - words)
        ]
        if len(covering) == 1:
            return covering[0]
    return None


def _pair(written: list[str], stored: list[str]) -> bool:
    """The same targets, one to one."""
    if len(written) != len(stored):
        return False
    left = list(stored)
    for title in written:
        hit = next((s for s in left if same_title(title, s)), None)
        if hit is None:
            return False
        left.remove(hit)
    return True


# --------------------------------------------------------------------------- what is stored


@dataclass
class StoredLevel:
    title: str
    grade: tuple[Decimal, Decimal | None] | None
    grade_reason: str
    extends: dict[str, list[str]]
    own: dict[str, int]
    reports_to: str | None


def stored_levels(family_slug: str) -> list[StoredLevel]:
    from django.db.models import Count

    from ladder.models import Item, Level

    levels = list(
        Level.objects.filter(family__slug=family_slug)
        .select_related("grade", "reports_to")
        .order_by("position")
    )
    items = (
        Item.objects.filter(level__in=levels, parent__isnull=True)
        .select_related("extends_level")
        .annotate(n_children=Count("children"))
    )
    extends: dict[int, dict[str, list[str]]] = {lv.pk: {s: [] for s in SECTIONS} for lv in levels}
    own: dict[int, dict[str, int]] = {lv.pk: dict.fromkeys(SECTIONS, 0) for lv in levels}
    for item in items:
        if item.extends_level_id:
            for section in SECTIONS:
                applies = item.extends_section in ("", section) and item.section in (
                    "general",
                    section,
                )
                if applies:
                    extends[item.level_id][section].append(item.extends_level.title)
        elif item.section in SECTIONS and not _EXTENDS_TEXT.match(item.text):
            # A bold caption over the bullets that follow is not an entry of the list; a
            # sub-heading stored as a caption over its bullets ("#### Proof" under
            # "### Responsibilities") adds those bullets, as a person counts them.
            if _LABEL.fullmatch(item.text.strip()):
                own[item.level_id][item.section] += item.n_children
            else:
                own[item.level_id][item.section] += 1
    out = []
    for lv in levels:
        grade = (lv.grade.number, lv.grade_max) if lv.grade_id else None
        reports = lv.reports_to.title if lv.reports_to_id else (lv.reports_to_title or None)
        reason = getattr(lv, "grade_reason", "") or ("inferred" if lv.grade_inferred else "")
        out.append(StoredLevel(lv.title, grade, reason, extends[lv.pk], own[lv.pk], reports))
    return out


# --------------------------------------------------------------------------- comparing


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.right += int(ok)

    @property
    def ratio(self) -> float:
        return self.right / self.total if self.total else 1.0


@dataclass
class Report:
    tallies: dict[str, Tally] = field(default_factory=lambda: {k: Tally() for k in LABELS})
    differences: dict[str, list[str]] = field(default_factory=dict)
    pages: int = 0
    key_levels: int = 0

    def figures(self) -> dict[str, float]:
        return {name: tally.ratio for name, tally in self.tallies.items()}

    def lines(self) -> list[str]:
        out = [
            f"importer accuracy on {self.pages} hand-read pages ({self.key_levels} levels)",
        ]
        for name, tally in self.tallies.items():
            target = TARGETS.get(name)
            mark = ""
            if target is not None:
                mark = "  (target ≥ {:.0f} %: {})".format(
                    target * 100, "met" if tally.ratio >= target else "NOT met"
                )
            out.append(
                f"{LABELS[name]}: {tally.ratio * 100:.1f} % ({tally.right}/{tally.total}){mark}"
            )
        for page, diffs in sorted(self.differences.items()):
            out.append("")
            out.append(f"{page}:")
            out.extend(f"  {d}" for d in diffs)
        return out


def _fmt_grade(grade: tuple[Decimal, Decimal | None] | None) -> str:
    from ladder.models import format_grade

    if grade is None:
        return "none"
    low, high = grade
    return format_grade(low) + (f"-{format_grade(high)}" if high is not None else "")


def compare(key: PageKey, stored: list[StoredLevel], report: Report, key_titles: list[str]) -> None:
    t = report.tallies
    diffs: list[str] = []
    left = list(stored)
    matched: list[tuple[KeyLevel, StoredLevel | None]] = []
    # Exact titles first, then titles a person reads as the same.
    pending = []
    for level in key.levels:
        hit = next((s for s in left if _norm(s.title) == _norm(level.title)), None)
        if hit is not None:
            left.remove(hit)
        pending.append((level, hit))
    for level, hit in pending:
        if hit is None:
            hit = next((s for s in left if same_title(level.title, s.title)), None)
            if hit is not None:
                left.remove(hit)
        matched.append((level, hit))
    report.key_levels += len(key.levels)
    for level, hit in matched:
        t["level_recall"].add(hit is not None)
        if hit is None:
            diffs.append(f"missing level '{level.title}'")
            for _ in SECTIONS:
                t["own_items"].add(False)
            t["grade_exact"].add(False)
            continue
        t["level_precision"].add(True)
        ok = hit.grade == level.grade
        t["grade_exact"].add(ok)
        if not ok:
            diffs.append(
                f"'{level.title}': grade {_fmt_grade(hit.grade)}"
                f"{' (' + hit.grade_reason + ')' if hit.grade_reason else ''}, "
                f"key says {_fmt_grade(level.grade)}"
            )
        for section in SECTIONS:
            # A target that is the level itself, or that names no level anywhere in the key
            # ("Junior X" on a page without one), cannot be stored as inheritance.
            want = [
                target
                for w in level.extends[section]
                if (target := key_target(w, [lv.title for lv in key.levels], key_titles))
                and not same_title(target, level.title)
            ]
            got = hit.extends[section]
            if want or got:
                ok = _pair(want, got)
                t["extends"].add(ok)
                if not ok:
                    diffs.append(f"'{level.title}' {section} extends {got}, key says {want}")
            ok = hit.own[section] == level.own[section]
            t["own_items"].add(ok)
            if not ok:
                diffs.append(
                    f"'{level.title}': {hit.own[section]} own {section}, "
                    f"key says {level.own[section]}"
                )
        want_r = level.reports_to
        ok = (want_r is None and hit.reports_to is None) or (
            want_r is not None and hit.reports_to is not None and same_title(want_r, hit.reports_to)
        )
        t["reports_to"].add(ok)
        if not ok:
            diffs.append(f"'{level.title}': reports to {hit.reports_to!r}, key says {want_r!r}")
    for extra in left:
        t["level_precision"].add(False)
        named = any(same_title(n, extra.title) for n in key.not_levels)
        diffs.append(
            f"'{extra.title}' is not a level{' (the key lists it as not a level)' if named else ''}"
        )
    report.pages += 1
    if diffs:
        report.differences[key.page] = diffs


def measure(corpus: Path = CORPUS, keys: Iterable[PageKey] | None = None) -> Report:
    """Import the keyed pages and compare; needs Django set up and a migrated database."""
    from django.db import transaction

    from ladder.handbook.sources import collect_sources
    from ladder.services import family_import

    keys = list(load_keys() if keys is None else keys)
    pages = [corpus / key.page for key in keys]
    missing = [str(p) for p in pages if not p.exists()]
    if missing:
        raise SystemExit(f"accuracy: pages of the key not found: {', '.join(missing)}")
    report = Report()
    key_titles = [level.title for key in keys for level in key.levels]
    with transaction.atomic():
        # All keyed pages as one ladder, so cross-page references resolve as in real use.
        family_import(sources=collect_sources(pages))
        for key, page in zip(keys, pages, strict=True):
            sid = transaction.savepoint_create()
            summary = family_import(sources=collect_sources([page]))
            if len(summary.family_slugs) != 1:
                raise SystemExit(f"accuracy: {key.page} imports as {summary.family_slugs}")
            (slug,) = summary.family_slugs
            compare(key, stored_levels(slug), report, key_titles)
            transaction.savepoint_rollback(sid)
        transaction.set_rollback(True)
    return report


# --------------------------------------------------------------------------- recorded figures

_FIGURE_LINE = re.compile(r"^(?P<label>[a-z -]+): (?P<value>\d+(?:\.\d+)?) %")


def recorded(results: Path = RESULTS) -> tuple[Path | None, dict[str, float]]:
    """The figures of the newest saved accuracy report (a ratchet for the tests)."""
    files = sorted(results.glob("*-accuracy.txt"))
    if not files:
        return None, {}
    by_label = {label: name for name, label in LABELS.items()}
    figures: dict[str, float] = {}
    for line in files[-1].read_text(encoding="utf-8").splitlines():
        match = _FIGURE_LINE.match(line)
        if match and match.group("label") in by_label:
            figures[by_label[match.group("label")]] = float(match.group("value")) / 100
    return files[-1], figures


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    if not os.environ.get("DATABASE_URL"):
        db = Path(tempfile.mkdtemp(prefix="ladder-accuracy-")) / "db.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--save", action="store_true", help="write bench/results/<date>-accuracy.txt"
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder the key's pages are in")
    parser.add_argument("--keys", type=Path, default=KEYS, help="folder of answer-key YAML files")
    args = parser.parse_args(argv)
    setup_django()
    report = measure(args.corpus, load_keys(args.keys))
    lines = report.lines()
    print("\n".join(lines))
    if args.save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"{dt.date.today():%Y-%m-%d}-accuracy.txt"
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"\nsaved to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
