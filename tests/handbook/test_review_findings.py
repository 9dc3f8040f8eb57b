"""Session 6's browser review of the real corpus: three misreadings, each a general rule.

The pages are the real ones under ``tests/data/corpus``; the short pages written here only pin
the rule's edges (what it must not catch).
"""

from __future__ import annotations

from ladder.handbook import parse_handbook
from ladder.rendering import markdown_to_html
from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "data" / "corpus"


def page(name: str):
    path = CORPUS / name
    return parse_handbook(path.read_bytes(), path.name)


# 1. A list right under a paragraph line is a list.


def test_lists_under_the_opening_paragraphs_are_kept_in_the_family_description():
    family = page("handbook/finance--data-science.md")
    lead = "Data Scientists work with peers on the Data Team and functional teams to:"
    assert f"{lead}\n\n- perform ad-hoc exploratory analysis\n" in family.description
    assert "- account scoring\n" in family.description
    assert family.description.index("- account scoring") < family.description.index(
        "Data Scientists are a part of the"
    )


def test_a_list_after_a_blank_line_in_the_opening_is_kept_too():
    family = page("handbook/sales--renewal-operations-analyst.md")
    assert "Key objectives include:\n\n- Optimize and scale the renewal management" in (
        family.description
    )


def test_a_list_line_right_under_a_paragraph_line_renders_as_a_list():
    html = markdown_to_html(
        "Teams to:\n  * perform analysis\n  * solve problems\n\nExample projects include:\n"
        "- account scoring\n",
        inline=False,
    )
    assert "<p>Teams to:</p>\n<ul>\n<li>perform analysis</li>\n<li>solve problems</li>" in html
    assert "<p>Example projects include:</p>\n<ul>\n<li>account scoring</li>" in html


def test_what_is_not_a_list_start_stays_in_its_paragraph():
    # CommonMark's edges: an ordered list starting past 1, a line indented as code, a rule.
    html = markdown_to_html("Ranges:\n2. is the second\n\nWrapped\n     - deep\n", inline=False)
    assert "<li>" not in html
    # Lines inside a list and in code fences are left alone.
    assert markdown_to_html("- a\n  wrapped\n- b\n", inline=False) == (
        "<ul>\n<li>a\n  wrapped</li>\n<li>b</li>\n</ul>"
    )
