"""``parse_handbook``: one page → a :class:`ParsedFamily`, walking the heading tree."""

from __future__ import annotations

import copy
import re
from decimal import Decimal

from ladder.handbook.blocks import (
    MAX_BULLETS,
    SCRIPT_BLOCK,
    Heading,
    Para,
    Table,
    nest,
    scan,
    visible,
)
from ladder.handbook.decoding import decode_source, split_front_matter
from ladder.handbook.headings import (
    GROUP_HEADING,
    ROLE_NOUN,
    guess_section,
    has_generic_children,
    has_role_content,
    has_sentences,
    heading_kind,
    is_ancestor_titled,
    is_qualifier,
    is_specialty_group,
    lead_in_section,
    looks_like_role,
    mend_tree,
    names_a_role,
    owns_sections,
    prefix_matches,
    second_name,
    section_synonym,
)
from ladder.handbook.parsed import (
    FAMILY_SECTIONS,
    SECTIONS,
    GradeStatement,
    HandbookError,
    ParsedFamily,
    ParsedItem,
    ParsedLevel,
    Warning,
    walk_items,
)
from ladder.handbook.phrases import (
    ABOVE,
    PAGE_SECTION,
    PREVIOUS_LEVEL,
    grade_subjects,
    manager_title,
    parse_extends,
    parse_extends_sentence,
    parse_grade_list,
    parse_grade_text,
    reporting_to,
    reports_bullet,
    reports_statement,
)
from ladder.handbook.reporting import (
    SharedManager,
    opening_managers,
    share_managers,
)
from ladder.handbook.text import (
    LINK,
    SENIORITY_WORDS,
    clean_title,
    family_title,
    handbook_hosts,
    most_linked,
    normalize_title,
    similar_titles,
    slugify,
    split_sentences,
)


