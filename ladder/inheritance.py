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
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from rapidfuzz import fuzz, process

from ladder.handbook import (
    SECTIONS,
    ExtendsRef,
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
from ladder.handbook.text import RANK_WORDS, SENIORITY_WORDS

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
    # What ``Level.effective`` stores for it, made once (by ``_own``) and shared by the copies
    # inheriting levels make: an item appears in every level down its extends chains, and
    # building its document for each of them was 7% of a 3,000-family import's time and a
    # quarter of its peak memory (1,052 -> 786 MB, measured).
    stored: dict | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class EffectiveEntry:
    """One item of a level's stored effective list (``Level.effective[section]``).

    The one contract every reader uses (level pages, API, comparison, postings, the admin
    preview, ``check_ladder``): an entry is the level's own when it comes from that very level,
    compared by key ("family/level"), never by slug alone, since a level may extend a level of
    the same name in another family.

    >>> entry = EffectiveEntry("Plan", "Plan", "sales/analyst", "Analyst")
    >>> entry.is_own("sales/analyst"), entry.is_own("ops/analyst"), entry.source
    (True, False, 'analyst')
    """

    text: str
    html: str
    source_key: str  # "family-slug/level-slug" of the level the item comes from
    source_title: str
    children: tuple[EffectiveEntry, ...] = ()

    @property
    def source(self) -> str:
        return self.source_key.partition("/")[2] or self.source_key

    def is_own(self, level_key: str) -> bool:
        return self.source_key == level_key

    def to_json(self) -> dict:
        return {
            "text": self.text,
            "html": self.html,
            "source": self.source,
            "source_key": self.source_key,
            "source_title": self.source_title,
            "children": [child.to_json() for child in self.children],
        }

    @classmethod
    def from_json(cls, data: Mapping, family_slug: str = "") -> EffectiveEntry:
        # Rows written before source_key existed name the level by slug within its family.
        key = data.get("source_key") or f"{family_slug}/{data.get('source', '')}"
        return cls(
            text=data.get("text", ""),
            html=data.get("html", ""),
            source_key=key,
            source_title=data.get("source_title") or data.get("source", ""),
            children=tuple(cls.from_json(c, family_slug) for c in data.get("children") or []),
        )

    @classmethod
    def from_item(cls, item: EffectiveItem) -> EffectiveEntry:
        return cls(
            text=item.text,
            html=item.html,
            source_key=item.source,
            source_title=item.source_title,
            children=tuple(cls.from_item(c) for c in item.children),
        )


def effective_entries(
    effective: Mapping, section: str, family_slug: str = ""
) -> list[EffectiveEntry]:
    """The entries of one section of a stored ``Level.effective`` document."""
    return [EffectiveEntry.from_json(e, family_slug) for e in effective.get(section) or []]


def walk_entries(
    entries: Iterable[EffectiveEntry], depth: int = 0
) -> Iterator[tuple[EffectiveEntry, int]]:
    """Every entry with its depth (0 at the top), depth first: a parent before its children."""
    for entry in entries:
        yield entry, depth
        yield from walk_entries(entry.children, depth + 1)


def effective_json(sections: Mapping[str, list[EffectiveItem]]) -> dict[str, list[dict]]:
    """What ``Level.effective`` stores for the result of :func:`effective_items`."""
    return {section: [_stored(item) for item in sections.get(section, [])] for section in SECTIONS}


def _stored(item: EffectiveItem) -> dict:
    if item.stored is None:  # an item made by hand, not by effective_items
        return EffectiveEntry.from_item(item).to_json()
    return item.stored


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
    children = [_own(child, node) for child in item.children]
    stored = EffectiveEntry(item.text, item.html, node.key, node.title).to_json()
    stored["children"] = [child.stored for child in children]
    return EffectiveItem(
        text=item.text,
        html=item.html,
        source=node.key,
        source_title=node.title,
        own=True,
        children=children,
        stored=stored,
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


_SENIORITY = SENIORITY_WORDS
_RANKS = RANK_WORDS
_ALIAS = re.compile(r"\(([A-Z][A-Za-z]{1,5})\)\s*$")
_PAREN = re.compile(r"\s*\([^)]*\)")
_FILLER = {"level", "role", "position", "the", "a", "an", "of", "job", "family"}


def _loose(title: str) -> str:
    words = normalize_title(_PAREN.sub("", title)).split()
    return " ".join(w for w in words if w not in _FILLER and w != "intermediate")


def _bag(title: str) -> str:
    return " ".join(sorted(set(_loose(title).split())))


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
        # The same words in another order: "Application Security Manager" is "Security
        # Manager, Application Security"; "Senior Program Manager, Learning & Development" is
        # "Senior Learning & Development Program Manager".
        self.by_bag: dict[str, list[Candidate]] = {}
        # "Business Development Representative (BDR)" is also called "BDR".
        self.by_alias: dict[str, list[Candidate]] = {}
        # Lookups within one family or by key: a scan of every title for each of them made
        # resolving grow with the square of the ladder (34,000 titles at 3,000 families).
        self.by_family: dict[str, list[Candidate]] = {}
        self.by_key: dict[str, Candidate] = {}
        # The typo search's titles, per family (in candidate order) and for the whole ladder.
        self.norms_by_family: dict[str, tuple[list[str], list[Candidate]]] = {}
        for cand, norm in zip(self.candidates, self.norms, strict=True):
            norms, cands = self.norms_by_family.setdefault(cand.family, ([], []))
            norms.append(norm)
            cands.append(cand)
        for cand in self.candidates:
            self.by_family.setdefault(cand.family, []).append(cand)
            self.by_key.setdefault(cand.key, cand)
            self.by_norm.setdefault(normalize_title(cand.title), []).append(cand)
            self.by_loose.setdefault(_loose(cand.title), []).append(cand)
            self.by_bag.setdefault(_bag(cand.title), []).append(cand)
            alias = _ALIAS.search(cand.title)
            if alias:
                self.by_alias.setdefault(alias.group(1).lower(), []).append(cand)

    def _pick(self, found: list[Candidate], family: str, local: bool = False) -> Candidate | None:
        mine = [c for c in found if c.family == family]
        if local:
            return mine[0] if mine else None
        return (mine or found or [None])[0]

    def resolve_one(
        self, name: str, family: str, *, local: bool = False
    ) -> tuple[Candidate, bool] | None:
        """The level a written title names, and whether it was read tolerantly.

        Titles are looked up in the writer's own family first, exactly, then by the words they
        share with one title there; then across the ladder; then tolerantly (abbreviations,
        acronyms, typos). ``local`` looks in ``family`` only."""
        name = clean_title(name)
        if not name:
            return None
        norm = normalize_title(name)
        exact = [c for c in self.by_norm.get(norm, []) if c.title.strip().lower() == name.lower()]
        scopes = (True,) if local else (True, False)
        for mine_only in scopes:
            found = self._pick(exact, family, mine_only)
            if found:
                return found, False
            for pool in (self.by_norm.get(norm, []), self.by_alias.get(norm, [])):
                found = self._pick(pool, family, mine_only)
                if found:
                    return found, True
            if mine_only:
                found = self._covering(norm, family)
                if found is not None:
                    return found, True
        found = self._pick(self.by_loose.get(_loose(name), []), family, local)
        if found:
            return found, True
        # (never a title with fewer words than the written one: "Manager, Technology Partner
        # Managers" is not "Technology Partner Manager").
        size = len(_loose(name).split())
        bag = [
            c
            for c in self.by_bag.get(_bag(name), [])
            if c.family == family and len(_loose(c.title).split()) >= size
        ]
        if len(bag) == 1:
            return bag[0], True
        seniority = self._by_seniority(norm, family)
        if seniority is not None:
            return seniority, True
        mine = self.by_family.get(family, [])
        expanded = _expand_acronyms(name, mine)
        if expanded is None and not local:
            expanded = _expand_acronyms(name, self.candidates)
        if expanded:
            hit = self.resolve_one(expanded, family, local=local)
            if hit:
                return hit[0], True
        # "the expectations for Product Analysts": the role in the plural.
        if re.search(r"[^s]s$", norm):
            hit = self.resolve_one(name.rstrip()[:-1], family, local=local)
            if hit:
                return hit[0], True
        # Typos: the family's titles first, then the whole ladder's. Scanning every title of
        # the ladder for each reference made resolving grow with the square of the ladder
        # (34,000 titles at 3,000 families, and a reference with a typo in most families).
        mine = self._close(norm, name, *self.norms_by_family.get(family, ([], [])))
        if len(mine) == 1:
            return mine[0], True
        if mine or local:
            return None  # several titles of the family are that close: ambiguous
        close = self._close(norm, name, self.norms, self.candidates)
        return (close[0], True) if len(close) == 1 else None

    @staticmethod
    def _close(norm: str, name: str, norms: list[str], cands: list[Candidate]) -> list[Candidate]:
        """Titles that differ from ``name`` by typos: a cheap ratio pre-filter (the 20 closest),
        then the word-by-word check."""
        hits = process.extract(norm, norms, scorer=fuzz.ratio, score_cutoff=85, limit=20)
        return [cands[i] for _, _, i in hits if similar_titles(name, cands[i].title)]

    def _covering(self, norm: str, family: str) -> Candidate | None:
        """Within the family, the one title that has every written word, in order, and no
        other rank or seniority ("Senior Analytics Analyst" names "Senior Sales Analytics
        Analyst"; "the Analyst" names "Analyst, Global Digital SMB Operations", not "Senior
        Analyst, …"). Two such titles: ambiguous, none."""
        words = [w for w in norm.split() if w not in _FILLER]
        if not words:
            return None
        found = []
        for cand in self.by_family.get(family, []):
            title = normalize_title(cand.title).split()
            it = iter(title)
            if not all(w in it for w in words):  # a subsequence: order kept
                continue
            if any(w in _RANKS and w not in words for w in title):
                continue
            found.append(cand)
        return found[0] if len(found) == 1 else None

    def _by_seniority(self, norm: str, family: str) -> Candidate | None:
        """ "Intermediate" / "Senior level" alone: the one level of the family at that seniority
        ("Includes all Senior level responsibilities")."""
        word = norm.removesuffix(" level").strip()
        if word not in _SENIORITY:
            return None
        found = [
            c
            for c in self.by_family.get(family, [])
            if (normalize_title(c.title).startswith(word + " ") or f"({word})" in c.title.lower())
        ]
        return found[0] if len(found) == 1 else None

    def _resolve_part(self, part: str, last: str, family: str) -> tuple[Candidate, bool] | None:
        """One title of "X and Y": in the family first, then with the words the last part
        shares ("Senior Manager and Manager Deal Desk": "Senior Manager Deal Desk"), then
        anywhere."""
        hit = self.resolve_one(part, family, local=True)
        if hit:
            return hit
        tail = last.split()
        for start in range(1, len(tail)):
            hit = self.resolve_one(f"{part} {' '.join(tail[start:])}", family, local=True)
            if hit:
                return hit
        return self.resolve_one(part, family)

    def resolve(self, name: str, family: str) -> Resolution | None:
        """Resolve a title, or several ("X or Y", "X and Y") when only the parts resolve."""
        single = self.resolve_one(name, family)
        if single:
            cand, tolerant = single
            return Resolution((cand.key,), (cand.title,), tolerant)
        # "or" and ";" split titles first: "and" is also inside titles ("Staff or Principal
        # level Strategy and Operations" is Staff and Principal, not "Operations").
        for separators in (_OR, _OR_AND, _COMMA):
            parts = [p for p in separators.split(name) if p.strip()]
            if len(parts) < 2:
                continue
            hits = [self._resolve_part(part, parts[-1], family) for part in parts]
            if not all(hits):
                continue
            # A list of levels names one family's: a part found only in another family, beside
            # parts found in the writer's, is a title cut in the wrong place.
            families = {h[0].family == family for h in hits if h}
            if families == {True, False}:
                continue
            return Resolution(
                tuple(h[0].key for h in hits if h), tuple(h[0].title for h in hits if h), True
            )
        return None


_OR = re.compile(r"\s+or\s+|\s*;\s*")
_OR_AND = re.compile(r"\s+or\s+|\s+and\s+|\s*&\s*|\s*;\s*")
_COMMA = re.compile(r"\s*,\s*")


# --------------------------------------------------------------------------- one import run


@dataclass
class ResolvedItem:
    """A parsed item with its extends reference resolved to (level key, section) links."""

    text: str
    line: int
    children: list[ResolvedItem] = field(default_factory=list)
    extends: list[tuple[str, str | None]] = field(default_factory=list)
    ref: ExtendsRef | None = None  # as written, until resolved

    def walk(self) -> Iterator[ResolvedItem]:
        yield self
        for child in self.children:
            yield from child.walk()


def _copy_items(items: list[ParsedItem]) -> list[ResolvedItem]:
    return [ResolvedItem(i.text, i.line, _copy_items(i.children), [], i.extends) for i in items]


@dataclass
class ResolvedLevel:
    """One level of the run: the parser's level (never changed) plus what resolution found."""

    parsed: ParsedLevel
    slug: str
    key: str
    position: int = 0
    sections: dict[str, list[ResolvedItem]] = field(default_factory=dict)
    grade: Decimal | None = None
    grade_max: Decimal | None = None
    grade_link: str = ""
    grade_inferred: bool = False
    grade_reason: str = ""  # why an inferred grade: the level it was taken from, in words
    reports_to_key: str | None = None
    reports_to_title: str = ""
    reports_to_link: str = ""

    @property
    def title(self) -> str:
        return self.parsed.title

    def items(self) -> Iterator[ResolvedItem]:
        for section in SECTIONS:
            for item in self.sections.get(section, []):
                yield from item.walk()


@dataclass
class ResolvedFamily:
    parsed: ParsedFamily
    levels: list[ResolvedLevel]
    warnings: list[Warning]


@dataclass
class ResolvedImport:
    families: list[ResolvedFamily]
    errors: list[HandbookError]

    def levels(self) -> Iterator[ResolvedLevel]:
        for family in self.families:
            yield from family.levels

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
                    level.title,
                    {
                        section: [_node_item(i, render, base) for i in level.sections[section]]
                        for section in SECTIONS
                    },
                )
        return graph


def _node_item(item: ResolvedItem, render: Callable[[str, str], str] | None, base: str) -> NodeItem:
    return NodeItem(
        text=item.text,
        html=render(item.text, base) if render and item.text else "",
        children=[_node_item(c, render, base) for c in item.children],
        extends=list(item.extends),
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


@dataclass
class _Run:
    """What the steps of one resolution share."""

    families: list[ResolvedFamily]
    index: TitleIndex
    by_key: dict[str, ResolvedLevel]
    strict: bool
    errors: list[HandbookError] = field(default_factory=list)

    def fail(self, family: ResolvedFamily, line: int, message: str) -> None:
        name = family.parsed.name or family.parsed.slug
        self.errors.append(HandbookError(message, line, name=name))


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
    The parsed families are read, never changed: everything found is on the returned objects.
    """
    run_slugs = {f.slug for f in families}
    candidates = [c for c in existing if c.family not in run_slugs]
    resolved: list[ResolvedFamily] = []
    for family in families:
        slugs = _assign_slugs(family.levels)
        levels = [
            ResolvedLevel(
                level,
                slug,
                f"{family.slug}/{slug}",
                position=i,
                sections={s: _copy_items(level.sections[s]) for s in SECTIONS},
            )
            for i, (level, slug) in enumerate(zip(family.levels, slugs, strict=True))
        ]
        resolved.append(ResolvedFamily(family, levels, list(family.warnings)))
        candidates.extend(Candidate(lv.key, lv.title, family.slug) for lv in levels)
    run = _Run(
        resolved,
        TitleIndex(candidates),
        {lv.key: lv for fam in resolved for lv in fam.levels},
        strict,
    )
    for fam in resolved:
        _resolve_grades(run, fam)
        _resolve_reports_to(run, fam)
        _resolve_extends(run, fam)
    result = ResolvedImport(resolved, run.errors)
    edges = _extends_edges(resolved)
    if _check_cycles(run, edges):
        return result
    _infer_grades(run, edges, existing_grades or {})
    return result


def _resolve_grades(run: _Run, fam: ResolvedFamily) -> None:
    """Grade sentences and tables → levels. Statements naming the level they stand under come
    first; a statement that names another level is applied second, so a sentence copied from a
    neighbour and not edited can be recognised: its named level already has another grade."""
    slug = fam.parsed.slug
    warn = fam.warnings.append
    local_keys = {lv.title: lv for lv in fam.levels}
    planned = []
    for statement in fam.parsed.grade_statements:
        names = statement.names or ([statement.owner] if statement.owner else [])
        owner = local_keys.get(statement.owner)
        targets: list[tuple[ResolvedLevel, bool, str]] = []
        for name in names:
            hit = _grade_subject(run.index, name, slug, owner is not None)
            local = [run.by_key[k] for k in (hit.keys if hit else ()) if k.startswith(slug + "/")]
            if hit and local:
                targets.extend((t, hit.tolerant, name) for t in local)
            elif owner is not None:
                targets.append((owner, True, name))
            elif (
                normalize_title(name) == normalize_title(fam.parsed.title)
                and len(fam.parsed.grade_statements) == 1
            ):
                # "The SMB Account Executive is a grade 6", the one grade sentence of the "SMB
                # Account Executive Roles" page: every position of the family.
                targets.extend((t, False, t.title) for t in fam.levels if t.grade is None)
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
            and any(t.grade is not None and t.grade != statement.grade for t, _, _ in targets)
            and owner.grade is None
        ):
            warn(
                Warning(
                    statement.line,
                    "grade",
                    f"grade sentence names '{targets[0][2]}' but stands under "
                    f"'{owner.title}'; given to '{owner.title}'",
                )
            )
            targets = [(owner, False, owner.title)]
        for target, tolerant, name in targets:
            if tolerant and normalize_title(name) != normalize_title(target.title):
                warn(
                    Warning(
                        statement.line,
                        "tolerant-title",
                        f"grade sentence names '{name}'; read as '{target.title}'",
                    )
                )
            if target.grade is not None and target.grade != statement.grade:
                run.fail(
                    fam,
                    statement.line,
                    f"'{target.title}' is given grade {target.grade} and then grade "
                    f"{statement.grade}; say one",
                )
                continue
            target.grade = statement.grade
            target.grade_max = statement.grade_max
            target.grade_link = absolute_url(statement.link, fam.parsed.base_url)
    _grade_list(fam)


def _grade_list(fam: ResolvedFamily) -> None:
    """A family-wide list of grades ("grades: 6, 7, 8") gives one grade to each level of the
    ladder, in page order, when the ladder has exactly that many levels and none states its own
    grade; levels of a later group (specialties) take theirs by inference."""
    values = fam.parsed.grade_list
    if not values or not fam.levels:
        return
    top = fam.levels[0].parsed.group.split(" › ")[0]
    ladder = [lv for lv in fam.levels if lv.parsed.group.split(" › ")[0] == top]
    if len(ladder) != len(values) or any(lv.grade is not None for lv in ladder):
        fam.warnings.append(
            Warning(
                fam.parsed.grade_list_line,
                "grade",
                f"the page lists grades {', '.join(map(str, values))} for {len(ladder)} levels; "
                "give each level its own grade sentence",
            )
        )
        return
    for lv, value in zip(ladder, values, strict=True):
        lv.grade = value


def _resolve_reports_to(run: _Run, fam: ResolvedFamily) -> None:
    """Reports-to stays within the family: another page's level is an external title."""
    slug = fam.parsed.slug
    for lv in fam.levels:
        raw = lv.parsed.reports_to
        if not raw:
            continue
        hit = run.index.resolve_one(raw, slug)
        if hit and hit[0].key != lv.key and hit[0].family == slug:
            lv.reports_to_key = hit[0].key
            lv.reports_to_title = hit[0].title
            if hit[1]:
                fam.warnings.append(
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
                fam.warnings.append(
                    Warning(
                        lv.parsed.reports_to_line,
                        "external-title",
                        f"'{lv.title}' reports to '{raw}', which is not in the ladder",
                    )
                )


def _resolve_extends(run: _Run, fam: ResolvedFamily) -> None:
    """Each "Extends that of …" reference → the levels it names. What matches no level, or only
    the level itself, stays as text (a warning; an error with ``strict``)."""
    slug = fam.parsed.slug
    warn = fam.warnings.append
    for lv in fam.levels:
        for item in lv.items():
            ref = item.ref
            if ref is None:
                continue
            hit = _our_link(ref.link, run.by_key, run.index) or run.index.resolve(ref.target, slug)
            if hit is None:
                message = f"'{lv.title}' extends '{ref.target}', which matches no level"
                if run.strict:
                    run.fail(fam, ref.line, message)
                else:
                    warn(Warning(ref.line, "unknown-extends", message + "; kept as text"))
                continue
            keys = [k for k in hit.keys if k != lv.key]
            if len(keys) < len(hit.keys):
                message = f"'{lv.title}' extends itself"
                if run.strict:
                    run.fail(fam, ref.line, message)
                else:
                    warn(Warning(ref.line, "self-extends", message + "; kept as text"))
            if not keys:
                continue
            if hit.tolerant:
                names = " and ".join(f"'{t}'" for t in hit.titles)
                warn(Warning(ref.line, "tolerant-title", f"extends '{ref.target}' read as {names}"))
            item.extends = [(k, ref.section) for k in keys]


def _extends_edges(families: list[ResolvedFamily]) -> dict[str, list[str]]:
    edges: dict[str, list[str]] = {}
    for fam in families:
        for lv in fam.levels:
            for item in lv.items():
                for key, _section in item.extends:
                    edges.setdefault(lv.key, []).append(key)
    return edges


def _check_cycles(run: _Run, edges: dict[str, list[str]]) -> bool:
    """Refuse a cycle across the whole run (stored levels cannot point back into it)."""
    cycle = find_cycle(edges)
    if not cycle:
        return False
    names = [run.by_key[k].title if k in run.by_key else k for k in cycle]
    fam = next(f for f in run.families if any(lv.key == cycle[0] for lv in f.levels))
    line = next(
        (
            item.line
            for item in run.by_key[cycle[0]].items()
            if any(key == cycle[1] for key, _ in item.extends)
        ),
        0,
    )
    run.fail(fam, line, "extends cycle: " + " → ".join(names))
    return True


def _grade_subject(index: TitleIndex, name: str, family: str, placed: bool) -> Resolution | None:
    """The levels a grade sentence names. Under a level's heading (``placed``) only a name that
    is one level of the family, or names several exactly ("The Sr. Analyst & Sr. Manager are a
    grade 7"), counts; a looser name ("The Security Engineer", "The Director of CSM") is the
    heading's level speaking of itself."""
    if not placed:
        return index.resolve(name, family)
    hit = index.resolve_one(name, family, local=True)
    if hit:
        return Resolution((hit[0].key,), (hit[0].title,), hit[1])
    parts = [p for p in re.split(r"\s+and\s+|\s*&\s*", name) if p.strip()]
    exact = [index.by_norm.get(normalize_title(p), []) for p in parts]
    mine = [[c for c in found if c.family == family] for found in exact]
    if len(parts) >= 2 and all(mine):
        return Resolution(tuple(m[0].key for m in mine), tuple(m[0].title for m in mine), False)
    return None


_OUR_LEVEL_URL = re.compile(r"^/families/([a-z0-9_-]+)/([a-z0-9_-]+)/?$")


def _our_link(link: str, by_key: Mapping[str, ResolvedLevel], index: TitleIndex):
    """An extends bullet linking to a level page of Ladder itself names its target exactly."""
    match = _OUR_LEVEL_URL.match(link or "")
    if not match:
        return None
    key = f"{match.group(1)}/{match.group(2)}"
    if key in by_key:
        return Resolution((key,), (by_key[key].title,), False)
    cand = index.by_key.get(key)
    return Resolution((key,), (cand.title,), False) if cand else None


# A specialty qualifier: "Sales Operations Analyst (Channel)", "… Analyst - Sales Tech Stack".
_QUALIFIER = re.compile(r"\s*(?:\([^)]*\)|\s[-–—]\s.+)\s*$")


def _words(title: str) -> frozenset[str]:
    return frozenset(normalize_title(_PAREN.sub("", title)).split()) - _FILLER


def _without_specialty(
    run: _Run, fam: ResolvedFamily, lv: ResolvedLevel, stated: set[str]
) -> ResolvedLevel | None:
    """The level of the same family that is this one without its specialty: the title less a
    qualifier ("… (Channel)", "… - Sales Tech Stack"), else the level whose title is this one's
    less some words that are not seniority ("Senior Anti-Abuse Security Analyst" → "Senior
    Security Analyst"); the largest such title when it is the only one of its size."""
    base = _QUALIFIER.sub("", lv.title).strip()
    if base and base != lv.title.strip():
        hit = run.index.resolve_one(base, fam.parsed.slug, local=True)
        source = run.by_key.get(hit[0].key) if hit else None
        if source is not None and source is not lv and source.key in stated:
            return source
    mine = _words(lv.title)
    found = [
        other
        for other in fam.levels
        if other is not lv
        and other.key in stated
        and _words(other.title) < mine
        and (_words(other.title) & _RANKS) == (mine & _RANKS)
        and len(_words(other.title)) >= 2
    ]
    if not found:
        return None
    size = max(len(_words(o.title)) for o in found)
    best = [o for o in found if len(_words(o.title)) == size]
    return best[0] if len(best) == 1 else None


def _extended_grade(
    run: _Run,
    edges: Mapping[str, list[str]],
    existing_grades: Mapping[str, tuple[Decimal | None, Decimal | None]],
    titles: Mapping[str, str],
    key: str,
    seen: frozenset[str],
) -> tuple[Decimal | None, Decimal | None, str]:
    """The grade of the first level ``key`` extends that has one, recursively, and its title.

    At module level: a nested function calling itself is a reference cycle, which kept the
    whole resolved run alive after an import until the cycle collector ran."""
    if key in run.by_key:
        level = run.by_key[key]
        if level.grade is not None:
            return level.grade, level.grade_max, level.title
        for target in edges.get(key, []):
            if target not in seen:
                found = _extended_grade(run, edges, existing_grades, titles, target, seen | {key})
                if found[0] is not None:
                    return found
        return None, None, ""
    low, high = existing_grades.get(key, (None, None))
    return low, high, titles.get(key, key)


def _infer_grades(
    run: _Run,
    edges: Mapping[str, list[str]],
    existing_grades: Mapping[str, tuple[Decimal | None, Decimal | None]],
) -> None:
    """A level with no grade sentence takes, in this order, the stated grade of the level of its
    family with the same title but for a specialty qualifier, else the grade of the first level
    it extends (recursively). Either is marked inferred, with the reason in words."""
    stated = {key for key, lv in run.by_key.items() if lv.grade is not None}
    for fam in run.families:
        for lv in fam.levels:
            if lv.grade is not None:
                continue
            source = _without_specialty(run, fam, lv, stated)
            if source is not None:
                lv.grade, lv.grade_max = source.grade, source.grade_max
                lv.grade_inferred = True
                lv.grade_reason = f"the grade of {source.title}, the same role without a specialty"
    titles = {c.key: c.title for c in run.index.candidates}
    for fam in run.families:
        for lv in fam.levels:
            if lv.grade is None:
                grade, grade_max, source = _extended_grade(
                    run, edges, existing_grades, titles, lv.key, frozenset()
                )
                if grade is not None:
                    lv.grade, lv.grade_max = grade, grade_max
                    lv.grade_inferred = True
                    lv.grade_reason = f"the grade of {source}, which it extends"
