"""Pages of one family are cached under that family's token: an edit elsewhere keeps them.

A page served from the cache renders no template, so ``response.templates`` tells a hit from
a render. Pages that list families (home, search, compare pickers) keep the ladder's number.
"""

from __future__ import annotations

import pytest
from django.test import Client

from ladder.caching import family_token
from ladder.handbook.sources import Source
from ladder.models import Item, JobFamily, Level
from ladder.services import family_delete, family_import, family_save, item_save, level_save
from tests.conftest import ALPHA_PAGE, BETA_PAGE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]
ALPHA, BETA = ALPHA_PAGE, BETA_PAGE
GAMMA = ALPHA.replace(b"Alpha", b"Gamma").replace(b"alpha", b"gamma")
ALPHA_SENIOR = "/families/alpha/senior-analyst/"
BETA_SENIOR = "/families/beta/senior-analyst/"
PARTIAL = {"HX-Request": "true", "HX-Target": "comparison"}


def _import(*pages: tuple[str, bytes]) -> None:
    family_import(sources=[Source(name, text) for name, text in pages])


@pytest.fixture
def two_families() -> None:
    _import(("alpha.md", ALPHA), ("beta.md", BETA))


def _hit(client: Client, url: str, **kwargs) -> bool:
    """Whether the page came from the cache (no template rendered)."""
    response = client.get(url, **kwargs)
    assert response.status_code in (200, 404), response.status_code
    return not response.templates


def _level(family: str, slug: str = "senior-analyst") -> Level:
    return Level.objects.select_related("family").get(family__slug=family, slug=slug)


def _link(report: Level, manager: Level | None) -> None:
    """``report`` reports to ``manager`` (another family's level), saved like an HR edit."""
    report.reports_to = manager
    level_save(level=report)


def test_an_edit_of_one_family_keeps_every_other_familys_pages_cached(client: Client, two_families):
    beta_pages = [BETA_SENIOR, "/families/beta/", "/families/beta/history/"]
    for url in [ALPHA_SENIOR, *beta_pages]:
        assert not _hit(client, url)
        assert _hit(client, url)
    before = client.get(BETA_SENIOR).content
    item = Item.objects.get(level=_level("alpha"), text="Lead alpha work")
    item.text = "Lead the alpha guild"
    item_save(item=item)

    assert not _hit(client, ALPHA_SENIOR)
    assert "Lead the alpha guild" in client.get(ALPHA_SENIOR).content.decode()
    for url in beta_pages:
        assert _hit(client, url), url
    assert client.get(BETA_SENIOR).content == before


def test_a_family_extending_the_edited_one_is_rendered_again(client: Client):
    _import(("alpha.md", ALPHA), ("beta.md", BETA))
    link = Item.objects.get(level=_level("beta"), extends_level__isnull=False)
    link.extends_level = _level("alpha", "analyst")  # Beta's senior builds on Alpha's analyst
    item_save(item=link)
    assert "Alpha duty one" in client.get(BETA_SENIOR).content.decode()
    item = Item.objects.get(level=_level("alpha", "analyst"), text="Alpha duty one")
    item.text = "Alpha duty, reworded"
    item_save(item=item)
    assert not _hit(client, BETA_SENIOR)
    assert "Alpha duty, reworded" in client.get(BETA_SENIOR).content.decode()


def test_a_family_title_change_reaches_the_home_page_and_linked_families(
    client: Client, two_families
):
    _link(_level("beta", "analyst"), _level("alpha"))
    page = client.get(ALPHA_SENIOR).content.decode()
    assert "(Beta)" in page  # reporting to it, from another family
    assert "/families/beta/" in client.get("/").content.decode()
    assert _hit(client, "/")
    family = JobFamily.objects.get(slug="beta")
    family.title = "Beta Crew"
    family_save(family=family)

    assert "(Beta Crew)" in client.get(ALPHA_SENIOR).content.decode()
    assert "Beta Crew" in client.get("/").content.decode()


def test_a_link_removed_by_the_other_family_reaches_the_family_that_lost_it(
    client: Client, two_families
):
    """The edit names only Beta; Alpha's page listed Beta's level as reporting to it."""
    report = _level("beta", "analyst")
    _link(report, _level("alpha"))
    assert "(Beta)" in client.get(ALPHA_SENIOR).content.decode()
    assert _hit(client, ALPHA_SENIOR)
    _link(report, None)
    assert "(Beta)" not in client.get(ALPHA_SENIOR).content.decode()


def test_a_manager_renamed_in_its_family_reaches_the_level_reporting_to_it(
    client: Client, two_families
):
    _link(_level("beta", "analyst"), _level("alpha"))
    url = "/families/beta/analyst/"
    assert "Senior Analyst" in client.get(url).content.decode()
    manager = _level("alpha")
    manager.title = "Principal Analyst"
    level_save(level=manager)
    assert "Principal Analyst" in client.get(url).content.decode()


def test_a_deleted_family_leaves_the_home_page_and_its_linked_families(
    client: Client, two_families
):
    _link(_level("beta", "analyst"), _level("alpha"))
    _import(("gamma.md", GAMMA))
    gamma = "/families/gamma/senior-analyst/"
    for url in ("/", ALPHA_SENIOR, BETA_SENIOR, gamma):
        client.get(url)
    family_delete(family=JobFamily.objects.get(slug="beta"))

    assert "/families/beta/" not in client.get("/").content.decode()
    assert client.get(BETA_SENIOR).status_code == 404
    assert "(Beta)" not in client.get(ALPHA_SENIOR).content.decode()
    assert _hit(client, gamma)  # linked to neither


