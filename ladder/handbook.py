"""Parse a GitLab-style job-family handbook page (markdown) into plain dataclasses.

No Django here: the parser takes text and returns a :class:`ParsedFamily` with its levels,
items, raw references (reports-to, extends, grade sentences) and a list of warnings with line
numbers. Resolving references between levels (and across pages of one import) is
``ladder.inheritance``'s job.

>>> family = parse_handbook(open("fixtures/handbook/sales-operations.md").read())
>>> family.title, len(family.levels)
('Sales Operations', 17)

The handbook is written by many hands, so the parser is tolerant by design: headings from ``##``
to ``#####``, levels grouped under ``## … Levels`` or ``## Specialties`` (three spellings),
section headings that name another role, grade sentences naming two roles, grades in tables.
What it cannot make sense of becomes a warning, never a silent drop. Only input that is not a
handbook page at all (empty, binary, no title) raises :class:`HandbookError`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from urllib.parse import urlsplit

import yaml

MAX_BYTES = 5 * 1024 * 1024
MAX_NESTING = 50
MAX_BULLETS = 20000
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
    # Filled in by resolution (inheritance.resolve_import).
    grade: Decimal | None = None
    grade_max: Decimal | None = None
    grade_link: str = ""
    grade_inferred: bool = False

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

    def level_by_title(self, title: str) -> ParsedLevel | None:
        key = normalize_title(title)
        for level in self.levels:
            if normalize_title(level.title) == key:
                return level
        return None


# --------------------------------------------------------------------------- text helpers

_SLUG_STRIP = re.compile(r"[^\w\s-]")
_SLUG_HYPHEN = re.compile(r"[-\s_]+")


def slugify(value: str) -> str:
    """``"Sr. Sales Operations Analyst"`` → ``"sr-sales-operations-analyst"``."""
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = _SLUG_STRIP.sub(" ", value.lower())
    return _SLUG_HYPHEN.sub("-", value).strip("-_") or "untitled"


_ABBREVIATIONS = {
    "sr": "senior",
    "snr": "senior",
    "jr": "junior",
    "mgr": "manager",
    "mngr": "manager",
    "dir": "director",
    "assoc": "associate",
    "vp": "vice president",
    "svp": "senior vice president",
    "evp": "executive vice president",
    "intl": "international",
    "ops": "operations",
    "eng": "engineer",
    "&": "and",
}
_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_NON_WORD = re.compile(r"[^\w&]+")


def strip_links(text: str) -> str:
    """Markdown links → their text; emphasis markers dropped."""
    text = _LINK.sub(lambda m: m.group(1), text)
    return re.sub(r"[*_`]+", "", text)


@lru_cache(maxsize=65536)
def normalize_title(title: str) -> str:
    """A comparison key: case, punctuation, "Sr." = "Senior", a leading "the" ignored."""
    words = _NON_WORD.sub(" ", strip_links(title).lower()).split()
    out: list[str] = []
    for word in words:
        out.extend(_ABBREVIATIONS.get(word, word).split())
    if out and out[0] == "the":
        out = out[1:]
    return " ".join(out)


def clean_title(text: str) -> str:
    text = strip_links(text)
    text = re.sub(r"\s+", " ", text).strip()
    return text.strip(" :.-–—").strip()


# --------------------------------------------------------------------------- decoding


# Control characters a text page never holds (tab, newlines and form feed excepted).
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def decode_source(data: bytes | str, name: str = "") -> str:
    """Bytes → text, refusing what is not a text page.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are accepted; anything else, NUL bytes,
    or more than :data:`MAX_BYTES` is a :class:`HandbookError` with a clear message.
    """
    label = f"{name}: " if name else ""
    if isinstance(data, str):
        raw_len = len(data.encode("utf-8", "surrogatepass"))
        text = data
    else:
        raw_len = len(data)
        if raw_len > MAX_BYTES:
            raise HandbookError(
                f"{label}file is {raw_len / 1024 / 1024:.1f} MB; a handbook page is at most "
                f"{MAX_BYTES // 1024 // 1024} MB"
            )
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            # Handbook pages are UTF-8 markdown; a UTF-16 file is a word-processor export.
            raise HandbookError(f"{label}file is UTF-16 text; save the page as UTF-8")
        else:
            if b"\x00" in data[:8192]:
                raise HandbookError(f"{label}binary file (NUL bytes): not a markdown page")
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                line = data[: exc.start].count(b"\n") + 1
                raise HandbookError(
                    f"{label}not valid UTF-8 text (byte {exc.start}); save the page as UTF-8",
                    line,
                ) from None
    if raw_len > MAX_BYTES:
        raise HandbookError(f"{label}page is larger than {MAX_BYTES // 1024 // 1024} MB")
    if "\x00" in text:
        raise HandbookError(f"{label}binary file (NUL characters): not a markdown page")
    controls = len(_CONTROL_CHARS.findall(text, 0, 20000))
    if controls > 20:
        raise HandbookError(f"{label}binary file (control characters): not a markdown page")
    if not text.strip():
        raise HandbookError(f"{label}empty page: nothing to import")
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------- front matter


def _split_front_matter(text: str, warnings: list[Warning]) -> tuple[dict, str, int]:
    """Return (front matter, body, line number of the body's first line)."""
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        for index in range(1, min(len(lines), 200)):
            if lines[index].strip() in {"---", "..."}:
                return (
                    _load_yaml("\n".join(lines[1:index]), 2),
                    "\n".join(lines[index + 1 :]),
                    (index + 2),
                )
        raise HandbookError("front matter opened with --- on line 1 is never closed", 1)
    # A real page lost its opening "---": key: value lines, then "---".
    for index in range(0, min(len(lines), 30)):
        if lines[index].strip() == "---":
            head = lines[:index]
            if head and all(re.match(r"^[\w-]+\s*:", line) or not line.strip() for line in head):
                data = _load_yaml("\n".join(head), 1)
                if "title" in data:
                    warnings.append(
                        Warning(1, "front-matter", "front matter has no opening '---' line")
                    )
                    return data, "\n".join(lines[index + 1 :]), index + 2
            break
    return {}, text, 1


def _load_yaml(block: str, first_line: int) -> dict:
    try:
        data = yaml.safe_load(block) if block.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise HandbookError(f"front matter is not valid YAML: {problem}", line) from None
    if not isinstance(data, dict):
        raise HandbookError("front matter must be a YAML mapping (title: …)", first_line)
    return data


def family_title(raw: str) -> str:
    """``"Sales Operations Roles"`` → ``"Sales Operations"``."""
    title = clean_title(raw)
    title = re.sub(r"\s+(?:job\s+family|roles?|job\s+families)$", "", title, flags=re.I)
    return title.strip() or clean_title(raw)


# --------------------------------------------------------------------------- block scanner


@dataclass
class _Heading:
    level: int
    text: str
    line: int
    blocks: list = field(default_factory=list)  # _Bullet, _Para, _Table in order
    children: list[_Heading] = field(default_factory=list)
    parent: _Heading | None = None


@dataclass
class _Para:
    text: str
    line: int
    lines: list[str] = field(default_factory=list)


@dataclass
class _Table:
    rows: list[list[str]]
    line: int


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)(?:[-*+•]|\d{1,3}[.)])\s+(.*)$")
_ERB = re.compile(r"<%.*?%>", re.S)
_SHORTCODE = re.compile(r"\{\{[<%].*?[>%]\}\}", re.S)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SCRIPT_BLOCK = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)", re.S | re.I)
_TAG = re.compile(r"<[^>]*>")