class _Builder:
    def __init__(self, name: str, base_url: str, grade_range: tuple[int, int]) -> None:
        self.name = name
        self.base_url = base_url
        self.grade_range = grade_range
        self.warnings: list[Warning] = []
        self.levels: list[ParsedLevel] = []
        self.by_key: dict[str, ParsedLevel] = {}
        self.grade_statements: list[GradeStatement] = []
        self.family_sections: dict[str, list[str]] = {name: [] for name in FAMILY_SECTIONS}
        self.description: list[str] = []
        self.loose_sections: dict[str, list[ParsedItem]] = {name: [] for name in SECTIONS}
        self.loose_line = 0
        self.heading_lines: dict[str, int] = {}
        self.title = ""  # the family's title, once known
        self.grade_list: list[Decimal] = []
        # Each list given to a level, in page order: (section, items), by id of the level.
        self.lists: dict[int, list[tuple[str, list[ParsedItem]]]] = {}
        self.grade_list_line = 0
        # Managers named once for several levels (see ladder.handbook.reporting).
        self.shared_managers: list[SharedManager] = []

    def warn(self, line: int, kind: str, message: str) -> None:
        self.warnings.append(Warning(line, kind, message))

    # -- levels

    def level(self, title: str, group: str, line: int) -> ParsedLevel:
        key = normalize_title(title)
        existing = self.by_key.get(key)
        if existing is not None:
            return existing
        level = ParsedLevel(title=title, group=group, line=line)
        self.levels.append(level)
        self.by_key[key] = level
        return level

    def find_level(self, title: str) -> ParsedLevel | None:
        return self.by_key.get(normalize_title(title))

    def second_name(self, prefix: str, level: ParsedLevel | None) -> bool:
        """A longer name for ``level`` (see :func:`second_name`), remembered for its next
        headings."""
        if level is None or not second_name(prefix, level):
            return False
        self.by_key.setdefault(normalize_title(prefix), level)
        return True

    # -- blocks

    def items_of(self, node: Heading, section: str | None) -> list[ParsedItem]:
        out: list[ParsedItem] = []
        for i, block in enumerate(node.blocks):
            if isinstance(block, tuple):
                out.extend(nest(block[1], self.warnings))
            elif isinstance(block, Para) and section is not None and _is_note(node.blocks, i):
                out.append(ParsedItem(block.text, block.line, note=True))
            elif isinstance(block, Para) and section is not None:
                # Prose inside a responsibilities/requirements section is still content; lines
                # written one under the other (no bullets) are one item each, but a line that
                # starts in lower case continues the line above (a hard-wrapped sentence).
                if len(block.lines) > 1 and all(len(x) < 300 for x in block.lines):
                    for i, x in enumerate(block.lines):
                        if i and re.match(r"^[a-z(]", x.strip()):
                            out[-1].text = f"{out[-1].text.rstrip()} {x.strip()}"
                        else:
                            out.append(ParsedItem(x, block.line + i))
                else:
                    out.append(ParsedItem(block.text, block.line))
        # An extends bullet outside a named section extends every section of its target.
        default = section if section in {"responsibilities", "requirements"} else None
        for item in walk_items(out):
            item.extends = parse_extends(item.text, item.line, default) or next(
                (
                    ref
                    for sentence in split_sentences(item.text)[1:]
                    if (ref := parse_extends(sentence, item.line, default))
                ),
                None,
            )
        return out

    def prose(self, node: Heading) -> list[Para]:
        return [b for b in node.blocks if isinstance(b, Para)]

    def prose_and_lists(self, node: Heading) -> list[str]:
        """A heading's paragraphs and lists as markdown, in page order, for the description.

        A lead-in ("… work with functional teams to:") is nothing without the list under it,
        so the lists are kept wherever the paragraphs are.
        """
        out: list[str] = []
        for block in node.blocks:
            if isinstance(block, Para):
                out.append(block.text)
            elif isinstance(block, tuple):
                out.append("\n".join(_render_bullets(nest(block[1], self.warnings))))
        return out

    def grade_from_block(self, text: str, line: int, owner: str) -> bool:
        values = parse_grade_list(text) if not owner else []
        if len(values) >= 2 and not self.grade_list:
            self.grade_list, self.grade_list_line = values, line
            return True
        parsed = parse_grade_text(text)
        if parsed is None:
            return False
        if isinstance(parsed, str):
            raise HandbookError(f"grade {parsed!r} is not a number (write it as 'grade 7')", line)
        grade, grade_max, link = parsed
        low, high = self.grade_range
        for value in (grade, grade_max):
            if value is not None and not (low <= value <= high):
                raise HandbookError(
                    f"grade {value} is outside the allowed range {low}–{high}", line
                )
        self.grade_statements.append(
            GradeStatement(grade_subjects(text), grade, grade_max, link, line, owner)
        )
        return True

    def lead_in_lists(self, node: Heading) -> list[tuple[str, list[ParsedItem]]]:
        """The lists right under a level's heading, each in the section its lead-in names:
        "An intern must:" opens requirements, "You will:" responsibilities; others are
        general. Only where no heading of the level gives that section (a page that has a
        "Requirements" heading lists its requirements there), and never a list that extends
        another level (that extends every section)."""
        headed = {heading_kind(c.text)[2] or section_synonym(c.text) or "" for c in node.children}
        out: list[tuple[str, list[ParsedItem]]] = []
        for i, block in enumerate(node.blocks):
            if not isinstance(block, tuple):
                continue
            before = node.blocks[i - 1] if i else None
            section = lead_in_section(before.text) if isinstance(before, Para) else None
            items = self.items_of(Heading(node.level, node.text, node.line, blocks=[block]), None)
            if section in headed or any(item.extends for item in walk_items(items)):
                section = None
            out.append((section or "general", items))
        return out

    def role_prose(self, level: ParsedLevel, node: Heading) -> None:
        """Reports-to, grade and extends sentences, and the level's description."""
        kept: list[str] = []
        for para in self.prose(node):
            for sentence in split_sentences(para.text):
                if self.sentence(level, sentence, para.line):
                    continue
                kept.append(sentence)
        if kept:
            text = " ".join(kept).strip()
            level.description = f"{level.description}\n\n{text}".strip()

    def reporting_sentence(self, level: ParsedLevel, sentence: str, line: int) -> None:
        """ "Reporting to the X, they …": the level's manager, unless a sentence gave one.
        The sentence says more than that, so it stays in the description."""
        target_raw = reporting_to(sentence) if "reporting" in sentence.lower() else None
        if target_raw is None or len(sentence) >= 300 or level.reports_to:
            return
        level.reports_to, level.reports_to_link = manager_title(target_raw)
        level.reports_to_line = line

    def sentence(self, level: ParsedLevel, sentence: str, line: int) -> bool:
        self.reporting_sentence(level, sentence, line)
        reports = reports_statement(sentence)
        if (
            reports
            and reports.bare
            and not (
                normalize_title(reports.subject) == normalize_title(level.title)
                or similar_titles(reports.subject, level.title)
            )
        ):
            reports = None
        if reports:
            subject = reports.subject
            if (
                normalize_title(subject) != normalize_title(level.title)
                and not re.fullmatch(r"(?:this\s+)?(?:role|position|person|level)", subject, re.I)
                and similar_titles(subject, level.title)
            ):
                self.warn(
                    line,
                    "tolerant-title",
                    f"'{subject}' read as '{level.title}' (reports-to sentence)",
                )
            if not level.reports_to:
                level.reports_to = reports.manager
                level.reports_to_link = reports.link
                level.reports_to_line = line
            return True
        if "grade" in sentence.lower() and self.grade_from_block(sentence, line, level.title):
            return True
        if "extend" in sentence.lower():
            found = parse_extends_sentence(sentence, line)
            if found is not None:
                _subject, ref = found
                level.sections["general"].insert(0, ParsedItem(sentence.strip(), line, extends=ref))
                return True
        return False

    def add_items(self, level: ParsedLevel, section: str, items: list[ParsedItem]) -> None:
        for item in walk_items(items):
            if item.extends is not None and item.extends.target == PREVIOUS_LEVEL:
                # "All of the above responsibilities, plus": the level written just before.
                before = self.levels[: self.levels.index(level)]
                if before:
                    item.extends.target = before[-1].title
                else:
                    item.extends = None
        notes = [item for item in items if item.note and item.extends is None]
        if notes:
            items = [item for item in items if not (item.note and item.extends is None)]
            text = "\n\n".join(item.text for item in notes)
            level.description = f"{level.description}\n\n{text}".strip()
        if items:
            self.lists.setdefault(id(level), []).append((section, items))
        for item in items:
            # "* Reports to [Director of Marketing Strategy](…)": the bullet stays an item.
            manager = reports_bullet(item.text) if not level.reports_to else None
            if manager:
                level.reports_to, level.reports_to_link = manager
                level.reports_to_line = item.line
        level.sections[section].extend(items)

    def mend_copied_headings(self) -> None:
        """A level with two "Requirements" lists and no responsibilities, the first opening
        with "Extends that of X Responsibilities": the first heading was copied and not edited,
        so that list is the responsibilities (and the other way round)."""
        for level in self.levels:
            lists = self.lists.get(id(level), [])
            for section in SECTIONS:
                mine = [items for name, items in lists if name == section]
                other = next(s for s in SECTIONS if s != section)
                if len(mine) < 2 or level.sections[other] or mine[0][0].extends is None:
                    continue
                said = parse_extends(mine[0][0].text, mine[0][0].line, None)
                if said and said.section == other:
                    ids = {id(i) for i in mine[0]}
                    level.sections[section] = [
                        i for i in level.sections[section] if id(i) not in ids
                    ]
                    level.sections[other] = mine[0]
                    for item in mine[0]:
                        if item.extends is not None:
                            item.extends.section = other


