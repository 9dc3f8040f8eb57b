"""Posting parsing: the seed postings, the real corpus, bad files, sanitising."""

from __future__ import annotations

from pathlib import Path

import pytest

from postings.parsing import PostingError, parse_posting, sanitize_html, years_of_experience
from tests.conftest import ROOT

SEEDS = ROOT / "fixtures" / "postings"
CORPUS = ROOT.parent / "shared" / "corpus" / "postings"


def seed(name: str):
    return parse_posting((SEEDS / name).read_bytes(), name)


def test_job_board_html_with_bold_headers():
    posting = seed("sr-manager-go-to-market-and-sales-operations.html")
    assert posting.format == "html"
    assert posting.title == "Sr Manager, Go to Market and Sales Operations"
    assert posting.company == "T-Mobile USA, Inc."
    assert (posting.years_min, posting.years_max) == (4, None)  # "4+ years", not "18 years of age"
    assert posting.degree == "bachelor"
    assert posting.people_management is True
    assert any("18 years of age" in t for t in posting.section("requirements"))
    assert posting.section("legal")
    assert posting.section("about")


def test_bullet_list_posting_gives_a_range():
    posting = seed("sr-manager-sales-operations.html")
    assert posting.title == "Sr Manager Sales Operations"
    assert (posting.years_min, posting.years_max) == (8, 10)
    assert posting.section("requirements")[0].startswith("8-10 years of experience")


def test_section_header_html_and_company_from_text():
    posting = seed("inside-sales-manager.html")
    assert posting.title == "Inside Sales Manager (Team Manager)"
    assert posting.company == "8x8, Inc."
    assert posting.section("responsibilities") and posting.section("requirements")
    assert posting.years_min == 3  # "within the last 5 years" is not a duration


def test_plain_text_with_page_chrome():
    posting = seed("atu-sales-manager.txt")
    assert posting.format == "text"
    assert posting.title == "ATU Lead Commercial"
    assert posting.company == "Microsoft"
    assert (posting.years_min, posting.years_max) == (None, None)
    assert posting.people_management is True
    assert not any(item.text.startswith("Data:") for item in posting.items)


@pytest.mark.skipif(not CORPUS.exists(), reason="shared corpus not present")
@pytest.mark.parametrize(
    "path",
    sorted(p for p in CORPUS.glob("*/*") if p.suffix in {".md", ".html"}),
    ids=lambda p: p.name[:40],
)
def test_every_corpus_posting_parses(path: Path):
    posting = parse_posting(path.read_bytes(), path.name)
    assert posting.title
    assert len(posting.items) >= 3
    if path.suffix == ".md":
        assert posting.format == "markdown"
        assert posting.company  # companyName from the front matter


def test_markdown_front_matter():
    posting = parse_posting(
        (CORPUS / "jobboard-md" / "sales-operations-primer-Ufjtd.md").read_bytes()
        if CORPUS.exists()
        else b'---\ntitle: "Sales Operations"\ncompanyName: "Primer"\nlocation: "United Kingdom"\n'
        b"---\n## Description\n- one\n- two\n- three\n",
        "primer.md",
    )
    assert (posting.title, posting.company, posting.location) == (
        "Sales Operations",
        "Primer",
        "United Kingdom",
    )


def test_years_rules():
    assert years_of_experience(["Five years of experience in sales"]) == (5, None)
    assert years_of_experience(["Minimum of 3 years experience"]) == (3, None)
    assert years_of_experience(["2 + years Telecommunications experience"]) == (2, None)
    assert years_of_experience(["At least 18 years of age", "Company founded 30 years ago"]) == (
        None,
        None,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"  \n\t ", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary file"),
        (b"x" * (6 * 1024 * 1024), "6.0 MB"),
        (b"<script>alert(1)</script>", "no posting text"),
        (b"<iframe src='x'><iframe src='y'></iframe></iframe>", "no posting text"),
        (b"---\ntitle: [broken\n---\nbody", "front matter is not valid YAML"),
        (b"---\ntitle: x\nbody without end", "never closed"),
    ],
)
def test_bad_files_raise_a_clear_error_naming_the_file(data, message):
    with pytest.raises(PostingError) as info:
        parse_posting(data, "bad-file.html")
    assert message in str(info.value)
    assert "bad-file.html" in str(info.value)


def test_utf16_posting_is_read():
    text = "Sales Analyst\n\nRequirements:\n- 3+ years of experience in sales operations\n- SQL\n"
    assert parse_posting(text.encode("utf-16"), "a.txt").years_min == 3


XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<iframe src="https://evil.invalid"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    "<body onload=alert(1)>",
    "<math><mtext><img src=x onerror=alert(1)></mtext></math>",
    "<details open ontoggle=alert(1)>",
    '<object data="javascript:alert(1)">',
    '<embed src="javascript:alert(1)">',
    "<style>body{background:red}</style>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
]


@pytest.mark.parametrize("payload", XSS)
def test_sanitize_html_strips_classic_payloads(payload):
    cleaned = sanitize_html(f"<p>ok</p>{payload}").lower()
    for bad in (
        "<script",
        "onerror",
        "onload",
        "ontoggle",
        "javascript:",
        "<iframe",
        "style",
        "data:text",
        "<svg",
        "<object",
        "<embed",
        "<form",
        "<meta",
    ):
        assert bad not in cleaned, payload
    assert "<p>ok</p>" in cleaned