def _squash(text: str) -> str:
    """Runs of spaces and tabs inside a line are one space (as every renderer shows them)."""
    return re.sub(r"\s+", " ", text).strip()


def _visible(text: str) -> str:
    return _TAG.sub("", text).strip()


_HTML_TAG_LINE = re.compile(r"^\s*</?[a-zA-Z][^>]*>\s*$")


def _scan(body: str, first_line: int, warnings: list[Warning]) -> _Heading:
    """Split the body into a heading tree whose nodes hold bullets, paragraphs and tables."""
    root = _Heading(0, "", first_line)
    stack = [root]
    current = root
    lines = body.split("\n")
    fence: str | None = None
    fence_line = 0
    para: list[str] = []
    para_line = 0
    bullets: list[tuple[int, str, int]] = []  # (indent, text, line)
    table: list[list[str]] = []
    table_line = 0
    after_blank = False
    bullet_count = 0

    def flush() -> None:
        nonlocal para, bullets, table
        if para:
            lines_ = [_squash(s) for s in para if s.strip()]
            current.blocks.append(_Para(" ".join(lines_), para_line, lines_))
            para = []
        if bullets:
            current.blocks.append(("bullets", bullets))
            bullets = []
        if table:
            current.blocks.append(_Table(table, table_line))
            table = []

    index = 0
    while index < len(lines):
        raw = lines[index]
        lineno = first_line + index
        index += 1
        stripped = raw.strip()
        was_blank, after_blank = after_blank, False
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            continue
        if stripped.startswith(("```", "~~~")):
            flush()
            fence = stripped[:3]
            fence_line = lineno
            kind = stripped[3:].strip().lower()
            if kind == "mermaid":
                warnings.append(
                    Warning(
                        lineno, "mermaid", "mermaid diagram skipped (the ladder chart shows it)"
                    )
                )
            continue
        if "<%" in raw:
            # ERB templates (shared performance-indicator partials) cannot be rendered here.
            if "%>" not in raw and index < len(lines):
                while index < len(lines) and "%>" not in lines[index]:
                    index += 1
                index += 1
                raw = ""
            else:
                raw = _ERB.sub("", raw)
            warnings.append(Warning(lineno, "erb", "template tag <% … %> skipped"))
            stripped = raw.strip()
            if not stripped:
                continue
        if "{{" in raw and _SHORTCODE.search(raw):
            raw = _SHORTCODE.sub("", raw)
            warnings.append(Warning(lineno, "shortcode", "shortcode {{< … >}} skipped"))
            stripped = raw.strip()
            if not stripped:
                continue
        heading = _HEADING.match(raw) if not raw.startswith((" ", "\t")) else None
        if heading:
            flush()
            level = len(heading.group(1))
            text = heading.group(2).strip()
            text = re.sub(r"\s*\{#[^}]*\}\s*$", "", text)  # kramdown {#anchor}
            node = _Heading(level, text, lineno)
            while stack[-1].level >= level:
                stack.pop()
            node.parent = stack[-1]
            stack[-1].children.append(node)
            stack.append(node)
            current = node
            continue
        if not stripped:
            if para:
                flush()
            # A blank line inside a list keeps the list open (loose lists) for indented lines.
            after_blank = True
            continue
        if stripped.startswith("|") and stripped.count("|") >= 2:
            if para or bullets:
                flush()
            if not table:
                table_line = lineno
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if not all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                table.append(cells)
            continue
        if table:
            flush()
        bullet = _BULLET.match(raw)
        if bullet:
            bullet_count += 1
            if bullet_count > MAX_BULLETS:
                raise HandbookError(
                    f"page has more than {MAX_BULLETS} bullets; a job family has far fewer", lineno
                )
            if para:
                flush()
            indent = len(bullet.group(1).replace("\t", "    "))
            bullets.append((indent, _squash(bullet.group(2)), lineno))
            continue
        if bullets and (raw.startswith((" ", "\t")) or not (para or was_blank)):
            # Continuation of the previous bullet (indented or lazy).
            if not _HTML_TAG_LINE.match(raw):
                indent, text, line = bullets[-1]
                bullets[-1] = (indent, _squash(f"{text} {stripped}"), line)
            continue
        if _HTML_TAG_LINE.match(raw):
            flush()
            continue
        if not para:
            para_line = lineno
        para.append(raw)
    flush()
    if fence is not None:
        warnings.append(Warning(fence_line, "fence", "code block is never closed"))
    return root


