"""Parse a job posting (job-board HTML, plain text or job-board markdown) into dataclasses.

Pure: bytes in, :class:`ParsedPosting` out, or :class:`PostingError` with a message that names
the file. The format is detected, never asked for. No Django, no ORM; BeautifulSoup objects never
leave this module.

How a posting becomes items:

1. The file is decoded (UTF-8, UTF-8 with BOM, UTF-16 with BOM; anything else is refused rather
   than guessed, so a mis-encoded file never turns into mojibake in the ladder).
2. A format reader turns it into *blocks*: headings, bullets and paragraphs, in order.
3. Each heading opens a section (:data:`SECTIONS`). Paragraphs are split into sentences; bullets
   stay whole. Legal boilerplate is recognised by its words even without a heading, and prose
   before any heading is sorted into about / requirements / responsibilities by its words.
4. Facts (years, degree, people management) are read from the requirement and responsibility
   items only, never from the about or legal text ("over 25 years in business").

>>> posting = parse_posting(b"<h2>Analyst</h2><div id='jobDescriptionText'><b>Requirements</b>"
...                         b"<ul><li>3+ years of experience in sales operations</li></ul></div>")
>>> posting.title, posting.years_min, posting.items[0].section
('Analyst', 3, 'requirements')
"""

from __future__ import annotations

import html as htmllib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import nh3
import yaml
from bs4 import BeautifulSoup, Comment, NavigableString, Tag

MAX_BYTES = 5 * 1024 * 1024
SECTIONS = ("responsibilities", "requirements", "about", "legal", "other")
FORMATS = ("html", "text", "markdown")
# Sections a candidate is measured against; facts and matching read only these.
ASKED = ("responsibilities", "requirements")


class PostingError(ValueError):
    """The file is not a posting we can read; the message names the file and says why."""


@dataclass
class PostingItem:
    section: str  # one of SECTIONS
    text: str  # plain text, whitespace-normalised, entities decoded
    heading: str = ""  # the heading it stood under, as written


@dataclass
class ParsedPosting:
    title: str
    company: str
    location: str
    format: str  # one of FORMATS
    items: list[PostingItem] = field(default_factory=list)
    years_min: int | None = None
    years_max: int | None = None
    degree: str = ""  # "", "degree", "bachelor", "master", "mba", "phd"
    people_management: bool = False
    text: str = ""  # the whole description as plain text, one block a line
    pay: str = ""  # the pay range as the posting states it ("$120,000 – $150,000 a year")

    def section(self, name: str) -> list[str]:
        """The item texts of one section, in order.

        >>> ParsedPosting("T", "", "", "text", [PostingItem("legal", "EEO")]).section("legal")
        ['EEO']
        """
        return [item.text for item in self.items if item.section == name]


# --------------------------------------------------------------------------- decoding


def _label(filename: str) -> str:
    return filename or "posting"


def decode(data: bytes | str, filename: str = "") -> str:
    """Bytes (or text) to text with ``\\n`` line ends; :class:`PostingError` for non-postings.

    >>> decode(b"\\xef\\xbb\\xbfSales Analyst\\r\\n", "a.txt")
    'Sales Analyst\\n'
    """
    label = _label(filename)
    limit = f"{MAX_BYTES // 1024 // 1024} MB"
    if isinstance(data, str):
        text = data
        size = len(data.encode("utf-8", "surrogatepass"))
        if size > MAX_BYTES:
            raise PostingError(f"{label}: posting is {size / 1024 / 1024:.1f} MB; at most {limit}")
    else:
        size = len(data)
        # Checked before decoding so a huge upload costs nothing more than its length.
        if size > MAX_BYTES:
            raise PostingError(f"{label}: file is {size / 1024 / 1024:.1f} MB; at most {limit}")
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            try:
                text = data.decode("utf-16")
            except UnicodeDecodeError:
                raise PostingError(f"{label}: invalid UTF-16 text (broken after the BOM)") from None
        elif b"\x00" in data:
            raise PostingError(f"{label}: binary file (NUL bytes), not a job posting")
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                # No Windows-1252 guess: it "decodes" nearly any bytes, wrongly.
                raise PostingError(
                    f"{label}: not valid UTF-8 text (byte {exc.start}); save it as UTF-8"
                ) from None
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        raise PostingError(f"{label}: binary file (NUL characters), not a job posting")
    sample = text[:20000]
    odd = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f") or ch == "\ufffd")
    if sample and odd / len(sample) > 0.02:
        raise PostingError(f"{label}: binary file (mostly control characters), not a job posting")
    if not text.strip():
        raise PostingError(f"{label}: empty file, no posting to import")
    return text.replace("\r\n", "\n").replace("\r", "\n")


# Tags that give a page its structure. Inline tags (b, strong, i, span, a) alone never make a
# page: pasted text with "<b>care</b>" in it is still lines of text. Script, style and frames
# count too: nothing but a page carries them, and read as a page their content is dropped.
_STRUCTURE_TAG = re.compile(
    r"<(?:!doctype|html|head|body|div|p|ul|ol|li|h[1-6]|br|hr|table|tr|td|th|section|article"
    r"|header|footer|main|blockquote|dl|dt|dd|iframe|script|style|svg|noscript|template"
    r"|object|embed)\b",
    re.I,
)
_ANY_TAG = re.compile(r"</?[a-z][a-z0-9]*\b[^<>]*>", re.I)


def detect_format(text: str) -> str:
    """The format of a posting: markdown (front matter or headings), html (structure tags),
    else text.

    HTML is a document or fragment whose structure lives in its tags (p, div, ul/li, h1-h6,
    br). Lines of text with a few inline tags are text; so is text whose plain lines outnumber
    its structure tags four to one, where a stray ``<p>`` is a slip, not the page's layout.

    >>> detect_format("---\\ntitle: x\\n---\\n"), detect_format("<h2>x</h2>"), detect_format("x")
    ('markdown', 'html', 'text')
    >>> detect_format("Analyst\\n\\nWe <b>care</b> about SQL\\n")
    'text'
    """
    head = text.lstrip()[:4000]
    if head.startswith("---\n"):
        return "markdown"
    if re.match(r"<(?:!doctype|html|head|body)\b", head, re.I):
        return "html"
    structure = len(_STRUCTURE_TAG.findall(head))
    if structure:
        plain = sum(1 for line in head.split("\n") if line.strip() and not _ANY_TAG.search(line))
        if structure * 4 >= plain:
            return "html"
    if re.search(r"^#{1,6}\s+\S|^\*\*[^*]+\*\*:?\s*$", head, re.M):
        return "markdown"
    return "text"


# --------------------------------------------------------------------------- classification

