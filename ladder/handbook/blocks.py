"""The block scanner: markdown body → a heading tree holding bullets, paragraphs and tables."""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field

from ladder.handbook.parsed import HandbookError, ParsedItem, Warning

MAX_NESTING = 50
MAX_BULLETS = 20000


@dataclass
class Heading:
    level: int
    text: str
    line: int
    blocks: list = field(default_factory=list)  # _Bullet, Para, Table in order
    children: list[Heading] = field(default_factory=list)
    # Weak: a child pointing back at its parent made every page's tree a reference cycle,
    # garbage only the cycle collector frees (which an import pauses: see services.py).
    _parent: weakref.ref[Heading] | None = field(default=None, repr=False, compare=False)

    @property
    def parent(self) -> Heading | None:
        return self._parent() if self._parent is not None else None

    @parent.setter
    def parent(self, node: Heading | None) -> None:
        self._parent = weakref.ref(node) if node is not None else None


@dataclass
class Para:
    text: str
    line: int
    lines: list[str] = field(default_factory=list)
    # Set off from the list above by a "***" rule or styled as a callout ("{: .alert}"): a
    # note about the list ("A Senior … may want to pursue the management track"), not in it.
    set_off: bool = False


@dataclass
class Table:
    rows: list[list[str]]
    line: int


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)(?:[-*+•]|\d{1,3}[.)])\s+(.*)$")
_ERB = re.compile(r"<%.*?%>", re.S)
_SHORTCODE = re.compile(r"\{\{[<%].*?[>%]\}\}", re.S)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
SCRIPT_BLOCK = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)", re.S | re.I)
TAG = re.compile(r"<[^>]*>")


def squash(text: str) -> str:
    """Runs of spaces and tabs inside a line are one space (as every renderer shows them)."""
    return re.sub(r"\s+", " ", text).strip()


def visible(text: str) -> str:
    return TAG.sub("", text).strip()


_THEMATIC_BREAK = re.compile(r"^\s{0,3}([*_-])(?:\s*\1){2,}\s*$")
_KRAMDOWN_IAL = re.compile(r"^\{:[^}]*\}$")  # "{: .alert .alert-info}", "{:toc}": markup
HTML_TAG_LINE = re.compile(r"^\s*(?:</?[a-zA-Z][^>]*>\s*)+$")  # "<a id=\"x\"></a>" too


def scan(body: str, first_line: int, warnings: list[Warning]) -> Heading:
    """Split the body into a heading tree whose nodes hold bullets, paragraphs and tables."""
    root = Heading(0, "", first_line)
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
    after_rule = False  # only blank lines since a "***" rule
    set_off = False  # the paragraph being read is set off (see Para.set_off)

    def flush() -> None:
        nonlocal para, bullets, table
        if para:
            lines_ = [squash(s) for s in para if s.strip()]
            current.blocks.append(Para(" ".join(lines_), para_line, lines_, set_off))
            para = []
        if bullets:
            current.blocks.append(("bullets", bullets))
            bullets = []
        if table:
            current.blocks.append(Table(table, table_line))
            table = []

    index = 0
    while index < len(lines):
        raw = lines[index]
        lineno = first_line + index
        index += 1
        stripped = raw.strip()
        was_blank, after_blank = after_blank, False
        was_after_rule = after_rule
        if stripped:
            after_rule = False
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
            node = Heading(level, text, lineno)
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
        if _THEMATIC_BREAK.match(raw):
            flush()  # a "***" / "* * *" / "___" rule is markup, not an item
            after_rule = True
            continue
        if _KRAMDOWN_IAL.match(stripped):
            # Attributes of the block above: markup, never text; a class on a paragraph
            # makes it a callout box.
            set_off = set_off or bool(para)
            flush()
            continue
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
            bullets.append((indent, squash(bullet.group(2)), lineno))
            continue
        if bullets and (raw.startswith((" ", "\t")) or not (para or was_blank)):
            # Continuation of the previous bullet (indented or lazy).
            if not HTML_TAG_LINE.match(raw):
                indent, text, line = bullets[-1]
                bullets[-1] = (indent, squash(f"{text} {stripped}"), line)
            continue
        if HTML_TAG_LINE.match(raw):
            flush()
            continue
        if not para:
            if bullets:
                flush()  # a paragraph after a list comes after it, not before
            para_line = lineno
            set_off = was_after_rule
        para.append(raw)
    flush()
    if fence is not None:
        warnings.append(Warning(fence_line, "fence", "code block is never closed"))
    return root


def nest(bullets: list[tuple[int, str, int]], warnings: list[Warning]) -> list[ParsedItem]:
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