def _nest(bullets: list[tuple[int, str, int]], warnings: list[Warning]) -> list[ParsedItem]:
    """Indented bullets → a tree of items."""
    top: list[ParsedItem] = []
    stack: list[tuple[int, ParsedItem]] = []
    for indent, text, line in bullets:
        item = ParsedItem(text=text, line=line)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if stack and len(stack) >= MAX_NESTING:
            raise HandbookError(f"bullets nested deeper than {MAX_NESTING} levels", line)
        if stack:
            stack[-1][1].children.append(item)
        else:
            top.append(item)
        stack.append((indent, item))
    return top


# --------------------------------------------------------------------------- classification

_SECTION_HEADING = re.compile(
    r"^(?P<prefix>.*?)\s*(?:job\s+|key\s+|core\s+)?"
    # Typos included: "Responsibilies", "Responsibilites", "Requirments".
    r"(?P<section>responsib[a-z]*|requi?re?ments?|qualifications)"
    r"\s*:?$",
    re.I,
)
_GRADE_HEADING = re.compile(r"^(?P<prefix>.*?)\s*(?:job\s+)?grades?\s*:?$", re.I)
_GROUP_HEADING = re.compile(r"(?:^|\s)levels?\s*:?$", re.I)
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
_REPORTS_TO = re.compile(
    r"^(?:the\s+)?(?P<subject>.+?)\s+(?:role\s+)?reports?\s+(?:directly\s+)?(?:in\s*)?to\s+"
    r"(?:the\s+|a\s+|an\s+)?(?P<target>.+?)\s*\.?\s*$",
    re.I,
)
_EXTENDS_BULLET = re.compile(
    r"^(?:\*\*)?extends?\b\s*:?\s*(?:that\s+of\s+)?(?:the\s+)?"
    r"(?:(?P<pre>responsibilities|requirements)(?:\s+and\s+(?:responsibilities|requirements))?"
    r"\s+(?:of|for)\s+(?:the\s+)?)?"
    r"(?P<target>.+?)"
    r"(?:\s+(?:role\s+)?(?P<post>responsibilities|requirements|role|level)(?:\s+expectations)?)?"
    r"\s*[.:]?\s*(?:\*\*)?$",
    re.I,
)
_EXTENDS_SENTENCE = re.compile(
    r"^(?:the\s+)?(?P<subject>.+?)\s+(?:role\s+)?extends\s+(?:that\s+of\s+)?(?:the\s+)?"
    r"(?P<target>.+?)(?:\s+(?P<post>responsibilities|requirements|role|level))?"
    r"(?:\s+(?:expectations|through|by|with|as|plus|and|in)\b.*)?\s*[.:;]?\s*$",
    re.I,
)
_IN_ADDITION = re.compile(
    r"^in\s+addition\s+to\s+(?:the\s+)?(?:(?P<pre>responsibilities|requirements)\s+(?:of|for)\s+)"
    r"(?:the\s+|an?\s+)?(?P<target>.+?)(?=\s+(?:below|above|listed|described)\b|,\s+(?:the|this|a|an|we|you)\b|[.;:]|$)",
    re.I,
)
_GRADE_VALUE = re.compile(
    r"\bgrades?\s*#?\s*(?P<a>\d+(?:\.\d+)?)(?:\s*(?:or|to|-|–|/|and)\s*(?:grade\s*)?#?\s*"
    r"(?P<b>\d+(?:\.\d+)?))?",
    re.I,
)
_GRADE_WORD = re.compile(
    r"(?:\b(?:is|are)\s+(?:an?\s+)?\[?|^\s*)grade\s*#?\s*(?P<word>[a-z]+)\b", re.I
)
_GRADE_SUBJECT = re.compile(
    r"^(?:the\s+)?(?P<subject>.+?)\s+(?:role\s+)?(?:is|are)\s+(?:a|an|at|at\s+a)?\s*\[?\s*grade",
    re.I,
)