# Order matters: the first matching pattern wins ("About the role" is responsibilities, not
# about; "Benefits and requirements" never happens, "Requirements" often does).
_HEADINGS = [
    (
        "legal",
        r"equal (?:employment )?opportunit|\beeo\b|\beoe\b|accommodation|privacy|e-verify"
        r"|disclaimer|affirmative action|diversity (?:statement|and inclusion)|legal",
    ),
    (
        "responsibilities",
        r"about (?:the|this) (?:role|job|position|opportunity)|responsib"
        r"|what you.ll (?:do|be doing)|what you will (?:do|be doing)|duties|the role\b"
        r"|your role|day.to.day|accountabilit"
        r"|what will the role|in this role|key tasks|your (?:mission|impact|tasks)",
    ),
    (
        "about",
        r"about (?:us|the company|the team|(?!you\b|the\b|this\b|a\b)\w+$)"
        r"|company (?:profile|description|overview)|additional information"
        r"|who we are|benefits|perks|what we offer|why (?:join|work)|life at"
        r"|our (?:company|story|culture|values)",
    ),
    (
        "requirements",
        r"requirement|qualification|skills|experience|what you (?:bring|need|have|.ll need)"
        r"|what you.ll (?:need|bring)|what you will (?:need|bring)"
        r"|what we.re looking for|who you are|about you|must.have|nice.to.have|preferred"
        r"|minimum|basic|you have|your profile|profile|competenc|education|looking for"
        r"|ideal candidate|knowledge|bonus points|you are|you.re",
    ),
    (
        "about",
        r"\babout\b|who we are|our (?:company|mission|story|team|values|culture)|benefits|perks"
        r"|what we offer|why (?:join|work)|compensation|salary|company profile|the company"
        r"|life at|we offer|our offer|the challenge|overview|who is\b|the team|\bus\b",
    ),
    (
        "responsibilities",
        r"\brole\b|mission|impact|objectives|the job|tasks|opportunity|description|results"
        r"|scope|decision|what you.ll|you will|position",
    ),
]
_LEGAL_TEXT = re.compile(
    r"equal opportunit|equal employment|without regard to|race, colou?r|sexual orientation"
    r"|gender identity|protected veteran|reasonable accommodation|e-verify|affirmative action"
    r"|right to work poster|participant poster|privacy (?:notice|policy)|applicant privacy"
    r"|unsolicited resumes|recruitment agencies",
    re.I,
)
_ABOUT_TEXT = re.compile(
    r"\b(?:we are|we're|our (?:mission|customers|platform|products?|culture|values|company)"
    r"|founded|headquartered|nyse|nasdaq|is a leading|leading provider|has been the|world.s"
    r"|for more information|visit (?:www|https?)|fortune \d+|series [a-e]\b|employees worldwide"
    r"|we offer|benefits include|health insurance|paid time off)",
    re.I,
)
_REQUIREMENT_TEXT = re.compile(
    r"\b(?:years?|experience[ds]?|degree|bachelor|master|mba|knowledge|ability|able to|skills?"
    r"|proficien\w*|familiar\w*|understanding of|track record|fluent|certif\w*|ideal candidate"
    r"|must have|required|requires|you have|you are|background in)\b",
    re.I,
)
_ROLE_TEXT = re.compile(
    r"\b(?:this (?:role|position)|the role|you will|you.ll|responsible for|will (?:be|lead|own"
    r"|manage|partner|work|serve|drive|collaborate|play|have)|manag\w+|lead\w*|own\w*|driv\w+"
    r"|develop\w*|support\w*|deliver\w*)\b",
    re.I,
)


def classify_heading(heading: str) -> str:
    """The section a heading opens.

    >>> [classify_heading(h) for h in ("What you'll do", "Basic Qualifications", "EOE Statement")]
    ['responsibilities', 'requirements', 'legal']
    """
    text = heading.lower().replace("’", "'").strip(" :")
    for section, pattern in _HEADINGS:
        if re.search(pattern, text):
            return section
    return "other"


def _prose_section(text: str) -> str:
    """The section of a sentence that stands under no heading (intro prose)."""
    if _REQUIREMENT_TEXT.search(text):
        return "requirements"
    if _ROLE_TEXT.search(text):
        return "responsibilities"
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
_NUM = r"\b(\d{1,2}|" + "|".join(_WORD_NUMBERS) + r")"
_YEARS = r"\s*(?:\(\d{1,2}\)\s*)?\+?\s*(?:years?|yrs)\b"
_YEAR_PHRASES = [
    re.compile(_NUM + r"\s*(?:-|–|—|to)\s*" + _NUM + _YEARS, re.I),  # 8-10 years
    re.compile(r"(?:minimum|at least|min\.?)\s+(?:of\s+)?" + _NUM + _YEARS, re.I),
    re.compile(_NUM + r"\s*\+\s*(?:years?|yrs)\b", re.I),  # 4+ years, 2 + years
    re.compile(_NUM + _YEARS, re.I),  # five years
]
# A number of years counts only next to these words: "18 years of age" or "25 years in
# business" are not an experience requirement.
_EXPERIENCE = re.compile(
    r"experience|expertise|background|track record|work(?:ing|ed)?\b|in (?:a|an)\b|in the\b"
    r"|in (?:sales|b2b|saas|management|leadership|marketing|operations|software)|managing"
    r"|management|leading|selling|history of|proven",
    re.I,
)
_NOT_EXPERIENCE = re.compile(
    r"years? of age|years? old|years? in business(?! dev| ops| oper| analy)|founded|ago\b"
    r"|anniversary|warranty|(?:last|past|next|over the) \w+ years"
    r"|for (?:more than|over) \d+ years,",
    re.I,
)


def _number(value: str) -> int:
    return int(value) if value.isdigit() else _WORD_NUMBERS[value.lower()]


def _years_in(sentence: str) -> tuple[int, int | None] | None:
    """The first experience phrase of one sentence; later ones are "or" alternatives."""
    found: list[tuple[int, int, int | None]] = []  # (position, min, max)
    for pattern in _YEAR_PHRASES:
        for match in pattern.finditer(sentence):
            window = sentence[max(0, match.start() - 40) : match.end() + 60]
            near = sentence[max(0, match.start() - 25) : match.end() + 25]
            if not _EXPERIENCE.search(window) or _NOT_EXPERIENCE.search(near):
                continue
            numbers = [g for g in match.groups() if g]
            low = _number(numbers[0])
            high = _number(numbers[1]) if len(numbers) > 1 else None
            if not 0 < low <= 40 or (high is not None and not low <= high <= 45):
                continue
            found.append((match.start(), low, high))
    if not found:
        return None
    _, low, high = min(found, key=lambda f: (f[0], f[2] is None))
    return low, high