_IN_PAGE_LINK = re.compile(r"\]\(#[^)]*\)")


def _is_note(blocks: list, i: int) -> bool:
    """A paragraph of a section that is about the list, not in it: a lead-in ending with ":"
    right before the bullets, or a pointer to another part of the page ("expected to meet the
    [base requirements](#base-pa-requirements) outlined above")."""
    text = blocks[i].text.strip()
    before_list = i + 1 < len(blocks) and isinstance(blocks[i + 1], tuple)
    return (
        (text.endswith(":") and before_list)
        or bool(_IN_PAGE_LINK.search(text))
        or (blocks[i].set_off and i > 0)
        or ("](" in text and bool(_READ_MORE.match(text)))
    )


# "Learn more about our role [on the handbook page](…)": where to read on, not a duty.
_READ_MORE = re.compile(
    r"(?:learn|read|find\s+out)\s+more\b|for\s+more\s+(?:information|details)\b"
    r"|more\s+(?:information|details)\s+(?:about|on|can)\b",
    re.I,
)


def parse_handbook(
    data: bytes | str,
    name: str = "",
    *,
    base_url: str | None = None,
    grade_range: tuple[int, int] = (1, 20),
    title: str | None = None,
) -> ParsedFamily:
    """Parse one handbook page. Raises :class:`HandbookError` for input that is not a page.

    >>> page = "---\\ntitle: Tea Roles\\n---\\n## Levels\\n### Taster\\n- Taste tea\\n"
    >>> [level.title for level in parse_handbook(page).levels]
    ['Taster']
    """
    text = decode_source(data, name)
    warnings: list[Warning] = []
    front, body, first_line = split_front_matter(text, warnings)
    raw_title = title or front.get("title")
    if SCRIPT_BLOCK.search(body):
        # Never content, whatever the page says: drop it before anything reads it (keeping
        # the line count, so later line numbers stay right).
        line = body[: SCRIPT_BLOCK.search(body).start()].count("\n") + first_line
        warnings.append(Warning(line, "html", "<script>/<style> block removed"))
        body = SCRIPT_BLOCK.sub(lambda m: "\n" * m.group(0).count("\n"), body)
    root = scan(body, first_line, warnings)
    mend_tree(root)
    if not raw_title:
        h1 = next((child for child in root.children if child.level == 1), None)
        if h1 is None:
            raise HandbookError(
                "no front matter with a title (a handbook page starts with '---', "
                "'title: \"… Roles\"', '---')",
                1,
            )
        raw_title = h1.text
        warnings.append(
            Warning(h1.line, "front-matter", "no front matter; title taken from # heading")
        )
    if not isinstance(raw_title, str):
        raise HandbookError("front matter title must be text", 2)
    if base_url is None:
        stated = front.get("base_url")
        base_url = stated.strip() if isinstance(stated, str) and stated.strip() else None
    canonical = front.get("canonical_path")
    hosts = handbook_hosts(text, canonical if isinstance(canonical, str) else "")
    builder = _Builder(name, base_url if base_url is not None else most_linked(hosts), grade_range)
    builder.warnings = warnings
    fam_title = family_title(raw_title)
    builder.title = fam_title
    _classify(builder, root, group=None, level=None, top=True)
    builder.mend_copied_headings()
    _demote_overview(builder)
    _resolve_above(builder)
    intro = builder.prose(root)
    builder.shared_managers.extend(opening_managers([(p.text, p.line) for p in intro], fam_title))
    share_managers(builder.levels, builder.shared_managers)
    _section_tracks(builder, root)
    if not builder.levels and (
        any(builder.loose_sections.values())
        or any(has_sentences(Heading(0, "", p.line, blocks=[p])) for p in intro)
    ):
        # A single-role page ("Chief Executive Officer", or one level of a family split into
        # a page per level): its sections and sentences describe one level.
        single = builder.level(fam_title, "", builder.loose_line or first_line)
        builder.role_prose(single, root)
        for section, items in builder.loose_sections.items():
            single.sections[section].extend(items)
    elif (
        any(builder.loose_sections.values())
        and names_a_role(fam_title)
        and _extends_page(builder, fam_title)
    ):
        # Only variants have headings ("Area Vice President (Public Sector)" extends "that of
        # the AVP"): the page's own role is a level too, and the page-wide sections are its own.
        base = builder.level(fam_title, "", builder.loose_line or first_line)
        builder.levels.insert(0, builder.levels.pop())
        builder.description[0:0] = builder.prose_and_lists(root)
        builder.role_prose(base, root)
        for section, items in builder.loose_sections.items():
            base.sections[section].extend(items)
    elif base_role := _base_role(builder):
        # "### Job Grade: The Product Marketing Manager is a grade 7" and its lists before the
        # first level, while every level states its own grade: the opening describes a first
        # level of its own (the SMB page, whose positions all take the page-level grade, does not).
        base = builder.level(base_role.names[0], "", builder.loose_line or base_role.line)
        builder.levels.insert(0, builder.levels.pop())
        builder.description[0:0] = builder.prose_and_lists(root)
        for section, items in builder.loose_sections.items():
            base.sections[section].extend(items)
    else:
        # "Extends that of Payroll" on a page titled "Payroll", "listed in the
        # Responsibilities section above": the page-wide lists.
        _splice_page_sections(builder, fam_title)
        builder.description[0:0] = builder.prose_and_lists(root)
        # Family-wide sections above the levels: keep them in the description.
        for section, items in builder.loose_sections.items():
            if items:
                builder.description.append(f"**{section.title()}**")
                builder.description.append("\n".join(_render_bullets(items)))
    bullets = sum(1 for _ in walk_items([i for lv in builder.levels for i in lv.items()]))
    if bullets > MAX_BULLETS:
        raise HandbookError(f"page has {bullets} bullets; a job family has at most {MAX_BULLETS}")
    has_text = (
        bullets
        or any(visible(part) for part in builder.description)
        or any(level.description for level in builder.levels)
        or any(builder.family_sections.values())
    )
    skipped = any(w.kind in {"erb", "shortcode"} for w in builder.warnings)
    if not has_text and body.strip() and not skipped:
        # A stub page (front matter only) is real; a body whose every line is a heading or
        # raw HTML is a broken page.
        raise HandbookError(
            "page has no text, only headings or HTML: nothing to import", first_line
        )
    if not has_text:
        builder.warn(first_line, "no-levels", "page has no levels and no text")
    for level in builder.levels:
        if not level.items() and not level.description:
            builder.warn(level.line, "empty-level", f"level '{level.title}' has no items")
    description = front.get("description") if isinstance(front.get("description"), str) else ""
    text_intro = "\n\n".join(part for part in builder.description if part.strip())
    return ParsedFamily(
        title=fam_title,
        slug=slugify(fam_title),
        description=text_intro or (description or ""),
        base_url=builder.base_url,
        source=text,
        levels=builder.levels,
        performance_indicators=builder.family_sections["performance_indicators"],
        career_ladder=builder.family_sections["career_ladder"],
        hiring_process=builder.family_sections["hiring_process"],
        grade_statements=builder.grade_statements,
        grade_list=builder.grade_list,
        grade_list_line=builder.grade_list_line,
        base_url_stated=base_url is not None,
        handbook_hosts=hosts,
        warnings=builder.warnings,
        name=name,
    )


