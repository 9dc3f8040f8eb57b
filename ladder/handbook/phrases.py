"""The phrase grammar: the sentences and bullets that carry grades, extends and reports-to.

Each function reads one phrase and returns plain values; the parser decides where they belong.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from ladder.handbook.parsed import ExtendsRef
from ladder.handbook.text import LINK, RANK_WORDS, clean_title, split_sentences, strip_links

# "reports to", "reports into", "reports in to" and the typo "reports intot".
_REPORTS_VERB = r"reports?\s+(?:directly\s+)?(?:in\s*)?to[a-z]?\s+"
REPORTS_TO = re.compile(
    r"^(?:the\s+)?(?P<subject>.+?)\s+(?:role\s+)?"
    + _REPORTS_VERB
    + r"(?:the\s+|a\s+|an\s+)?(?P<target>.+?)\s*\.?\s*$",
    re.I,
)
# "The Senior Technical Instructor reports the Senior Manager, …": "to" left out. Read only
# when the subject is the level itself (the parser checks), since "reports the figures" is work.
_REPORTS_BARE = re.compile(
    r"^(?:the\s+)?(?P<subject>.+?)\s+reports\s+the\s+(?P<target>(?-i:[A-Z]).+?)\s*\.?\s*$",
    re.I,
)
# A bullet of a level's list: "Reports to [Director of Marketing Strategy](…) working closely
# with the Chief Marketing Officer".
_REPORTS_BULLET = re.compile(
    r"^(?:this\s+(?:role|position)\s+)?"
    + _REPORTS_VERB
    + r"(?:the\s+|an?\s+)?(?P<target>.+?)\s*\.?\s*$",
    re.I,
)
# Where the manager's title ends: a clause about the role or the manager follows.
_TARGET_END = re.compile(
    r"\s*(?:,\s*who\b|\s+who\b|;|,?\s+and\s+(?:is|are|works?|will|leads?|manages?|oversees?"
    r"|partners?|collaborates?|supports?|helps?|owns?|drives?|has|have|serves?)\b"
    r"|,?\s+(?:working|partnering|collaborating)\s+(?:closely\s+)?with\b|,?\s+while\b"
    # an aside about the manager: ", which …", ", an organization that rolls into the CEO"
    r"|,\s*which\b|,\s+an?\s+(?:\w+\s+){1,2}(?:that|which|who)\b)",
    re.I,
)
# "… to the Manager, Field Security role at GitLab": the company and "role" are not the title.
_TARGET_TAIL = re.compile(
    r"(?:\s+(?:role|position))?\s+at\s+[A-Z][\w.&'-]*(?:\s+[A-Z][\w.&'-]*)?$"
    r"|\s+(?:role|position)$"
)
# "Reporting to the VP of Field Operations, they are responsible for …" (the target ends at
# the comma that starts the main clause) and "This is a very niche role, with a specialised
# skill set reporting to the Director, Product Marketing." (a sentence about the role that ends
# on its manager). Reporting as work ("periodic reporting to the audit committee") is neither.
_REPORTING_LEAD = re.compile(
    r"^reporting\s+(?:directly\s+)?(?:in)?to\s+(?:the\s+|an?\s+)?(?P<target>.+?)"
    r",\s+(?:the|they|you|this|he|she|we)\b",
    re.I,
)
_REPORTING_TAIL = re.compile(
    r"^this\s+(?:is\s+an?\s+)?(?:\w+\s+){0,3}(?:role|position)\b[^.]*?\s"
    r"reporting\s+(?:directly\s+)?(?:in)?to\s+(?:the\s+|an?\s+)?(?P<target>.+?)\s*\.?\s*$",
    re.I,
)


def reporting_to(sentence: str) -> str | None:
    """The manager a "Reporting to the X, …" or "This … role … reporting to the X" sentence
    names (the target as written), or None."""
    plain = sentence.strip()
    match = _REPORTING_LEAD.match(plain) or _REPORTING_TAIL.match(plain)
    return match.group("target") if match else None


class ReportsTo(NamedTuple):
    """ "The <subject> reports to the <manager>": the manager's title and the link it carries."""

    subject: str
    manager: str
    link: str
    bare: bool  # "reports the X", without "to": true only if the subject is the level


