"""Posting parsing: the seed postings, the real corpus, bad files, facts, sanitising."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from postings.parsing import (
    MAX_BYTES,
    SECTIONS,
    ParsedPosting,
    PostingError,
    classify_heading,
    degree_asked,
    detect_format,
    is_place,
    is_widget,
    parse_posting,
    sanitize_html,
    sentences,
    years_of_experience,
)

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "fixtures" / "postings"
CORPUS = ROOT / "tests" / "data" / "corpus" / "postings"
CORPUS_FILES = sorted(CORPUS.glob("jobboard-md/*.md")) + sorted(CORPUS.glob("jobboard-html/*.html"))


def seed(name: str) -> ParsedPosting:
    return parse_posting((SEEDS / name).read_bytes(), name)


def assert_clean_items(posting: ParsedPosting) -> None:
    for item in posting.items:
        assert item.section in SECTIONS
        assert item.text and item.text == " ".join(item.text.split())
        assert "<" not in item.text or ">" not in item.text, item.text
        assert "&amp;" not in item.text and "&nbsp;" not in item.text


# --------------------------------------------------------------------------- seed postings


def test_job_board_html_with_bold_headers():
    posting = seed("sr-manager-go-to-market-and-sales-operations.html")
    assert posting.format == "html"
    assert posting.title == "Sr Manager, Go to Market and Sales Operations"
    assert posting.company == "T-Mobile USA, Inc."
    assert posting.location == ""
    assert (posting.years_min, posting.years_max) == (4, None)  # "4+ years", not 18 of age
    assert posting.degree == "bachelor"
    assert posting.people_management is True
    assert_clean_items(posting)
    responsibilities = posting.section("responsibilities")
    assert responsibilities[0].startswith("Manage and lead team of analysts & program managers")
    assert any(
        t.startswith("Manage and develop a team of program managers") for t in responsibilities
    )
    requirements = posting.section("requirements")
    assert requirements[:2] == [
        "Bachelor's Degree",
        "4+ years Management experience or a combination of 6+ years of people management and "
        "cross functional program leadership (in lieu of 5 years of people management experience).",
    ]
    # "• At least 18 years of age.• Legally authorized …" under a <b> heading split by a newline.
    minimum = [i for i in posting.items if i.heading == "Minimum Qualifications"]
    assert [i.text for i in minimum][:2] == [
        "At least 18 years of age.",
        "Legally authorized to work in the United States.",
    ]
    assert {i.section for i in minimum} == {"requirements"}
    assert posting.section("about")[0].startswith("As America's Un-carrier")
    assert any("Equal Opportunity Employer" in t for t in posting.section("legal"))
    assert not any("Equal Opportunity" in t for t in posting.section("about"))
    assert "Minimum Qualifications" in posting.text


def test_bullet_list_posting_gives_a_range_and_judges_unheaded_lists():
    posting = seed("sr-manager-sales-operations.html")
    assert posting.title == "Sr Manager Sales Operations"
    assert posting.company == "Amazon Web Services"
    assert (posting.years_min, posting.years_max) == (8, 10)  # not "more than 11 years" of AWS
    assert posting.degree == "bachelor"  # required; the MBA is only preferred
    assert posting.people_management is True
    assert_clean_items(posting)
    requirements = posting.section("requirements")
    assert requirements[0].startswith("8-10 years of experience in a senior leadership role")
    assert "MBA or other advanced degree preferred" in requirements  # the second, unheaded list
    responsibilities = posting.section("responsibilities")
    assert "Hire, develop, and coach members of the team and mentor others" in responsibilities
    assert "Expert level in Excel" not in responsibilities
    assert any(
        t.startswith("For more than 11 years, Amazon Web Services")
        for t in posting.section("about")
    )
    # "Key Responsibilities include, but are not limited to:" is a heading, not an item.
    assert not any(
        t.startswith("Key Responsibilities") for t in posting.section("responsibilities")
    )


def test_section_header_html_and_company_from_text():
    posting = seed("inside-sales-manager.html")
    assert posting.title == "Inside Sales Manager (Team Manager)"
    assert posting.company == "8x8, Inc."
    assert posting.years_min == 3  # "within the last 5 years" is not a duration
    assert posting.degree == ""
    assert posting.people_management is True
    assert_clean_items(posting)
    listed = [i for i in posting.items if i.heading == "Responsibilities"]
    assert listed[1].text == "Pipeline creation – business planning and campaigns"
    assert {i.section for i in listed} == {"responsibilities"}
    assert len(listed) == 17
    assert posting.section("requirements")[-1] == "Collaborative, solutions, consultative selling"
    legal = posting.section("legal")
    assert any("E-Verify" in t for t in legal)
    assert any("Privacy Notice" in t for t in legal)
    assert any("Poster" in t for t in legal)
    assert posting.section("about")[0].startswith("8x8, Inc. (NYSE:EGHT)")


def test_plain_text_with_page_chrome_and_numbered_lists():
    posting = seed("atu-sales-manager.txt")
    assert posting.format == "text"
    # The document's own title (also in the page chrome "Microsoft ricerca: ATU Lead
    # Commercial"); the body calls the role "ATU Sales Manager".
    assert posting.title == "ATU Lead Commercial"
    assert posting.company == "Microsoft"
    assert (posting.years_min, posting.years_max) == (None, None)
    assert posting.degree == ""
    assert posting.people_management is True
    assert_clean_items(posting)
    texts = [item.text for item in posting.items]
    assert not any(t.startswith(("Data:", "English version", "Microsoft ricerca")) for t in texts)
    assert not any("altre informazioni" in t or "Pagina precedente" in t for t in texts)
    assert not any(t.endswith("?") for t in texts)  # the form's prompts are not items
    responsibilities = posting.section("responsibilities")
    # "1. Leading …" numbered list under "The ATU Sales Manager role adds value by:".
    assert (
        "Leading a consistent and predictable sales business where team members are enabled "
        "to perform at their best."
    ) in responsibilities
    assert "Integrating and managing sales excellence processes." in responsibilities
    headings = {item.heading for item in posting.items}
    assert {"Results", "Position Scope"} <= headings


# --------------------------------------------------------------------------- the real corpus


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name[:40])
def test_every_corpus_posting_parses(path: Path):
    posting = parse_posting(path.read_bytes(), path.name)
    assert posting.title and len(posting.title) < 120
    assert len(posting.items) >= 3
    assert posting.section("requirements") or posting.section("responsibilities")
    assert_clean_items(posting)
    if path.suffix == ".md":
        assert posting.format == "markdown"
        assert posting.company  # companyName from the front matter
        assert posting.location
    else:
        assert posting.format == "html"
        assert "Engineer" in posting.title  # the header, not a section header


def test_corpus_counts_as_stated():
    assert len(list(CORPUS.glob("jobboard-md/*.md"))) in (0, 31)
    assert len(list(CORPUS.glob("jobboard-html/*.html"))) in (0, 6)


def test_markdown_front_matter_and_bold_headings():
    path = CORPUS / "jobboard-md" / "sales-operations-primer-Ufjtd.md"
    posting = parse_posting(path.read_bytes(), path.name)
    assert (posting.title, posting.company, posting.location) == (
        "Sales Operations",
        "Primer",
        "United Kingdom",
    )
    assert posting.section("responsibilities")[0].startswith(
        "Working closely with the GTM team in setting goals and forecasts"
    )
    assert posting.items[0].heading == "The Challenge"
    assert posting.items[0].section == "about"


def test_markdown_without_front_matter_title_from_the_first_heading():
    posting = parse_posting(
        "# Sales Analyst\n\n**Requirements**\n\n* 2-3 years in B2B sales\n* SQL\n"
        "\n## What you'll do\n\n1. Build the forecast\n",
        "analyst.md",
    )
    assert posting.format == "markdown"
    assert posting.title == "Sales Analyst"
    assert posting.section("requirements") == ["2-3 years in B2B sales", "SQL"]
    assert posting.section("responsibilities") == ["Build the forecast"]
    assert (posting.years_min, posting.years_max) == (2, 3)


# --------------------------------------------------------------------------- job-board pages

HTML_CORPUS = sorted(CORPUS.glob("jobboard-html/*.html"))
WIDGETS = re.compile(r"(?i)apply now|share this listing:?|link copied|null")


def _scraped(path: Path) -> dict[str, str]:
    """The company and location the job board lists for the page (the scrape's note)."""
    note = path.read_text().split("-->", 1)[0]
    return {k: v.strip() for k, v in re.findall(r"(company|location)=([^;]+?)\s*(?:;|$)", note)}


@pytest.mark.parametrize("path", HTML_CORPUS, ids=lambda p: p.name[:40])
def test_job_board_buttons_and_share_widgets_are_not_items(path: Path):
    posting = parse_posting(path.read_bytes(), path.name)
    assert not [i.text for i in posting.items if WIDGETS.fullmatch(i.text)]
    assert not [t for t in posting.text.split("\n") if WIDGETS.fullmatch(t)]


def test_the_header_location_is_the_location_and_widgets_are_not_requirements():
    path = CORPUS / "jobboard-html" / "senior-machine-learning-engineer--netflix.html"
    posting = parse_posting(path.read_bytes(), path.name)
    assert (posting.company, posting.location) == ("Netflix", "Los Angeles, California")
    assert "Los Angeles, California" not in [i.text for i in posting.items]
    requirements = posting.section("requirements")
    assert len(requirements) == 8  # the eight qualifications, no "APPLY NOW" or "LINK COPIED"
    assert requirements[-1].startswith("Passion for and an appreciation of the entertainment")


@pytest.mark.parametrize("path", HTML_CORPUS, ids=lambda p: p.name[:40])
def test_company_and_location_read_from_the_page_agree_with_the_job_board(path: Path):
    posting = parse_posting(path.read_bytes(), path.name)
    listed = _scraped(path)
    # A wrong company or place is worse than none: what is found is the board's own.
    assert posting.company in listed["company"]
    city = listed["location"].split(",")[0]
    assert posting.location == "" or posting.location.startswith(city)
    assert posting.location not in [i.text for i in posting.items]


def test_company_and_location_are_found_on_most_job_board_pages():
    postings = [parse_posting(path.read_bytes(), path.name) for path in HTML_CORPUS]
    # Ascendum's page never names the company; Medtronic's and one of Twitter's never name a
    # place; everything the pages state is read.
    assert sum(1 for p in postings if p.company) == 5
    assert sum(1 for p in postings if p.location) == 3


@pytest.mark.parametrize("name", ["staff-machine", "sr-staff-machine"])
def test_section_names_on_lines_of_their_own_are_headings_not_items(name: str):
    (path,) = CORPUS.glob(f"jobboard-html/{name}-learning-*--twitter.html")
    posting = parse_posting(path.read_bytes(), path.name)
    labels = {"Company Description", "Job Description", "Qualifications", "Additional Information"}
    assert not [i.text for i in posting.items if i.text in labels]
    assert not any("Fair Chance" in t for t in posting.section("requirements"))
    assert posting.section("about")[0].startswith("In Twitter, we serve billions")


def test_a_saved_job_page_gives_its_header_place_and_its_job_posting_data():
    path = CORPUS / "jobboard-html" / "principal-machine-learning-engineer--medtronic.html"
    page = path.read_text()
    header = '<div class="header"><div>Medtronic</div><div>Mounds View, MN 55112</div></div>'
    saved = page.replace('<div id="jobDescriptionText"', header + '<div id="jobDescriptionText"')
    assert parse_posting(saved, path.name).location == "Mounds View, MN 55112"
    data = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
        '"JobPosting", "hiringOrganization": {"@type": "Organization", "name": "Medtronic plc"},'
        ' "jobLocation": {"@type": "Place", "address": {"addressLocality": "Mounds View", '
        '"addressRegion": "MN", "addressCountry": "US"}}}</script>'
    )
    posting = parse_posting(data + saved, path.name)
    assert (posting.company, posting.location) == ("Medtronic plc", "Mounds View, MN")
    assert not any("schema.org" in item.text for item in posting.items)
    broken = parse_posting(data.replace("}}}", "}") + page, path.name)
    assert (broken.company, broken.location) == ("Medtronic", "")