def years_of_experience(sentences: list[str]) -> tuple[int | None, int | None]:
    """The headline experience requirement as (min, max); max is None for "4+ years".

    Rule: in each sentence the *first* experience phrase counts (what follows it is usually an
    alternative: "4+ years … or 6+ years of …"); across sentences the largest minimum wins,
    since it is the bar a candidate must clear; the maximum comes from the same phrase.
    Numbers far from experience words ("18 years of age", "25 years in business") never count.

    >>> years_of_experience(["At least 18 years of age", "2 + years of sales experience",
    ...                      "8-10 years of experience in a senior role"])
    (8, 10)
    """
    best: tuple[int, int | None] | None = None
    for sentence in sentences:
        found = _years_in(sentence)
        if found and (best is None or found[0] > best[0]):
            best = found
    return best if best else (None, None)


_DEGREES = [
    ("phd", r"\bph\.?\s?d\b|doctorate|doctoral"),
    ("mba", r"\bmba\b"),
    ("master", r"master'?s|\bm\.?s\.? degree|\bmsc\b|\bm\.?a\.? degree|advanced degree"),
    (
        "bachelor",
        r"bachelor|\bba/bs\b|\bbs/ba\b|\bb\.?a\.?\b|\bb\.?s\.?\b|\bbsc\b|undergraduate"
        r"|(?:university|college|4.year) degree",
    ),
    ("degree", r"\bdegree\b"),
]
_OPTIONAL = re.compile(
    r"prefer|a plus|\bplus\b|nice to have|bonus|desirable|advantage|beneficial", re.I
)


def degree_asked(sentences: list[str]) -> str:
    """The degree the posting requires: the lowest one named as required, else the lowest
    named as preferred; "" when none.

    >>> degree_asked(["MBA or other advanced degree preferred", "Bachelor's degree required"])
    'bachelor'
    """
    rank = [name for name, _ in _DEGREES][::-1]  # degree < bachelor < master < mba < phd
    required: list[str] = []
    optional: list[str] = []
    for sentence in sentences:
        lowered = sentence.lower().replace("’", "'")
        for name, pattern in _DEGREES:
            if re.search(pattern, lowered):
                (optional if _OPTIONAL.search(lowered) else required).append(name)
                break
    for found in (required, optional):
        named = [d for d in found if d != "degree"] or found
        if named:
            return min(named, key=rank.index)
    return ""


_PEOPLE = re.compile(
    r"manag\w* (?:and (?:develop|lead|grow)\w* )?(?:a |the |your |our )?(?:\w+ )?"
    r"(?:team|people|staff|direct reports)|people manage|lead (?:and|&) manage"
    r"|manage (?:and|&) lead|hir\w+,? (?:and |& )?(?:manag|develop|lead|coach)|direct reports"
    r"|team manager|coach\w*\b.{0,40}\bteam|lead(?:ing)? (?:a |the )?(?:\w+ )?team"
    r"|build(?:ing)? (?:and lead(?:ing)? )?(?:a |the )?team|leading teams|team of (?:\d|\w+ )"
    r"|people leader|managing or leading a team|grow and lead",
    re.I,
)


def manages_people(sentences: list[str]) -> bool:
    """Does the role manage people? Read from the asked items (and the title).

    >>> manages_people(["Hire, develop, and coach members of the team"]), manages_people(["SQL"])
    (True, False)
    """
    return any(_PEOPLE.search(sentence) for sentence in sentences)


# --------------------------------------------------------------------------- sentences

_ABBREVIATIONS = frozenset(
    [
        "inc",
        "ltd",
        "co",
        "corp",
        "llc",
        "e.g",
        "i.e",
        "etc",
        "sr",
        "jr",
        "dr",
        "mr",
        "ms",
        "mrs",
        "st",
        "no",
        "vs",
        "u.s",
        "approx",
        "incl",
        "dept",
    ]
)


def sentences(paragraph: str) -> list[str]:
    """A paragraph split into sentences; abbreviations ("Inc.", "e.g.") do not end one.

    >>> sentences("We sell. 8x8, Inc. is big, e.g. huge! Right?")
    ['We sell.', '8x8, Inc. is big, e.g. huge!', 'Right?']
    """
    out: list[str] = []
    start = 0
    for match in re.finditer(r"[.!?]+[\"”’)]*\s+(?=[\"“(]?[A-Z0-9])", paragraph):
        before = paragraph[start : match.start()].rsplit(" ", 1)[-1].lower().strip("(")
        if before in _ABBREVIATIONS or (len(before) == 1 and before.isalpha()):
            continue
        out.append(paragraph[start : match.end()].strip())
        start = match.end()
    out.append(paragraph[start:].strip())
    return [s for s in out if s]


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", htmllib.unescape(text).replace("\xa0", " ")).strip()


def _lead_in(text: str) -> bool:
    """A short line ending in a colon that names a section: a heading in disguise
    ("Key Responsibilities include, but are not limited to:")."""
    return (
        text.endswith(":")
        and len(text.split()) <= 14
        and classify_heading(text.rstrip(":")) != "other"
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
    "dl",
    "dd",
    "dt",
    "body",
    "html",
}
# Their text is never posting text.
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
    "title",
    "nav",
]
# Private-use markers keep "this run was bold" through the text flattening below.
_BOLD_START, _BOLD_END = "\ue000", "\ue001"

Block = tuple[str, str]  # (kind, text): kind is "heading", "bullet" or "text"


def _split_bullets(text: str) -> list[Block]:
    """Bullets flattened into one text run ("Intro • one • two"), as the job board does."""
    before, *parts = text.split("•")
    out: list[Block] = [("text", before.strip())] if before.strip() else []
    out.extend(("bullet", p.strip(" ;")) for p in parts if p.strip(" ;"))
    return out


# The words a bare section name is made of; "Experience with SQL" on a line of its own is
# a requirement, "Job Description" a heading.
_LABEL_WORD_LIST = (
    "job company role position the this description overview summary profile qualifications"
    " qualification requirements responsibilities duties skills experience education benefits"
    " perks additional information about us who we are you what your our key minimum basic"
    " preferred required desired and & team compensation salary offer"
)
_LABEL_WORDS = frozenset(_LABEL_WORD_LIST.split())


def _section_label(line: str) -> bool:
    """A bare section name ("Qualifications", "Additional Information").

    >>> [_section_label(x) for x in ("Job Description", "Experience with SQL")]
    [True, False]
    """
    words = line.lower().rstrip(":").split()
    return all(w in _LABEL_WORDS for w in words) and _section_heading_line(line.rstrip(":"))


