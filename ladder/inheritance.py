"""Resolve the references in parsed handbook pages and compute effective item lists.

Two jobs, both pure (no Django):

* :func:`resolve_import` takes the :class:`~ladder.handbook.ParsedFamily` objects of one import
  run (plus, optionally, levels already in the database) and resolves every title written in
  prose — reports-to, "Extends that of …", grade sentences — tolerantly ("Sr." = "Senior",
  typos, abbreviations), gives grades (stated, or inferred from the level extended), and refuses
  extends cycles.
* :func:`effective_items` splices inherited items in at the position of each extends bullet,
  recursively, tagging each item with the level it comes from and showing repeated text once.

>>> graph = {"a": Node("a", "A", {"responsibilities": [NodeItem("Plan")]}),
...          "b": Node("b", "B", {"responsibilities": [NodeItem("", extends=[("a", None)]),
...                                                     NodeItem("Lead")]})}
>>> [item.text for item in effective_items("b", graph)["responsibilities"]]
['Plan', 'Lead']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from rapidfuzz import fuzz, process

from ladder.handbook import (
    SECTIONS,
    HandbookError,
    ParsedFamily,
    ParsedItem,
    ParsedLevel,
    Warning,
    clean_title,
    normalize_title,
    similar_titles,
    slugify,
)

# --------------------------------------------------------------------------- effective items


@dataclass
class NodeItem:
    """One stored item: plain text, or an extends link to (level key, section or None)."""

    text: str
    html: str = ""
    children: list[NodeItem] = field(default_factory=list)
    extends: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass
class Node:
    key: str
    title: str
    sections: dict[str, list[NodeItem]]


@dataclass
class EffectiveItem:
    text: str
    html: str
    source: str  # key of the level the item comes from
    source_title: str
    own: bool
    children: list[EffectiveItem] = field(default_factory=list)


class CycleError(ValueError):
    def __init__(self, cycle: list[str]) -> None:
        self.cycle = cycle
        super().__init__("extends cycle: " + " → ".join(cycle))


def dedupe_key(text: str) -> str:
    """Texts equal but for case, whitespace and a trailing full stop count as one."""
    return re.sub(r"\s+", " ", text).strip().rstrip(".").strip().lower()


def effective_items(
    key: str,
    graph: Mapping[str, Node],
    _memo: dict[tuple[str, str], list[EffectiveItem]] | None = None,
    _stack: tuple[str, ...] = (),
) -> dict[str, list[EffectiveItem]]:
    """Effective responsibilities, requirements and general items of one level.

    An extends link naming a section splices that section of its target; one naming no
    section ("Extends that of the X") splices every section of X: in its own section where it
    stands, and at the top of the level's other sections. Raises :class:`CycleError`.
    """
    memo = {} if _memo is None else _memo
    return {section: _section(key, section, graph, memo, _stack) for section in SECTIONS}


def _section(
    key: str,
    section: str,
    graph: Mapping[str, Node],
    memo: dict[tuple[str, str], list[EffectiveItem]],
    stack: tuple[str, ...],
) -> list[EffectiveItem]:
    if (key, section) in memo:
        return memo[(key, section)]
    if key in stack:
        start = stack.index(key)
        raise CycleError([graph[k].title if k in graph else k for k in (*stack[start:], key)])
    node = graph.get(key)
    if node is None:
        return []
    stack = (*stack, key)
    out: list[EffectiveItem] = []
    seen: set[str] = set()

    def emit(item: EffectiveItem) -> None:
        marker = dedupe_key(item.text)
        if marker in seen:
            return
        seen.add(marker)
        out.append(item)

    def splice(target: str) -> None:
        if target == key:
            return  # a self-reference adds nothing (it was reported at import)
        for inherited in _section(target, section, graph, memo, stack):
            emit(replace(inherited, own=False) if inherited.own else inherited)

    if section != "general":
        for item in node.sections.get("general", []):
            for target, which in item.extends:
                if which is None or which == section:
                    splice(target)
    for item in node.sections.get(section, []):
        if item.extends:
            for target, which in item.extends:
                if which is None or which == section or section == "general" and which is None:
                    splice(target)
            continue
        emit(_own(item, node))
    memo[(key, section)] = out
    return out


def _own(item: NodeItem, node: Node) -> EffectiveItem:
    return EffectiveItem(
        text=item.text,
        html=item.html,
        source=node.key,
        source_title=node.title,
        own=True,
        children=[_own(child, node) for child in item.children],
    )


def find_cycle(edges: Mapping[str, Iterable[str]]) -> list[str] | None:
    """The first cycle (as a list of keys, first repeated last) in a directed graph."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in edges.get(node, ()):
            if nxt == node:
                continue
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if state.get(nxt) is None:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if state.get(start) is None:
            found = visit(start)
            if found:
                return found
    return None


