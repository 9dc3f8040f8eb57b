"""Full-text search: stemming, prefixes, ranking, highlighting, filters, paging, and an index
that the write services keep current through imports and edits (SQLite FTS5, PostgreSQL GIN)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup

from ladder.handbook.sources import Source
from ladder.models import Item, JobFamily, Level, SearchDocument
from ladder.search import (
    PAGE_SIZE,
    SearchQuery,
    documents,
    excerpt,
    marked,
    parse_query,
    search,
    search_index_rebuild,
    search_words,
)
from ladder.services import (
    family_delete,
    family_import,
    item_save,
    level_delete,
    level_save,
)
from tests.ladder.test_views import import_big, import_seed, level_url

FAMILY = "sales-operations"


@pytest.fixture
def seed(db):
    import_seed()


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def find(text: str, **filters) -> list[str]:
    """Plain text of every hit on the first page (level titles and item texts)."""
    params = {"q": text, **{k: str(v) for k, v in filters.items()}}
    results = search(parse_query(params))
    return [_plain(hit.title if hit.kind == "level" else hit.text) for hit in results.hits]


def _plain(html: str) -> str:
    return BeautifulSoup(str(html), "html.parser").get_text()


# --------------------------------------------------------------------------- the page


def test_search_for_forecast_finds_the_senior_analyst_item_highlighted(client, seed):
    response = client.get("/search/", {"q": "forecast calls"})
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("#search-q")["value"] == "forecast calls"
    first = page.select_one(".result-item")
    assert first.select_one(".result-text").decode_contents() == (
        "Lead and facilitate <mark>forecast</mark> <mark>calls</mark>"
    )
    link = first.select_one(".result-meta a")
    assert link["href"] == level_url("sr-sales-operations-analyst") + "#responsibilities"
    assert link.get_text() == "Sr. Sales Operations Analyst"


def test_stemming_finds_every_form_of_a_word(seed):
    hits = find("forecasting")
    assert any(text == "Lead and facilitate forecast calls" for text in hits)
    assert any("Forecasting and supporting" in text for text in hits)
    assert any("weekly Sales Forecast" in text for text in hits)


def test_every_form_found_is_highlighted(client, seed):
    body = client.get("/search/", {"q": "forecasts "}).content.decode()
    assert "<mark>forecast</mark> calls" in body
    assert "<mark>Forecasting</mark>" in body


def test_the_word_being_typed_matches_as_a_prefix(seed):
    assert "Lead and facilitate forecast calls" in find("facilitate forec")
    # The same words followed by a space are whole words: "forec" alone is no word.
    assert find("forec ") == []


def test_every_word_must_match_and_fuller_matches_rank_first(seed):
    hits = find("forecast calls historical")
    assert hits[0].startswith("Lead and facilitate forecast calls, analyze historical data")
    assert all("forecast" in h.lower() and "historical" in h.lower() for h in hits)


def test_without_a_document_holding_every_word_any_word_counts(client, seed):
    page = soup(client.get("/search/", {"q": "forecast zzzyzx"}))
    assert "No level or item holds every word" in page.select_one(".search-status").get_text()
    assert page.select_one(".result-text mark").get_text().lower() == "forecast"


def test_search_finds_levels_by_title_before_items(client, seed):
    page = soup(client.get("/search/", {"q": "channel director"}))
    first = page.select_one(".result")
    assert "result-level" in first["class"]
    title = first.select_one(".result-title")
    assert title["href"] == level_url("director-sales-operations-channel")
    assert (
        title.decode_contents() == "<mark>Director</mark>, Sales Operations (<mark>Channel</mark>)"
    )
    assert "grade" in first.select_one(".result-meta").get_text()


def test_search_escapes_markup_in_the_query_and_the_text(client, seed):
    response = client.get("/search/", {"q": '<script>alert("x")</script> forecast'})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert" in body
    assert "<mark>forecast</mark>" in body
    assert str(marked("a <b> Forecasts & y", ("forecasting",))) == (
        "a &lt;b&gt; <mark>Forecasts</mark> &amp; y"
    )
    assert str(marked("<mark>", ("mark",))) == "&lt;<mark>mark</mark>&gt;"


def test_htmx_search_returns_only_the_results_partial(client, seed):
    response = client.get("/search/", {"q": "forecast"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="search-q"' not in body
    assert "<mark>forecast</mark>" in body
    assert "HX-Request" in response["Vary"]
    full = client.get("/search/", {"q": "forecast"}).content.decode()
    assert body.strip() in full


def test_history_restore_after_back_gets_the_whole_page(client, seed):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    response = client.get("/search/", {"q": "forecast"}, headers=headers)
    assert b"<html" in response.content


def test_empty_or_wordless_search_shows_no_results(client, seed):
    assert b"Type a word or two" in client.get("/search/").content
    assert b"Nothing to search for" in client.get("/search/", {"q": "?!"}).content
    assert b"No level or item matches" in client.get("/search/", {"q": "zzzyzx"}).content


# --------------------------------------------------------------------------- filters and pages


def test_family_filter_keeps_one_family(client, seed):
    import_big()
    assert len(find("forecast")) == PAGE_SIZE
    widgets = find("forecast", family="widget-engineering")
    assert widgets and all("forecast widgets" in text for text in widgets)
    sales = find("forecast", family=FAMILY)
    assert sales and not any("widgets" in text for text in sales)
    # Every family's name in the results searches within it; the chosen one is named.
    page = soup(client.get("/search/", {"q": "forecast"}))
    links = {a.get_text(): a["href"] for a in page.select(".result-family")}
    assert links["Sales Operations"] == f"/search/?q=forecast&family={FAMILY}"
    page = soup(client.get(links["Sales Operations"]))
    assert page.select_one("input[name=family]")["value"] == FAMILY
    chip = page.select_one("#search-family")
    assert "Sales Operations" in chip.get_text()
    assert chip.a["href"] == "/search/?q=forecast"
    assert {a.get_text() for a in page.select(".result-family")} == {"Sales Operations"}
    assert find("forecast", family="no-such-family") == []


def test_a_family_filter_falls_back_to_some_words_within_the_family(seed):
    import_big()
    # No Sales Operations document holds all three words: those holding all but one are
    # shown, and only from that family (the family is matched inside the index).
    results = search(parse_query({"q": "forecast calls widgets", "family": FAMILY}))
    assert results.any_word and results.hits
    assert {hit.family_slug for hit in results.hits} == {FAMILY}


def test_a_number_searched_matches_text_not_a_family_id(seed):
    import_big()
    family = JobFamily.objects.get(slug=FAMILY)
    number = str(family.pk)
    holding = [
        d.pk
        for d in SearchDocument.objects.all()
        if number in re.findall(r"\w+", f"{d.title} {d.body}")
    ]
    # The index holds each document's family id beside its text: a search for that number
    # finds the documents whose text holds it, not every document of the family.
    assert search(parse_query({"q": number + " "})).total == len(holding)


def test_grade_filter_matches_the_grade_page_rule(client, seed):
    # Sales Operations Analyst is grade 6; the Sr. Analyst (forecast calls) grade 7.
    assert "Lead and facilitate forecast calls" in find("forecast calls", grade=7)
    assert "Lead and facilitate forecast calls" not in find("forecast calls", grade=6)
    level = Level.objects.get(slug="sr-sales-operations-analyst")
    level.grade_max = Decimal("8")
    level_save(level=level)
    # A level graded 7–8 belongs to grade 8 too, as on /grades/8/.
    assert "Lead and facilitate forecast calls" in find("forecast calls", grade=8)
    page = soup(client.get("/search/", {"q": "forecast", "grade": "8"}))
    assert page.select_one("#search-grade option[selected]")["value"] == "8"


def test_bad_filters_and_pages_are_named_and_nothing_is_searched(client, seed):
    for params, message in [
        ({"grade": "nine"}, "is not a grade"),
        ({"grade": "9.55"}, "is not a grade"),
        ({"family": "<b>x</b>"}, "is not a family"),
        ({"page": "0"}, "The page must be a number"),
        ({"page": "x"}, "The page must be a number"),
    ]:
        response = client.get("/search/", {"q": "forecast", **params})
        assert response.status_code == 200
        page = soup(response)
        assert message in page.select_one("#search-results .errorlist").get_text(), params
        assert not page.select(".result")
    assert "<b>x</b>" not in client.get("/search/", {"q": "a", "family": "<b>x</b>"}).text


def test_pages_follow_each_other_without_overlap(client, db):
    import_big()  # 50 levels whose titles hold "widget", and many items
    query = parse_query({"q": "widget engineer"})
    first = search(query)
    assert first.total > 2 * PAGE_SIZE
    seen: list[str] = []
    for number in range(1, first.pages + 1):
        results = search(SearchQuery(**{**query.__dict__, "page": number}))
        assert results.total == first.total
        seen += [hit.url + _plain(hit.text) + _plain(hit.title) for hit in results.hits]
    assert len(seen) == first.total == len(set(seen))

    page = soup(client.get("/search/", {"q": "widget engineer", "page": "2"}))
    status = page.select_one(".search-status").get_text()
    assert f"{PAGE_SIZE + 1}–{2 * PAGE_SIZE} of {first.total}" in status
    assert page.select_one(".result-list")["start"] == str(PAGE_SIZE + 1)
    previous = page.select_one(".pager a[rel=prev]")["href"]
    assert previous == "/search/?q=widget+engineer"
    following = page.select_one(".pager a[rel=next]")["href"]
    assert following == "/search/?q=widget+engineer&page=3"
    assert page.select_one(".pager a[rel=next]")["hx-get"] == following
    beyond = soup(client.get("/search/", {"q": "widget engineer", "page": "40"}))
    assert "fewer than this page needs" in beyond.select_one(".search-status").get_text()


# --------------------------------------------------------------------------- the index


def test_import_writes_one_document_per_level_and_per_item_with_text(seed):
    family = JobFamily.objects.get(slug=FAMILY)
    levels = Level.objects.filter(family=family).count()
    items = Item.objects.filter(level__family=family).exclude(text="").count()
    assert SearchDocument.objects.filter(family=family).count() == levels + items


def test_index_follows_an_edit_through_the_service(seed):
    item = Item.objects.get(text="Lead and facilitate forecast calls")
    item.text = "Lead and facilitate quarterly **budgeting** sessions"
    item_save(item=item)
    assert "Lead and facilitate forecast calls" not in find("forecast calls")
    assert find("budgeting sessions") == ["Lead and facilitate quarterly budgeting sessions"]
    # A new grade shows in the filter at once.
    level_save(level=Level.objects.get(pk=item.level_id), grade_number=Decimal("12"))
    assert find("budgeting", grade=12) == ["Lead and facilitate quarterly budgeting sessions"]


def test_index_follows_a_reimport_and_a_removed_family(db):
    page = "---\ntitle: Kite Roles\n---\n\n## Kite Flyer\n\n### Responsibilities\n\n- {}\n"
    family_import(sources=[Source("kite.md", page.format("Fly kites on windy days").encode())])
    assert find("windy") == ["Fly kites on windy days"]
    family_import(sources=[Source("kite.md", page.format("Mend torn kites").encode())])
    assert find("windy") == []
    assert find("mending") == ["Mend torn kites"]
    assert find("flyer") == ["Kite Flyer"]
    family_delete(family=JobFamily.objects.get(source_name="kite.md"))
    assert find("kites") == []
    assert SearchDocument.objects.count() == 0


def test_a_dry_run_leaves_the_index_as_it_was(seed):
    before = SearchDocument.objects.count()
    family_import(
        sources=[Source("x.md", b"---\ntitle: Yak Roles\n---\n\n## Yak Herder\n\n- Herd yaks\n")],
        dry_run=True,
    )
    assert SearchDocument.objects.count() == before
    assert find("herder") == []


def test_rebuild_gives_the_same_documents(seed):
    def snapshot():
        return sorted(
            SearchDocument.objects.values_list("level_id", "section", "position", "title", "body")
        )

    before = snapshot()
    SearchDocument.objects.all().delete()
    assert find("forecast") == []
    search_index_rebuild()
    assert snapshot() == before
    assert find("forecast calls")


def test_documents_are_plain_text_without_control_characters():
    rows = documents(
        [(1, 2, "Lead", "Track A", "A **bold** [link](/x) \x02", None, None)],
        [(1, "requirements", 3, "Use [Salesforce](https://s.example) daily\x03")],
    )
    assert rows == [
        (2, 1, "", 0, None, None, "Lead", "Track A · A bold link"),
        (2, 1, "requirements", 3, None, None, "", "Use Salesforce daily"),
    ]


def test_a_level_found_by_its_description_shows_the_words_around_the_match():
    text = " ".join(f"w{n}" for n in range(40)) + " forecasting " + "tail " * 30
    shown = excerpt(text, ("forecast",))
    assert shown.startswith("… ") and shown.endswith(" …")
    assert "forecasting" in shown and len(shown.split()) <= 26
    assert excerpt("nothing here", ("forecast",)) == ""


def test_search_words_drop_stop_words_and_duplicates():
    assert search_words("Lead the FORECAST calls, forecast") == ["lead", "forecast", "calls"]
    assert search_words("the") == ["the"]
    assert len(search_words(" ".join(f"w{n}" for n in range(30)))) == 8


def test_parse_query_reads_the_prefix_and_filters():
    query = parse_query({"q": "  forecast pla", "family": "sales-operations", "grade": "9.5"})
    assert query.words == ("forecast", "pla") and query.prefix
    assert (query.family, query.grade, query.page, query.errors) == (
        "sales-operations",
        Decimal("9.5"),
        1,
        (),
    )
    assert not parse_query({"q": "forecast "}).prefix
    assert not parse_query({"q": "forecast?"}).prefix


def test_the_sqlite_index_agrees_with_the_documents_through_every_write(db_vendor):
    if db_vendor != "sqlite":
        pytest.skip("FTS5 is SQLite's index; PostgreSQL's is a generated column")
    from django.db import connection

    from ladder.search import FTS_TABLE

    def check() -> None:
        # FTS5 compares its index with the content table: any drift raises.
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)"
            )

    import_seed()
    check()
    item = Item.objects.get(text="Lead and facilitate forecast calls")
    item.text = "Lead budget calls"
    item_save(item=item)
    check()
    level_delete(level=item.level)  # cascades to its documents
    check()
    import_big()
    family_delete(family=JobFamily.objects.get(slug=FAMILY))
    check()
    assert find("forecast", family=FAMILY) == []


def test_past_the_ranked_window_the_page_says_more_than_it_without_counting(
    client, db, monkeypatch
):
    """Counting every match of a common word was most of a search on a large ladder, for a
    total no page can reach: past the window the page says "more than" the window."""
    import_big()
    query = parse_query({"q": "widget engineer"})
    everything = search(query).total
    window = PAGE_SIZE + 5
    assert everything > window + 1
    monkeypatch.setattr("ladder.search.RANK_WINDOW", window)
    results = search(query)
    assert results.windowed
    assert results.total == window + 1  # one past the window, not every match
    assert results.pages == 2  # the window's matches, page by page
    last = search(SearchQuery(**{**query.__dict__, "page": 2}))
    assert len(last.hits) == window - PAGE_SIZE
    status = soup(client.get("/search/", {"q": "widget engineer"})).select_one(".search-status")
    text = " ".join(status.get_text().split())
    assert f"1–{PAGE_SIZE} of more than {window} results" in text
    assert f"the best of the first {window}" in text
    assert str(everything) not in text