def _base_role(b: _Builder) -> GradeStatement | None:
    """A grade sentence outside any level, before the first one, naming one role that no level
    is, on a page whose every level states its own grade: the role the page opens with."""
    if not b.levels:
        return None
    first = min(lv.line for lv in b.levels)
    page_wide = [
        g for g in b.grade_statements if not g.owner and len(g.names) == 1 and g.line < first
    ]
    if len(page_wide) != 1 or b.find_level(page_wide[0].names[0]) is not None:
        return None
    if not names_a_role(page_wide[0].names[0]):
        return None
    stated = {normalize_title(g.owner) for g in b.grade_statements if g.owner} | {
        normalize_title(name) for g in b.grade_statements if g.owner for name in g.names
    }
    if not all(normalize_title(lv.title) in stated for lv in b.levels):
        return None
    return page_wide[0]


def _names_page(target: str, page: str) -> bool:
    """An extends target naming the page itself: its title, or the title's initials ("AVP")."""
    words = [w for w in re.findall(r"[A-Za-z]+", page) if w.lower() not in {"of", "and", "the"}]
    initials = "".join(w[0] for w in words).lower()
    return normalize_title(target) == normalize_title(page) or target.lower() == initials


def _extends_page(b: _Builder, page: str) -> bool:
    """Whether a level extends the page's own title while no heading is a level of that title."""
    if b.find_level(page):
        return False
    return any(
        item.extends and _names_page(item.extends.target, page)
        for level in b.levels
        for item in walk_items(level.items())
    )


