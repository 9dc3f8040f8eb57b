"""``manage.py import_postings PATH [PATH ...]``: import job postings (HTML, text, markdown)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from postings.services import PostingImportFailed, collect_sources, posting_import


class Command(BaseCommand):
    help = (
        "Import job postings (job-board HTML, plain text, job-board markdown; the format is "
        "detected) in one transaction. Any bad file: nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="files or folders")

    def handle(self, *args, **options) -> None:
        try:
            summary = posting_import(sources=collect_sources(options["paths"]))
        except PostingImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(f"error: {error}")
            raise CommandError(
                f"import failed with {len(exc.errors)} error(s); nothing was written"
            ) from None
        except OSError as exc:
            raise CommandError(f"cannot read {exc.filename}: {exc.strerror}") from None
        if options["verbosity"] >= 2:
            for posting in summary.created:
                self.stdout.write(f"imported: {posting.source_name} — {posting.title}")
        self.stdout.write(summary.line())