# --------------------------------------------------------------------------- title resolution


@dataclass(frozen=True)
class Candidate:
    key: str  # "family-slug/level-slug"
    title: str
    family: str  # family slug


@dataclass(frozen=True)
class Resolution:
    keys: tuple[str, ...]
    titles: tuple[str, ...]
    tolerant: bool  # not an exact match: report it


_PAREN = re.compile(r"\s*\([^)]*\)")
_FILLER = {"level", "role", "position", "the", "a", "an", "of", "job", "family"}


def _loose(title: str) -> str:
    words = normalize_title(_PAREN.sub("", title)).split()
    return " ".join(w for w in words if w not in _FILLER and w != "intermediate")


def _initials_match(acronym: str, title: str) -> bool:
    words = [
        w for w in re.split(r"[\s,&/-]+", title) if w and w.lower() not in {"of", "and", "the"}
    ]
    letters = "".join(w[0].upper() for w in words)
    return len(acronym) >= 2 and acronym in letters


def _expand_acronyms(name: str, candidates: list[Candidate]) -> str | None:
    """'CSM' → the title whose words' initials spell it (first match wins)."""
    tokens = name.split()
    changed = False
    for i, token in enumerate(tokens):
        bare = token.strip(",.()")
        if re.fullmatch(r"[A-Z]{2,5}s?", bare) and bare not in {"VP", "SVP", "EVP"}:
            core = bare.rstrip("s") if bare.endswith("s") and len(bare) > 2 else bare
            for cand in candidates:
                for length in range(len(core), len(core) + 1):
                    words = [w for w in re.split(r"[\s,]+", cand.title) if w]
                    for start in range(0, max(0, len(words) - length) + 1):
                        run = words[start : start + length]
                        if "".join(w[0].upper() for w in run) == core:
                            tokens[i] = " ".join(run)
                            changed = True
                            break
                    if changed:
                        break
                if changed:
                    break
    return " ".join(tokens) if changed else None


class TitleIndex:
    """Titles a reference may resolve to: this family first, then the rest of the run."""

    def __init__(self, candidates: Iterable[Candidate]) -> None:
        self.candidates = list(candidates)
        self.norms = [normalize_title(c.title) for c in self.candidates]
        self.by_norm: dict[str, list[Candidate]] = {}
        self.by_loose: dict[str, list[Candidate]] = {}
        for cand in self.candidates:
            self.by_norm.setdefault(normalize_title(cand.title), []).append(cand)
            self.by_loose.setdefault(_loose(cand.title), []).append(cand)

    def _pick(self, found: list[Candidate], family: str) -> Candidate | None:
        if not found:
            return None
        local = [c for c in found if c.family == family]
        return (local or found)[0]

    def resolve_one(self, name: str, family: str) -> tuple[Candidate, bool] | None:
        name = clean_title(name)
        if not name:
            return None
        norm = normalize_title(name)
        exact = [c for c in self.by_norm.get(norm, []) if c.title.strip().lower() == name.lower()]
        if exact:
            return self._pick(exact, family), False
        found = self._pick(self.by_norm.get(norm, []), family)
        if found:
            return found, True
        found = self._pick(self.by_loose.get(_loose(name), []), family)
        if found:
            return found, True
        expanded = _expand_acronyms(name, [c for c in self.candidates if c.family == family])
        if expanded is None:
            expanded = _expand_acronyms(name, self.candidates)
        if expanded:
            hit = self.resolve_one(expanded, family)
            if hit:
                return hit[0], True
        # Typos: a cheap ratio pre-filter over all titles, then the word-by-word check.
        hits = process.extract(norm, self.norms, scorer=fuzz.ratio, score_cutoff=85, limit=20)
        close = [
            self.candidates[i] for _, _, i in hits if similar_titles(name, self.candidates[i].title)
        ]
        for pool in ([c for c in close if c.family == family], close):
            if len(pool) == 1:
                return pool[0], True
            if len(pool) > 1:
                break
        return None

    def resolve(self, name: str, family: str) -> Resolution | None:
        """Resolve a title, or several ("X or Y", "X and Y") when only the parts resolve."""
        single = self.resolve_one(name, family)
        if single:
            cand, tolerant = single
            return Resolution((cand.key,), (cand.title,), tolerant)
        parts = [p for p in re.split(r"\s+or\s+|\s+and\s+|\s*&\s*|\s*;\s*", name) if p.strip()]
        if len(parts) < 2:
            parts = [p for p in re.split(r"\s*,\s*", name) if p.strip()]
        if len(parts) >= 2:
            hits = [self.resolve_one(part, family) for part in parts]
            if all(hits):
                return Resolution(
                    tuple(h[0].key for h in hits if h),
                    tuple(h[0].title for h in hits if h),
                    True,
                )
        return None