def _splice_page_sections(b: _Builder, page: str) -> None:
    """Each reference to a page-wide list (an extends bullet naming the page while no level
    has its title, "the Responsibilities section above") is replaced by that list; with no
    such list on the page it stays as text."""
    by_name = not b.find_level(page)
    for level in b.levels:
        for section, items in level.sections.items():
            for i, item in reversed(list(enumerate(items))):
                ref = item.extends
                if ref is None or not (
                    ref.target == PAGE_SECTION or (by_name and _names_page(ref.target, page))
                ):
                    continue
                # A note about the list ("Learn more on the … page") is not one of its items.
                loose = [x for x in b.loose_sections.get(ref.section or section, []) if not x.note]
                if loose:
                    items[i : i + 1] = copy.deepcopy(loose)
                else:
                    item.extends = None


def _base_title(title: str) -> str:
    """ "Lab Curriculum Developer, Education Services" / "X (Intermediate)" → the role."""
    return normalize_title(re.sub(r"\s*\([^)]*\)\s*$", "", title.split(",")[0]))


def _section_tracks(b: _Builder, root: Heading) -> None:
    """ "## Alliance Business Development" over its seven levels, then "## Alliances Partner
    Manager" over eight: two ladders on one page, so two tracks, as a reader sees them. Without
    it every level sat on one track ordered by grade, and "next on this track" crossed from one
    ladder into the other. Only where two or more such sections each hold levels of their own,
    and only for levels no group heading placed."""

    def lines(node: Heading) -> set[int]:
        return {node.line} | {n for c in node.children for n in lines(c)}

    sections: list[tuple[str, list[ParsedLevel]]] = []
    for node in _sections_of(root):
        inside = lines(node) - {node.line}
        levels = [lv for lv in b.levels if lv.line in inside and not lv.group]
        # (A section heading that is a level itself is a level, not a track.)
        if levels and all(lv.line != node.line for lv in b.levels):
            sections.append((clean_title(node.text), levels))
    if sum(1 for _, levels in sections if len(levels) > 1) < 2:
        return
    for title, levels in sections:
        for level in levels:
            level.group = title


def _sections_of(root: Heading) -> list[Heading]:
    """The page's top sections (``##``, or ``#`` where the page has no title heading), not the
    family-wide ones (hiring process, career ladder) nor the group headings."""
    tops = [c for c in root.children if c.level > 1] + [
        g for c in root.children if c.level == 1 for g in c.children
    ]
    return [node for node in tops if heading_kind(node.text)[0] == "generic"]


def _demote_overview(b: _Builder) -> None:
    """A first heading that describes the role before the levels, then the same role as its
    intermediate level ("Lab Curriculum Developer, Education Services", then "Lab Curriculum
    Developer (Intermediate)"): the overview's lists are the page-wide lists, not a level."""
    if len(b.levels) < 2 or any(b.loose_sections.values()):
        return
    first = b.levels[0]
    base = _base_title(first.title)
    twin = any(
        _base_title(lv.title) == base
        and (normalize_title(lv.title) == base or "(intermediate)" in lv.title.lower())
        for lv in b.levels[1:]
    )
    if not twin or any(g.owner == first.title for g in b.grade_statements):
        return
    b.levels.remove(first)
    for key in [k for k, lv in b.by_key.items() if lv is first]:
        del b.by_key[key]
    for section in SECTIONS:
        b.loose_sections[section] = first.sections[section]
    b.loose_line = first.line
    if first.reports_to:
        # "This job family reports to …" in the overview: its role's every level.
        b.shared_managers.append(
            SharedManager(
                frozenset(_base_title(first.title).split()) - SENIORITY_WORDS,
                frozenset(),
                first.reports_to,
                first.reports_to_link,
                first.reports_to_line,
            )
        )
    if first.description:
        b.description.append(first.description)
    b.description.extend(_render_bullets(first.sections["general"]))


