"""``manage.py check_ladder``: prove the stored ladder true; exit 1 on any difference."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ladder.checking import check_ladder


class Command(BaseCommand):
    help = (
        "Recompute every effective list from scratch and compare it with what is stored; "
        "compare a sample of pages as the page cache serves them with the same pages rendered "
        "now; check every item has a history baseline. Prints each difference; exit code 1 "
        "on any."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--pages",
            type=int,
            default=40,
            help="how many level pages to sample (a quarter as many family pages); -1: all",
        )
        parser.add_argument("--seed", type=int, default=0, help="seed of the page sample")
        parser.add_argument(
            "--host",
            default=None,
            help="host name the pages are asked for (default: the first of ALLOWED_HOSTS)",
        )

    def handle(self, *args, **options) -> None:
        report = check_ladder(pages=options["pages"], seed=options["seed"], host=options["host"])
        for difference in report.differences:
            self.stderr.write(difference)
        if report.differences:
            raise CommandError(report.line())
        self.stdout.write(report.line())