def _html_blocks(node: Tag) -> list[Block]:
    out: list[Block] = []
    buf: list[str] = []

    def flush() -> None:
        raw = "".join(buf)
        buf.clear()
        for line in raw.split("\n"):
            stripped = line.strip()
            if not stripped:
                continue
            bold = re.fullmatch(rf"{_BOLD_START}([^{_BOLD_END}]+){_BOLD_END}\s*:?", stripped)
            if bold and len(bold.group(1).split()) <= 10 and _clean(bold.group(1)):
                out.append(("heading", _clean(bold.group(1)).rstrip(":")))
                continue
            text = _clean(stripped.replace(_BOLD_START, "").replace(_BOLD_END, ""))
            if _section_label(text):
                # A section's name on a line of its own, not bold ("Qualifications<br>"): the
                # page's heading, not an item.
                out.append(("heading", text))
                continue
            if "•" in text:
                out.extend(_split_bullets(text))
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
            out.append(("list", ""))
            for li in child.find_all("li", recursive=False) or [child]:
                if text := _clean(li.get_text(" ")):
                    out.append(("bullet", text))
        elif name == "li":
            flush()
            if text := _clean(child.get_text(" ")):
                out.append(("bullet", text))
        elif re.fullmatch(r"h[1-6]", name) or "jobSectionHeader" in (child.get("class") or []):
            flush()
            if text := _clean(child.get_text(" ")):
                out.append(("heading", text.rstrip(":")))
        elif name in {"b", "strong"}:
            # One line of bold text is the job board's section heading; whitespace inside the
            # tag ("<b>\nMinimum Qualifications</b>") must not split the marker pair.
            buf.append(f"{_BOLD_START}{' '.join(child.get_text(' ').split())}{_BOLD_END}")
        elif name in _BLOCK_TAGS:
            flush()
            out.extend(_html_blocks(child))
        else:
            buf.append(child.get_text(" "))
    flush()
    return out


def _parse_html(text: str) -> tuple[str, str, str, list[Block]]:
    soup = BeautifulSoup(text, "html.parser")
    page_title = soup.find("title")
    page_title = _clean(page_title.get_text(" ")) if page_title else ""
    structured = _job_posting_data(soup)  # before the scripts go
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    # Buttons, menus and navigation drawn with other elements ("<a role=button>Apply</a>").
    for tag in soup.find_all(role=re.compile(r"^(?:button|navigation|menu|menubar|toolbar)$")):
        tag.decompose()
    container = soup.find(id="jobDescriptionText") or soup
    # The job board's header (<h2> in the seeds, <h1 class="…title"> in the scrape) stands
    # outside the description; headings inside it are section headers, a last resort.
    outside = [
        h for h in soup.find_all(["h1", "h2"]) if container is soup or container not in h.parents
    ]
    inside = [] if container is soup else container.find_all(["h2", "h1"])
    title = ""
    for candidate in outside + inside:
        if found := _clean(candidate.get_text(" ")).rstrip(":"):
            title = found
            candidate.decompose()
            break
    # The page's header above the description: its place line is the job's location.
    above = [] if container is soup else container.find_all_previous(string=True, limit=40)
    header = [t for t in (_clean(str(s)) for s in above if not isinstance(s, Comment)) if t]
    header_place = next((t for t in header if is_place(t)), "")
    # A button flattened to a line of text ("APPLY NOW", "Share this listing:") is no content.
    blocks = [(kind, value) for kind, value in _html_blocks(container) if not is_widget(value)]
    title = title or page_title
    company, location, blocks = _html_facts(blocks, title)
    return (
        title,
        structured.get("company") or company,
        structured.get("location") or header_place or location,
        blocks,
    )


def _job_posting_data(soup: BeautifulSoup) -> dict[str, str]:
    """Company and location from the page's schema.org ``JobPosting`` (JSON-LD), which job
    boards publish for search engines: the board's own fields, stronger than any reading."""
    found: dict[str, str] = {}
    for script in soup.find_all("script", type=re.compile(r"ld\+json", re.I)):
        try:
            data = json.loads(script.get_text())
        except ValueError:
            continue
        stack, seen = [data], 0
        while stack and seen < 500:  # a bounded walk: the data is the page author's
            node, seen = stack.pop(), seen + 1
            if isinstance(node, list):
                stack.extend(node)
                continue
            if not isinstance(node, dict):
                continue
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
            kind = node.get("@type")
            if kind != "JobPosting" and not (isinstance(kind, list) and "JobPosting" in kind):
                continue
            org = node.get("hiringOrganization")
            name = org.get("name") if isinstance(org, dict) else org
            if isinstance(name, str) and _plain(name):
                found.setdefault("company", _plain(name)[:200])
            places = node.get("jobLocation")
            for place in places if isinstance(places, list) else [places]:
                address = place.get("address") if isinstance(place, dict) else None
                if isinstance(address, dict) and (where := _address(address)):
                    found.setdefault("location", where)
            if node.get("jobLocationType") == "TELECOMMUTE":
                found.setdefault("location", "Remote")
    return found


def _plain(value: str) -> str:
    return _clean(re.sub(r"<[^>]*>", " ", value))


def _address(address: dict) -> str:
    """A schema.org PostalAddress as a posting states a place: "Los Angeles, CA"."""
    parts = []
    for key in ("addressLocality", "addressRegion", "addressCountry"):
        value = address.get(key)
        value = value.get("name") if isinstance(value, dict) else value
        if isinstance(value, str) and _plain(value) and _plain(value) not in parts:
            parts.append(_plain(value))
    # The country only when the region does not already place it.
    return ", ".join(parts[:2] if len(parts) == 3 else parts)[:200]


# --------------------------------------------------------------------------- text and markdown

_BULLET = re.compile(r"^\s*(?:[-*•·▪●◦–]|\d{1,2}[.)]|\(\d{1,2}\)|[a-z][.)])\s+(.*)$")
# Buttons and widgets of a job board's page, as their labels read once the page is flattened to
# text: apply, save, share and copy-link buttons, pagers. A whole line or element only; a
# bullet that starts with the verb ("Share best practices") is content.
_WIDGET = re.compile(
    r"^(?:(?:easy |quick )?apply(?: now| here| today| online| for (?:this|the) (?:job|position"
    r"|role)| on (?:the )?company(?:'s)? (?:site|website))?|(?:share|save|print|email|report"
    r"|bookmark|tweet|post)(?: (?:this|the))?(?: (?:job|listing|posting|position|role|page"
    r"|link))?(?: (?:on|via|with|to) (?:a )?\w+)?|saved(?: job)?|(?:copy|copied) (?:the )?(?:link"
    r"|url)|(?:link|url) copied(?: to clipboard)?|copied(?: to clipboard)?|sign in to apply"
    r"|back to (?:search|results|(?:all )?jobs|top)|(?:next|previous) (?:job|posting)"
    r"|(?:see|view) (?:all |more |similar )*jobs|show (?:more|less)|read more"
    # An empty template field ("Company Description: null") printed by the job board.
    r"|null|undefined)[\s:!.]*$",
    re.I,
)
# Very short all-caps calls to action ("APPLY NOW", "SAVE JOB"): the verbs of a button.
_CALL_TO_ACTION = re.compile(
    r"^(?:apply|share|save|copy|print|email|bookmark|subscribe|submit|download|click|tap)(?:\s|$)",
    re.I,
)


