"""127 XSS payloads in handbook titles and items, postings and search: nothing runs in Chromium."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.core.management import call_command

from ladder.handbook.sources import Source
from ladder.models import JobFamily, Level
from ladder.services import family_import
from postings.models import Posting
from postings.services import Source as PostingSource
from postings.services import posting_import
from tests.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PAYLOADS = [
    line
    for line in (ROOT / "tests" / "data" / "xss" / "payloads.txt").read_text().splitlines()
    if line and not line.startswith("#")
]


def test_the_corpus_has_at_least_100_payloads():
    assert len(PAYLOADS) >= 100


def _handbook() -> bytes:
    lines = [
        "---",
        'title: "XSS <script>alert(1)</script> Roles"',
        "---",
        "",
        "Intro <img src=x onerror=alert(1)> [link](javascript:alert(1))",
        "",
        "## Hostile Levels",
        "",
    ]
    for index, chunk in enumerate(range(0, len(PAYLOADS), 32)):
        title = f"Level {index} <svg onload=alert({index})>"
        lines += [
            f"### {title}",
            "",
            "#### Job Grade",
            "",
            f"The {title} is a grade {5 + index}.",
            "",
            f"#### {title} Responsibilities",
            "",
        ]
        lines += [f"- {payload}" for payload in PAYLOADS[chunk : chunk + 32]]
        lines += ["", f"#### {title} Requirements", ""]
        if index:
            parent = f"Level {index - 1} <svg onload=alert({index - 1})>"
            lines.append(f"- Extends that of the {parent} Requirements")
        lines += [f"- Requirement {index} <b onmouseover=alert(1)>bold</b>", ""]
    return "\n".join(lines).encode()


def _posting_html() -> bytes:
    items = "".join(f"<li>{p}</li>" for p in PAYLOADS)
    return (
        b"<h2>Hostile <script>alert(1)</script> Posting</h2>"
        b'<div id="jobDescriptionText"><b>Requirements</b><ul>'
        + items.encode()
        + b'</ul><iframe src="https://xss.invalid/"><iframe srcdoc="<script>alert(2)</script>">'
        b'</iframe></iframe><div title="' + b"A" * 200_000 + b'">enormous attribute</div></div>'
    )


def _posting_markdown() -> bytes:
    body = "\n".join(f"- {p}" for p in PAYLOADS)
    return (
        '---\ntitle: "Markdown <script>alert(1)</script>"\n'
        'companyName: "<img src=x onerror=alert(1)>"\n'
        f"---\n## Requirements\n{body}\n"
    ).encode()


def test_no_payload_runs_on_any_page(live_server, page):
    family_import(sources=[Source("xss.md", _handbook())])
    posting_import(
        sources=[
            PostingSource("hostile.html", _posting_html()),
            PostingSource("hostile.md", _posting_markdown()),
        ]
    )
    dialogs: list[str] = []
    outside: list[str] = []
    console: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on(
        "request",
        lambda r: None if r.url.startswith((live_server.url, "data:")) else outside.append(r.url),
    )
    page.on("console", lambda m: m.type == "error" and console.append(m.text))
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(live_server.url) else route.abort()
        ),
    )
    family = JobFamily.objects.get()
    levels = list(Level.objects.filter(family=family).order_by("position"))
    urls = ["/", family.get_absolute_url(), f"/families/{family.slug}/history/"]
    urls += [level.get_absolute_url() for level in levels]
    urls.append(f"/compare/?level={levels[0].key}&level={levels[1].key}&level={levels[2].key}")
    urls.append(f"/grades/{levels[0].grade.display}/")
    urls += [f"/search/?q={quote(p)}" for p in PAYLOADS[::8]]
    urls.append("/search/?q=alert")
    urls.append("/postings/")
    for posting in Posting.objects.all():
        urls.append(posting.get_absolute_url())
        urls.append(f"/postings/{posting.pk}/compare/{levels[0].key}/")
    for url in urls:
        response = page.goto(live_server.url + url)
        assert response.status < 500, url
        assert page.evaluate("window.__xss === undefined"), url
    assert dialogs == []
    assert outside == []
    assert console == []
    call_command("check")  # the app is still healthy
