"""Shared steps of the journey tests: the corpus, signing in, sideways scroll and axe-core."""

from __future__ import annotations

import json
import time

from axe_playwright_python.sync_playwright import Axe

from ladder.handbook.sources import collect_sources
from ladder.services import family_import
from postings.services import collect_sources as posting_sources
from postings.services import posting_import
from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "data" / "corpus"
SERIOUS = {"serious", "critical"}
_axe = Axe()


def load_corpus(*, postings: bool = False) -> None:
    """The real corpus: 145 families (and its postings), as the issue's journeys had them."""
    family_import(sources=collect_sources([CORPUS / "handbook", CORPUS / "handbook-current"]))
    if postings:
        posting_import(sources=posting_sources([CORPUS / "postings"]))


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")


def wait_until(page, script: str, timeout: float = 10.0) -> None:
    """Poll ``script`` in the page until it is true (``wait_for_function`` evaluates a string,
    which our Content Security Policy forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {script}")
        page.wait_for_timeout(100)


def assert_no_sideways_scroll(page, where: str) -> None:
    sizes = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if sizes[0] > sizes[1]:
        culprits = page.evaluate(
            """() => {
              const w = document.documentElement.clientWidth;
              return [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > w + 1)
                .slice(-5).map(e => e.tagName + '.' + e.className + ' ' +
                  Math.round(e.getBoundingClientRect().right));
            }"""
        )
        raise AssertionError(f"{where} scrolls sideways: {sizes[0]} > {sizes[1]} px; {culprits}")


def assert_accessible(page, where: str) -> None:
    """No serious or critical axe-core violation on the page as shown."""
    results = _axe.run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
    details = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:5]],
        }
        for v in bad
    ]
    assert not bad, f"{where}: {json.dumps(details, indent=1)}"