# --------------------------------------------------------------------------- one import run


@dataclass
class ResolvedLevel:
    parsed: ParsedLevel
    slug: str
    key: str
    reports_to_key: str | None = None
    reports_to_title: str = ""
    reports_to_link: str = ""
    position: int = 0


@dataclass
class ResolvedFamily:
    parsed: ParsedFamily
    levels: list[ResolvedLevel]
    warnings: list[Warning]


@dataclass
class ResolvedImport:
    families: list[ResolvedFamily]
    errors: list[HandbookError]
    # Resolved extends links: id(ParsedItem) → [(level key, section)]
    extends: dict[int, list[tuple[str, str | None]]]

    def graph(
        self,
        external: Mapping[str, Node] | None = None,
        render: Callable[[str, str], str] | None = None,
    ) -> dict[str, Node]:
        """Nodes of every level of the run (plus ``external`` ones); ``render(text, base_url)``
        gives each item its HTML."""
        graph: dict[str, Node] = dict(external or {})
        for family in self.families:
            base = family.parsed.base_url
            for level in family.levels:
                graph[level.key] = Node(
                    level.key,
                    level.parsed.title,
                    {
                        section: [
                            self.node_item(i, render, base) for i in level.parsed.sections[section]
                        ]
                        for section in SECTIONS
                    },
                )
        return graph

    def node_item(
        self, item: ParsedItem, render: Callable[[str, str], str] | None = None, base: str = ""
    ) -> NodeItem:
        return NodeItem(
            text=item.text,
            html=render(item.text, base) if render and item.text else "",
            children=[self.node_item(c, render, base) for c in item.children],
            extends=self.extends.get(id(item), []),
        )


def absolute_url(link: str, base_url: str) -> str:
    if link.startswith("/") and not link.startswith("//") and base_url:
        return base_url.rstrip("/") + link
    return link


def _assign_slugs(levels: list[ParsedLevel]) -> list[str]:
    used: set[str] = set()
    slugs: list[str] = []
    for level in levels:
        base = slugify(level.title)
        slug, n = base, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        slugs.append(slug)
    return slugs