def is_widget(text: str) -> bool:
    """Is this line a button, share widget or pager of the job board's page, not content?

    >>> [is_widget(t) for t in ("APPLY NOW", "Share this listing:", "LINK COPIED", "SQL")]
    [True, True, True, False]
    """
    text = text.strip()
    if _WIDGET.match(text):
        return True
    words = text.split()
    return (
        1 <= len(words) <= 3
        and text.upper() == text
        and any(c.isalpha() for c in text)
        and bool(_CALL_TO_ACTION.match(text))
    )


# Page chrome around a pasted posting: language links, dates, the site's search box, pagers.
_CHROME = re.compile(
    r"^(?:english version|versione italiana|(?:data|date|posted(?: on)?|job id|ref(?:erence)?)"
    r"\s*:.*|apply(?: now)?|share|print|altre informazioni.*|pagina (?:precedente|successiva)"
    r"|torna .*|stampa|[\w.&-]+ (?:ricerca|careers|jobs|search)\s*:.*"
    r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})$",
    re.I,
)


def _chrome(line: str) -> bool:
    return bool(_CHROME.match(line)) or is_widget(line)


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def _md_inline(text: str) -> str:
    text = _MD_LINK.sub(r"\1", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!])", r"\1", text)  # markdown escapes
    text = re.sub(r"(\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)|`)", "", text)
    return _clean(text)


def _title_case_line(line: str) -> bool:
    """A short title-case line standing alone: a plain-text heading, such as
    "Summary of Role in Microsoft's Business Processes"."""
    words = line.split()
    if not 1 <= len(words) <= 8 or line[-1] in ".,;!?" or not line[0].isupper():
        return False
    small = {"of", "in", "and", "the", "for", "to", "a", "an", "on", "at", "with", "&"}
    return all(w[0].isupper() or w in small or not w[0].isalpha() for w in words)


_HEADING_START = re.compile(
    r"^(?:what|who|about|your|our|why|key|minimum|preferred|basic|required|nice|bonus|bonus"
    r"|benefits|responsibilities|requirements|qualifications|skills|duties|perks|compensation"
    r"|salary|education|experience|role|job|position|overview|summary|company|equal|eeo"
    r"|in this role|day|the role|the team|the opportunity|you|additional information)\b",
    re.I,
)


def _section_heading_line(line: str) -> bool:
    """A short line naming a posting section, as people type it in plain text.

    >>> [_section_heading_line(x) for x in ("What you'll do", "About the role", "Own the forecast")]
    [True, True, False]
    """
    words = line.split()
    return (
        1 <= len(words) <= 6
        and line[-1] not in ".,;!?"
        and not re.search(r"\d", line)
        and bool(_HEADING_START.match(line.replace("’", "'")))
        and classify_heading(line) != "other"
    )


def _text_blocks(body: str, markdown: bool) -> list[Block]:
    out: list[Block] = []
    para: list[str] = []
    lines = body.split("\n")

    def flush() -> None:
        if para:
            out.append(("text", _md_inline(" ".join(para))))
            para.clear()

    for index, raw in enumerate(lines):
        line = raw.strip()
        if not line or set(line) <= set("-*_=") and len(line) >= 3:
            flush()  # blank line or a markdown rule
            continue
        if _chrome(line) or (bullet := _BULLET.match(line)) and _chrome(bullet[1]):
            flush()
            continue
        if markdown and re.match(r"^#{1,6}\s+", line):
            flush()
            out.append(("heading", _md_inline(line.lstrip("#")).rstrip(":")))
            continue
        bold = re.fullmatch(r"(?:\*\*|__)(.+?)(?:\*\*|__)\s*:?", line)
        if bold and len(bold.group(1).split()) <= 10:
            flush()
            out.append(("heading", _md_inline(bold.group(1)).rstrip(":")))
            continue
        if bullet := _BULLET.match(line):
            flush()
            if not out or out[-1][0] != "bullet":
                out.append(("list", ""))
            if text := _md_inline(bullet.group(1)):
                out.append(("bullet", text))
            continue
        if "•" in line:
            flush()
            out.extend((kind, _md_inline(t)) for kind, t in _split_bullets(line) if _md_inline(t))
            continue
        heading = re.fullmatch(r"([A-Z][^.!?]{1,60}):", line)
        if heading and len(heading.group(1).split()) <= 7:
            flush()
            out.append(("heading", heading.group(1).strip()))
            continue
        if not markdown:
            alone = (index == 0 or not lines[index - 1].strip()) and (
                index + 1 == len(lines) or not lines[index + 1].strip()
            )
            following = any(ln.strip() for ln in lines[index + 1 :])
            if _section_heading_line(line) and following:
                # "What you'll do", "About the role": a heading, not an item, even in
                # sentence case.
                flush()
                out.append(("heading", line))
                continue
            if alone and _title_case_line(line):
                flush()
                out.append(("heading", line))
                continue
            if line.rstrip(".").endswith("?"):
                # A form's prompt ("What business results is this role accountable for?"):
                # the answer that follows is the content.
                flush()
                out.append(("prompt", _md_inline(line)))
                continue
        para.append(line)
    flush()
    return out


def _parse_markdown(text: str, label: str) -> tuple[str, str, str, list[Block]]:
    front: dict = {}
    body = text
    lines = text.lstrip().split("\n")
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in {"---", "..."}), None)
        if end is None:
            raise PostingError(f"{label}: front matter opened with --- is never closed")
        try:
            loaded = yaml.safe_load("\n".join(lines[1:end]))
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or "invalid"
            raise PostingError(f"{label}: front matter is not valid YAML ({problem})") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise PostingError(f"{label}: front matter must be a mapping (title: …)")
        front = loaded or {}
        body = "\n".join(lines[end + 1 :])

    def field_text(*keys: str) -> str:
        for key in keys:
            value = front.get(key)
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                return _md_inline(str(value))
        return ""

    blocks = _text_blocks(body, markdown=True)
    title = field_text("title") or next((t for kind, t in blocks if kind == "heading"), "")
    return title, field_text("companyName", "company"), field_text("location"), blocks


