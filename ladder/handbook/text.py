"""Text helpers shared by every part of the parser: titles, slugs, links, sentences."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

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
LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_NON_WORD = re.compile(r"[^\w&]+")


def strip_links(text: str) -> str:
    """Markdown links → their text; emphasis markers dropped."""
    text = LINK.sub(lambda m: m.group(1), text)
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


def family_title(raw: str) -> str:
    """``"Sales Operations Roles"`` → ``"Sales Operations"``."""
    title = clean_title(raw)
    title = re.sub(r"\s+(?:job\s+family|roles?|job\s+families)$", "", title, flags=re.I)
    return title.strip() or clean_title(raw)


def similar_titles(a: str, b: str) -> bool:
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


_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")


def _first_segment(path: str) -> str:
    return path.split("?", 1)[0].split("#", 1)[0].strip("/").split("/", 1)[0]


def handbook_hosts(text: str, canonical_path: str = "") -> dict[str, int]:
    """How many of the page's absolute links go into the site its own links are relative to.

    A page written for a site links into it both ways: ``/handbook/values/`` and
    ``https://about.gitlab.com/handbook/…`` share the top folder ``handbook``, so that host is
    the handbook's. Links elsewhere (``en.wikipedia.org/wiki/…``, ``youtu.be/…``) name no
    folder the page uses and say nothing about where it lives. ``canonical_path`` (front
    matter) is the page's own path, one more folder of its site.

    >>> handbook_hosts("[a](/handbook/x) [b](https://about.gitlab.com/handbook/y) "
    ...                "[c](https://en.wikipedia.org/wiki/Z)")
    {'https://about.gitlab.com': 1}
    """
    folders = {_first_segment(canonical_path)} if canonical_path.startswith("/") else set()
    absolute: list[str] = []
    for match in LINK.finditer(text):
        url = match.group(2)
        if url.startswith("/") and not url.startswith("//"):
            folders.add(_first_segment(url))
        elif url.startswith(("http://", "https://")):
            absolute.append(url)
    absolute.extend(match.group(1) for match in _AUTOLINK.finditer(text))
    folders.discard("")
    counts: dict[str, int] = {}
    for url in absolute:
        parts = urlsplit(url)
        if parts.netloc and _first_segment(parts.path) in folders:
            base = f"{parts.scheme}://{parts.netloc}"
            counts[base] = counts.get(base, 0) + 1
    return counts


def most_linked(counts: dict[str, int]) -> str:
    """The host with the most links (ties: the first in sorted order), or ""."""
    return max(sorted(counts), key=lambda base: counts[base]) if counts else ""


def infer_base_url(text: str, canonical_path: str = "") -> str:
    """The handbook's ``scheme://host`` as the page's links show it (see
    :func:`handbook_hosts`), or "" when they do not: never just the most linked site."""
    return most_linked(handbook_hosts(text, canonical_path))


# Words that place a title on a ladder rather than name its field.
SENIORITY_WORDS = frozenset(
    {
        "junior",
        "associate",
        "intermediate",
        "senior",
        "staff",
        "principal",
        "distinguished",
        "lead",
    }
)
RANK_WORDS = SENIORITY_WORDS | frozenset(
    {
        "manager",
        "director",
        "head",
        "vice",
        "president",
        "executive",
        "chief",
        "fellow",
        "intern",
    }
)