def _resolve_above(b: _Builder) -> None:
    """ "The same requirements as the ones outlined above": the level written just before, or
    the page-wide list for the first level."""
    for i, level in enumerate(b.levels):
        for item in walk_items(level.items()):
            if item.extends is not None and item.extends.target == ABOVE:
                item.extends.target = b.levels[i - 1].title if i else PAGE_SECTION


def _render_bullets(items: list[ParsedItem], depth: int = 0) -> list[str]:
    lines: list[str] = []
    for item in items:
        lines.append(f"{'  ' * depth}- {item.text}")
        lines.extend(_render_bullets(item.children, depth + 1))
    return lines


def _classify(
    b: _Builder, node: Heading, group: str | None, level: ParsedLevel | None, top: bool = False
) -> None:
    for child in node.children:
        kind, prefix, section = heading_kind(child.text)
        title = clean_title(child.text)
        if child.level == 1:
            # The page's own title heading: transparent.
            b.description.extend(b.prose_and_lists(child))
            _classify(b, child, group, level, top=True)
            continue
        if kind == "family" and (level is None or child.level <= 2):
            b.family_sections[section].extend(_family_lines(b, child))
            continue
        if kind == "family":
            # A level's own "Performance Indicators": keep as a general item with children.
            items = b.items_of(child, None)
            if items or b.prose(child):
                parent = ParsedItem(f"**{title}**", child.line, children=items)
                parent.children.extend(ParsedItem(p.text, p.line) for p in b.prose(child))
                level.sections["general"].append(parent)
            continue
        if kind == "group" and level is not None and child.level > 2:
            # "#### Specialties" inside a level: focus areas of that level, kept as its items.
            _level_specialties(b, child, level)
            continue
        if kind == "group":
            name = title
            if group and not GROUP_HEADING.search(title):
                name = f"{group} › {title}"
            b.description.extend(p.text for p in b.prose(child))
            for block in child.blocks:
                if isinstance(block, tuple):
                    b.description.append("\n".join(_render_bullets(nest(block[1], b.warnings))))
                elif isinstance(block, Table):
                    # "Levels" over a table of level and grade rows.
                    _grade_table(b, block)
            _classify(b, child, name, None)
            continue
        if kind == "grade":
            owner = level
            if prefix:
                owner = b.find_level(prefix) or (
                    level if prefix_matches(prefix, level) or b.second_name(prefix, level) else None
                )
                if owner is None:
                    owner = b.level(prefix, group or "", child.line)
            text = " ".join(p.text for p in b.prose(child))
            text += " " + " ".join(
                item.text
                for block in child.blocks
                if isinstance(block, tuple)
                for item in nest(block[1], [])
            )
            rows = [b for b in child.blocks if isinstance(b, Table)]
            found = (
                b.grade_from_block(text, child.line, owner.title if owner else "")
                if text.strip()
                else False
            )
            for table in rows:
                found = _grade_table(b, table) or found
            if owner is not None:
                # "Market Justification: … reporting to the Director, Product Marketing."
                # written beside the grade: that level's manager.
                for para in b.prose(child):
                    for sentence in split_sentences(para.text):
                        b.reporting_sentence(owner, sentence, para.line)
            if not found and text.strip():
                b.warn(child.line, "grade", f"no grade number found under '{title}'")
            _classify(b, child, group, owner)
            continue
        if (
            kind == "section"
            and level is not None
            and prefix
            and not prefix_matches(prefix, level)
            and is_qualifier(prefix, b.find_level)
        ):
            # "#### Nice-to-have Requirements", "#### Senior Responsibilities" under a level:
            # a part of that level's section, not another role.
            items = b.items_of(child, section)
            if items or b.prose(child):
                items += [ParsedItem(p.text, p.line) for p in b.prose(child) if not items]
                level.sections[section].append(
                    ParsedItem(f"**{clean_title(child.text)}**", child.line, children=items)
                )
            _classify_subsections(b, child, level, section)
            continue
        if kind == "section":
            owner = level
            if prefix and not prefix_matches(prefix, level):
                owner = b.find_level(prefix)
                if owner is None and (
                    level is not None
                    and (similar_titles(prefix, level.title) or b.second_name(prefix, level))
                ):
                    b.warn(child.line, "tolerant-title", f"'{prefix}' read as '{level.title}'")
                    owner = level
                if owner is None:
                    owner = b.level(prefix, group or "", child.line)
            items = b.items_of(child, section)
            if owner is None:
                if not b.loose_line:
                    b.loose_line = child.line
                b.loose_sections[section].extend(items)
                _classify_subsections(b, child, None, section)
                continue
            b.add_items(owner, section, items)
            _classify_subsections(b, child, owner, section)
            continue
        # A generic heading: a level, a sub-group of specialties, or other prose.
        in_group = group is not None
        if (
            level is not None
            and child.level > 2
            and not looks_like_role(b.find_level, child, level)
        ):
            synonym = section_synonym(title)
            if synonym and not level.sections[synonym]:
                # "##### Expectations" under a level with no responsibilities: that is its list.
                b.add_items(level, synonym, b.items_of(child, synonym))
                _classify_subsections(b, child, level, synonym)
                continue
            # A sub-heading inside a level ("Nice-to-haves", "Professional Experience").
            target = guess_section(title)
            items = b.items_of(child, target)
            paras = (
                [ParsedItem(p.text, p.line) for p in b.prose(child)] if target != "general" else []
            )
            if items or paras:
                b.add_items(
                    level, target, [ParsedItem(f"**{title}**", child.line, children=paras + items)]
                )
            _classify(b, child, group, level)
            continue
        if in_group and not has_role_content(child) and has_generic_children(child):
            _classify(b, child, f"{group} › {title}", None)
            continue
        if in_group and _specialty_focus(b, child, group):
            # "### US Federal" under "## … Specialties", with its own unnamed Requirements and
            # Responsibilities: a focus area of the roles above, described for the family.
            b.description.append(f"**{title}**")
            b.description.extend(_family_lines(b, child))
            continue
        focus_area = (
            in_group
            and is_specialty_group(group)
            and not names_a_role(title)
            and b.find_level(title) is None
            and not has_sentences(child)
            and not any(heading_kind(c.text)[0] == "grade" for c in child.children)
            # "#### Operations Requirements" under "### Operations": the heading is a role.
            and not any(
                heading_kind(c.text)[0] == "section"
                and normalize_title(heading_kind(c.text)[1]) == normalize_title(title)
                for c in child.children
            )
        ) or (
            # "#### Analyst" under a "### Marketing" specialty of a page whose levels are all
            # analysts: the family's own role in that specialty, not a level of its own.
            in_group
            and is_specialty_group(group)
            and len(title.split()) == 1
            and bool(b.levels)
            and all(normalize_title(title) in normalize_title(lv.title).split() for lv in b.levels)
            and b.find_level(title) is None
        )
        # A focus area of a specialty ("Strategic", "US Federal", "Email"): no role of its own,
        # so it is prose about the family, not a level.
        if not focus_area and (
            in_group
            or has_role_content(child)
            and (child.children or has_sentences(child))
            # Outside a levels group, a heading is a level when it names a role or has a
            # level's own sections ("## SMB Operations" with lists of how-tos is not one).
            and (names_a_role(title) or owns_sections(child))
        ):
            if not in_group and not child.children and not has_sentences(child):
                b.description.append(f"**{title}**")
                continue
            new = b.find_level(title)
            first = b.heading_lines.get(normalize_title(title))
            if first is not None and not is_ancestor_titled(child, title):
                # Real pages restate a role's heading for its next section; merging is right
                # unless the two say different grades (the resolver refuses that).
                b.warn(
                    child.line,
                    "duplicate-level",
                    f"level '{title}' has a second heading (first on line {first}); merged",
                )
            b.heading_lines.setdefault(normalize_title(title), child.line)
            new = new or b.level(title, group or "", child.line)
            b.role_prose(new, child)
            for section, items in b.lead_in_lists(child):
                b.add_items(new, section, items)
            for table in (blk for blk in child.blocks if isinstance(blk, Table)):
                _grade_table(b, table)
            _classify(b, child, group, new)
            continue
        # Other prose: part of the family description.
        if level is None:
            paras = b.prose(child)
            bullets = [blk for blk in child.blocks if isinstance(blk, tuple)]
            tables = [blk for blk in child.blocks if isinstance(blk, Table)]
            for table in tables:
                _grade_table(b, table)
            if paras or bullets:
                b.description.append(f"**{title}**")
                b.description.extend(p.text for p in paras)
                for block in bullets:
                    b.description.append("\n".join(_render_bullets(nest(block[1], b.warnings))))
        _classify(b, child, group, level)


