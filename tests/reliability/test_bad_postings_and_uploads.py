"""Bad postings through the command, and every bad file through the web uploads: a clear
message, nothing written, never a 500."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from ladder.handbook.sources import Source
from ladder.models import JobFamily
from ladder.services import family_import
from tests.conftest import ROOT
from tests.dbstate import fingerprint
from tests.groups import group

pytestmark = pytest.mark.django_db
BAD = ROOT / "tests" / "data" / "bad"
POSTINGS = sorted((BAD / "postings").iterdir())
HANDBOOK = sorted((BAD / "handbook").glob("*.md"))
SEED = ROOT / "fixtures" / "handbook" / "sales-operations.md"


@pytest.fixture
def staff_client() -> Client:
    user = User.objects.create_user("hana", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="HR editors"), group("Recruiters"))
    client = Client()
    client.force_login(user)
    return client


def test_the_bad_corpus_has_at_least_40_inputs():
    assert len(POSTINGS) + len(HANDBOOK) + len(list((BAD / "handbook" / "strict").iterdir())) >= 40


@pytest.mark.parametrize("path", POSTINGS, ids=lambda p: p.name)
def test_bad_posting_is_refused_by_the_command(path: Path):
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    before = fingerprint()
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_postings", str(path), stdout=StringIO(), stderr=err)
    assert path.name in err.getvalue()
    assert "Traceback" not in err.getvalue()
    assert fingerprint() == before


@pytest.mark.parametrize("path", POSTINGS, ids=lambda p: p.name)
def test_bad_posting_upload_answers_400_with_the_message(staff_client: Client, path: Path):
    before = fingerprint()
    upload = SimpleUploadedFile(f"../../{path.name}", path.read_bytes())
    response = staff_client.post("/postings/upload/", {"files": [upload]})
    assert response.status_code == 400
    assert path.name in response.content.decode()
    assert fingerprint() == before


@pytest.mark.parametrize("path", HANDBOOK, ids=lambda p: p.name)
def test_bad_page_in_the_admin_reimport_is_a_clear_error(staff_client: Client, path: Path):
    family_import(sources=[Source(str(SEED), SEED.read_bytes())])
    family = JobFamily.objects.get()
    before = fingerprint()
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    response = staff_client.post(
        f"/admin/ladder/jobfamily/{family.pk}/reimport/", {"source": upload}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "cannot be imported" in body
    assert "Traceback" not in body
    assert fingerprint() == before
