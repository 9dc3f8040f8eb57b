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


def infer_base_url(text: str) -> str:
    """The most common ``scheme://host`` among the page's absolute links, or ""."""
    counts: dict[str, int] = {}
    for match in LINK.finditer(text):
        url = match.group(2)
        if url.startswith(("http://", "https://")):
            parts = urlsplit(url)
            base = f"{parts.scheme}://{parts.netloc}"
            counts[base] = counts.get(base, 0) + 1
    if not counts:
        return ""
    return max(sorted(counts), key=lambda base: counts[base])


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