def test_widgets_and_places_are_told_from_content():
    for widget in ("APPLY NOW", "Apply for this job", "Save job", "Copy link", "SHARE", "Print"):
        assert is_widget(widget), widget
    for content in ("Share best practices with the team", "Email marketing", "SQL", "SPARK"):
        assert not is_widget(content), content
    for place in ("Los Angeles, California", "San Francisco, CA 94103", "Berlin, Germany"):
        assert is_place(place), place
    for other in ("Data Science and Engineering", "Account Executive, EMEA", "Full-time, Remote"):
        assert not is_place(other), other


def test_pasted_job_board_text_drops_buttons_and_reads_the_place_under_the_title():
    posting = parse_posting(
        "Sales Analyst\nAcme Corp\nAustin, TX 78701\n\nApply now\nSave job\n\n"
        "Requirements:\n- 3+ years of experience in sales operations\n- SQL\n\n"
        "Share this job\nLINK COPIED\n",
        "pasted.txt",
    )
    assert posting.location == "Austin, TX 78701"
    assert posting.section("requirements") == [
        "3+ years of experience in sales operations",
        "SQL",
    ]
    assert len(posting.items) == 2  # no button, widget or place among the items


# --------------------------------------------------------------------------- format detection

MARKDOWN_CORPUS = sorted(CORPUS.glob("jobboard-md*/*.md"))


