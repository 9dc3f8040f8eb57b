"""The HR admin journey in Chromium, with no shell: upload a new handbook page, preview, apply;
upload a zipped folder that the task worker checks and imports while a progress bar fills; then
edit a level in a form that fits the screen."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import zipfile

import pytest
from django.contrib.auth.models import User
from django.db import connection

from ladder.models import HandbookUpload, JobFamily, Level
from tests.conftest import ROOT
from tests.groups import group
from tests.journeys.helpers import (
    assert_accessible,
    assert_no_sideways_scroll,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CORPUS = ROOT / "tests" / "data" / "corpus" / "handbook"
SEED = ROOT / "fixtures" / "handbook" / "sales-operations.md"
FOLDER = [
    "engineering--development--backend.md",
    "engineering--development--frontend.md",
    "engineering--development--fullstack.md",
    "engineering--application-security.md",
]


def _worker_env() -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = (
            f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
        )
    else:
        env["DATABASE_URL"] = f"sqlite:///{settings['NAME']}"
    return env


@pytest.fixture
def worker():
    """``manage.py db_worker`` beside the server, as ``make run`` starts it."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay"],
        cwd=ROOT,
        env=_worker_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    yield process
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _zip(tmp_path) -> str:
    path = tmp_path / "engineering.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in FOLDER:
            archive.writestr(f"engineering/{name}", (CORPUS / name).read_bytes())
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_hr_admin_imports_and_edits_in_the_browser(
    live_server, browser, artifacts, worker, tmp_path
):
    hana = User.objects.create_user("hana", password="a-long-passphrase", is_staff=True)
    hana.groups.add(group("HR editors"))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    base = live_server.url
    sign_in(page, base, "hana", "a-long-passphrase")

    # One new page: upload, see the same preview as the command, apply.
    page.goto(f"{base}/admin/ladder/jobfamily/")
    page.get_by_role("link", name="Import handbook pages").click()
    page.set_input_files("#id_files", str(SEED))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_selector("table.upload-preview")
    assert "Dry run: would import 1 families (1 created" in page.content()
    page.screenshot(path=str(artifacts / "journey-hr-preview.png"), full_page=True)
    page.get_by_role("button", name="Apply this import").click()
    page.wait_for_selector(".upload-result")
    assert JobFamily.objects.filter(slug="sales-operations").exists()

    # A zipped folder: the task worker checks it; the progress bar polls (no reload).
    page.goto(f"{base}/admin/ladder/jobfamily/import/")
    page.set_input_files("#id_files", _zip(tmp_path))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url("**/import/*/")
    page.evaluate("window.__marker = 5")
    upload = HandbookUpload.objects.latest("pk")
    assert upload.background
    page.wait_for_selector("table.upload-preview", timeout=120_000)
    assert page.evaluate("window.__marker") == 5  # htmx swapped the status in place
    assert f"{len(FOLDER)} created" in page.inner_text("#upload-status")
    page.get_by_role("button", name="Apply this import").click()
    page.wait_for_selector(".upload-result", timeout=120_000)
    assert JobFamily.objects.count() == 1 + len(FOLDER)
    page.screenshot(path=str(artifacts / "journey-hr-applied.png"), full_page=True)

    # Edit a level: the form fits a 1,280 px screen, its item text boxes are on screen.
    level = Level.objects.get(slug="manager-sales-operations")
    page.goto(f"{base}/admin/ladder/level/{level.pk}/change/")
    assert_no_sideways_scroll(page, "level change form at 1280px")
    box = page.locator("textarea[name$='-text']").first.bounding_box()
    assert box and box["x"] + box["width"] <= 1280
    assert_accessible(page, "level change form")
    field = page.locator("textarea").filter(has_text="BA/BS degree").first
    field.fill("BA/BS degree, or equivalent experience in sales operations")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    page.screenshot(path=str(artifacts / "journey-hr-level.png"), full_page=True)
    assert Level.objects.get(pk=level.pk).items.filter(text__startswith="BA/BS degree, or").exists()
    assert errors == [], errors

    page.goto(f"{base}/admin/ladder/jobfamily/import/")
    context.close()
    # The admin pages an HR admin meets: no serious axe violation (CSP bypassed for axe only).
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, base, "hana", "a-long-passphrase")
    for path in (
        "/admin/ladder/jobfamily/import/",
        f"/admin/ladder/jobfamily/import/{upload.pk}/",
        f"/admin/ladder/jobfamily/{JobFamily.objects.first().pk}/change/",
    ):
        page.goto(f"{base}{path}")
        assert_accessible(page, path)
    context.close()