def _level_specialties(b: _Builder, node: Heading, level: ParsedLevel) -> None:
    title = clean_title(node.text)
    children = b.items_of(node, None) + [ParsedItem(p.text, p.line) for p in b.prose(node)]
    if children:
        level.sections["general"].append(ParsedItem(f"**{title}**", node.line, children=children))
    for sub in node.children:
        kind, prefix, section = heading_kind(sub.text)
        target = section if kind == "section" else guess_section(sub.text)
        name = prefix if kind == "section" and prefix else clean_title(sub.text)
        items = b.items_of(sub, target if target != "general" else None)
        items += [ParsedItem(p.text, p.line) for p in b.prose(sub)] if target == "general" else []
        level.sections[target].append(ParsedItem(f"**{name}**", sub.line, children=items))
        if sub.children:
            _level_specialties(b, sub, level)


def _specialty_focus(b: _Builder, node: Heading, group: str) -> bool:
    """A heading of a specialties group that states no grade and holds only sections unnamed or
    named by a seniority alone ("Senior Responsibilities"): a focus area, not a level. It names
    no role, or it names none of the roles the page's levels are ("Developer (create)" or
    "Analyst Relations" under "## Specializations" of a page whose levels are all product
    marketing managers: the field those managers work in, not another role)."""
    title = clean_title(node.text)
    kinds = [heading_kind(c.text) for c in node.children]
    return (
        is_specialty_group(group)
        and bool(kinds)
        and all(kind == "section" and _seniority_only(prefix) for kind, prefix, _ in kinds)
        and b.find_level(title) is None
        and (not names_a_role(title) or _foreign_role(b, title))
    )


