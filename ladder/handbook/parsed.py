"""What the parser returns: plain dataclasses, no Django.

A :class:`ParsedFamily` holds its levels, each with items per section, and the raw references
(reports-to, extends, grade sentences) exactly as written; resolving them is
``ladder.inheritance``'s job.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from ladder.handbook.text import normalize_title

SECTIONS = ("responsibilities", "requirements", "general")
FAMILY_SECTIONS = ("performance_indicators", "career_ladder", "hiring_process")


class HandbookError(ValueError):
    """The input is not a handbook page we can import. ``line`` is 1-based or None."""

    def __init__(self, message: str, line: int | None = None, name: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.name = name

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class Warning:
    line: int
    kind: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ExtendsRef:
    """An "Extends that of the X [Responsibilities]" bullet or sentence, unresolved.

    ``section`` is the section of the target it names, or None for every section.
    ``targets`` holds the title as written; two parents ("X or Y") are split later, when the
    titles they must resolve to are known.
    """

    target: str
    section: str | None
    line: int
    link: str = ""  # a link in the bullet; ours (/families/<family>/<level>/) resolves exactly


@dataclass
class ParsedItem:
    text: str
    line: int
    children: list[ParsedItem] = field(default_factory=list)
    extends: ExtendsRef | None = None
    # Prose about the list rather than an entry of it: a lead-in ("… are expected to:") or a
    # pointer elsewhere on the page. It goes to the level's description, not its items.
    note: bool = False


@dataclass
class GradeStatement:
    """A grade as written: "The A & B are a [grade 7](link)" names A and B."""

    names: list[str]
    grade: Decimal
    grade_max: Decimal | None
    link: str
    line: int
    owner: str  # the level whose section the sentence stands in ("" outside any level)


@dataclass
class ParsedLevel:
    title: str
    group: str
    line: int
    description: str = ""
    reports_to: str = ""
    reports_to_link: str = ""
    reports_to_line: int = 0
    sections: dict[str, list[ParsedItem]] = field(
        default_factory=lambda: {name: [] for name in SECTIONS}
    )

    def items(self) -> list[ParsedItem]:
        return [item for name in SECTIONS for item in self.sections[name]]


@dataclass
class ParsedFamily:
    title: str
    slug: str
    description: str
    base_url: str
    source: str
    levels: list[ParsedLevel]
    performance_indicators: list[str]
    career_ladder: list[str]
    hiring_process: list[str]
    grade_statements: list[GradeStatement]
    warnings: list[Warning]
    name: str = ""  # file name, for messages
    # "The roles described below are grades: 6, 7, 8": one grade per ladder level, in order.
    grade_list: list[Decimal] = field(default_factory=list)
    grade_list_line: int = 0
    # base_url was given (front matter, --base-url), not read off the page's links.
    base_url_stated: bool = False
    # Links into the handbook's site, by host (text.handbook_hosts): one import's pages pool
    # them to name the site for pages whose own links do not.
    handbook_hosts: dict[str, int] = field(default_factory=dict)

    def level_by_title(self, title: str) -> ParsedLevel | None:
        key = normalize_title(title)
        for level in self.levels:
            if normalize_title(level.title) == key:
                return level
        return None


def walk_items(items: list[ParsedItem]) -> Iterator[ParsedItem]:
    for item in items:
        yield item
        yield from walk_items(item.children)
