"""The matcher's level index after an edit: that family's levels rebuilt, no global rebuild."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from ladder.handbook.sources import Source
from ladder.models import Item, Level
from ladder.services import family_import, item_save, ladder_changed, level_save
from postings import services
from postings.level_index import LevelProfile, build_index, index_compact, index_replace
from postings.matching import rank_levels
from postings.parsing import parse_posting
from tests.conftest import ROOT

SEED = ROOT / "fixtures" / "handbook" / "sales-operations.md"
POSTINGS = ROOT / "fixtures" / "postings"
CORPUS = ROOT / "tests" / "data" / "corpus" / "handbook"


def _profiles(family: str, items: dict[str, list[str]]) -> list[LevelProfile]:
    return [
        LevelProfile(
            f"{family}/{title.lower().replace(' ', '-')}",
            title,
            family.title(),
            6.0 + n,
            tuple(("requirements", text) for text in texts),
        )
        for n, (title, texts) in enumerate(items.items())
    ]


SALES = {
    "Sales Analyst": ["SQL and Excel reporting", "Forecast calls with sales leaders"],
    "Sales Manager": ["Lead a team of analysts", "Own the quarterly forecast"],
}
DATA_BEFORE = {
    "Data Analyst": ["Build dashboards in Looker", "SQL modelling"],
    "Data Engineer": ["Pipelines in Airflow", "Python and dbt"],
}
DATA_AFTER = {
    "Data Analyst": ["Build dashboards in Tableau", "SQL modelling", "Forecast revenue"],
    "Data Scientist": ["Forecast churn with Python models", "Experiment design"],
}


def test_replacing_a_family_ranks_as_a_full_build_does():
    sales = _profiles("sales", SALES)
    before = build_index(sales + _profiles("data", DATA_BEFORE))
    replaced = index_replace(before, families=["data"], profiles=_profiles("data", DATA_AFTER))
    full = build_index(sales + _profiles("data", DATA_AFTER))
    for text in (
        "Data Scientist\n\nRequirements:\n- Forecast churn with Python models\n",
        "Sales Analyst\n\nRequirements:\n- SQL and Excel reporting\n",
        "Data Engineer\n\nRequirements:\n- Pipelines in Airflow\n",
    ):
        posting = parse_posting(text)
        got = [(m.key, m.confidence) for m in rank_levels(posting, replaced)]
        want = [(m.key, m.confidence) for m in rank_levels(posting, full)]
        assert got == want, text
        compacted = [(m.key, m.confidence) for m in rank_levels(posting, index_compact(replaced))]
        assert compacted == want, text
        assert "data/data-engineer" not in {key for key, _ in got}  # replaced levels never rank
    # Title heads (the head-agreement signal) follow the families replaced, per title set.
    compact = index_compact(replaced)
    assert [compact.title_vocabulary[h] for h in compact.title_heads] == [
        full.title_vocabulary[h] for h in full.title_heads
    ]


def test_replacing_a_family_by_itself_changes_no_score():
    sales, data = _profiles("sales", SALES), _profiles("data", DATA_BEFORE)
    built = build_index(sales + data)
    replaced = index_replace(built, families=["sales"], profiles=sales)
    assert replaced.families == ["sales", "data", "sales"]
    assert replaced.family_alive.tolist() == [False, True, True]
    for text in (
        "Sales Manager\n\nRequirements:\n- Own the quarterly forecast\n",
        "Senior Data Engineer\n\nRequirements:\n- Python and dbt pipelines\n",
    ):
        posting = parse_posting(text)
        want = [(m.key, m.score, m.confidence, m.explanation) for m in rank_levels(posting, built)]
        for index in (replaced, index_compact(replaced)):
            got = [
                (m.key, m.score, m.confidence, m.explanation) for m in rank_levels(posting, index)
            ]
            assert got == want, text


def test_a_deleted_family_never_ranks_and_a_new_one_does():
    sales, data = _profiles("sales", SALES), _profiles("data", DATA_BEFORE)
    index = index_replace(build_index(sales + data), families=["data"], profiles=[])
    posting = parse_posting("Data Engineer\n\nRequirements:\n- Pipelines in Airflow\n")
    assert {m.key.split("/")[0] for m in rank_levels(posting, index)} == {"sales"}
    index = index_replace(index, families=["data"], profiles=data)
    assert rank_levels(posting, index)[0].key == "data/data-engineer"
    only_dead = index_replace(build_index(data), families=["data"], profiles=[])
    assert rank_levels(posting, only_dead) == []
    with pytest.raises(ValueError, match="sales"):
        index_replace(index, families=["data"], profiles=sales)


def test_replacing_twice_keeps_one_live_copy_of_each_level():
    index = build_index(_profiles("sales", SALES) + _profiles("data", DATA_BEFORE))
    for _ in range(3):
        index = index_replace(index, families=["data"], profiles=_profiles("data", DATA_AFTER))
    live = [p.key for p, alive in zip(index.profiles, index.alive, strict=True) if alive]
    assert sorted(live) == sorted(
        p.key for p in _profiles("sales", SALES) + _profiles("data", DATA_AFTER)
    )
    posting = parse_posting("Data Scientist\n\nRequirements:\n- Experiment design\n")
    keys = [m.key for m in rank_levels(posting, index)]
    assert len(keys) == len(set(keys)) == 4


@pytest.fixture
def ladder(db):
    family_import(sources=[Source(SEED.name, SEED.read_bytes())])
    return Item.objects.get(text="Lead and facilitate forecast calls")


def _live(index) -> list:
    alive = [True] * len(index.profiles) if index.alive is None else index.alive
    return [profile for profile, live in zip(index.profiles, alive, strict=True) if live]


def _texts(index) -> set[str]:
    return {text for profile in _live(index) for _, text in profile.items}


def test_an_edit_refreshes_the_cached_index_for_its_family_only(
    ladder, monkeypatch, django_capture_on_commit_callbacks
):
    first = services.level_index()  # built whole: nothing was cached
    assert "Lead and facilitate forecast calls" in {t for p in first.profiles for _, t in p.items}
    monkeypatch.setattr(services, "_build_level_index", lambda: pytest.fail("rebuilt whole"))
    with django_capture_on_commit_callbacks(execute=True):
        ladder.text = "Lead and facilitate quarterly budget calls"
        item_save(item=ladder)
    index = services.level_index()
    assert "Lead and facilitate quarterly budget calls" in _texts(index)
    assert "Lead and facilitate forecast calls" not in _texts(index)
    assert int(index.alive.sum()) == len(first.profiles)


def test_readers_keep_the_previous_index_while_the_refresh_is_on_its_way(
    ladder, monkeypatch, django_capture_on_commit_callbacks
):
    first = services.level_index()
    monkeypatch.setattr(services, "_build_level_index", lambda: pytest.fail("rebuilt whole"))
    # The edit commits, but its refresh has not landed yet (callbacks not run).
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ladder_changed(family_ids={ladder.level.family_id})
    assert callbacks
    assert services.level_index() is not None  # the previous index, not a rebuild
    assert [p.key for p in services.level_index().profiles] == [p.key for p in first.profiles]


def test_without_a_cached_index_to_build_on_the_next_reader_builds_it(
    ladder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ladder_changed(family_ids={ladder.level.family_id})
    cache.delete(services.LATEST_INDEX_KEY)
    index = services.level_index()
    assert len(index.profiles) == 17 and index.alive is None


def test_a_posting_import_carries_the_index_to_the_new_version(
    ladder, monkeypatch, django_capture_on_commit_callbacks
):
    services.level_index()
    monkeypatch.setattr(services, "_build_level_index", lambda: pytest.fail("rebuilt whole"))
    with django_capture_on_commit_callbacks(execute=True):
        services.posting_import(
            sources=[
                services.Source(p.name, p.read_bytes()) for p in sorted(POSTINGS.iterdir())[:1]
            ]
        )
    posting = services.Posting.objects.get()
    assert len(services.posting_matches(posting)) == 5


def test_a_worker_reuses_the_index_it_read_until_another_is_stored(ladder, monkeypatch):
    first = services.level_index()
    calls = []
    real_get = cache.get

    def counting_get(key, *args, **kwargs):
        calls.append(key)
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", counting_get)
    assert services.level_index() is first  # the same state: nothing loaded
    assert not [key for key in calls if key.startswith("ladder:level-index:base:")]
    services._publish_index(services.content_version(), services._build_level_index())
    assert services.level_index() is not first  # a new whole index: read again


def test_an_edit_stores_a_delta_and_every_hundredth_the_index_whole(
    ladder, monkeypatch, django_capture_on_commit_callbacks
):
    services.level_index()
    monkeypatch.setattr(services, "MAX_DELTAS", 3)
    monkeypatch.setattr(services, "_build_level_index", lambda: pytest.fail("rebuilt whole"))
    bases = []
    for n in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            ladder.text = f"Lead and facilitate forecast calls, take {n}"
            item_save(item=ladder)
        state = cache.get(services._index_key(services.content_version()))
        bases.append((state.base, len(state.deltas)))
        assert f"Lead and facilitate forecast calls, take {n}" in _texts(services.level_index())
    assert [count for _, count in bases] == [1, 2, 0, 1]  # the third edit compacted
    assert bases[0][0] == bases[1][0] != bases[2][0] == bases[3][0]
    assert services.level_index().alive is not None  # one delta since the compaction
    assert (
        len(
            [
                p
                for p, live in zip(
                    services.level_index().profiles, services.level_index().alive, strict=True
                )
                if live
            ]
        )
        == 17
    )


def _ranking(posting, index) -> list[tuple[str, str]]:
    return [(m.key, m.confidence) for m in rank_levels(posting, index, limit=10)]


def test_an_edit_through_the_write_service_ranks_as_a_full_rebuild_would(
    ladder, monkeypatch, django_capture_on_commit_callbacks
):
    pages = ["sales--inside-sales.md", "sales--renewals.md", "sales--area-sales-manager.md"]
    family_import(sources=[Source(name, (CORPUS / name).read_bytes()) for name in pages])
    path = POSTINGS / "inside-sales-manager.html"
    posting = parse_posting(path.read_bytes(), path.name)
    before = _ranking(posting, services.level_index())  # built whole
    monkeypatch.setattr(services, "_build_level_index", lambda: pytest.fail("rebuilt whole"))
    # A sales-operations level takes the posting's title: that family now names the job.
    level = Level.objects.select_related("family").get(pk=ladder.level_id)
    level.title = "Inside Sales Manager"
    with django_capture_on_commit_callbacks(execute=True):
        level_save(level=level)
    followed = services.level_index()
    assert followed.alive is not None  # the edited family replaced, not a rebuild
    rebuilt = build_index([services.profile_of(lv) for lv in services._levels_for_index()])
    after = _ranking(posting, followed)
    # The refreshed index keeps the ladder's word rarities from its last full build, so its
    # scores may differ from a rebuild's in the third decimal (and near-ties swap places):
    # the same best level, and each of the rebuild's ten within 0.005 at the same confidence.
    scored = {m.key: (m.score, m.confidence) for m in rank_levels(posting, followed, limit=30)}
    want = rank_levels(posting, rebuilt, limit=10)
    assert after[0] == (want[0].key, want[0].confidence)
    for m in want:
        assert m.key in scored, m.key
        assert abs(scored[m.key][0] - m.score) <= 0.005 and scored[m.key][1] == m.confidence
    assert after != before
    assert level.key in [key for key, _ in after]


# ------------------------------------------------------------------ the shared cache is down

NOBODY = "redis://127.0.0.1:9/0"  # nothing listens on the discard port: every call fails


@pytest.fixture
def redis_down(settings, monkeypatch):
    """From now on the shared cache is a Redis nobody answers: every read misses."""
    from ladder import rediscache

    monkeypatch.setattr(rediscache, "_open_until", {})

    def switch() -> None:
        settings.CACHES = {
            "default": {"BACKEND": "ladder.rediscache.RedisCache", "LOCATION": NOBODY}
        }

    return switch


def _counting_builds(monkeypatch) -> list[int]:
    builds: list[int] = []
    real = services._build_level_index

    def build():
        builds.append(1)
        return real()

    monkeypatch.setattr(services, "_build_level_index", build)
    return builds


def test_while_redis_is_down_the_process_copy_of_the_version_answers(
    ladder, redis_down, monkeypatch, client
):
    services.posting_import(
        sources=[services.Source(p.name, p.read_bytes()) for p in sorted(POSTINGS.iterdir())[:1]]
    )
    first = services.level_index()  # built once, with the shared cache up
    redis_down()
    assert cache.get(services._index_key(services.content_version())) is None
    monkeypatch.setattr(services, "_build_level_index", lambda: pytest.fail("rebuilt whole"))
    assert services.level_index() is first
    posting = services.Posting.objects.get()
    assert client.get(f"/postings/{posting.pk}/").status_code == 200


def test_a_newer_version_is_never_answered_from_an_older_process_copy(
    ladder, redis_down, monkeypatch, django_capture_on_commit_callbacks
):
    pages = ["sales--inside-sales.md", "sales--renewals.md", "sales--area-sales-manager.md"]
    family_import(sources=[Source(name, (CORPUS / name).read_bytes()) for name in pages])
    path = POSTINGS / "inside-sales-manager.html"
    posting = parse_posting(path.read_bytes(), path.name)
    older = services.level_index()
    redis_down()
    builds = _counting_builds(monkeypatch)
    level = Level.objects.select_related("family").get(pk=ladder.level_id)
    level.title = "Inside Sales Manager"
    with django_capture_on_commit_callbacks(execute=True):
        level_save(level=level)
        ladder.text = "Lead and facilitate quarterly budget calls"
        item_save(item=ladder)
    index = services.level_index()  # the older copy with the edited family replaced
    assert index is not older and builds == []
    assert "Lead and facilitate quarterly budget calls" in _texts(index)
    assert "Lead and facilitate forecast calls" not in _texts(index)
    rebuilt = build_index([services.profile_of(lv) for lv in services._levels_for_index()])
    assert _ranking(posting, index) == _ranking(posting, rebuilt) != _ranking(posting, older)
    assert services.level_index() is index  # and kept for the next request


def test_a_family_deleted_while_redis_is_down_leaves_the_process_copy(
    ladder, redis_down, monkeypatch
):
    from ladder.models import JobFamily
    from ladder.services import family_delete

    page = "sales--inside-sales.md"
    family_import(sources=[Source(page, (CORPUS / page).read_bytes())])
    first = services.level_index()
    gone = JobFamily.objects.get(slug="inside-sales")
    assert "inside-sales" in first.families
    redis_down()
    monkeypatch.setattr(services, "_build_level_index", lambda: pytest.fail("rebuilt whole"))
    family_delete(family=gone)
    index = services.level_index()
    assert not [p for p in _live(index) if p.key.startswith("inside-sales/")]
    assert len(_live(index)) == Level.objects.count()


def test_with_too_much_changed_since_the_process_copy_the_index_is_built(
    ladder, redis_down, monkeypatch, django_capture_on_commit_callbacks
):
    services.level_index()
    redis_down()
    monkeypatch.setattr(services, "CATCH_UP_MAX_FAMILIES", 0)
    builds = _counting_builds(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        ladder.text = "Lead and facilitate quarterly budget calls"
        item_save(item=ladder)
    index = services.level_index()
    assert builds == [1] and index.alive is None
    assert "Lead and facilitate quarterly budget calls" in _texts(index)


def test_a_request_that_read_an_older_number_does_not_evict_the_newer_copy(
    ladder, redis_down, monkeypatch
):
    version = services.content_version()
    current = services.level_index()
    redis_down()
    monkeypatch.setattr(services, "content_version", lambda: version - 1)
    older = services.level_index()  # built for the number it read
    assert older is not current
    monkeypatch.setattr(services, "content_version", lambda: version)
    monkeypatch.setattr(services, "_build_level_index", lambda: pytest.fail("rebuilt whole"))
    assert services.level_index() is current


def test_threads_of_a_process_build_a_missing_version_once(redis_down, monkeypatch):
    import threading
    import time

    redis_down()
    built = []

    def slow_build():
        built.append(1)
        time.sleep(0.2)
        return object()

    monkeypatch.setattr(services, "content_version", lambda: 7)
    monkeypatch.setattr(services, "_build_level_index", slow_build)
    answers = []
    threads = [
        threading.Thread(target=lambda: answers.append(services.level_index())) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1
    assert len({id(answer) for answer in answers}) == 1 and len(answers) == 4


def test_a_warmed_worker_catches_up_when_redis_is_down_instead_of_building(
    ladder, redis_down, monkeypatch, django_capture_on_commit_callbacks
):
    services.level_index()  # stored in the shared cache by another worker
    services.level_index_forget()  # this worker starts: nothing in its memory
    services.level_index_warm()
    redis_down()
    monkeypatch.setattr(services, "_build_level_index", lambda: pytest.fail("rebuilt whole"))
    with django_capture_on_commit_callbacks(execute=True):
        ladder.text = "Lead and facilitate quarterly budget calls"
        item_save(item=ladder)
    assert "Lead and facilitate quarterly budget calls" in _texts(services.level_index())


def test_warming_never_fails_the_worker(monkeypatch, caplog):
    def broken():
        raise RuntimeError("database not there yet")

    monkeypatch.setattr(services, "level_index", broken)
    services.level_index_warm()
    assert "not warmed" in caplog.text