def _section_name(word: str) -> str:
    word = word.lower()
    if word.startswith("responsib"):
        return "responsibilities"
    return "requirements"


def _is_family_section(text: str) -> str | None:
    for name, pattern in _FAMILY_SECTION_HEADINGS.items():
        if pattern.search(text):
            return name
    return None


def parse_extends(text: str, line: int, section: str | None = None) -> ExtendsRef | None:
    """Recognise an inheritance bullet.

    >>> parse_extends("Extends that of the Manager, Sales Operations Requirements", 3).section
    'requirements'
    """
    ref = _parse_extends(text, line, section)
    if ref is not None and (link := _LINK.search(text)):
        ref.link = link.group(2)
    return ref


def _parse_extends(text: str, line: int, section: str | None = None) -> ExtendsRef | None:
    plain = clean_title(strip_links(text)) if "](" in text else text.strip().strip("*_ ")
    plain = re.sub(r"\s+", " ", plain)
    # "Extends X responsibilities, plus;" / "… requirement" / "… role as an IC": trim the tail.
    plain = re.sub(
        r"\b(responsibilit(?:y|ies)|requirements?)\b[\s,;:.]*(?:plus|and|as well as)?[\s,;:.]*$",
        lambda m: (
            "responsibilities" if m.group(1).lower().startswith("responsib") else "requirements"
        ),
        plain,
        flags=re.I,
    )
    plain = (
        re.sub(r"\s+role\b.*$", "", plain, flags=re.I)
        if plain.lower().startswith("extend")
        else plain
    )
    match = _EXTENDS_BULLET.match(plain)
    if match:
        target = match.group("target")
        which = match.group("pre") or match.group("post") or ""
        # "Extends the responsibilities and requirements of X" names both: every section.
        if re.search(r"responsibilities\s+and\s+requirements", plain, re.I):
            which = ""
        found = (
            _section_name(which) if which.lower() in {"responsibilities", "requirements"} else None
        )
        target = clean_title(target)
        if target:
            return ExtendsRef(target=target, section=found or section, line=line)
        return None
    addition = _IN_ADDITION.match(plain)
    if addition:
        target = clean_title(addition.group("target"))
        if target:
            return ExtendsRef(target, _section_name(addition.group("pre")), line)
    return None


def _parse_extends_sentence(text: str, line: int) -> tuple[str, ExtendsRef] | None:
    plain = re.sub(r"\s+", " ", clean_title(strip_links(text)))
    match = _EXTENDS_SENTENCE.match(plain)
    if not match or len(plain) > 300:
        return None
    post = (match.group("post") or "").lower()
    section = _section_name(post) if post in {"responsibilities", "requirements"} else None
    return clean_title(match.group("subject")), ExtendsRef(
        clean_title(match.group("target")), section, line
    )


