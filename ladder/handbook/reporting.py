"""Who a level reports to when the page says it once for several levels.

A page often names the manager once, in its opening: "This job family reports to the Senior
Manager of Education Curriculum Development", "The Professional Services Technical Architect
reports to the Regional Manager", "The Area Vice President reports into the VP, Enterprise
Sales" above "Area Vice President (Public Sector)".
A reader carries that manager to every level the sentence is about, and to no other: not to the
manager's own level, and not from a "Manager, X" to a "Senior Manager, X", whose manager is
someone else. A level's own sentence always wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ladder.handbook.parsed import ParsedLevel
from ladder.handbook.phrases import reports_statement
from ladder.handbook.text import (
    RANK_WORDS,
    SENIORITY_WORDS,
    normalize_title,
    similar_titles,
    split_sentences,
)

# "This job family reports to …", "All roles report to …": the page's every level. Not "This
# position reports to …": in an opening that is as often one specialty's sentence.
_WHOLE_PAGE = re.compile(
    r"(?:this|the)\s+(?:job\s+)?famil(?:y|ies)|(?:all|these)\s+(?:roles|positions)", re.I
)


@dataclass(frozen=True)
class SharedManager:
    """A manager named once for the levels whose titles hold ``words`` (None: every level)."""

    words: frozenset[str] | None
    seniority: frozenset[str]
    manager: str
    link: str
    line: int


def _words(title: str) -> list[str]:
    return normalize_title(re.sub(r"\([^)]*\)", " ", title)).split()


def _role_words(title: str) -> frozenset[str]:
    return frozenset(w for w in _words(title) if w not in SENIORITY_WORDS)


def _seniority(title: str) -> frozenset[str]:
    return frozenset(w for w in _words(title) if w in SENIORITY_WORDS)


def shared_manager(subject: str, family: str, manager: str, link: str, line: int) -> SharedManager:
    """The levels a "<subject> reports to <manager>" sentence outside any level is about."""
    if _WHOLE_PAGE.fullmatch(subject.strip()) or normalize_title(subject) == normalize_title(
        family
    ):
        return SharedManager(None, frozenset(), manager, link, line)
    return SharedManager(_role_words(subject), _seniority(subject), manager, link, line)


def opening_managers(paragraphs: list[tuple[str, int]], family: str) -> list[SharedManager]:
    """Reports-to sentences of the page's opening (text and line of each paragraph)."""
    found = []
    for text, line in paragraphs:
        for sentence in split_sentences(text):
            said = reports_statement(sentence)
            if said and not said.bare:
                found.append(shared_manager(said.subject, family, said.manager, said.link, line))
    return found


def _about(shared: SharedManager, level: ParsedLevel) -> bool:
    if shared.words is None:
        return True
    words = _role_words(level.title)
    if not words or not shared.words:
        return False
    if words & RANK_WORDS or shared.words & RANK_WORDS:
        # A people leader's manager changes with the rank: the same title only, in any variant.
        return words == shared.words and _seniority(level.title) == shared.seniority
    # An individual contributor's title in full or in part ("Technical Architect" of the
    # "Professional Services Technical Architect"), at any seniority unless one is named.
    if shared.seniority and _seniority(level.title) != shared.seniority:
        return False
    return shared.words <= words or words <= shared.words


def _is_manager(level: ParsedLevel, manager: str) -> bool:
    return normalize_title(level.title) == normalize_title(manager) or similar_titles(
        level.title, manager
    )


def share_managers(levels: list[ParsedLevel], shared: list[SharedManager]) -> None:
    """Give each level without a manager of its own the one the page names for it."""
    for level in levels:
        if level.reports_to:
            continue
        for said in shared:
            if _about(said, level) and not _is_manager(level, said.manager):
                level.reports_to = said.manager
                level.reports_to_link = said.link
                level.reports_to_line = said.line
                break