def _seniority_only(prefix: str) -> bool:
    """ "", "Senior", "Staff": a section prefix that adds only a seniority to the role above."""
    return set(normalize_title(prefix).split()) <= SENIORITY_WORDS


def _role_nouns(title: str) -> set[str]:
    """The words that say what the role is ("manager", "analyst"), not how senior it is."""
    return {
        word
        for word in normalize_title(title).split()
        if ROLE_NOUN.fullmatch(word) and word not in SENIORITY_WORDS
    }


def _foreign_role(b: _Builder, title: str) -> bool:
    """The page has levels outside any group and ``title`` shares no role noun with them."""
    ladder = [lv for lv in b.levels if not lv.group]
    if not ladder:
        return False
    return not _role_nouns(title) & set().union(*(_role_nouns(lv.title) for lv in ladder))


def _classify_subsections(
    b: _Builder, node: Heading, owner: ParsedLevel | None, section: str
) -> None:
    listed = {normalize_title(i.text) for i in walk_items(b.items_of(node, None))}
    for child in node.children:
        kind, _prefix, _ = heading_kind(child.text)
        title = clean_title(child.text)
        if owner is None and kind == "generic" and normalize_title(title) in listed:
            # "The job family includes four distinct positions: - A - B …", then a heading
            # describing each: the positions are the family's levels.
            level = b.level(title, "", child.line)
            b.role_prose(level, child)
            _classify(b, child, None, level)
            continue
        if kind in {"family", "group"} or (
            kind == "generic" and has_role_content(child) and child.children
        ):
            _classify(b, Heading(0, "", child.line, children=[child]), None, owner)
            continue
        items = b.items_of(child, section)
        parent = ParsedItem(f"**{clean_title(child.text)}**", child.line, children=items)
        if owner is None:
            b.loose_sections[section].append(parent)
        else:
            owner.sections[section].append(parent)
        _classify_subsections(b, child, owner, section)


def _family_lines(b: _Builder, node: Heading) -> list[str]:
    lines: list[str] = []
    for block in node.blocks:
        if isinstance(block, Para):
            lines.append(block.text)
        elif isinstance(block, tuple):
            for item in nest(block[1], b.warnings):
                lines.append(item.text)
                lines.extend(f"  - {c}" for c in _render_bullets(item.children))
    for child in node.children:
        lines.append(f"**{clean_title(child.text)}**")
        lines.extend(_family_lines(b, child))
    return lines


def _row_level_name(cell: str) -> str:
    """The level a grade-table row names. A row that says only the seniority and links to the
    level's own page (``[Senior](senior-technical-architect)``) names it by the page's slug."""
    name = clean_title(cell)
    link = LINK.search(cell)
    slug = link.group(2).strip() if link else ""
    if re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)+/?", slug) and len(name.split()) == 1:
        return slug.strip("/").replace("-", " ")
    return name


def _grade_table(b: _Builder, table: Table) -> bool:
    """Rows like ``| [Senior](senior-x) | [Grade 7](…) |`` give grades to levels."""
    found = False
    if not table.rows:
        return False
    header = [c.lower() for c in table.rows[0]]
    grade_col = next((i for i, c in enumerate(header) if "grade" in c), None)
    start = 1 if grade_col is not None else 0
    for offset, row in enumerate(table.rows[start:], start=start):
        line = table.line + offset + (1 if start else 0)
        cells = row
        col = grade_col
        if col is None:
            col = next(
                (i for i, c in enumerate(cells) if re.search(r"grade\s*#?\d", c, re.I)), None
            )
        if col is None or col >= len(cells) or not cells:
            continue
        parsed = parse_grade_text(
            cells[col] if "grade" in cells[col].lower() else f"grade {cells[col]}"
        )
        if not parsed or isinstance(parsed, str):
            continue
        name_col = 0 if col != 0 else 1
        if name_col >= len(cells):
            continue
        name = _row_level_name(cells[name_col])
        if not name:
            continue
        grade, grade_max, link = parsed
        b.grade_statements.append(GradeStatement([name], grade, grade_max, link, line, ""))
        found = True
    return found