def test_a_new_family_reaches_the_home_page_and_its_cached_404_becomes_a_page(
    client: Client, two_families
):
    gamma = "/families/gamma/senior-analyst/"
    assert client.get(gamma).status_code == 404
    assert _hit(client, gamma)
    client.get("/")
    client.get(BETA_SENIOR)
    _import(("gamma.md", GAMMA))

    assert client.get(gamma).status_code == 200
    assert "/families/gamma/" in client.get("/").content.decode()
    assert _hit(client, BETA_SENIOR)


def test_a_compare_partial_of_one_familys_levels_is_kept_across_other_families_edits(
    client: Client, two_families
):
    own = "/compare/?level=beta/analyst&level=beta/senior-analyst"
    across = "/compare/?level=alpha/analyst&level=beta/analyst"
    options = "/compare/levels/?family-1=beta"
    for url, headers in ((own, PARTIAL), (across, PARTIAL), (own, {}), (options, {})):
        assert not _hit(client, url, headers=headers)
    family = JobFamily.objects.get(slug="alpha")
    family.title = "Alpha Crew"
    family_save(family=family)

    assert _hit(client, own, headers=PARTIAL)
    assert _hit(client, options)
    assert not _hit(client, across, headers=PARTIAL)  # shows Alpha's title
    assert "Alpha Crew" in client.get(own).content.decode()  # the whole page's pickers


def test_a_compare_page_is_kept_until_its_families_or_the_family_list_change(
    client: Client, two_families
):
    """Its pickers list every family by title: an edit of a third family's items keeps it,
    a new family (a new option) does not."""
    _import(("gamma.md", GAMMA))
    url = "/compare/?level=alpha/analyst&level=beta/analyst"
    assert not _hit(client, url)
    item = Item.objects.get(level=_level("gamma"), text="Lead gamma work")
    item.text = "Lead the gamma guild"
    item_save(item=item)
    assert _hit(client, url)
    _import(("delta.md", GAMMA.replace(b"Gamma", b"Delta").replace(b"gamma", b"delta")))
    assert not _hit(client, url)
    assert 'value="delta"' in client.get(url).content.decode()


def test_tokens_change_with_the_family_and_its_links_only(two_families):
    def tokens() -> dict[str, str]:
        return {slug: family_token(slug) for slug in ("alpha", "beta", "gamma")}

    before = tokens()
    assert before["gamma"] == ""  # no such family (yet): its pages keep the ladder's number
    _import(("gamma.md", GAMMA))
    after = tokens()
    assert after["alpha"] == before["alpha"]
    assert after["beta"] == before["beta"]
    assert after["gamma"]
    _link(_level("gamma", "analyst"), _level("alpha"))
    linked = tokens()
    assert linked["beta"] == after["beta"]
    assert linked["alpha"] != after["alpha"]
    assert linked["gamma"] != after["gamma"]


@pytest.mark.django_db(transaction=True)
def test_a_cached_family_page_costs_no_query_after_another_familys_edit(
    client: Client, django_assert_num_queries
):
    _import(("alpha.md", ALPHA), ("beta.md", BETA))
    client.get(BETA_SENIOR)
    client.get("/families/beta/analyst/")
    with django_assert_num_queries(0):  # the version, Beta's token and the page: cached
        assert _hit(client, BETA_SENIOR)
    item = Item.objects.get(level=_level("alpha"), text="Lead alpha work")
    item.text = "Lead the alpha guild"
    item_save(item=item)
    with django_assert_num_queries(1):  # Beta's token at the new version, once
        assert _hit(client, BETA_SENIOR)
    with django_assert_num_queries(0):
        assert _hit(client, "/families/beta/analyst/")


# --------------------------------------------------------------------------- find a level


def test_the_level_page_lists_only_its_own_family_and_a_find_box(client: Client, two_families):
    page = client.get(ALPHA_SENIOR).content.decode()
    assert 'id="compare-find"' in page and 'name="find"' in page
    assert 'value="alpha/analyst"' in page  # its own family's levels in the select
    assert "beta/analyst" not in page  # no list of every family's levels


def test_find_answers_levels_of_any_family_as_links_to_the_comparison(client: Client, two_families):
    response = client.get(
        "/compare/find/?level=alpha/senior-analyst&find=beta analyst",
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "/compare/?level=alpha/senior-analyst&amp;level=beta/analyst" in body
    assert "level=beta/senior-analyst" in body  # "Senior Analyst" holds "analyst" too
    assert "level=alpha/analyst" not in body  # "beta" is in neither its titles
    assert 'hx-target="#comparison"' in body
    short = client.get("/compare/find/?level=alpha/senior-analyst&find=b").content.decode()
    assert "at least two letters" in short
    none = client.get("/compare/find/?level=alpha/senior-analyst&find=zebra").content.decode()
    assert "No level matches “zebra”" in none
    bad = client.get("/compare/find/?level=alpha/nope&find=beta")
    assert bad.status_code == 400 and "no level “nope”" in bad.content.decode()


def test_find_without_javascript_lists_the_matches_on_the_compare_page(
    client: Client, two_families
):
    body = client.get("/compare/?level=alpha/senior-analyst&find=beta senior").content.decode()
    assert "<html" in body and "Compare Senior Analyst with…" in body
    assert 'href="/compare/?level=alpha/senior-analyst&amp;level=beta/senior-analyst"' in body
    assert 'level=beta/analyst"' not in body
