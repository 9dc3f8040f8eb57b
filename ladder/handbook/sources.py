"""Files and folders → handbook pages: reading, split-family grouping, parsing every page.

A folder holding ``_index.md`` plus one page per level is one family split into pages; its level
pages are parsed and merged into the family page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ladder.handbook.parsed import HandbookError, ParsedFamily, ParsedLevel, Warning
from ladder.handbook.parser import parse_handbook
from ladder.handbook.text import most_linked


class ImportFailed(Exception):
    """One or more pages could not be imported; nothing was written."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass
class Source:
    name: str
    data: bytes


def read_files(
    paths: Iterable[str | Path], suffixes: set[str], what: str
) -> tuple[list[Source], list[str]]:
    """Files given, and files under folders given (recursively, stable order), as Sources."""
    sources: list[Source] = []
    errors: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes
            )
            if not files:
                errors.append(f"{path}: folder holds no {what}")
            sources.extend(Source(str(file), file.read_bytes()) for file in files)
        elif path.is_file():
            sources.append(Source(str(path), path.read_bytes()))
        else:
            errors.append(f"{path}: no such file or folder")
    return sources, errors


def collect_sources(paths: Iterable[str | Path]) -> list[Source]:
    """Handbook pages: ``.md`` files, or folders searched recursively for them."""
    sources, errors = read_files(paths, {".md"}, ".md handbook page")
    if errors:
        raise ImportFailed(errors)
    return sources


def group_split_families(sources: list[Source]) -> list[tuple[Source, list[Source]]]:
    """A folder with ``_index.md`` and sibling pages is one family split into a page per level."""
    by_dir: dict[str, list[Source]] = {}
    for source in sources:
        by_dir.setdefault(str(Path(source.name).parent), []).append(source)
    grouped: list[tuple[Source, list[Source]]] = []
    consumed: set[str] = set()
    for source in sources:
        path = Path(source.name)
        if path.name == "_index.md":
            siblings = [
                s
                for s in by_dir[str(path.parent)]
                if s is not source and Path(s.name).name != "_index.md" and is_level_page(s)
            ]
            if siblings:
                grouped.append((source, siblings))
                consumed.update(s.name for s in siblings)
                continue
        grouped.append((source, []))
    return [(s, sib) for s, sib in grouped if s.name not in consumed]


def is_level_page(source: Source) -> bool:
    """A sibling page with no ``## … Levels`` heading of its own describes one level."""
    try:
        text = source.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return "\n## " not in text or " Levels\n" not in text


def parse_sources(
    sources: list[Source], *, base_url: str | None, grade_range: tuple[int, int]
) -> tuple[list[ParsedFamily], list[str]]:
    parsed: list[ParsedFamily] = []
    errors: list[str] = []
    for source, siblings in group_split_families(sources):
        try:
            family = parse_handbook(
                source.data, source.name, base_url=base_url, grade_range=grade_range
            )
        except HandbookError as exc:
            errors.append(located(source.name, exc))
            continue
        for sibling in siblings:
            try:
                page = parse_handbook(
                    sibling.data, sibling.name, base_url=base_url, grade_range=grade_range
                )
            except HandbookError as exc:
                errors.append(located(sibling.name, exc))
                continue
            merge_level_page(family, page, sibling.name)
        parsed.append(family)
    name_the_site(parsed)
    return parsed, errors


def name_the_site(families: list[ParsedFamily]) -> None:
    """Give every page of one import the handbook's site, and no link a guessed one.

    The pages of one import are one handbook: a page whose ``base_url`` was not given takes
    the site that the import's pages link into most (``text.handbook_hosts``), so a page with
    no such link of its own, or one stray link into another site, still resolves
    ``/handbook/…`` where the rest do. A stated ``base_url`` (front matter, ``--base-url``)
    is kept and counts for the pool. With no site anywhere, a root-relative reports-to link
    would open inside Ladder and 404: it points at ``LADDER_HANDBOOK_BASE_URL`` when that is
    set, and is dropped otherwise (the manager's title stays, as the text of other such links
    does when rendered).

    >>> name_the_site(parsed)  # doctest: +SKIP
    """
    pooled: dict[str, int] = {}
    for family in families:
        hosts = (
            {family.base_url: 1} if family.base_url_stated and family.base_url else {}
        ) or family.handbook_hosts
        for host, count in hosts.items():
            pooled[host] = pooled.get(host, 0) + count
    site = most_linked(pooled)
    for family in families:
        if not family.base_url_stated and site:
            family.base_url = site
        if family.base_url:
            continue
        fallback = _site_setting().rstrip("/")
        for level in family.levels:
            link = level.reports_to_link
            if link.startswith("/") and not link.startswith("//"):
                level.reports_to_link = fallback + link if fallback else ""


def _site_setting() -> str:
    """``LADDER_HANDBOOK_BASE_URL`` when Django is set up (parsing itself needs no Django)."""
    from django.conf import settings

    return getattr(settings, "LADDER_HANDBOOK_BASE_URL", "") if settings.configured else ""


def merge_level_page(family: ParsedFamily, page: ParsedFamily, name: str) -> None:
    levels = page.levels
    if not levels:
        return
    for level in levels:
        if not level.group:
            level.group = f"{family.title} Levels"
        if family.level_by_title(level.title) is None:
            family.levels.append(level)
    family.grade_statements.extend(page.grade_statements)
    for host, count in page.handbook_hosts.items():
        family.handbook_hosts[host] = family.handbook_hosts.get(host, 0) + count
    family.warnings.extend(
        Warning(w.line, w.kind, f"{Path(name).name}: {w.message}") for w in page.warnings
    )
    family.source += f"\n\n<!-- {Path(name).name} -->\n" + page.source
    assert all(isinstance(level, ParsedLevel) for level in family.levels)


def located(name: str, exc: HandbookError) -> str:
    message = exc.message
    if message.startswith(f"{name}: "):
        message = message[len(name) + 2 :]
    return f"{name}:{exc.line}: {message}" if exc.line else f"{name}: {message}"
