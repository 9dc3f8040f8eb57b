"""``manage.py import_handbook PATH [PATH ...]``: import job-family handbook pages."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from ladder.handbook.sources import ImportFailed, collect_sources
from ladder.services import family_import


class Command(BaseCommand):
    help = (
        "Import GitLab-style job-family handbook pages (.md files, or folders of them) in one "
        "transaction. Any error: nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help=".md files or folders")
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would change, write nothing"
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="treat unknown extends targets and self-references as errors",
        )
        parser.add_argument(
            "--base-url",
            default=None,
            help="site for relative links (default: the host most of the page's links use)",
        )

    def handle(self, *args, **options) -> None:
        try:
            sources = collect_sources(options["paths"])
            summary = family_import(
                sources=sources,
                dry_run=options["dry_run"],
                strict=options["strict"],
                base_url=options["base_url"],
            )
        except ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(f"error: {error}")
            raise CommandError(
                f"import failed with {len(exc.errors)} error(s); nothing was written"
            ) from None
        except OSError as exc:
            raise CommandError(f"cannot read {exc.filename}: {exc.strerror}") from None
        except DatabaseError as exc:
            # Busy or unreachable database: say so in one line; the transaction rolled back.
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CommandError(f"database error, nothing was written: {first}") from None
        if options["verbosity"] >= 1:
            for warning in summary.warnings:
                self.stdout.write(f"warning: {warning}")
        self.stdout.write(summary.line())