_FACT_LINE = re.compile(
    r"^(?P<label>company|employer|organi[sz]ation|location|locations|based in|office"
    r"|(?:work|job) locations?|(?:this|the) (?:position|role|job) is (?:available|based|located) in"
    r"|salary|salary range|pay|pay range|base pay|base salary|compensation"
    r"|compensation range)(?:\s*:\s*|\s+[–-]\s+)(?P<value>\S.{0,150})$",
    re.I,
)
_MONEY = r"(?:[$€£¥]|(?:USD|EUR|GBP|CAD|AUD|CHF)\s?)\s?\d[\d,.]*\s?[kK]?"
_PAY_RANGE = re.compile(
    _MONEY
    + r"(?:\s?(?:USD|EUR|GBP|CAD|AUD|CHF))?\s*(?:-|–|—|to)\s*"
    + _MONEY.replace(r"(?:[$€£¥]|", r"(?:[$€£¥]?|")
    + r"(?:\s?(?:USD|EUR|GBP|CAD|AUD|CHF))?"
    + r"(?:\s*(?:per|a|an|/)\s*(?:year|yr|annum|hour|hr|month))?",
    re.I,
)


def stated_facts(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Company, location and pay range where a plain-text posting states them, and the lines
    left once labelled fact lines ("Location: Remote, US") are taken out.

    >>> stated_facts(["Company: Acme", "Salary: $90,000 - $110,000 per year", "Do things"])
    ({'company': 'Acme', 'pay': '$90,000 - $110,000 per year'}, ['Do things'])
    """
    facts: dict[str, str] = {}
    rest: list[str] = []
    for line in lines:
        match = _FACT_LINE.match(line.strip())
        if match:
            label = match["label"].lower()
            value = match["value"].strip().rstrip(".")
            key = (
                "company"
                if label in {"company", "employer", "organisation", "organization"}
                else "pay"
                if label.startswith(("salary", "pay", "base", "compensation"))
                else "location"
            )
            facts.setdefault(key, value)
            continue
        rest.append(line)
    if "pay" not in facts:
        match = next((m for line in rest if (m := _PAY_RANGE.search(line))), None)
        if match:
            facts["pay"] = match.group(0).strip()
    return facts, rest


def _parse_text(text: str) -> tuple[str, str, str, list[Block]]:
    lines = [line.strip() for line in text.split("\n")]
    title = company = ""
    start = 0
    for index, line in enumerate(lines[:20]):
        if not line:
            continue
        # "Microsoft ricerca: ATU Lead Commercial" — the employer's own job-search page.
        chrome = re.match(r"^([A-Z][\w&.-]+)\s+(?:ricerca|careers|jobs|search)\b", line)
        if chrome and not company:
            company = chrome.group(1)
        if _chrome(line) or len(line) > 120:
            continue
        if not title:
            title = line.rstrip(":")
            start = index + 1
    facts, rest = stated_facts(lines[start:])
    location = facts.get("location", "")
    # A line of its own naming a place, under the title ("Los Angeles, CA"): the header's
    # location. Read line by line, before the text's lines are joined into paragraphs.
    for index, line in enumerate(rest[:12]):
        if location or _BULLET.match(line) or _section_heading_line(line) or len(line) > 120:
            break
        if is_place(line):
            location = line
            del rest[index]
            break
    return (
        title,
        facts.get("company") or company,
        location,
        _text_blocks("\n".join(rest), markdown=False),
    )


# --------------------------------------------------------------------------- location

# Regions that make "Name, Region" a place: US states, Canadian provinces, countries and the
# short forms postings use. A name list, not a shape: "Sales, Marketing" has the same shape.
_REGION_NAMES = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia"
    "|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland"
    "|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada"
    "|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio"
    "|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas"
    "|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming|District of Columbia"
    "|Alberta|British Columbia|Manitoba|New Brunswick|Newfoundland and Labrador|Nova Scotia"
    "|Ontario|Prince Edward Island|Quebec|Saskatchewan|Yukon"
    "|United States|United States of America|USA|US|U.S.|UK|U.K.|United Kingdom|England"
    "|Scotland|Wales|Northern Ireland|Ireland|Canada|Mexico|Brazil|Argentina|Chile|Colombia"
    "|Peru|Uruguay|Costa Rica|Germany|France|Spain|Portugal|Italy|Netherlands|Belgium"
    "|Luxembourg|Switzerland|Austria|Denmark|Sweden|Norway|Finland|Iceland|Estonia|Latvia"
    "|Lithuania|Poland|Czech Republic|Czechia|Slovakia|Hungary|Romania|Bulgaria|Greece"
    "|Croatia|Serbia|Slovenia|Ukraine|Turkey|Türkiye|Cyprus|Malta|Israel|UAE"
    "|United Arab Emirates|Saudi Arabia|Qatar|Egypt|Morocco|Nigeria|Kenya|South Africa"
    "|Ghana|India|Pakistan|Bangladesh|Sri Lanka|China|Hong Kong|Taiwan|Japan|South Korea"
    "|Korea|Singapore|Malaysia|Indonesia|Thailand|Vietnam|Philippines|Australia"
    "|New Zealand|EMEA|APAC|LATAM|Europe|EU|Asia|Americas|North America|Latin America"
)
_REGIONS = frozenset(name.lower() for name in _REGION_NAMES.split("|"))
# Two-letter US state and Canadian province codes ("San Francisco, CA 94103").
_REGION_CODE_LIST = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM"
    " NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC AB BC MB NB NL NS ON PE QC SK"
    " YT"
)
_REGION_CODES = frozenset(_REGION_CODE_LIST.split())
_REMOTE = re.compile(
    r"^(?:(?:fully |full[- ]|100% )?remote(?: ok| first| only| friendly)?|hybrid|anywhere"
    r"|worldwide|on-?site|in-?office)$",
    re.I,
)
# "Account Executive, EMEA" is a title with its region and "Full-time, Remote" a job type,
# not places.
_NOT_PLACE = re.compile(
    r"\b(?:manager|engineer|executive|director|developer|analyst|designer|lead|head|specialist"
    r"|representative|consultant|architect|scientist|intern|officer|president|partner|sales"
    r"|marketing|engineering|team|department|division|full[- ]time|part[- ]time|contract"
    r"|permanent|temporary|freelance|internship)\b",
    re.I,
)
_PLACE_NAME = re.compile(r"^[A-Z][\w.'’-]*(?: (?:[A-Z][\w.'’-]*|of|de|la|am|upon|sur))*$")


def is_place(line: str) -> bool:
    """Does the whole line name a place, as a posting's header does ("Los Angeles, California",
    "San Francisco, CA 94103", "Remote - US")? A region or a remote word must be in it.

    >>> [is_place(t) for t in ("Los Angeles, California", "Remote", "Data Science, Engineering")]
    [True, True, False]
    """
    line = line.strip().rstrip(".")
    if not line or len(line) > 80 or len(line.split()) > 10:
        return False
    parts = [
        p for p in re.split(r"\s*(?:[,;/|()]|\bor\b|\band\b|\s[-–—]\s)\s*", line) if p and p.strip()
    ]
    signal = False
    for part in parts:
        part = re.sub(r"\s*\b\d{5}(?:-\d{4})?$", "", part).strip()  # a ZIP code
        if not part:
            continue
        if part.lower() in _REGIONS or part in _REGION_CODES or _REMOTE.match(part):
            signal = True
        elif not _PLACE_NAME.match(part) or part.lower() in _NOT_A_NAME or _NOT_PLACE.search(part):
            return False
    return signal and bool(_PLACE_NAME.match(parts[0]) or _REMOTE.match(parts[0]))


def header_location(blocks: list[Block], title: str) -> tuple[str, list[Block]]:
    """A line that names a place in the posting's header (before its first section or list):
    the location, taken out of the blocks so it never becomes an item.

    >>> header_location([("text", "Los Angeles, California"), ("heading", "Requirements")], "")
    ('Los Angeles, California', [('heading', 'Requirements')])
    """
    for index, (kind, text) in enumerate(blocks[:12]):
        if kind in {"list", "bullet"}:
            break
        if kind == "heading" and text != title and classify_heading(text) != "other":
            break
        if kind in {"text", "heading"} and text != title and is_place(text):
            return text, blocks[:index] + blocks[index + 1 :]
    return "", blocks


# --------------------------------------------------------------------------- company

# Capitalised words; a dot only inside a word ("Customer.io"): "Twitter. Twitter is" is two.
_WORD = r"[A-Z0-9][\w&'’-]*(?:\.[\w&'’-]+)*"
_NAME = _WORD + r"(?: (?:" + _WORD + r"|of|de|&))*"
_FORM = r",? (?:Inc|LLC|Ltd|Limited|Corporation|Corp|GmbH|AG|plc|S\.p\.A|SA|BV)\b\.?"
# Strongest first. A legal name counts where the employer speaks of itself: at the start of a
# paragraph, before its stock ticker, or as "the equal opportunity employer".
_COMPANY_PATTERNS = [
    re.compile(r"^(" + _NAME + _FORM + r")"),
    re.compile(r"\b(" + _NAME + _FORM + r") \((?:NYSE|NASDAQ|Nasdaq|LSE)\b"),
    re.compile(
        r"\b(" + _NAME + r"(?:" + _FORM + r")?) is an? (?i:equal (?:opportunity|employment))"
    ),
    # At a sentence's start, not only a paragraph's ("Together, we … At Medtronic, we push").
    re.compile(r"(?:^|(?<=[.!?] ))(?:At|Join) (" + _NAME + r")(?:,| is| we| and)"),
    re.compile(r"^(" + _NAME + r") (?:is|are) (?:a|an|the) [^.]{0,80}?(?:company|leader|provider)"),
]
# Weaker, so only for a name the posting repeats: an "About X" heading, or an about paragraph
# that opens on it ("Netflix is revolutionizing …").
_ABOUT_HEADING = re.compile(r"^About (" + _NAME + r")$")
_OPENING_NAME = re.compile(r"^(" + _NAME + r") (?:is|are|has|was) ")
_DEFINED = re.compile(r"\b(" + _NAME + r") \([\"“]([A-Z0-9&]{2,})[\"”]\)")
_NOT_A_NAME = {
    "we",
    "our",
    "the",
    "you",
    "this",
    "for",
    "as",
    "at",
    "in",
    "us",
    "it",
    "join",
    "all",
}
# "a wholly-owned subsidiary of Sony Corporation": a name, but not the employer's.
_SOMEONE_ELSE = re.compile(
    r"(?:subsidiary of|owned by|part of|partner(?:s|ed)? with|such as|like)\s*$"
)


def _plausible(name: str, text: str, start: int) -> bool:
    first = name.split()[0].lower().strip(",")
    return (
        1 < len(name) <= 60
        and first not in _NOT_A_NAME
        and not _SOMEONE_ELSE.search(text[max(0, start - 30) : start])
    )


def _defined_name(text: str) -> str:
    """A name defined with its abbreviation, such as "Amazon Web Services (“AWS”)"."""
    for match in _DEFINED.finditer(text):
        words = match.group(1).split()
        # Only when the abbreviation spells the initials: a real definition, and it tells
        # where the name starts ("For more than 11 years, Amazon Web Services (“AWS”)").
        for start in range(len(words)):
            name = words[start:]
            if "".join(w[0] for w in name if w[0].isupper()) == match.group(2):
                found = " ".join(name)
                if _plausible(found, text, match.start(1)):
                    return found
                break
    return ""


def guess_company(paragraphs: list[str], headings: Sequence[str] = ()) -> str:
    """The employer named in the posting's prose, or "" when unsure (a wrong company is worse
    than none). Recognised, strongest first: "X, Inc." opening a paragraph or before its
    ticker, "X is an equal opportunity employer", "At X, …", "Join X …", "X is a … company",
    a name defined with its abbreviation ("Amazon Web Services (“AWS”)"); then, for a name
    the prose repeats, an "About X" heading or an about paragraph opening "X is …".

    >>> guess_company(["8x8, Inc. (NYSE:EGHT) communication solutions help businesses"])
    '8x8, Inc.'
    >>> guess_company(["Acme is reinventing carts. We are big.", "Acme ships."])
    'Acme'
    """
    for pattern in _COMPANY_PATTERNS:
        for text in paragraphs:
            for match in pattern.finditer(text):
                name = match.group(1).strip(" ,")
                if _plausible(name, text, match.start(1)):
                    return name
    for text in paragraphs:
        if name := _defined_name(text):
            return name
    prose = "\n".join(dict.fromkeys(paragraphs))

    def mentions(name: str) -> int:
        return len(re.findall(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", prose))

    for heading in headings:
        match = _ABOUT_HEADING.match(heading)
        if (
            match
            and len(match[1].split()) <= 4
            and _plausible(match[1], heading, 6)
            and classify_heading(match[1]) == "other"  # not "About the Role", "About Benefits"
            and mentions(match[1]) >= 1
        ):
            return match[1]
    for text in dict.fromkeys(paragraphs):
        match = _OPENING_NAME.match(text)
        if (
            match
            and len(match[1].split()) <= 4
            and _ABOUT_TEXT.search(text)  # the employer speaking of itself
            and _plausible(match[1], text, 0)
            and mentions(match[1]) >= 2
        ):
            return match[1]
    return ""


# --------------------------------------------------------------------------- entry point


def _list_section(bullets: list[str]) -> str:
    """A list under no (or a used-up) heading: what most of its bullets sound like."""
    asks = sum(1 for text in bullets if _REQUIREMENT_TEXT.search(text))
    return "requirements" if asks * 2 >= len(bullets) else "responsibilities"


def _items(blocks: list[Block], title: str) -> list[PostingItem]:
    items: list[PostingItem] = []
    current, heading = "other", ""
    lists_under_heading = 0
    list_section, list_heading = current, heading
    for index, (kind, value) in enumerate(blocks):
        if kind == "prompt":
            continue
        if kind == "list":
            # The first list under a heading belongs to it; a second list with no heading of
            # its own (AWS: responsibilities, then an unheaded list of qualifications) and a
            # list under no heading at all are judged by their bullets.
            lists_under_heading += 1
            list_section, list_heading = current, heading
            if current == "other" or lists_under_heading > 1:
                bullets = []
                for later_kind, later in blocks[index + 1 :]:
                    if later_kind != "bullet":
                        break
                    bullets.append(later)
                list_section = _list_section(bullets) if bullets else current
                list_heading = heading if current == "other" else ""
            continue
        if kind == "heading" or (kind == "text" and _lead_in(value)):
            if value.rstrip(":") == title:
                continue
            heading = value.rstrip(":")
            current = list_section = classify_heading(heading)
            list_heading = heading
            lists_under_heading = 0
            continue
        if not value or value == title:
            continue
        if kind == "bullet":
            section = "legal" if _LEGAL_TEXT.search(value) else list_section
            if section == "other":
                section = _list_section([value])
            items.append(PostingItem(section, value[:2000], list_heading))
            continue
        # A paragraph: classified as a whole (a legal paragraph's later sentences carry no
        # legal words), then split into sentences.
        if _LEGAL_TEXT.search(value):
            section = "legal"
        elif current == "other" and _ABOUT_TEXT.search(value):
            section = "about"
        else:
            section = current
        for sentence in sentences(value):
            if len(sentence) < 3:
                continue
            which = _prose_section(sentence) if section == "other" else section
            items.append(PostingItem(which, sentence[:2000], heading))
    return items


def parse_posting(data: bytes | str, filename: str = "") -> ParsedPosting:
    """Parse one posting, any supported format; :class:`PostingError` for what is not one.

    >>> p = parse_posting("Sales Analyst\\n\\nRequirements:\\n- 2-4 years of experience\\n")
    >>> p.format, p.title, p.section("requirements"), (p.years_min, p.years_max)
    ('text', 'Sales Analyst', ['2-4 years of experience'], (2, 4))
    """
    label = _label(filename)
    text = decode(data, filename)
    fmt = detect_format(text)
    if fmt != "html" and (_ANY_TAG.search(text) or "<!--" in text):
        text = strip_markup(text)
    if fmt == "html":
        title, company, location, blocks = _parse_html(text)
    elif fmt == "markdown":
        title, company, location, blocks = _parse_markdown(text, label)
    else:
        title, company, location, blocks = _parse_text(text)
    items = _items(blocks, title)
    if not title and items:
        title = items[0].text[:120]
    if not items or not title:
        raise PostingError(f"{label}: no posting text found (only markup, or nothing to read)")
    if not company:
        # Paragraphs whole (not sentences), the about and legal text first.
        paragraphs = [t for kind, t in blocks if kind == "text"]
        company = guess_company(
            [p for p in paragraphs if _ABOUT_TEXT.search(p) or _LEGAL_TEXT.search(p)]
            + paragraphs[:12],
            headings=[t for kind, t in blocks if kind == "heading"],
        )
    asked = [i.text for i in items if i.section in ASKED]
    if not asked:
        asked = [i.text for i in items if i.section == "other"]
    # Preferred qualifications only set the bar when nothing is required.
    required = [i.text for i in items if i.section in ASKED and not _OPTIONAL.search(i.heading)]
    years_min, years_max = years_of_experience(required)
    if years_min is None:
        years_min, years_max = years_of_experience(asked)
    return ParsedPosting(
        title=title[:300],
        company=company[:200],
        location=location[:200],
        format=fmt,
        items=items,
        years_min=years_min,
        years_max=years_max,
        degree=degree_asked(asked),
        people_management=manages_people([title, *asked]),
        text="\n".join(t for kind, t in blocks if t and kind != "prompt"),
        pay=_pay_of(text, blocks)[:100],
    )


def strip_markup(text: str) -> str:
    """The text of a text or markdown posting without its stray tags, sanitised by the same
    nh3 as the HTML view: tags go, their words stay, script and style go with their content.

    >>> strip_markup("We <b>care</b> &amp; ship<script>alert(1)</script>\\nSQL")
    'We care & ship\\nSQL'
    """
    cleaned = nh3.clean(
        text, tags=set(), clean_content_tags=_DROP_WITH_CONTENT, strip_comments=True
    )
    # nh3 escapes what it keeps ("&" → "&amp;"); the readers want the characters back.
    return htmllib.unescape(cleaned)


def _html_facts(blocks: list[Block], title: str) -> tuple[str, str, list[Block]]:
    """Company and location a page states in lines of their own ("Location: Remote", "This
    position is available in: …", a place under the title), taken out of the blocks."""
    facts: dict[str, str] = {}
    kept: list[Block] = []
    for kind, value in blocks:
        found, rest = stated_facts([value]) if kind == "text" else ({}, [value])
        stated = {k: v for k, v in found.items() if k in {"company", "location"}}
        if stated and not rest:
            facts = stated | facts  # the first statement of each fact wins
            continue
        kept.append((kind, value))
    location = facts.get("location", "")
    if not location:
        location, kept = header_location(kept, title)
    return facts.get("company", ""), location, kept


def _pay_of(text: str, blocks: list[Block]) -> str:
    """The pay range a posting states, labelled ("Salary: …") or as a money range in its text."""
    labelled, _ = stated_facts(text.split("\n"))
    if "pay" in labelled:
        return labelled["pay"]
    facts, _ = stated_facts([t for _kind, t in blocks])
    return facts.get("pay", "")


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
# Dropped with everything inside them, not just unwrapped: their text is code, not prose.
_DROP_WITH_CONTENT = {
    "script",
    "style",
    "iframe",
    "noscript",
    "svg",
    "math",
    "object",
    "embed",
    "template",
    "textarea",
    "title",
    "select",
    "frameset",
    "noembed",
    "noframes",
    "xmp",
}


def sanitize_html(html: str) -> str:
    """The posting's HTML with only harmless tags: no scripts, handlers, styles, frames or SVG;
    links only to http(s) and mailto, with ``rel="noopener noreferrer nofollow"``.

    >>> sanitize_html('<p onclick="x()">Hi <a href="javascript:alert(1)">a</a><script>x</script>')
    '<p>Hi <a rel="noopener noreferrer nofollow">a</a></p>'
    """
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
