"""Parse a job posting (job-board HTML, plain text or job-board markdown) into dataclasses.

Pure: bytes in, :class:`ParsedPosting` out, or :class:`PostingError` with a message that names
the file. The format is detected, never asked for.

>>> posting = parse_posting(b"<h2>Analyst</h2><div id='jobDescriptionText'><b>Requirements</b>"
...                         b"<ul><li>3+ years of experience in sales operations</li></ul></div>")
>>> posting.title, posting.years_min, posting.items[0].section
('Analyst', 3, 'requirements')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import nh3
import yaml
from bs4 import BeautifulSoup, Comment, NavigableString, Tag

MAX_BYTES = 5 * 1024 * 1024
SECTIONS = ("responsibilities", "requirements", "about", "legal", "other")


class PostingError(ValueError):
    """The file is not a posting we can read."""


@dataclass
class PostingItem:
    section: str
    text: str
    heading: str = ""


@dataclass
class ParsedPosting:
    title: str
    company: str
    location: str
    format: str  # html, text, markdown
    items: list[PostingItem]
    years_min: int | None = None
    years_max: int | None = None
    degree: str = ""
    people_management: bool = False
    text: str = ""

    def section(self, name: str) -> list[str]:
        return [item.text for item in self.items if item.section == name]


# --------------------------------------------------------------------------- decoding


def decode(data: bytes | str, filename: str = "") -> str:
    label = f"{filename}: " if filename else ""
    if isinstance(data, str):
        text = data
        size = len(data.encode("utf-8", "surrogatepass"))
    else:
        size = len(data)
        if size > MAX_BYTES:
            raise PostingError(
                f"{label}file is {size / 1024 / 1024:.1f} MB; a posting is at most "
                f"{MAX_BYTES // 1024 // 1024} MB"
            )
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            try:
                text = data.decode("utf-16")
            except UnicodeDecodeError:
                raise PostingError(f"{label}invalid UTF-16 text") from None
        else:
            if b"\x00" in data[:8192]:
                raise PostingError(f"{label}binary file (NUL bytes): not a job posting")
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                try:
                    # Job boards still export Windows-1252 now and then.
                    text = data.decode("cp1252")
                except UnicodeDecodeError:
                    raise PostingError(f"{label}not valid UTF-8 text; save it as UTF-8") from None
    if size > MAX_BYTES:
        raise PostingError(f"{label}posting is larger than {MAX_BYTES // 1024 // 1024} MB")
    controls = sum(1 for ch in text[:20000] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if "\x00" in text or controls > 20:
        raise PostingError(f"{label}binary file: not a job posting")
    if not text.strip():
        raise PostingError(f"{label}empty file: no posting to import")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def detect_format(text: str) -> str:
    head = text.lstrip()[:4000]
    if head.startswith("---\n") or head.startswith("---\r"):
        return "markdown"
    if re.search(
        r"<(?:div|h[1-6]|p|ul|li|br|b|strong|span|html|body|table|iframe|script)\b", head, re.I
    ):
        return "html"
    if re.search(r"^#{1,6}\s+\S|^\*\*[^*]+\*\*\s*$", head, re.M):
        return "markdown"
    return "text"


# --------------------------------------------------------------------------- classification

_HEADINGS = [
    (
        "legal",
        r"equal (?:employment )?opportunit|\beeo|accommodation|privacy|e-verify|disclaimer"
        r"|affirmative action|background check|diversity statement|statement$",
    ),
    (
        "about",
        r"\babout\b|who we are|our (?:company|mission|story|team|values|culture)|benefits|perks"
        r"|what we offer|why (?:join|work)|compensation|salary|company profile|the company"
        r"|life at|we offer|our offer|the challenge|overview$|who is\b",
    ),
    (
        "requirements",
        r"requirement|qualification|skills|experience|what you (?:bring|need|have|.ll need)"
        r"|who you are|must.have|nice.to.have|preferred|minimum|basic|you have|profile"
        r"|competenc|education|looking for|ideal candidate|knowledge|you are|you.re",
    ),
    (
        "responsibilities",
        r"responsib|what you.ll do|what you will do|duties|the role|your role|role"
        r"|day.to.day|accountabilit|what will|you will|in this position|job description"
        r"|description|mission|impact|objectives|the job|tasks|opportunity",
    ),
]
_LEGAL_TEXT = re.compile(
    r"equal opportunity|equal employment|without regard to|race, colou?r|sexual orientation"
    r"|gender identity|protected veteran|reasonable accommodation|e-verify|affirmative action",
    re.I,
)
_REQUIREMENT_TEXT = re.compile(
    r"\b(?:years?|experience|degree|bachelor|master|mba|knowledge|ability|able to|skills?|"
    r"proficien|familiar|understanding of|track record|fluent|certif)\b",
    re.I,
)


def classify_heading(heading: str) -> str:
    text = heading.lower().strip(" :")
    for section, pattern in _HEADINGS:
        if re.search(pattern, text):
            return section
    return "other"


def _guess(text: str, current: str) -> str:
    if _LEGAL_TEXT.search(text):
        return "legal"
    if current != "other":
        return current
    return "other"


# --------------------------------------------------------------------------- facts

_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
}
_NUM = r"(\d{1,2}|" + "|".join(_WORD_NUMBERS) + r")"
_RANGE = re.compile(_NUM + r"\s*(?:-|–|—|to)\s*" + _NUM + r"\s*\+?\s*(?:years?|yrs)", re.I)
_PLUS = re.compile(_NUM + r"\s*\+\s*(?:years?|yrs)", re.I)
_MIN = re.compile(
    r"(?:minimum|at least|min\.?)\s+(?:of\s+)?" + _NUM + r"\s*\+?\s*(?:years?|yrs)", re.I
)
_PLAIN = re.compile(_NUM + r"\s*(?:\(\d+\)\s*)?(?:years?|yrs)", re.I)
_EXPERIENCE = re.compile(
    r"experience|expertise|background|track record|working in|in a\b|in an\b"
    r"|in (?:sales|b2b|saas|management|leadership)",
    re.I,
)
_NOT_EXPERIENCE = re.compile(
    r"years? of age|years? old|\bage\b|in business|founded|within the (?:last|past)"
    r"|(?:last|past) \w+ years|years? ago|anniversary|warranty",
    re.I,
)


def _number(value: str) -> int:
    return int(value) if value.isdigit() else _WORD_NUMBERS[value.lower()]


def years_of_experience(sentences: list[str]) -> tuple[int | None, int | None]:
    """The first stated experience requirement: "8-10 years" → (8, 10), "4+ years" → (4, None).

    >>> years_of_experience(["At least 18 years of age", "2 + years of sales experience"])
    (2, None)
    """
    for sentence in sentences:
        if _NOT_EXPERIENCE.search(sentence) and not re.search(
            r"\d\s*\+?\s*years? (?:of )?(?:\w+ ){0,3}experience", sentence, re.I
        ):
            continue
        if not _EXPERIENCE.search(sentence):
            continue
        if match := _RANGE.search(sentence):
            low, high = _number(match.group(1)), _number(match.group(2))
            if 0 < low <= high <= 40:
                return low, high
        for pattern in (_PLUS, _MIN, _PLAIN):
            if match := pattern.search(sentence):
                value = _number(match.group(1))
                if 0 < value <= 40:
                    return value, None
    return None, None


def degree_asked(text: str) -> str:
    lowered = text.lower()
    if re.search(r"\bph\.?d\b|doctorate", lowered):
        return "phd"
    if re.search(r"\bmba\b", lowered):
        return "mba"
    if re.search(r"master'?s|\bm\.?s\.?\b degree|\bmsc\b", lowered):
        return "master"
    if re.search(
        r"bachelor|\bba/bs\b|\bbs/ba\b|\bb\.?a\.?\b|\bb\.?s\.?\b|\bbsc\b|undergraduate|"
        r"university degree|college degree|4.year degree",
        lowered,
    ):
        return "bachelor"
    if re.search(r"\bdegree\b", lowered):
        return "degree"
    return ""


_PEOPLE = re.compile(
    r"manag\w* (?:a |the |your )?(?:team|people|staff|direct reports)|people manage|"
    r"lead (?:and|&) manage|hiring and managing|direct reports|team manager"
    r"|coach(?:ing)? (?:a |the )?team|lead(?:ing)? a team"
    r"|build(?:ing)? (?:and lead(?:ing)? )?(?:a |the )?team|manage (?:and|&) lead|"
    r"leading teams|team of (?:analysts|\d+)|people leader|managing or leading a team",
    re.I,
)


# --------------------------------------------------------------------------- HTML

_BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "table",
    "tbody",
    "thead",
    "tr",
    "td",
    "th",
    "header",
    "footer",
    "main",
    "blockquote",
    "center",
    "form",
    "dl",
    "dd",
    "dt",
}
_DROP_TAGS = [
    "script",
    "style",
    "iframe",
    "noscript",
    "svg",
    "object",
    "embed",
    "template",
    "form",
    "button",
    "input",
    "select",
    "textarea",
    "head",
    "math",
    "frame",
    "frameset",
]
_BOLD_START, _BOLD_END = "\x01", "\x02"


def _clean_line(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace(_BOLD_START, "").replace(_BOLD_END, "")).strip()


def _html_blocks(node: Tag) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    buf: list[str] = []

    def flush() -> None:
        raw = "".join(buf)
        buf.clear()
        for line in raw.split("\n"):
            stripped = line.strip()
            if not stripped:
                continue
            bold = re.fullmatch(rf"\s*{_BOLD_START}([^{_BOLD_END}]+){_BOLD_END}\s*:?\s*", stripped)
            if bold and len(bold.group(1).split()) <= 10:
                out.append(("heading", _clean_line(bold.group(1))))
                continue
            text = _clean_line(stripped)
            if "•" in text:
                before, *parts = text.split("•")
                if before.strip():
                    out.append(("text", before.strip()))
                out.extend(("bullet", p.strip(" ;")) for p in parts if p.strip(" ;"))
            elif text:
                out.append(("text", text))

    for child in node.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            buf.append(str(child).replace("\n", " "))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name.lower()
        if name == "br":
            buf.append("\n")
        elif name in {"ul", "ol"}:
            flush()
            for li in child.find_all("li", recursive=False) or [child]:
                text = _clean_line(li.get_text(" "))
                if text:
                    out.append(("bullet", text))
        elif name == "li":
            flush()
            text = _clean_line(child.get_text(" "))
            if text:
                out.append(("bullet", text))
        elif re.fullmatch(r"h[1-6]", name) or "jobSectionHeader" in (child.get("class") or []):
            flush()
            text = _clean_line(child.get_text(" "))
            if text:
                out.append(("heading", text))
        elif name in {"b", "strong"}:
            buf.append(f"{_BOLD_START}{child.get_text(' ')}{_BOLD_END}")
        elif name in _BLOCK_TAGS:
            flush()
            out.extend(_html_blocks(child))
        else:
            buf.append(child.get_text(" "))
    flush()
    return out


def _parse_html(text: str) -> tuple[str, str, str, list[tuple[str, str]]]:
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    title = ""
    for candidate in (soup.find("h2"), soup.find("h1"), soup.find("title")):
        if candidate is not None and candidate.get_text(strip=True):
            title = _clean_line(candidate.get_text(" "))
            candidate.decompose() if candidate.name != "title" else None
            break
    container = soup.find(id="jobDescriptionText") or soup.body or soup
    return title, "", "", _html_blocks(container)


# --------------------------------------------------------------------------- text and markdown

_BULLET = re.compile(r"^\s*(?:[-*•·▪●◦]|\d{1,2}[.)]|[a-z][.)])\s+(.*)$")
_CHROME = re.compile(
    r"^(?:english version|versione italiana|data|date|posted|job id|ref(?:erence)?|apply|share"
    r"|location|[\w.&-]+ (?:ricerca|careers|jobs|search))\b.*$|^\d{1,2}/\d{1,2}/\d{2,4}$",
    re.I,
)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def _md_inline(text: str) -> str:
    text = _MD_LINK.sub(r"\1", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"(\*\*|__|\*|_|`)", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _text_blocks(body: str, markdown: bool) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            out.append(("text", _md_inline(" ".join(para))))
            para.clear()

    for raw in body.split("\n"):
        line = raw.strip()
        if not line:
            flush()
            continue
        if markdown and re.match(r"^#{1,6}\s+", line):
            flush()
            out.append(("heading", _md_inline(line.lstrip("#"))))
            continue
        bold = re.fullmatch(r"(?:\*\*|__)(.+?)(?:\*\*|__)\s*:?", line)
        if bold and len(bold.group(1).split()) <= 10:
            flush()
            out.append(("heading", _md_inline(bold.group(1))))
            continue
        bullet = _BULLET.match(line)
        if bullet:
            flush()
            text = _md_inline(bullet.group(1))
            if text:
                out.append(("bullet", text))
            continue
        if "•" in line:
            flush()
            before, *parts = line.split("•")
            if before.strip():
                out.append(("text", _md_inline(before)))
            out.extend(("bullet", _md_inline(p)) for p in parts if _md_inline(p))
            continue
        heading = re.fullmatch(r"([A-Z][^.!?]{1,60}):\s*", line)
        if heading and len(heading.group(1).split()) <= 7:
            flush()
            out.append(("heading", heading.group(1).strip()))
            continue
        para.append(line)
    flush()
    return out


def _parse_markdown(text: str, filename: str) -> tuple[str, str, str, list[tuple[str, str]]]:
    front: dict = {}
    body = text
    lines = text.lstrip().split("\n")
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in {"---", "..."}), None)
        if end is None:
            raise PostingError(f"{filename}: front matter opened with --- is never closed")
        try:
            front = yaml.safe_load("\n".join(lines[1:end])) or {}
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or "invalid"
            raise PostingError(f"{filename}: front matter is not valid YAML ({problem})") from None
        if not isinstance(front, dict):
            raise PostingError(f"{filename}: front matter must be a mapping (title: …)")
        body = "\n".join(lines[end + 1 :])
    title = front.get("title") if isinstance(front.get("title"), str) else ""
    company = front.get("companyName") or front.get("company") or ""
    location = front.get("location") or ""
    blocks = _text_blocks(body, markdown=True)
    if not title:
        heading = next((t for kind, t in blocks if kind == "heading"), "")
        title = heading
    return (
        _md_inline(str(title)),
        _md_inline(str(company)) if isinstance(company, str) else "",
        _md_inline(str(location)) if isinstance(location, str) else "",
        blocks,
    )


def _parse_text(text: str) -> tuple[str, str, str, list[tuple[str, str]]]:
    lines = [line.strip() for line in text.split("\n")]
    title = ""
    company = ""
    start = 0
    for index, line in enumerate(lines[:15]):
        if not line:
            continue
        chrome = re.match(r"^([A-Z][\w&.-]+)\s+(?:ricerca|careers|jobs|search)\b", line)
        if chrome and not company:
            company = chrome.group(1)
        if _CHROME.match(line) or len(line) > 120:
            continue
        if not title:
            title = line.rstrip(":")
            start = index + 1
    blocks = _text_blocks("\n".join(lines[start:]), markdown=False)
    blocks = [b for b in blocks if not (b[0] == "text" and _CHROME.match(b[1]))]
    return title, company, "", blocks


# --------------------------------------------------------------------------- company

_COMPANY_PATTERNS = [
    re.compile(
        r"\b([A-Z0-9][\w&.-]*(?: [A-Z][\w&.-]*){0,3}),? "
        r"(?:Inc|LLC|Ltd|Corporation|Corp|GmbH|plc)\b\.?"
    ),
    re.compile(r"^(?:At|Join) ([A-Z][\w&.-]*(?: [A-Z][\w&.-]*){0,3})(?:,| is| we)"),
    re.compile(
        r"^([A-Z][\w&.-]*(?: [A-Z][\w&.-]*){0,2}) (?:is|are) (?:a|an|the) (?:leading|global|fast)"
    ),
    re.compile(r"adds value to ([A-Z][\w&.-]+) by"),
]


def guess_company(blocks: list[tuple[str, str]]) -> str:
    for _kind, text in blocks[:40]:
        for pattern in _COMPANY_PATTERNS:
            if match := pattern.search(text):
                name = match.group(0) if pattern is _COMPANY_PATTERNS[0] else match.group(1)
                name = name.strip(" ,")
                if 1 < len(name) <= 60 and name.lower() not in {"we", "our", "the", "you"}:
                    return name
    return ""


# --------------------------------------------------------------------------- entry point


def parse_posting(data: bytes | str, filename: str = "") -> ParsedPosting:
    """Parse one posting; raises :class:`PostingError` for what is not one."""
    label = filename or "posting"
    text = decode(data, filename)
    fmt = detect_format(text)
    if fmt == "html":
        title, company, location, blocks = _parse_html(text)
    elif fmt == "markdown":
        title, company, location, blocks = _parse_markdown(text, label)
    else:
        title, company, location, blocks = _parse_text(text)
    items: list[PostingItem] = []
    current, heading = "other", ""
    for kind, value in blocks:
        if kind == "heading":
            heading = value
            current = classify_heading(value)
            continue
        if not value or value == title:
            continue
        section = _guess(value, current)
        if section == "other" and kind == "bullet" and _REQUIREMENT_TEXT.search(value):
            section = "requirements"
        elif section == "other" and kind == "bullet":
            section = "responsibilities"
        items.append(PostingItem(section, value[:2000], heading))
    if not title and items:
        title = items[0].text[:120]
    if not items or not title:
        raise PostingError(f"{label}: no posting text found (only markup, or nothing to read)")
    if not company:
        company = guess_company(blocks)
    asked = [i.text for i in items if i.section in ("requirements", "responsibilities", "other")]
    years_min, years_max = years_of_experience(
        [i.text for i in items if i.section == "requirements"] + asked
    )
    body = "\n".join(item.text for item in items)
    return ParsedPosting(
        title=title[:300],
        company=company[:200],
        location=location[:200],
        format=fmt,
        items=items,
        years_min=years_min,
        years_max=years_max,
        degree=degree_asked("\n".join(asked)),
        people_management=bool(_PEOPLE.search(" ".join([title, *asked]))),
        text=body,
    )


# --------------------------------------------------------------------------- sanitising

ALLOWED_TAGS = {
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "strong",
    "b",
    "em",
    "i",
    "a",
    "h2",
    "h3",
    "h4",
    "code",
    "blockquote",
}


def sanitize_html(html: str) -> str:
    """Only harmless tags; links only to http(s)/mailto; no scripts, handlers, styles, frames."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={
            "script",
            "style",
            "iframe",
            "noscript",
            "svg",
            "math",
            "object",
            "template",
            "textarea",
            "title",
        },
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
