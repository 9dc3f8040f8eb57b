"""Heading classification: is a heading a level, a section, a grade, a group or prose?"""

from __future__ import annotations

import re
from collections.abc import Callable

from ladder.handbook.blocks import Heading, Para
from ladder.handbook.parsed import ParsedLevel
from ladder.handbook.phrases import section_name
from ladder.handbook.text import RANK_WORDS, clean_title, normalize_title

FindLevel = Callable[[str], ParsedLevel | None]


_SECTION_HEADING = re.compile(
    r"^(?P<prefix>.*?)\s*(?:job\s+|key\s+|core\s+)?"
    # Typos included: "Responsibilies", "Responsibilites", "Requirments".
    # "… Responsibilities & Requirements": one list of both, kept as responsibilities.
    r"(?P<section>responsib[a-z]*(?=\s*(?:&|and)\s*requi)|responsib[a-z]*|requi?re?ments?"
    r"|qualifications)(?:\s*(?:&|and)\s*requi?re?ments?)?"
    r"\s*:?$",
    re.I,
)
_GRADE_HEADING = re.compile(
    r"^(?P<prefix>.*?)\s*(?:job\s+)?grades?(?:\s+levels?)?\s*:?$",  # "… Grade Level" too
    re.I,
)
# "## Sales Operations Analyst Levels", "### Levels", "## Levels of Security Engineering roles".
GROUP_HEADING = re.compile(r"(?:^|\s)levels?\s*:?$|^levels?\s+(?:of|for|in)\b", re.I)
_SPECIALTY_HEADING = re.compile(
    r"\b(?:specialt(?:y|ies)|specialit(?:y|ies)|specializations?)\b", re.I
)
_FAMILY_SECTION_HEADINGS = {
    "performance_indicators": re.compile(r"^(?:.*\s)?performance\s+indicators?\b", re.I),
    "career_ladder": re.compile(r"^(?:.*\s)?career\s+(?:ladder|path)\b", re.I),
    "hiring_process": re.compile(r"^(?:.*\s)?hiring\s+process\b", re.I),
}
_REQUIREMENTS_LIKE = re.compile(
    r"requirement|qualification|skills?\b|experience|nice[- ]to[- ]have|competenc|knowledge", re.I
)
_RESPONSIBILITIES_LIKE = re.compile(
    r"responsibilit|duties|what you.ll do|expectations|accountabilit|scope", re.I
)


def family_section(text: str) -> str | None:
    for name, pattern in _FAMILY_SECTION_HEADINGS.items():
        if pattern.search(text):
            return name
    return None


def heading_kind(text: str) -> tuple[str, str, str]:
    """(kind, prefix, section) for a heading's text."""
    plain = clean_title(text)
    family = family_section(plain)
    if family:
        return "family", "", family
    match = _SECTION_HEADING.match(plain)
    if match:
        return "section", clean_title(match.group("prefix")), section_name(match.group("section"))
    match = _GRADE_HEADING.match(plain)
    if match and "grade" in plain.lower():
        return "grade", clean_title(match.group("prefix")), ""
    if GROUP_HEADING.search(plain) or _SPECIALTY_HEADING.search(plain) and len(plain) < 80:
        if _SPECIALTY_HEADING.search(plain) and not re.search(
            r"^(?:.*\s)?(?:specialt(?:y|ies)|specialit(?:y|ies)|specializations?)\s*$", plain, re.I
        ):
            return "generic", "", ""
        return "group", "", ""
    return "generic", "", ""


def has_role_content(node: Heading) -> bool:
    """Does a generic heading describe a role itself (grade, sections, bullets, sentences)?"""
    for child in node.children:
        kind, prefix, _ = heading_kind(child.text)
        if kind == "grade":
            return True
        if kind == "section" and (
            not prefix
            or normalize_title(prefix) == normalize_title(node.text)
            or set(normalize_title(prefix).split()) <= set(normalize_title(node.text).split())
        ):
            return True
    if any(isinstance(b, tuple) for b in node.blocks):
        return True
    for para in node.blocks:
        if isinstance(para, Para) and re.search(
            r"reports?\s+to|\bgrade\b|\bextends\b", para.text, re.I
        ):
            return True
    return False


def has_generic_children(node: Heading) -> bool:
    return any(heading_kind(child.text)[0] in {"generic", "section"} for child in node.children)


def is_ancestor_titled(node: Heading, title: str) -> bool:
    key = normalize_title(title)
    parent = node.parent
    while parent is not None:
        if normalize_title(clean_title(parent.text)) == key:
            return True
        parent = parent.parent
    return False