def _parse_grade_text(text: str) -> tuple[Decimal, Decimal | None, str] | None | str:
    """The grade written in a sentence: (grade, grade_max, link), None, or the bad word."""
    link = ""
    for match in _LINK.finditer(text):
        if "grade" in match.group(1).lower():
            link = match.group(2)
            break
    plain = strip_links(text)
    match = _GRADE_VALUE.search(plain)
    if not match:
        word = _GRADE_WORD.search(plain)
        if word and word.group("word").lower() not in {"s", "at", "for", "is", "and", "of", "the"}:
            return word.group("word")
        bare = re.search(r"\b(?:is|are)\s+(?:a|an)\s+#?(\d+(?:\.\d+)?)\b", plain)
        if not bare:
            return None
        return Decimal(bare.group(1)), None, link
    try:
        grade = Decimal(match.group("a"))
        grade_max = Decimal(match.group("b")) if match.group("b") else None
    except InvalidOperation:
        return None
    if grade_max is not None and grade_max <= grade:
        grade_max = None
    return grade, grade_max, link


def _grade_subjects(text: str) -> list[str]:
    match = _GRADE_SUBJECT.match(clean_title(strip_links(text)))
    if not match:
        return []
    subject = match.group("subject").strip()
    if re.fullmatch(r"(?:this|the)?\s*(?:role|position|job|level)", subject, re.I):
        return []
    # "A & B": split later, only if the whole subject is not itself a title.
    return [clean_title(subject.strip("{}"))]


# --------------------------------------------------------------------------- the parser


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

    # -- blocks

    def items_of(self, node: _Heading, section: str | None) -> list[ParsedItem]:
        out: list[ParsedItem] = []
        for block in node.blocks:
            if isinstance(block, tuple):
                out.extend(_nest(block[1], self.warnings))
            elif isinstance(block, _Para) and section is not None:
                # Prose inside a responsibilities/requirements section is still content; lines
                # written one under the other (no bullets) are one item each.
                if len(block.lines) > 1 and all(len(x) < 300 for x in block.lines):
                    out.extend(ParsedItem(x, block.line + i) for i, x in enumerate(block.lines))
                else:
                    out.append(ParsedItem(block.text, block.line))
        # An extends bullet outside a named section extends every section of its target.
        default = section if section in {"responsibilities", "requirements"} else None
        for item in _walk(out):
            item.extends = parse_extends(item.text, item.line, default)
        return out

    def prose(self, node: _Heading) -> list[_Para]:
        return [b for b in node.blocks if isinstance(b, _Para)]

    def grade_from_block(self, text: str, line: int, owner: str) -> bool:
        parsed = _parse_grade_text(text)
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
            GradeStatement(_grade_subjects(text), grade, grade_max, link, line, owner)
        )
        return True

    def role_prose(self, level: ParsedLevel, node: _Heading) -> None:
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

    def sentence(self, level: ParsedLevel, sentence: str, line: int) -> bool:
        reports = _REPORTS_TO.match(sentence.strip()) if "report" in sentence.lower() else None
        if reports and len(sentence) < 300:
            subject = clean_title(reports.group("subject"))
            target_raw = reports.group("target")
            link = ""
            links = list(_LINK.finditer(target_raw))
            if links:
                link = links[0].group(2)
            target = clean_title(target_raw)
            target = re.split(r"\s*(?:,\s*who|\s+who\b|;|\s+and\s+(?:is|works|will))", target)[0]
            if (
                normalize_title(subject) != normalize_title(level.title)
                and not re.fullmatch(r"(?:this\s+)?(?:role|position|person|level)", subject, re.I)
                and _similar(subject, level.title)
            ):
                self.warn(
                    line,
                    "tolerant-title",
                    f"'{subject}' read as '{level.title}' (reports-to sentence)",
                )
            if not level.reports_to:
                level.reports_to = target
                level.reports_to_link = link
                level.reports_to_line = line
            return True
        if "grade" in sentence.lower() and self.grade_from_block(sentence, line, level.title):
            return True
        if "extend" in sentence.lower():
            found = _parse_extends_sentence(sentence, line)
            if found is not None:
                _subject, ref = found
                level.sections["general"].insert(0, ParsedItem(sentence.strip(), line, extends=ref))
                return True
        return False

    def add_items(self, level: ParsedLevel, section: str, items: list[ParsedItem]) -> None:
        level.sections[section].extend(items)


def _walk(items: list[ParsedItem]):
    for item in items:
        yield item
        yield from _walk(item.children)