def _pasted(path: Path) -> str:
    """A real posting as a person pastes it from the job board: the title, then its text."""
    posting = parse_posting(path.read_bytes(), path.name)
    return posting.title + "\n\n" + "\n\n".join(posting.text.split("\n")) + "\n"


def _bold_one_word(text: str) -> str:
    """The same text with one word in an inline tag, as a rich-text paste leaves it."""
    lines = text.split("\n")
    middle = next(i for i in range(len(lines) // 2, len(lines)) if re.search(r" \w{5,} ", lines[i]))
    lines[middle] = re.sub(r" (\w{5,}) ", r" <b>\1</b> ", lines[middle], count=1)
    return "\n".join(lines)


@pytest.mark.parametrize("path", MARKDOWN_CORPUS, ids=lambda p: p.name[:40])
def test_pasted_text_with_one_inline_tag_reads_as_the_same_text(path: Path):
    pasted = _pasted(path)
    plain = parse_posting(pasted, "pasted.txt")
    tagged = parse_posting(_bold_one_word(pasted), "pasted.txt")
    assert (tagged.format, tagged.title) == (plain.format, plain.title)
    assert [(i.section, i.text) for i in tagged.items] == [(i.section, i.text) for i in plain.items]


def test_pasted_seed_text_with_inline_tags_and_a_script_reads_as_text():
    text = (SEEDS / "atu-sales-manager.txt").read_text()
    plain = parse_posting(text, "pasted.txt")
    tagged = text.replace("team", "<b>team</b>", 1).replace(
        "Results", "Results <span>x</span><script>alert(1)</script>", 1
    )
    posting = parse_posting(tagged, "pasted.txt")
    assert (posting.format, posting.title) == ("text", "ATU Lead Commercial")
    assert len(posting.items) == len(plain.items)
    assert not any("alert" in item.text or "<" in item.text for item in posting.items)


@pytest.mark.parametrize(
    "text",
    [
        "<h2>Analyst</h2>\nWe sell.\n<ul><li>SQL</li></ul>",
        "<p>Analyst</p><p>We sell things.</p>",
        "Analyst<br>\nWe sell things.<br>\nRequirements:<br>\n- SQL<br>",
        "<!DOCTYPE html>\n<title>Analyst</title>\nWe sell.\nSQL\nExcel\nMore\nLines",
        "<div>Analyst</div>\n<div>We sell.</div>",
    ],
)
def test_html_documents_and_fragments_are_html(text: str):
    assert detect_format(text) == "html"


@pytest.mark.parametrize(
    "text",
    [
        "Analyst\n\nWe <b>care</b> about customers.\n\nRequirements:\n- SQL\n",
        "Analyst\n\n<strong>Requirements</strong>\n- <i>SQL</i>\n- <a href='x'>Excel</a>\n",
        "Analyst\n" + "A line of text.\n" * 12 + "<p>One stray paragraph tag.\n",
    ],
)
def test_lines_of_text_with_a_few_tags_are_text(text: str):
    assert detect_format(text) == "text"


# --------------------------------------------------------------------------- facts


def test_years_rules():
    assert years_of_experience(["Five years of experience in sales"]) == (5, None)
    assert years_of_experience(["Minimum of 3 years experience"]) == (3, None)
    assert years_of_experience(["2 + years Telecommunications experience"]) == (2, None)
    assert years_of_experience(["8-10 years of experience in sales operations"]) == (8, 10)
    assert years_of_experience(["three to five years of experience in SaaS"]) == (3, 5)
    # The headline: the largest minimum across sentences, the first phrase within one.
    assert years_of_experience(["2+ years of SQL experience", "5+ years in a sales role"]) == (
        5,
        None,
    )
    assert years_of_experience(["4+ years management experience or 6+ years of projects"]) == (
        4,
        None,
    )
    assert years_of_experience(
        [
            "At least 18 years of age",
            "Company founded 30 years ago",
            "Over 25 years in business",
            "Managing a team within the last 5 years",
        ]
    ) == (None, None)
    assert years_of_experience(["5 years of experience in business development"]) == (5, None)


def test_degree_rules():
    assert degree_asked(["BA/BS degree"]) == "bachelor"
    assert degree_asked(["MBA required"]) == "mba"
    assert degree_asked(["Master's degree in Finance"]) == "master"
    assert degree_asked(["PhD in Computer Science or equivalent"]) == "phd"
    assert degree_asked(["Degree in a quantitative field"]) == "degree"
    assert degree_asked(["MBA a plus", "Bachelor's degree"]) == "bachelor"
    assert degree_asked(["SQL"]) == ""


def test_people_management_is_read_from_the_asked_items():
    def posting(*lines: str) -> ParsedPosting:
        text = "Analyst\n\nRequirements:\n" + "".join(f"- {line}\n" for line in lines)
        return parse_posting(text, "a.txt")

    assert posting("Experience hiring and managing high-performing teams").people_management
    assert posting("You will have 4 direct reports").people_management
    assert posting("Coach and grow a team of 5 SDRs").people_management
    assert not posting("Strong SQL", "Excellent communication skills").people_management


def test_headings_and_sentences():
    assert classify_heading("About the role") == "responsibilities"
    assert classify_heading("About you") == "requirements"
    assert classify_heading("About Primer") == "about"
    assert classify_heading("Preferred Qualifications") == "requirements"
    assert classify_heading("Benefits") == "about"
    assert classify_heading("Equal Opportunity Employer") == "legal"
    assert classify_heading("Key Accountabilities") == "responsibilities"
    assert classify_heading("Pay transparency") == "other"
    assert sentences("T-Mobile USA, Inc. is big. It sells, e.g. phones.") == [
        "T-Mobile USA, Inc. is big.",
        "It sells, e.g. phones.",
    ]


def test_legal_paragraph_without_heading_is_legal():
    posting = parse_posting(
        "<h2>Analyst</h2><div id='jobDescriptionText'><b>Requirements</b><ul><li>SQL</li></ul>"
        "<p>We are an equal opportunity employer and value diversity. All applicants are "
        "considered.</p></div>",
        "analyst.html",
    )
    assert posting.section("requirements") == ["SQL"]
    assert posting.section("legal") == [
        "We are an equal opportunity employer and value diversity.",
        "All applicants are considered.",
    ]


def test_html_entities_and_tags_never_reach_items():
    posting = parse_posting(
        "<h2>R&amp;D Sales</h2><div id='jobDescriptionText'><h3>What you&rsquo;ll do</h3>"
        "<ul><li><b>Own</b> the   P&amp;L&nbsp;forecast <a href='x'>here</a></li></ul></div>",
        "rd.html",
    )
    assert posting.title == "R&D Sales"
    assert posting.items[0].text == "Own the P&L forecast here"
    assert posting.items[0].section == "responsibilities"
    assert posting.items[0].heading == "What you’ll do"


def test_no_company_when_unsure():
    posting = parse_posting(
        "Sales Analyst\n\nWe work with partners such as Salesforce, Inc. every day.\n\n"
        "Requirements:\n- SQL\n- Excel\n",
        "a.txt",
    )
    assert posting.company == ""


# --------------------------------------------------------------------------- bad input


def _bad_inputs() -> list[tuple[bytes | str, str]]:
    return [
        (b"", "empty file"),
        (b"  \n\t \r\n", "empty file"),
        ("   ", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        (b"Sales Analyst\x00\x00 requirements", "binary file"),
        (bytes(range(1, 32)) * 40, "binary file"),
        (b"Sales \xff\xfe\xfd Analyst \xc3\x28", "not valid UTF-8"),
        (b"x" * (6 * 1024 * 1024), "6.0 MB"),
        ("x" * (MAX_BYTES + 1), "MB"),
        (b"<script>alert(1)</script>", "no posting text"),
        (b"<html><body><script>var a = '<h2>x</h2>';</script></body></html>", "no posting text"),
        (b"<iframe src='x'><iframe src='y'></iframe></iframe>", "no posting text"),
        (b"<div><br></div><p> </p>", "no posting text"),
        (b"---\ntitle: [broken\n---\nbody", "front matter is not valid YAML"),
        (b"---\ntitle: x\ncompanyName: : :\n  - a\n---\nbody", "front matter is not valid YAML"),
        (b"---\n- a list\n---\nbody", "front matter must be a mapping"),
        (b"---\ntitle: x\nbody without end", "never closed"),
    ]


@pytest.mark.parametrize(("data", "message"), _bad_inputs(), ids=lambda v: repr(v)[:30])
def test_bad_files_raise_a_clear_error_naming_the_file(data, message):
    with pytest.raises(PostingError) as info:
        parse_posting(data, "bad-file.html")
    assert message in str(info.value)
    assert "bad-file.html" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_utf16_and_bom_postings_are_read():
    text = "Sales Analyst\n\nRequirements:\n- 3+ years of experience in sales operations\n- SQL\n"
    for data in (text.encode("utf-16"), text.encode("utf-16-be").join([b"\xfe\xff", b""])):
        posting = parse_posting(data, "a.txt")
        assert (posting.title, posting.years_min) == ("Sales Analyst", 3)
    posting = parse_posting(b"\xef\xbb\xbf" + text.encode(), "a.txt")
    assert posting.title == "Sales Analyst"
    assert parse_posting(text.replace("\n", "\r\n").encode(), "a.txt").section("requirements")


# --------------------------------------------------------------------------- sanitising

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href=" JaVaScRiPt:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<iframe src="https://evil.invalid"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="width: expression(alert(1))">x</p>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    "<body onload=alert(1)>",
    "<math><mtext><img src=x onerror=alert(1)></mtext></math>",
    "<details open ontoggle=alert(1)>",
    '<object data="javascript:alert(1)">',
    '<embed src="javascript:alert(1)">',
    "<style>body{background:red}</style>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    "<b onmouseover=alert(1)>x</b>",
    "<!--<img src=x onerror=alert(1)>-->",
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
]
BAD = (
    "<script",
    "onerror",
    "onload",
    "ontoggle",
    "onclick",
    "onmouseover",
    "javascript:",
    "vbscript:",
    "expression(",
    "<iframe",
    "style",
    "data:text",
    "<svg",
    "<object",
    "<embed",
    "<form",
    "<meta",
    "<base",
    "<link",
    "<img",
)


@pytest.mark.parametrize("payload", XSS)
def test_sanitize_html_strips_classic_payloads(payload):
    cleaned = sanitize_html(f"<p>ok</p>{payload}").lower()
    for bad in BAD:
        assert bad not in cleaned, (payload, cleaned)
    assert "<p>ok</p>" in cleaned


def test_sanitize_html_keeps_harmless_markup_and_marks_links():
    cleaned = sanitize_html(
        "<h2>Title</h2><ul><li><strong>Lead</strong> <em>it</em></li></ul>"
        '<a href="https://example.com/x" target="_blank">link</a> <a href="mailto:a@b.c">m</a>'
        "<blockquote><code>x</code></blockquote><h5>h5</h5>"
    )
    assert "<h2>Title</h2>" in cleaned
    assert "<li><strong>Lead</strong> <em>it</em></li>" in cleaned
    assert 'href="https://example.com/x"' in cleaned
    assert 'href="mailto:a@b.c"' in cleaned
    assert cleaned.count('rel="noopener noreferrer nofollow"') == 2
    assert "target" not in cleaned
    assert "<blockquote><code>x</code></blockquote>" in cleaned
    assert "<h5>" not in cleaned and "h5" in cleaned