def resolve_import(
    families: list[ParsedFamily],
    existing: Iterable[Candidate] = (),
    existing_grades: Mapping[str, tuple[Decimal | None, Decimal | None]] | None = None,
    *,
    strict: bool = False,
) -> ResolvedImport:
    """Resolve titles, grades and extends across every page of one import run.

    ``existing`` are levels already stored (other families) that pages may extend or report to.
    With ``strict``, unknown extends targets and self-references are errors, not warnings.
    """
    errors: list[HandbookError] = []
    resolved: list[ResolvedFamily] = []
    run_slugs = {f.slug for f in families}
    candidates = [c for c in existing if c.family not in run_slugs]
    for family in families:
        slugs = _assign_slugs(family.levels)
        levels = [
            ResolvedLevel(level, slug, f"{family.slug}/{slug}", position=i)
            for i, (level, slug) in enumerate(zip(family.levels, slugs, strict=True))
        ]
        resolved.append(ResolvedFamily(family, levels, list(family.warnings)))
        candidates.extend(Candidate(lv.key, lv.parsed.title, family.slug) for lv in levels)
    index = TitleIndex(candidates)
    extends: dict[int, list[tuple[str, str | None]]] = {}
    by_key = {lv.key: lv for fam in resolved for lv in fam.levels}

    def fail(family: ResolvedFamily, line: int, message: str) -> None:
        errors.append(HandbookError(message, line, name=family.parsed.name or family.parsed.slug))

    for fam in resolved:
        slug = fam.parsed.slug
        warn = fam.warnings.append
        local_keys = {lv.parsed.title: lv for lv in fam.levels}
        # Grades. Statements naming the level they stand under come first; a statement that
        # names another level is applied second, so a sentence copied from a neighbour and not
        # edited can be recognised: its named level already has another grade.
        planned = []
        for statement in fam.parsed.grade_statements:
            names = statement.names or ([statement.owner] if statement.owner else [])
            owner = local_keys.get(statement.owner)
            targets: list[tuple[ResolvedLevel, bool, str]] = []
            for name in names:
                hit = index.resolve(name, slug)
                local = [by_key[k] for k in (hit.keys if hit else ()) if k.startswith(slug + "/")]
                if hit and local:
                    targets.extend((t, hit.tolerant, name) for t in local)
                elif owner is not None:
                    targets.append((owner, True, name))
                else:
                    warn(
                        Warning(
                            statement.line,
                            "unknown-title",
                            f"grade sentence names '{name}', which is not a level of this page",
                        )
                    )
            if not names:
                warn(Warning(statement.line, "grade", "grade sentence names no level"))
            foreign = owner is not None and all(t is not owner for t, _, _ in targets)
            planned.append((foreign, statement, owner, targets))
        for foreign, statement, owner, targets in sorted(planned, key=lambda p: p[0]):
            if (
                foreign
                and any(
                    t.parsed.grade is not None and t.parsed.grade != statement.grade
                    for t, _, _ in targets
                )
                and owner.parsed.grade is None
            ):
                warn(
                    Warning(
                        statement.line,
                        "grade",
                        f"grade sentence names '{targets[0][2]}' but stands under "
                        f"'{owner.parsed.title}'; given to '{owner.parsed.title}'",
                    )
                )
                targets = [(owner, False, owner.parsed.title)]
            for target, tolerant, name in targets:
                if tolerant and normalize_title(name) != normalize_title(target.parsed.title):
                    warn(
                        Warning(
                            statement.line,
                            "tolerant-title",
                            f"grade sentence names '{name}'; read as '{target.parsed.title}'",
                        )
                    )
                level = target.parsed
                if level.grade is not None and level.grade != statement.grade:
                    fail(
                        fam,
                        statement.line,
                        f"'{level.title}' is given grade {level.grade} and then grade "
                        f"{statement.grade}; say one",
                    )
                    continue
                level.grade = statement.grade
                level.grade_max = statement.grade_max
                level.grade_link = absolute_url(statement.link, fam.parsed.base_url)
        # Reports-to.
        for lv in fam.levels:
            raw = lv.parsed.reports_to
            if not raw:
                continue
            hit = index.resolve_one(raw, slug)
            # Reports-to stays within the family: another page's level is an external title.
            if hit and hit[0].key != lv.key and hit[0].family == slug:
                lv.reports_to_key = hit[0].key
                lv.reports_to_title = hit[0].title
                if hit[1]:
                    warn(
                        Warning(
                            lv.parsed.reports_to_line,
                            "tolerant-title",
                            f"reports to '{raw}' read as '{hit[0].title}'",
                        )
                    )
            else:
                lv.reports_to_title = raw
                lv.reports_to_link = absolute_url(lv.parsed.reports_to_link, fam.parsed.base_url)
                if not lv.reports_to_link:
                    warn(
                        Warning(
                            lv.parsed.reports_to_line,
                            "external-title",
                            f"'{lv.parsed.title}' reports to '{raw}', which is not in the ladder",
                        )
                    )
        # Extends.
        for lv in fam.levels:
            for item in _all_items(lv.parsed):
                ref = item.extends
                if ref is None:
                    continue
                hit = _our_link(ref.link, by_key, index) or index.resolve(ref.target, slug)
                if hit is None:
                    message = f"'{lv.parsed.title}' extends '{ref.target}', which matches no level"
                    if strict:
                        fail(fam, ref.line, message)
                    else:
                        warn(Warning(ref.line, "unknown-extends", message + "; kept as text"))
                    item.extends = None
                    continue
                keys = [k for k in hit.keys if k != lv.key]
                if len(keys) < len(hit.keys):
                    message = f"'{lv.parsed.title}' extends itself"
                    if strict:
                        fail(fam, ref.line, message)
                    else:
                        warn(Warning(ref.line, "self-extends", message + "; kept as text"))
                if not keys:
                    continue
                if hit.tolerant:
                    names = " and ".join(f"'{t}'" for t in hit.titles)
                    warn(
                        Warning(
                            ref.line, "tolerant-title", f"extends '{ref.target}' read as {names}"
                        )
                    )
                extends[id(item)] = [(k, ref.section) for k in keys]
    result = ResolvedImport(resolved, errors, extends)
    # Cycles across the whole run (and into stored levels is impossible: they do not point back).
    edges: dict[str, list[str]] = {}
    lines: dict[tuple[str, str], int] = {}
    for fam in resolved:
        for lv in fam.levels:
            for item in _all_items(lv.parsed):
                for key, _section in extends.get(id(item), []):
                    edges.setdefault(lv.key, []).append(key)
                    lines.setdefault((lv.key, key), item.line)
    cycle = find_cycle(edges)
    if cycle:
        names = [by_key[k].parsed.title if k in by_key else k for k in cycle]
        fam = next(f for f in resolved if any(lv.key == cycle[0] for lv in f.levels))
        fail(fam, lines.get((cycle[0], cycle[1]), 0), "extends cycle: " + " → ".join(names))
        return result
    _infer_grades(resolved, edges, by_key, existing_grades or {})
    return result


