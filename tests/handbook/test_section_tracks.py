"""Two ladders on one page are two tracks (session 7).

The Alliances page writes "## Alliance Business Development" over seven levels and "## Alliances
Partner Manager" over eight. They were read as one track ordered by grade, so "Next on this
track" from a business developer led to a partner manager. The real page is under
``tests/data/corpus``; the short pages pin what must stay one track.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from ladder.handbook import parse_handbook
from ladder.handbook.sources import Source
from ladder.models import Level
from ladder.services import family_import
from tests.conftest import ROOT

ALLIANCES = (
    ROOT / "tests" / "data" / "corpus" / "handbook" / "alliances--alliances-job-family-matrix.md"
)


def tracks(source: str | bytes) -> dict[str, str]:
    return {lv.title: lv.group for lv in parse_handbook(source, "page.md").levels}


def test_each_section_over_levels_of_its_own_is_a_track():
    found = tracks(ALLIANCES.read_bytes())
    assert found["Senior Alliances Business Development Manager"] == (
        "Alliance Business Development"
    )
    assert found["Staff Alliances Partner Manager"] == "Alliances Partner Manager"
    assert found["Director, Partnerships"] == "Partnerships"
    assert found["VP, Alliances"] == "Leadership"


def level(role: str) -> str:
    return f"### {role}\n#### Job Grade\nThe {role} is a grade 7.\n#### Responsibilities\n- Work\n"


def test_one_section_over_levels_is_not_a_track_of_its_own():
    page = "---\ntitle: Tea\n---\n## Tasting\n" + level("Taster") + level("Senior Taster")
    assert tracks(page) == {"Taster": "", "Senior Taster": ""}


def test_sections_that_are_levels_themselves_are_not_tracks():
    page = "---\ntitle: Tea\n---\n" + "".join(
        f"## {role}\n#### Job Grade\nThe {role} is a grade 7.\n#### Responsibilities\n- Work\n"
        for role in ("Taster", "Senior Taster", "Blender", "Senior Blender")
    )
    assert set(tracks(page).values()) == {""}


def test_a_group_heading_keeps_its_levels():
    page = (
        "---\ntitle: Tea\n---\n## Tasting\n## Tasting Levels\n"
        + level("Taster")
        + level("Senior Taster")
        + "## Blending\n"
        + level("Blender")
        + level("Senior Blender")
    )
    found = tracks(page)
    assert found["Taster"] == "Tasting Levels"
    # The other section is a track of its own already (no group), and stays so.
    assert found["Blender"] == found["Senior Blender"] == ""


@pytest.mark.django_db
def test_next_on_this_track_stays_on_its_ladder(client):
    family_import(sources=[Source(ALLIANCES.name, ALLIANCES.read_bytes())])
    senior = Level.objects.get(title="Senior Alliances Business Development Manager")
    page = client.get(reverse("ladder:level", args=[senior.family.slug, senior.slug]))
    assert page.status_code == 200
    assert page.context["next"].title == "Manager, Alliances Business Development"
    assert page.context["previous"].title == "Alliances Business Development Manager"
