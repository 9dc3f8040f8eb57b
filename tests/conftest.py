"""Shared fixtures: database flavour markers and a real headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Every test starts with an empty cache: rolled-back tests reuse content version numbers,
    so a key from an earlier test could otherwise name another test's data."""
    from django.core.cache import cache

    from postings.services import level_index_forget

    cache.clear()
    level_index_forget()  # the matching index's copy in this process is keyed by version too
    yield


# Groups made by data migrations ("HR editors", "Recruiters"). A transactional test (live server,
# browser) ends by flushing every table, groups included, and later tests expect them.
_GROUP_MIGRATIONS = (
    "ladder.migrations.0003_hr_editors_group",
    "postings.migrations.0002_posting_history_recruiters",
)


@pytest.fixture(autouse=True)
def _groups_survive_a_flush(request: pytest.FixtureRequest, django_db_blocker) -> Iterator[None]:
    uses_db = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if uses_db:
        request.getfixturevalue("django_db_setup")
        with django_db_blocker.unblock():
            _restore_groups()
    yield


def _restore_groups() -> None:
    import importlib

    from django.contrib.auth.models import Group, Permission

    for name in _GROUP_MIGRATIONS:
        migration = importlib.import_module(name)
        if Group.objects.filter(name=migration.GROUP).exists():
            continue
        group = Group.objects.create(name=migration.GROUP)
        for app_label, models in migration.PERMISSIONS.items():
            for model, actions in models.items():
                group.permissions.add(
                    *Permission.objects.filter(
                        content_type__app_label=app_label,
                        codename__in=[f"{action}_{model}" for action in actions],
                    )
                )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (runs in the PostgreSQL pass)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def db_vendor(db) -> str:
    return connection.vendor


# --------------------------------------------------------------------------- named actors
#
# The seeded ladder (the seed handbook page), an HR editor (staff in the "HR editors" group)
# and a visitor (an anonymous client). Data under tests/data/ only: a clone runs every test.

SEED_PAGE = ROOT / "fixtures" / "handbook" / "sales-operations.md"
CORPUS = ROOT / "tests" / "data" / "corpus"


@pytest.fixture
def seeded_ladder(db):
    """The seed family, imported through the import service."""
    from ladder.handbook.sources import Source
    from ladder.models import JobFamily
    from ladder.services import family_import

    family_import(sources=[Source(str(SEED_PAGE), SEED_PAGE.read_bytes())])
    return JobFamily.objects.get(slug="sales-operations")


@pytest.fixture
def imported_corpus(db) -> None:
    """Every real handbook page of tests/data/corpus, imported through the import service."""
    from ladder.handbook.sources import collect_sources
    from ladder.services import family_import

    family_import(sources=collect_sources([CORPUS / "handbook", CORPUS / "handbook-current"]))


@pytest.fixture
def staff_user(db):
    """Signed in to the admin but in no group: may look, may not edit."""
    from django.contrib.auth.models import User

    return User.objects.create_user("sam", password="pw", is_staff=True)


@pytest.fixture
def hr_editor(db):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("hana", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="HR editors"))
    return user


@pytest.fixture
def hr_client(hr_editor):
    from django.test import Client

    client = Client()
    client.force_login(hr_editor)
    return client


@pytest.fixture
def visitor():
    from django.test import Client

    return Client()


def admin_form_data(response) -> dict:
    """An admin change form as the browser would post it back, unchanged."""
    data: dict = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or value is False:
                continue
            if isinstance(value, (list, tuple)):
                data[key] = list(value)
            elif value is True:
                data[key] = "on"
            else:
                data[key] = value

    add(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


# The level form has one group of item rows per section, each a formset named ``items-<section>``
# (``items-requirements-3-text``) with one blank row for a new item.


def admin_item_prefix(data: dict, item) -> str:
    """The form prefix of ``item``'s row in posted level-form data (``items-requirements-3``)."""
    pk = str(getattr(item, "pk", item))
    return next(
        key.removesuffix("-id")
        for key, value in data.items()
        if key.startswith("items-") and key.endswith("-id") and str(value) == pk
    )


def admin_new_item(data: dict, section: str, **fields) -> str:
    """Fill the blank row of the level form's ``section`` group, as typing in it would;
    returns the row's prefix. Fields left out keep the row's own values."""
    group = f"items-{section}"
    prefix = f"{group}-{data[f'{group}-INITIAL_FORMS']}"
    data.update({f"{prefix}-{name}": value for name, value in fields.items()})
    return prefix


@pytest.fixture
def page_cache(settings, tmp_path):
    """The production page cache: whole pages for visitors in a cache every worker shares (a
    process-local one is never trusted with the content version)."""
    settings.LADDER_PAGE_CACHE_SECONDS = 600
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    cache.clear()
    yield settings
    cache.clear()


# A small two-level family page (the senior level extends the first), and a copy under
# another name: two families whose pages and caches tests tell apart.
ALPHA_PAGE = b"""---
title: "Alpha Roles"
---

## Alpha Levels

### Analyst

#### Analyst Responsibilities

- Alpha duty one
- Alpha duty two

### Senior Analyst

#### Senior Analyst Responsibilities

- Extends that of the Analyst
- Lead alpha work
"""
BETA_PAGE = ALPHA_PAGE.replace(b"Alpha", b"Beta").replace(b"alpha", b"beta")