_OUR_LEVEL_URL = re.compile(r"^/families/([a-z0-9_-]+)/([a-z0-9_-]+)/?$")


def _our_link(link: str, by_key: Mapping[str, ResolvedLevel], index: TitleIndex):
    """An extends bullet linking to a level page of Ladder itself names its target exactly."""
    match = _OUR_LEVEL_URL.match(link or "")
    if not match:
        return None
    key = f"{match.group(1)}/{match.group(2)}"
    if key in by_key:
        return Resolution((key,), (by_key[key].parsed.title,), False)
    for cand in index.candidates:
        if cand.key == key:
            return Resolution((key,), (cand.title,), False)
    return None


def _all_items(level: ParsedLevel) -> list[ParsedItem]:
    out: list[ParsedItem] = []
    stack = [item for section in SECTIONS for item in level.sections[section]]
    while stack:
        item = stack.pop(0)
        out.append(item)
        stack[0:0] = item.children
    return out


def _infer_grades(
    families: list[ResolvedFamily],
    edges: Mapping[str, list[str]],
    by_key: Mapping[str, ResolvedLevel],
    existing_grades: Mapping[str, tuple[Decimal | None, Decimal | None]],
) -> None:
    """A level with no grade takes the grade of the first level it extends (marked inferred)."""

    def grade_of(key: str, seen: frozenset[str]) -> tuple[Decimal | None, Decimal | None]:
        if key in by_key:
            level = by_key[key].parsed
            if level.grade is not None:
                return level.grade, level.grade_max
            for target in edges.get(key, []):
                if target not in seen:
                    found = grade_of(target, seen | {key})
                    if found[0] is not None:
                        return found
            return None, None
        return existing_grades.get(key, (None, None))

    for fam in families:
        for lv in fam.levels:
            if lv.parsed.grade is None:
                grade, grade_max = grade_of(lv.key, frozenset())
                if grade is not None:
                    lv.parsed.grade = grade
                    lv.parsed.grade_max = grade_max
                    lv.parsed.grade_inferred = True