def _similar(a: str, b: str) -> bool:
    """Same title but for typos: every word of one has a close twin in the other.

    "Sales Operatios Analyst" ~ "Sales Operations Analyst", but "Sr. Sales Operations Manager"
    is not "Sr. Sales Operations Analyst" although the strings are close.
    """
    from rapidfuzz import fuzz

    na, nb = normalize_title(a), normalize_title(b)
    if not na or not nb or fuzz.ratio(na, nb) < 85:
        return False
    wa, wb = na.split(), nb.split()
    if abs(len(wa) - len(wb)) > 1:
        return False
    return all(any(fuzz.ratio(x, y) >= 80 for y in wb) for x in wa) and all(
        any(fuzz.ratio(y, x) >= 80 for x in wa) for y in wb
    )


_ABBREV_DOT = re.compile(
    r"\b(?:Sr|Jr|Mr|Ms|Mrs|Dr|St|vs|e\.g|i\.e|Inc|Ltd|Co|No|approx|etc)\.$", re.I
)


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences without breaking "Sr. Director" or "e.g. X"."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z\[])", text)
    out: list[str] = []
    for part in parts:
        if out and _ABBREV_DOT.search(out[-1]):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return out


def infer_base_url(text: str) -> str:
    """The most common ``scheme://host`` among the page's absolute links, or ""."""
    counts: dict[str, int] = {}
    for match in _LINK.finditer(text):
        url = match.group(2)
        if url.startswith(("http://", "https://")):
            parts = urlsplit(url)
            base = f"{parts.scheme}://{parts.netloc}"
            counts[base] = counts.get(base, 0) + 1
    if not counts:
        return ""
    return max(sorted(counts), key=lambda base: counts[base])


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
    front, body, first_line = _split_front_matter(text, warnings)
    raw_title = title or front.get("title")
    if _SCRIPT_BLOCK.search(body):
        # Never content, whatever the page says: drop it before anything reads it (keeping
        # the line count, so later line numbers stay right).
        line = body[: _SCRIPT_BLOCK.search(body).start()].count("\n") + first_line
        warnings.append(Warning(line, "html", "<script>/<style> block removed"))
        body = _SCRIPT_BLOCK.sub(lambda m: "\n" * m.group(0).count("\n"), body)
    root = _scan(body, first_line, warnings)
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
    builder = _Builder(
        name, base_url if base_url is not None else infer_base_url(text), grade_range
    )
    builder.warnings = warnings
    fam_title = family_title(raw_title)
    _classify(builder, root, group=None, level=None, top=True)
    intro = builder.prose(root)
    if not builder.levels and (
        any(builder.loose_sections.values())
        or any(_has_sentences(_Heading(0, "", p.line, blocks=[p])) for p in intro)
    ):
        # A single-role page ("Chief Executive Officer", or one level of a family split into
        # a page per level): its sections and sentences describe one level.
        single = builder.level(fam_title, "", builder.loose_line or first_line)
        builder.role_prose(single, root)
        for section, items in builder.loose_sections.items():
            single.sections[section].extend(items)
    else:
        builder.description[0:0] = [p.text for p in intro]
        # Family-wide sections above the levels: keep them in the description.
        for section, items in builder.loose_sections.items():
            if items:
                builder.description.append(f"**{section.title()}**")
                builder.description.append("\n".join(_render_bullets(items)))
    bullets = sum(1 for _ in _walk([i for lv in builder.levels for i in lv.items()]))
    if bullets > MAX_BULLETS:
        raise HandbookError(f"page has {bullets} bullets; a job family has at most {MAX_BULLETS}")
    has_text = (
        bullets
        or any(_visible(part) for part in builder.description)
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
        warnings=builder.warnings,
        name=name,
    )


def _render_bullets(items: list[ParsedItem], depth: int = 0) -> list[str]:
    lines: list[str] = []
    for item in items:
        lines.append(f"{'  ' * depth}- {item.text}")
        lines.extend(_render_bullets(item.children, depth + 1))
    return lines


def _heading_kind(text: str) -> tuple[str, str, str]:
    """(kind, prefix, section) for a heading's text."""
    plain = clean_title(text)
    family = _is_family_section(plain)
    if family:
        return "family", "", family
    match = _SECTION_HEADING.match(plain)
    if match:
        return "section", clean_title(match.group("prefix")), _section_name(match.group("section"))
    match = _GRADE_HEADING.match(plain)
    if match and "grade" in plain.lower():
        return "grade", clean_title(match.group("prefix")), ""
    if _GROUP_HEADING.search(plain) or _SPECIALTY_HEADING.search(plain) and len(plain) < 40:
        if _SPECIALTY_HEADING.search(plain) and not re.search(
            r"^(?:.*\s)?(?:specialt(?:y|ies)|specialit(?:y|ies)|specializations?)\s*$", plain, re.I
        ):
            return "generic", "", ""
        return "group", "", ""
    return "generic", "", ""


