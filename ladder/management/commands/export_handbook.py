"""``manage.py export_handbook <family-slug> [-o FILE]``: a family as handbook markdown."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ladder.export import family_markdown
from ladder.models import JobFamily


class Command(BaseCommand):
    help = "Write a job family back as GitLab-style handbook markdown (stdout or -o FILE)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the family's slug, e.g. sales-operations")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, **options) -> None:
        family = JobFamily.objects.filter(slug=options["slug"]).first()
        if family is None:
            raise CommandError(f"no job family '{options['slug']}'")
        text = family_markdown(family)
        if options["output"]:
            try:
                Path(options["output"]).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"cannot write {options['output']}: {exc.strerror}") from None
            self.stderr.write(
                f"wrote {family.title} ({family.levels.count()} levels) to {options['output']}"
            )
        else:
            self.stdout.write(text, ending="")
