"""Handbook pages uploaded in the admin: read, checked (dry run), applied, with progress.

The same service as ``manage.py import_handbook`` does the work (:func:`family_import`), so an
upload previews and imports exactly as the command would. Small uploads run in the request;
larger ones are queued as a task (``ladder.tasks.handbook_upload_run``) run by ``db_worker``,
and the admin page polls ``done``/``total``.
"""

from __future__ import annotations

import base64
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath

from django.conf import settings
from django.db import DatabaseError, transaction

from ladder.handbook.sources import ImportFailed, Source, group_split_families, parse_sources
from ladder.models import HandbookUpload
from ladder.services import family_import

# A zip may hold many pages, but not unpack to more than this (a "zip bomb" is refused).
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_PAGES = 2000


@dataclass
class UploadedFile:
    name: str
    data: bytes


def read_uploaded(files: Iterable[UploadedFile]) -> list[Source]:
    """``.md`` files and ``.zip`` archives of folders → handbook Sources, or ImportFailed.

    Paths inside a zip are kept (``engineering/_index.md``), so a folder split into a page per
    level is one family, as when the command reads the folder.

    >>> [s.name for s in read_uploaded([UploadedFile("a.md", b"# A")])]
    ['a.md']
    """
    sources: list[Source] = []
    errors: list[str] = []
    for upload in files:
        name = PurePosixPath(upload.name.replace("\\", "/")).name or "upload"
        suffix = PurePosixPath(name).suffix.lower()
        if suffix == ".md":
            sources.append(Source(name, upload.data))
        elif suffix == ".zip":
            sources.extend(_read_zip(name, upload.data, errors))
        else:
            errors.append(f"{name}: not a .md page or a .zip of pages")
    if not sources and not errors:
        errors.append("no handbook page to import (.md files, or a .zip holding them)")
    if len(sources) > MAX_PAGES:
        errors.append(f"{len(sources)} pages in one upload; at most {MAX_PAGES}")
    if errors:
        raise ImportFailed(errors)
    return sources


def _read_zip(name: str, data: bytes, errors: list[str]) -> list[Source]:
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile:
        errors.append(f"{name}: not a readable .zip file")
        return []
    with archive:
        members = [
            m
            for m in archive.infolist()
            if not m.is_dir()
            and m.filename.lower().endswith(".md")
            # Finder's resource forks and hidden files are not pages.
            and not any(
                part.startswith(("._", "__MACOSX")) or (part.startswith(".") and part != "..")
                for part in m.filename.split("/")
            )
        ]
        if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
            errors.append(f"{name}: unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB")
            return []
        if not members:
            errors.append(f"{name}: holds no .md handbook page")
            return []
        sources = []
        for member in sorted(members, key=lambda m: m.filename):
            path = PurePosixPath(member.filename)
            if path.is_absolute() or ".." in path.parts:
                errors.append(f"{name}: {member.filename}: a path outside the archive")
                continue
            try:
                sources.append(Source(f"{name}/{path}", archive.read(member)))
            except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
                errors.append(f"{name}: {member.filename}: cannot be read ({exc})")
        return sources


def handbook_upload_create(
    *, sources: list[Source], user, strict: bool = False, base_url: str = ""
) -> HandbookUpload:
    """Keep the uploaded pages and check them: now if few, else as a background task.

    >>> handbook_upload_create(sources=[Source("a.md", data)], user=hana)  # doctest: +SKIP
    <HandbookUpload: Upload 1 (1 pages, ready to apply)>
    """
    background = len(sources) > settings.LADDER_UPLOAD_INLINE_PAGES
    upload = HandbookUpload.objects.create(
        created_by=user if getattr(user, "pk", None) else None,
        files=[{"name": s.name, "data": base64.b64encode(s.data).decode()} for s in sources],
        strict=strict,
        base_url=base_url,
        background=background,
        total=len(sources) + 1,
        step="waiting for the task worker" if background else "checking",
    )
    _start(upload, apply=False)
    upload.refresh_from_db()
    return upload


def handbook_upload_apply(*, upload: HandbookUpload) -> HandbookUpload:
    """Import checked pages for real (the same pages the admin saw previewed)."""
    with transaction.atomic():
        # Two clicks on "Apply" must not queue two imports: only a previewed upload moves on.
        moved = HandbookUpload.objects.filter(
            pk=upload.pk, state=HandbookUpload.State.PREVIEWED
        ).update(
            state=HandbookUpload.State.APPLYING,
            done=0,
            step="waiting for the task worker" if upload.background else "importing",
        )
    if moved:
        _start(upload, apply=True)
    upload.refresh_from_db()
    return upload


def _start(upload: HandbookUpload, *, apply: bool) -> None:
    if not upload.background:
        handbook_upload_run(upload_id=upload.pk, apply=apply)
        return
    from ladder.tasks import handbook_upload_task

    # Enqueued after commit: the worker must find the upload row it is given.
    def enqueue() -> None:
        result = handbook_upload_task.enqueue(upload.pk, apply)
        HandbookUpload.objects.filter(pk=upload.pk).update(task_id=str(result.id))

    transaction.on_commit(enqueue)


def _progress(upload_id: int, **fields) -> None:
    # Outside the import's transaction, so the admin page sees each step as it happens.
    HandbookUpload.objects.filter(pk=upload_id).update(**fields)


def handbook_upload_run(*, upload_id: int, apply: bool) -> None:
    """Check every page (progress per page), then run the import service once.

    Checking parses each page (or split-family folder) on its own to report progress and stop
    early on a page that cannot be read; the service then imports all of them in one
    transaction, so cross-family extends resolve as with the command. ``apply=False`` is the
    service's dry run: counts and warnings, nothing written.
    """
    upload = HandbookUpload.objects.get(pk=upload_id)
    sources = [Source(f["name"], base64.b64decode(f["data"])) for f in upload.files]
    grade_range = (settings.LADDER_GRADE_MIN, settings.LADDER_GRADE_MAX)
    done = 0
    errors: list[str] = []
    for main, siblings in group_split_families(sources):
        _progress(upload_id, step=f"reading {main.name}", done=done)
        _, page_errors = parse_sources(
            [main, *siblings], base_url=upload.base_url or None, grade_range=grade_range
        )
        errors.extend(page_errors)
        done += 1 + len(siblings)
    if errors:
        _finish(upload_id, errors=errors)
        return
    _progress(upload_id, step="importing" if apply else "comparing with the ladder", done=done)
    try:
        summary = family_import(
            sources=sources,
            dry_run=not apply,
            strict=upload.strict,
            base_url=upload.base_url or None,
        )
    except ImportFailed as exc:
        _finish(upload_id, errors=exc.errors)
        return
    except DatabaseError as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        _finish(upload_id, errors=[f"database error, nothing was written: {first}"])
        return
    if apply:
        _progress(
            upload_id,
            state=HandbookUpload.State.APPLIED,
            result=summary.line(),
            step="done",
            done=len(sources) + 1,
        )
    else:
        _progress(
            upload_id,
            state=HandbookUpload.State.PREVIEWED,
            preview={
                "line": summary.line(),
                "families": summary.families,
                "levels": summary.levels,
                "items": summary.items,
                "warnings": summary.warnings,
                "warning_kinds": summary.warning_kinds,
                "family_slugs": summary.family_slugs,
            },
            step="checked",
            done=len(sources) + 1,
        )


def _finish(upload_id: int, *, errors: list[str]) -> None:
    _progress(upload_id, state=HandbookUpload.State.FAILED, errors=errors, step="failed")