def _has_role_content(node: _Heading) -> bool:
    """Does a generic heading describe a role itself (grade, sections, bullets, sentences)?"""
    for child in node.children:
        kind, prefix, _ = _heading_kind(child.text)
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
        if isinstance(para, _Para) and re.search(
            r"reports?\s+to|\bgrade\b|\bextends\b", para.text, re.I
        ):
            return True
    return False


def _has_generic_children(node: _Heading) -> bool:
    return any(_heading_kind(child.text)[0] in {"generic", "section"} for child in node.children)


def _classify(
    b: _Builder, node: _Heading, group: str | None, level: ParsedLevel | None, top: bool = False
) -> None:
    for child in node.children:
        kind, prefix, section = _heading_kind(child.text)
        title = clean_title(child.text)
        if child.level == 1:
            # The page's own title heading: transparent.
            b.description.extend(p.text for p in b.prose(child))
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
            if group and not _GROUP_HEADING.search(title):
                name = f"{group} › {title}"
            b.description.extend(p.text for p in b.prose(child))
            for block in child.blocks:
                if isinstance(block, tuple):
                    b.description.append("\n".join(_render_bullets(_nest(block[1], b.warnings))))
            _classify(b, child, name, None)
            continue
        if kind == "grade":
            owner = level
            if prefix:
                owner = b.find_level(prefix) or (level if _prefix_matches(prefix, level) else None)
                if owner is None:
                    owner = b.level(prefix, group or "", child.line)
            text = " ".join(p.text for p in b.prose(child))
            text += " " + " ".join(
                item.text
                for block in child.blocks
                if isinstance(block, tuple)
                for item in _nest(block[1], [])
            )
            rows = [b for b in child.blocks if isinstance(b, _Table)]
            found = (
                b.grade_from_block(text, child.line, owner.title if owner else "")
                if text.strip()
                else False
            )
            for table in rows:
                found = _grade_table(b, table) or found
            if not found and text.strip():
                b.warn(child.line, "grade", f"no grade number found under '{title}'")
            _classify(b, child, group, owner)
            continue
        if (
            kind == "section"
            and level is not None
            and prefix
            and not _prefix_matches(prefix, level)
            and _is_qualifier(prefix, b)
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
            if prefix and not _prefix_matches(prefix, level):
                owner = b.find_level(prefix)
                if owner is None and level is not None and _similar(prefix, level.title):
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
        if level is not None and child.level > 2 and not _looks_like_role(b, child, level):
            # A sub-heading inside a level ("Nice-to-haves", "Professional Experience").
            target = _guess_section(title)
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
        if in_group and not _has_role_content(child) and _has_generic_children(child):
            _classify(b, child, f"{group} › {title}", None)
            continue
        if in_group or _has_role_content(child) and (child.children or _has_sentences(child)):
            if not in_group and not child.children and not _has_sentences(child):
                b.description.append(f"**{title}**")
                continue
            new = b.find_level(title)
            first = b.heading_lines.get(normalize_title(title))
            if first is not None and not _is_ancestor_titled(child, title):
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
            general = b.items_of(child, None)
            b.add_items(new, "general", general)
            for table in (blk for blk in child.blocks if isinstance(blk, _Table)):
                _grade_table(b, table)
            _classify(b, child, group, new)
            continue
        # Other prose: part of the family description.
        if level is None:
            paras = b.prose(child)
            bullets = [blk for blk in child.blocks if isinstance(blk, tuple)]
            tables = [blk for blk in child.blocks if isinstance(blk, _Table)]
            for table in tables:
                _grade_table(b, table)
            if paras or bullets:
                b.description.append(f"**{title}**")
                b.description.extend(p.text for p in paras)
                for block in bullets:
                    b.description.append("\n".join(_render_bullets(_nest(block[1], b.warnings))))
        _classify(b, child, group, level)


def _level_specialties(b: _Builder, node: _Heading, level: ParsedLevel) -> None:
    title = clean_title(node.text)
    children = b.items_of(node, None) + [ParsedItem(p.text, p.line) for p in b.prose(node)]
    if children:
        level.sections["general"].append(ParsedItem(f"**{title}**", node.line, children=children))
    for sub in node.children:
        kind, prefix, section = _heading_kind(sub.text)
        target = section if kind == "section" else _guess_section(sub.text)
        name = prefix if kind == "section" and prefix else clean_title(sub.text)
        items = b.items_of(sub, target if target != "general" else None)
        items += [ParsedItem(p.text, p.line) for p in b.prose(sub)] if target == "general" else []
        level.sections[target].append(ParsedItem(f"**{name}**", sub.line, children=items))
        if sub.children:
            _level_specialties(b, sub, level)


def _is_ancestor_titled(node: _Heading, title: str) -> bool:
    key = normalize_title(title)
    parent = node.parent
    while parent is not None:
        if normalize_title(clean_title(parent.text)) == key:
            return True
        parent = parent.parent
    return False


def _has_sentences(node: _Heading) -> bool:
    return any(
        isinstance(p, _Para) and re.search(r"reports?\s+to|\bgrade\b", p.text, re.I)
        for p in node.blocks
    )


def _looks_like_role(b: _Builder, node: _Heading, level: ParsedLevel) -> bool:
    """Under a level, a sub-heading that is itself a role (has its own grade or sections)."""
    if b.find_level(clean_title(node.text)) is not None:
        return True
    for child in node.children:
        kind, prefix, _ = _heading_kind(child.text)
        if kind == "grade":
            return True
        if kind == "section" and not _prefix_matches(prefix, level) and prefix:
            return True
    return any(
        isinstance(p, _Para) and re.search(r"reports?\s+to|is\s+an?\s+\[?grade", p.text, re.I)
        for p in node.blocks
    )


_ROLE_NOUN = re.compile(
    r"\b(?:engineers?|managers?|analysts?|directors?|specialists?|leads?|architects?|designers?"
    r"|officers?|president|vp|avp|svp|evp|representatives?|executives?|partners?|strategists?"
    r"|coordinators?|administrators?|consultants?|recruiters?|accountants?|counsel|writers?"
    r"|scientists?|developers?|advocates?|agents?|associates?|interns?|head|chief|controller"
    r"|auditors?|editors?|researchers?|programmers?|technicians?|advisors?|owners?|ceo|cfo|cto"
    r"|coo|cmo|cro|sdr|bdr|pmm|tam|csm|sa|ae|principal|staff|fellow|paralegal|treasurer"
    r"|marketer|buyers?|planners?|generalists?|investigators?|members?)\b",
    re.I,
)


def _is_qualifier(prefix: str, b: _Builder) -> bool:
    """A section-heading prefix that names no role: "Nice-to-have", "Senior", "Additional"."""
    if b.find_level(prefix) is not None:
        return False
    if re.fullmatch(r"(?:senior|sr\.?|staff|principal|intermediate|junior|lead)", prefix, re.I):
        return True  # a seniority variant of the level it stands under
    return not _ROLE_NOUN.search(prefix)


def _prefix_matches(prefix: str, level: ParsedLevel | None) -> bool:
    if not prefix:
        return True
    if level is None:
        return False
    a = normalize_title(prefix)
    t = normalize_title(level.title)
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


def _guess_section(title: str) -> str:
    if _RESPONSIBILITIES_LIKE.search(title):
        return "responsibilities"
    if _REQUIREMENTS_LIKE.search(title):
        return "requirements"
    return "general"


def _classify_subsections(
    b: _Builder, node: _Heading, owner: ParsedLevel | None, section: str
) -> None:
    for child in node.children:
        kind, _prefix, _ = _heading_kind(child.text)
        if kind in {"family", "group"} or (
            kind == "generic" and _has_role_content(child) and child.children
        ):
            _classify(b, _Heading(0, "", child.line, children=[child]), None, owner)
            continue
        items = b.items_of(child, section)
        parent = ParsedItem(f"**{clean_title(child.text)}**", child.line, children=items)
        if owner is None:
            b.loose_sections[section].append(parent)
        else:
            owner.sections[section].append(parent)
        _classify_subsections(b, child, owner, section)


def _family_lines(b: _Builder, node: _Heading) -> list[str]:
    lines: list[str] = []
    for block in node.blocks:
        if isinstance(block, _Para):
            lines.append(block.text)
        elif isinstance(block, tuple):
            for item in _nest(block[1], b.warnings):
                lines.append(item.text)
                lines.extend(f"  - {c}" for c in _render_bullets(item.children))
    for child in node.children:
        lines.append(f"**{clean_title(child.text)}**")
        lines.extend(_family_lines(b, child))
    return lines


def _grade_table(b: _Builder, table: _Table) -> bool:
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
        parsed = _parse_grade_text(
            cells[col] if "grade" in cells[col].lower() else f"grade {cells[col]}"
        )
        if not parsed or isinstance(parsed, str):
            continue
        name_col = 0 if col != 0 else 1
        if name_col >= len(cells):
            continue
        name = clean_title(cells[name_col])
        if not name:
            continue
        grade, grade_max, link = parsed
        b.grade_statements.append(GradeStatement([name], grade, grade_max, link, line, ""))
        found = True
    return found
