"""HR admins import handbook pages in the browser: upload, preview, apply; large uploads run as a
django-tasks-db task picked up by ``db_worker``."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from ladder.handbook.sources import ImportFailed
from ladder.models import HandbookUpload, ImportRun, JobFamily, Level
from ladder.uploads import UploadedFile, read_uploaded
from tests.conftest import ROOT
from tests.groups import group

SEED = ROOT / "fixtures" / "handbook" / "sales-operations.md"
CORPUS = ROOT / "tests" / "data" / "corpus" / "handbook"
PAGES = [
    "engineering--development--backend.md",
    "engineering--development--frontend.md",
    "engineering--development--fullstack.md",
    "engineering--application-security.md",
]
IMPORT_URL = "/admin/ladder/jobfamily/import/"


@pytest.fixture
def hana(db) -> User:
    user = User.objects.create_user("hana", password="a-long-passphrase", is_staff=True)
    user.groups.add(group("HR editors"))
    return user


@pytest.fixture
def hr_client(hana) -> Client:
    client = Client()
    client.force_login(hana)
    return client


def _zip(names: list[str], folder: str = "handbook") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(f"{folder}/{name}", (CORPUS / name).read_bytes())
        archive.writestr("__MACOSX/._junk.md", b"\x00\x01")
    return buffer.getvalue()


def _file(name: str, data: bytes) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def test_one_page_is_previewed_then_applied_like_the_command(hr_client: Client):
    response = hr_client.post(
        IMPORT_URL, {"files": [_file("sales-operations.md", SEED.read_bytes())]}
    )
    upload = HandbookUpload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:ladder_jobfamily_import_status", args=[upload.pk])
    assert upload.state == "previewed" and not upload.background
    # The preview is a dry run: nothing written yet, counts as the command prints them.
    assert not JobFamily.objects.exists()
    page = hr_client.get(response["Location"]).content.decode()
    assert "Dry run: would import 1 families (1 created" in page
    assert "Apply this import" in page
    assert '<th scope="row">Levels</th><td>17</td>' in page

    applied = hr_client.post(response["Location"], follow=True)
    assert applied.status_code == 200
    upload.refresh_from_db()
    assert upload.state == "applied"
    assert upload.result.startswith("Imported 1 families (1 created")
    assert JobFamily.objects.filter(slug="sales-operations").exists()
    assert Level.objects.filter(family__slug="sales-operations").count() == 17
    assert b"Imported 1 families" in applied.content
    # The run is recorded like a command run, under the uploaded file name.
    assert ImportRun.objects.filter(dry_run=False).get().files == ["sales-operations.md"]

    # A second "Apply" (double click, or back button) imports nothing twice.
    hr_client.post(response["Location"])
    assert ImportRun.objects.filter(dry_run=False).count() == 1


def test_a_page_that_cannot_be_imported_fails_with_its_message_and_writes_nothing(
    hr_client: Client,
):
    bad = (ROOT / "tests" / "data" / "bad" / "handbook" / "broken-yaml.md").read_bytes()
    hr_client.post(IMPORT_URL, {"files": [_file("broken.md", bad)]})
    upload = HandbookUpload.objects.get()
    assert upload.state == "failed"
    assert upload.errors == [
        "broken.md:3: front matter is not valid YAML: found unexpected end of stream"
    ]
    page = hr_client.get(reverse("admin:ladder_jobfamily_import_status", args=[upload.pk]))
    assert b"Nothing was changed" in page.content
    assert b"Apply this import" not in page.content
    assert not JobFamily.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.txt", b"hello", "notes.txt: not a .md page or a .zip of pages"),
        ("pages.zip", b"PK not really", "pages.zip: not a readable .zip file"),
        ("empty.zip", b"PK\x05\x06" + b"\x00" * 18, "empty.zip: holds no .md handbook page"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_message(hr_client: Client, name, data, message):
    response = hr_client.post(IMPORT_URL, {"files": [_file(name, data)]})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not HandbookUpload.objects.exists()


def test_zip_paths_outside_the_archive_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../evil.md", b"# x")
    with pytest.raises(ImportFailed, match="a path outside the archive"):
        read_uploaded([UploadedFile("evil.zip", buffer.getvalue())])


def test_a_zipped_folder_keeps_its_paths_so_split_families_stay_one():
    sources = read_uploaded([UploadedFile("handbook.zip", _zip(PAGES[:2]))])
    assert [s.name for s in sources] == [f"handbook.zip/handbook/{name}" for name in PAGES[:2]]


def test_only_hr_editors_may_import(client: Client, db):
    User.objects.create_user("vic", password="a-long-passphrase", is_staff=True)
    client.login(username="vic", password="a-long-passphrase")
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"files": [_file("a.md", b"# a")]}).status_code == 403
    assert not HandbookUpload.objects.exists()


def test_job_family_list_links_to_the_import(hr_client: Client):
    page = hr_client.get("/admin/ladder/jobfamily/").content.decode()
    assert f'href="{IMPORT_URL}"' in page


def test_a_large_upload_is_queued_and_the_page_polls_its_progress(
    hr_client: Client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(IMPORT_URL, {"files": [_file("handbook.zip", _zip(PAGES))]})
    upload = HandbookUpload.objects.get()
    assert upload.background and upload.state == "checking"
    task = DBTaskResult.objects.get()
    assert task.task_path == "ladder.tasks.handbook_upload_task"
    assert str(task.id) == upload.task_id
    assert task.args_kwargs["args"] == [upload.pk, False]

    # Plain page: a progress bar and a refresh for browsers without JavaScript.
    page = hr_client.get(response["Location"]).content.decode()
    assert '<progress id="upload-progress" max="5" value="0">' in page
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    # htmx poll: the fragment only, polling itself again while the task runs.
    fragment = hr_client.get(response["Location"], headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert body.lstrip().startswith('<div id="upload-status"')
    assert 'hx-trigger="every 1s"' in body
    assert "<html" not in body


def _manage_env() -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = (
            f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
        )
    else:
        env["DATABASE_URL"] = f"sqlite:///{settings['NAME']}"
    return env


def _run_worker() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=ROOT,
        env=_manage_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db(transaction=True)
def test_the_db_worker_checks_then_imports_a_large_upload(hr_client: Client):
    response = hr_client.post(IMPORT_URL, {"files": [_file("handbook.zip", _zip(PAGES))]})
    upload = HandbookUpload.objects.get()
    assert upload.state == "checking"

    _run_worker()
    upload.refresh_from_db()
    assert upload.state == "previewed", upload.errors
    assert upload.done == upload.total == len(PAGES) + 1
    assert upload.preview["families"]["created"] == len(PAGES)
    assert not JobFamily.objects.exists()

    hr_client.post(response["Location"])
    upload.refresh_from_db()
    assert upload.state == "applying"
    _run_worker()
    upload.refresh_from_db()
    assert upload.state == "applied", upload.errors
    assert JobFamily.objects.count() == len(PAGES)
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2