def manager_title(raw: str) -> tuple[str, str]:
    """The manager's title as a reader gives it, and its link: the clause after it, a
    trailing "role at <Company>" and the link markup left out."""
    link = LINK.search(raw)
    title = _TARGET_END.split(clean_title(raw), maxsplit=1)[0]
    title = clean_title(_TARGET_TAIL.sub("", title.strip()))
    return title, link.group(2) if link else ""


def reports_statement(sentence: str) -> ReportsTo | None:
    """A "The X reports to the Y" sentence, or None."""
    plain = sentence.strip()
    if "report" not in plain.lower() or len(plain) >= 300:
        return None
    match = REPORTS_TO.match(plain)
    bare = match is None
    match = match or _REPORTS_BARE.match(plain)
    if match is None:
        return None
    manager, link = manager_title(match.group("target"))
    if not manager:
        return None
    return ReportsTo(clean_title(match.group("subject")), manager, link, bare)


def reports_bullet(text: str) -> tuple[str, str] | None:
    """The manager (title, link) of a list item "Reports to the X", or None."""
    plain = text.strip()
    if not plain[:30].lower().lstrip("*_ ").startswith(("reports", "this")) or len(plain) >= 300:
        return None
    match = _REPORTS_BULLET.match(plain.strip("*_ "))
    if match is None:
        return None
    manager, link = manager_title(match.group("target"))
    return (manager, link) if manager else None


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
    r"^in\s+addition\s+to\s+(?:the\s+)?(?:(?P<pre>responsibilities|requirements|expectations)\s+(?:of|for)\s+)"
    r"(?:the\s+|an?\s+)?(?P<target>.+?)(?=\s+(?:below|above|listed|described)\b|,\s+(?:the|this|a|an|we|you)\b"
    r"|,\s+[^,]*?\b(?:are|is|will|should|must)\b|[.;:]|$)",
    re.I,
)
_GRADE_VALUE = re.compile(
    r"\bgrades?\s*(?:level\s*)?#?\s*(?P<a>\d+(?:\.\d+)?)(?:\s*(?:or|to|-|–|/|and)\s*(?:grade\s*)?#?\s*"
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


def section_name(word: str) -> str:
    word = word.lower()
    if word.startswith(("responsib", "expectation")):
        return "responsibilities"
    return "requirements"


def parse_extends(text: str, line: int, section: str | None = None) -> ExtendsRef | None:
    """Recognise an inheritance bullet.

    >>> parse_extends("Extends that of the Manager, Sales Operations Requirements", 3).section
    'requirements'
    """
    ref = _parse_extends(text, line, section)
    if ref is not None and (link := LINK.search(text)):
        ref.link = link.group(2)
    return ref


# The whole inheritance bullet in its other common phrasings; each names the target level.
_SECTION = r"(?P<pre>responsibilities|requirements)"
_ARTICLE = r"(?:the\s+|an?\s+)?"
_ALL_OF = re.compile(
    # "All of the responsibilities of a Technical Architect plus the following:",
    # "All requirements for a Security Analyst; plus:", "The same responsibilities of a X, plus".
    rf"^(?:includes\s+)?(?:all|the\s+same)\s+(?:of\s+)?(?:the\s+)?{_SECTION}\s+(?:of|for|from)\s+"
    rf"{_ARTICLE}(?P<target>.+?)\s*[,;:]?\s*(?:,?\s*(?:plus|as\s+well\s+as)\b.*)?$",
    re.I,
)
_INCLUDES_LEVEL = re.compile(
    # "Includes all [Intermediate level responsibilities listed](#responsibilities)."
    r"^includes\s+all\s+(?:of\s+)?(?:the\s+)?(?P<target>.+?)\s+(?:level\s+|role\s+)?"
    r"(?P<post>responsibilities|requirements)(?:\s+(?:listed|above|below))?\s*[.:]?$",
    re.I,
)
_INHERITS = re.compile(
    # "The Senior Manager, Sales Systems inherits the responsibilities of the Manager, Sales
    # Systems as well as the following:"
    rf"^(?:the\s+)?(?P<subject>.+?)\s+inherits\s+(?:all\s+)?(?:of\s+)?(?:the\s+)?{_SECTION}\s+"
    rf"(?:of|from)\s+{_ARTICLE}(?P<target>.+?)(?:\s*,?\s*(?:as\s+well\s+as|plus)\b.*)?\s*[.:]?$",
    re.I,
)
_SECTION_EXTENDS = re.compile(
    # "The responsibilities of the Data Analyst extend the Junior Data Analyst role and include:"
    rf"^(?:the\s+)?{_SECTION}\s+(?:of|for)\s+{_ARTICLE}(?P<subject>.+?)\s+extends?\s+"
    rf"(?:that\s+of\s+)?(?:the\s+)?(?P<target>.+?)(?:\s+(?:role|level))?"
    r"(?:\s*,?\s*(?:and\s+includes?|including|plus)\b.*)?\s*[.:]?$",
    re.I,
)
_ABOVE = re.compile(
    # "All of the above responsibilities, plus": the level written just before this one.
    rf"^all\s+(?:of\s+)?the\s+above\s+{_SECTION}\s*[,;:]?\s*(?:plus|and|as\s+well\s+as)?\b",
    re.I,
)
# "The Senior Data Scientist has all of the responsibilities of an Intermediate Data
# Scientist, plus:", "… meets all of the requirements of a Senior Data Scientist, plus:": a
# subject, a verb of having, every item of a section of another role, and a lead-in to more.
# The tail ("plus", "as well as", "and the following", a closing ":") is what makes it
# inheritance: "Candidates meet all of the requirements of the role." only describes.
_MORE = r"(?:\s*,?\s*(?:plus|as\s+well\s+as|and\s+(?:also\s+)?the\s+following)\b.*|\s*:)$"
_HAS_ALL_OF = re.compile(
    r"^(?:the\s+)?(?P<subject>.+?)\s+(?:has|have|meets?|includes?|shares?|carries|covers?|"
    r"takes\s+on|performs?)\s+all\s+(?:of\s+)?the\s+"
    rf"{_SECTION}\s+(?:of|for|from)\s+{_ARTICLE}(?P<target>.+?){_MORE}",
    re.I,
)
_EVERYTHING = re.compile(
    # "Everything an Intermediate Data Scientist does, plus:", "A Staff X does everything a
    # Senior X does, plus": no section named, so the section the line sits in (or all).
    rf"^(?:(?:the\s+|an?\s+)?.+?\s+(?:does|do)\s+)?everything\s+(?:that\s+)?{_ARTICLE}"
    rf"(?P<target>.+?)\s+(?:does|do)\b{_MORE}",
    re.I,
)
_HAS_ALL_ABOVE = re.compile(
    # "This role includes all of the requirements above, plus:": the level written before.
    r"^(?:the\s+)?.+?\s+(?:has|have|meets?|includes?|shares?)\s+all\s+(?:of\s+)?the\s+"
    rf"{_SECTION}\s+(?:(?:listed|outlined|described)\s+)?above{_MORE}",
    re.I,
)
# Words that name no level: "all of the requirements of the role, plus:".
_GENERIC_TARGET = re.compile(
    r"^(?:this\s+|that\s+|the\s+)?(?:role|position|job|level|team|company|department)s?$",
    re.I,
)
# A target that is a part of the page, not a level: "the Requirements section above".
_NOT_A_LEVEL = re.compile(r"\bsection\b|\b(?:above|below|here)\s*$", re.I)
PREVIOUS_LEVEL = "\x00previous level"  # resolved by the parser to the level written before
PAGE_SECTION = "\x00page section"  # the page-wide list of that section, spliced in by the parser
ABOVE = "\x00above"  # the level written before, or the page-wide list when there is none
_SECTION_ABOVE = re.compile(
    # "… are listed in the Responsibilities section above", "… extend the Requirements
    # section above and include:"
    r"\b(?:(?:listed|outlined|described)\s+in|extends?)\s+the\s+"
    r"(?P<pre>responsibilities|requirements)\s+section\s+above\b",
    re.I,
)
_SAME_ABOVE = re.compile(
    # "The X shares the same responsibilities outlined above", "has all the same requirements
    # as the ones outlined above plus the following:"
    r"\b(?:has|have|shares?)\s+(?:all\s+)?(?:of\s+)?the\s+same\s+"
    r"(?P<pre>responsibilities|requirements)\s+(?:as\s+(?:the\s+ones?|those)\s+)?"
    r"(?:outlined|listed|described)\s+above\b",
    re.I,
)
_LISTED_HERE = re.compile(
    # "Includes responsibilities listed [here](#responsibilities)": the page's own list, by an
    # in-page link (a link to another page is not this page's list).
    r"^(?:includes?|see)\s+(?:all\s+)?(?:of\s+)?(?:the\s+)?(?P<pre>responsibilities|requirements)"
    r"\s+(?:listed|outlined|described)\s+(?:here|above)\b",
    re.I,
)
_SAME_AS = re.compile(
    # "The Senior X has all the same responsibilities as the intermediate position plus …"
    r"\b(?:has|have|shares?)\s+(?:all\s+)?(?:of\s+)?the\s+same\s+"
    r"(?P<pre>responsibilities|requirements)\s+as\s+(?:the\s+|an?\s+)?(?P<target>.+?)"
    r"(?:,?\s+plus\b.*|\s*[.:])?$",
    re.I,
)


def _plain(text: str) -> str:
    plain = clean_title(strip_links(text)) if "](" in text else text.strip().strip("*_ ")
    return re.sub(r"\s+", " ", plain)


def _parse_extends(text: str, line: int, section: str | None = None) -> ExtendsRef | None:
    plain = _plain(text)
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
    # "Extends that the X requirements": a dropped "of".
    plain = re.sub(r"^(extends?\s+that)\s+the\b", r"\1 of the", plain, flags=re.I)
    match = _EXTENDS_BULLET.match(plain)
    if match:
        target = match.group("target")
        which = match.group("pre") or match.group("post") or ""
        # "Extends the responsibilities and requirements of X" names both: every section.
        if re.search(r"responsibilities\s+and\s+requirements", plain, re.I):
            which = ""
        found = (
            section_name(which) if which.lower() in {"responsibilities", "requirements"} else None
        )
        return _ref(target, section or found, line)
    if _ABOVE.match(plain):
        return ExtendsRef(PREVIOUS_LEVEL, section or section_name(_ABOVE.match(plain)["pre"]), line)
    if match := _SECTION_ABOVE.search(plain):
        return ExtendsRef(PAGE_SECTION, section_name(match["pre"]), line)
    if (match := _LISTED_HERE.match(plain)) and all(
        link.group(2).startswith("#") for link in LINK.finditer(text)
    ):
        # The list it sits in decides: real pages copy "Includes responsibilities listed
        # here" into their Requirements sections and change only the link.
        return ExtendsRef(PAGE_SECTION, section or section_name(match["pre"]), line)
    if match := _SAME_ABOVE.search(plain):
        return ExtendsRef(ABOVE, section or section_name(match["pre"]), line)
    # Only short lead-ins that say "all"/"everything" can be these: most items say neither,
    # and the patterns' open subjects would be tried at every word of a long item.
    lead_in = len(plain) < 300 and re.search(r"\b(?:all|everything)\b", plain, re.I)
    if lead_in and (match := _HAS_ALL_ABOVE.match(plain)):
        return ExtendsRef(PREVIOUS_LEVEL, section or section_name(match["pre"]), line)
    for pattern in (_HAS_ALL_OF, _EVERYTHING) if lead_in else ():
        match = pattern.match(plain)
        target = re.sub(r"\s+(?:position|role|level)$", "", match["target"]) if match else ""
        if match and _one_role(target):
            named = match.groupdict().get("pre")
            return _ref(target, section or (section_name(named) if named else None), line)
    if (match := _SAME_AS.search(plain)) and len(plain) < 300:
        return _ref(
            re.sub(r"\s+(?:position|role|level)$", "", match["target"]),
            section or section_name(match["pre"]),
            line,
        )
    for pattern in (_IN_ADDITION, _ALL_OF, _INHERITS, _SECTION_EXTENDS, _INCLUDES_LEVEL):
        match = pattern.match(plain)
        if match:
            named = match.groupdict().get("pre") or match.groupdict().get("post")
            return _ref(match.group("target"), section or section_name(named), line)
    return None


def _one_role(target: str) -> bool:
    """A target that can name a level: a title (capitalised, or with a rank word: "the
    intermediate engineer"), one sentence ("… the Data Scientist role. In addition, …" is two),
    not a generic word ("the role"). "Everything a customer does, plus …" names no level."""
    words = target.lower().split()
    return (
        bool(words)
        and (target[:1].isupper() or any(word in RANK_WORDS for word in words))
        and len(split_sentences(target)) == 1
        and not _GENERIC_TARGET.match(target)
        and len(words) <= 12
    )


def _ref(target: str, section: str | None, line: int) -> ExtendsRef | None:
    target = clean_title(target)
    if not target or _NOT_A_LEVEL.search(target):
        return None
    return ExtendsRef(target=target, section=section, line=line)


def parse_extends_sentence(text: str, line: int) -> tuple[str, ExtendsRef] | None:
    plain = re.sub(r"\s+", " ", clean_title(strip_links(text)))
    match = _EXTENDS_SENTENCE.match(plain)
    if not match or len(plain) > 300:
        return None
    post = (match.group("post") or "").lower()
    section = section_name(post) if post in {"responsibilities", "requirements"} else None
    return clean_title(match.group("subject")), ExtendsRef(
        clean_title(match.group("target")), section, line
    )


def parse_grade_text(text: str) -> tuple[Decimal, Decimal | None, str] | None | str:
    """The grade written in a sentence: (grade, grade_max, link), None, or the bad word."""
    link = ""
    for match in LINK.finditer(text):
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


_GRADE_LIST = re.compile(
    r"\bgrades\s*(?:are|of|:)?\s*:?\s*(?P<list>\d+(?:\.\d+)?(?:\s*(?:,\s*(?:and\s+)?|and\s+)\d+(?:\.\d+)?)+)",
    re.I,
)


def parse_grade_list(text: str) -> list[Decimal]:
    """A family-wide list, one grade per level in ladder order: "The roles described below are
    grades: [6, 7, 8](link)". Empty when the sentence is not such a list."""
    match = _GRADE_LIST.search(strip_links(text))
    if not match:
        return []
    return [Decimal(v) for v in re.findall(r"\d+(?:\.\d+)?", match.group("list"))]


def grade_subjects(text: str) -> list[str]:
    match = _GRADE_SUBJECT.match(clean_title(strip_links(text)))
    if not match:
        return []
    subject = match.group("subject").strip()
    if re.fullmatch(r"(?:this|the)?\s*(?:role|position|job|level)", subject, re.I):
        return []
    # "A & B": split later, only if the whole subject is not itself a title.
    return [clean_title(subject.strip("{}"))]


# --------------------------------------------------------------------------- the parser