def has_sentences(node: Heading) -> bool:
    return any(
        isinstance(p, Para) and re.search(r"reports?\s+to|\bgrade\b", p.text, re.I)
        for p in node.blocks
    )


def looks_like_role(find_level: FindLevel, node: Heading, level: ParsedLevel) -> bool:
    """Under a level, a sub-heading that is itself a role (has its own grade or sections)."""
    if find_level(clean_title(node.text)) is not None:
        return True
    for child in node.children:
        kind, prefix, _ = heading_kind(child.text)
        if kind == "grade":
            return True
        if kind == "section" and not prefix_matches(prefix, level) and prefix:
            return True
    return any(
        isinstance(p, Para) and re.search(r"reports?\s+to|is\s+an?\s+\[?grade", p.text, re.I)
        for p in node.blocks
    )


ROLE_NOUN = re.compile(
    r"\b(?:engineers?|managers?|analysts?|directors?|specialists?|leads?|architects?|designers?"
    r"|officers?|president|vp|avp|svp|evp|representatives?|executives?|partners?|strategists?"
    r"|coordinators?|administrators?|consultants?|recruiters?|accountants?|counsel|writers?"
    r"|scientists?|developers?|advocates?|agents?|associates?|interns?|head|chief|controller"
    r"|auditors?|editors?|researchers?|programmers?|technicians?|advisors?|owners?|ceo|cfo|cto"
    r"|coo|cmo|cro|sdr|bdr|pmm|tam|csm|sa|ae|principal|staff|fellow|paralegal|treasurer"
    r"|marketer|buyers?|planners?|generalists?|investigators?|members?)\b",
    re.I,
)


def is_qualifier(prefix: str, find_level: FindLevel) -> bool:
    """A section-heading prefix that names no role: "Nice-to-have", "Senior", "Additional"."""
    if find_level(prefix) is not None:
        return False
    if re.fullmatch(r"(?:senior|sr\.?|staff|principal|intermediate|junior|lead)", prefix, re.I):
        return True  # a seniority variant of the level it stands under
    return not ROLE_NOUN.search(prefix)


def second_name(prefix: str, level: ParsedLevel | None) -> bool:
    """A grade or section heading directly under a level that has none yet, whose prefix is the
    same rank by a longer name: "#### Director, Global Tax Accounting and Domestic Tax Job
    Grade" under "### Director, Tax" is that level, not another."""
    if not prefix or level is None or any(level.sections.values()):
        return False
    ranks = set(normalize_title(prefix).split()) & RANK_WORDS
    return bool(ranks) and ranks == set(normalize_title(level.title).split()) & RANK_WORDS


def prefix_matches(prefix: str, level: ParsedLevel | None) -> bool:
    if not prefix:
        return True
    if level is None:
        return False
    # "Technical Instructor (Intermediate) Job Grade" under "## Technical Instructor".
    a = " ".join(w for w in normalize_title(prefix).split() if w != "intermediate")
    t = " ".join(w for w in normalize_title(level.title).split() if w != "intermediate")
    if a == t:
        return True
    words = set(a.split())
    if words <= set(t.split()):
        return True
    # "Senior PMM" under "Senior Product Marketing Manager": expand the acronym.
    title_words = t.split()
    initials = "".join(w[0] for w in title_words)
    rest = []
    for word in a.split():
        if len(word) >= 2 and word in initials and word not in title_words:
            continue
        rest.append(word)
    return len(rest) < len(a.split()) and set(rest) <= set(title_words)


# A heading that is a level's whole responsibilities or requirements list by another name.
_SECTION_SYNONYM = {
    "responsibilities": re.compile(
        r"^(?:(?:key|core|job|role)\s+)?(?:expectations|duties|accountabilities"
        r"|what\s+you.?(?:ll|\s+will)\s+(?:do|be\s+doing)|what\s+you\s+do"
        r"|in\s+this\s+role,?\s+you.?(?:ll|\s+will)(?:\s+do)?)\s*:?$"
        # "What you can expect in a Support Engineer role at GitLab" (not "… from us": perks)
        r"|^what\s+(?:you\s+can|to)\s+expect\s+(?:in|as)\s+(?:an?|the|this)\s+(?:.+\s+)?"
        r"(?:role|position|job)(?:\s+at\s+.+)?\s*:?$"
        # "Senior Product Marketing Managers also": what that level does besides the above.
        r"|^\S.*\s+also\s*:?$",
        re.I,
    ),
    "requirements": re.compile(
        r"^(?:what\s+you.?(?:ll|\s+will)\s+bring|what\s+we.?re\s+looking\s+for"
        r"|about\s+you|you\s+(?:have|bring)|who\s+you\s+are|skills(?:\s+and\s+experience)?"
        r"|experience|minimum\s+qualifications)\s*:?$",
        re.I,
    ),
}


# The line that opens a list and says which list it is ("An intern must:", "You will:").
_LEAD_IN = {
    "requirements": re.compile(
        r"\b(?:must|should|needs?\s+to)(?:\s+(?:also|have|be))?\s*:$"
        r"|\b(?:requirements|qualifications|what\s+we.?re\s+looking\s+for"
        r"|you\s+(?:have|bring|should\s+have))\b[^.:]*:$",
        re.I,
    ),
    "responsibilities": re.compile(
        r"\b(?:responsibilities|duties|you.?ll|you\s+will|(?:is|are)\s+responsible\s+for"
        r"|(?:is|are)\s+expected\s+to)\b[^.:]*:$",
        re.I,
    ),
}


def lead_in_section(text: str) -> str | None:
    """The section a list's lead-in line names, or None."""
    line = clean_title(text.strip().splitlines()[-1]) + ":" if text.strip().endswith(":") else ""
    for section, pattern in _LEAD_IN.items():
        if line and pattern.search(line):
            return section
    return None


def is_specialty_group(group: str) -> bool:
    return bool(_SPECIALTY_HEADING.search(group.split(" › ")[0]))


def section_synonym(title: str) -> str | None:
    """ "Expectations", "What you'll do" → responsibilities; "What you'll bring" → requirements."""
    plain = clean_title(title)
    for section, pattern in _SECTION_SYNONYM.items():
        if pattern.match(plain):
            return section
    return None


def guess_section(title: str) -> str:
    if _RESPONSIBILITIES_LIKE.search(title):
        return "responsibilities"
    if _REQUIREMENTS_LIKE.search(title):
        return "requirements"
    return "general"


# --------------------------------------------------------------------------- mending the tree


def names_a_role(title: str) -> bool:
    """ "Senior Data Analyst" names a role; "Data Analyst Roles at GitLab" names a family."""
    plain = clean_title(title)
    if re.search(r"\broles\b|\bjob\s+famil", plain, re.I):
        return False
    return bool(ROLE_NOUN.search(plain))


def owns_sections(node: Heading) -> bool:
    """A role heading whose grade or sections are its children."""
    return any(heading_kind(c.text)[0] in {"grade", "section"} for c in node.children)


def _orphan_of(node: Heading, owner: Heading) -> bool:
    """A grade or section heading written beside the role heading it belongs to (same depth),
    with no title or the role's own title: "### Senior X", then "### Job Grade"."""
    kind, prefix, _ = heading_kind(node.text)
    if kind not in {"grade", "section"} or node.level != owner.level:
        return False
    return not prefix or normalize_title(prefix) == normalize_title(clean_title(owner.text))


def mend_tree(node: Heading) -> None:
    """Two slips of real pages, mended before the tree is read:

    * a level written inside a family section ("## Hiring Process" then "### Senior Director,
      X" with its "#### Job Grade"): the level and what follows it leave the section;
    * a level's grade and sections written beside its heading at the same depth ("### Junior
      X", "### Job Grade", "### Responsibilities"): they become the heading's children.
    """
    children: list[Heading] = []
    for child in node.children:
        children.append(child)
        if heading_kind(child.text)[0] != "family":
            continue
        inner = child.children
        start = next(
            (
                i
                for i, sub in enumerate(inner)
                if heading_kind(sub.text)[0] == "generic"
                and names_a_role(sub.text)
                and (owns_sections(sub) or (i + 1 < len(inner) and _orphan_of(inner[i + 1], sub)))
            ),
            None,
        )
        if start is not None:
            child.children = inner[:start]
            for sub in inner[start:]:
                sub.parent = node
                children.append(sub)
    adopted: list[Heading] = []
    for child in children:
        owner = adopted[-1] if adopted else None
        if (
            owner is not None
            and heading_kind(owner.text)[0] == "generic"
            and names_a_role(owner.text)
            and _orphan_of(child, owner)
        ):
            child.parent = owner
            owner.children.append(child)
            continue
        adopted.append(child)
    node.children = adopted
    for child in node.children:
        mend_tree(child)
