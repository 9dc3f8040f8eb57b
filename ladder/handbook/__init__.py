"""Parse GitLab-style job-family handbook pages (markdown) into plain dataclasses.

No Django here: :func:`parse_handbook` takes text and returns a :class:`ParsedFamily` with its
levels, items, raw references (reports-to, extends, grade sentences) and a list of warnings with
line numbers. Resolving references between levels (and across pages of one import) is
``ladder.inheritance``'s job.

>>> family = parse_handbook(open("fixtures/handbook/sales-operations.md").read())
>>> family.title, len(family.levels)
('Sales Operations', 17)

The handbook is written by many hands, so the parser is tolerant by design: headings from ``##``
to ``#####``, levels grouped under ``## … Levels`` or ``## Specialties`` (three spellings),
section headings that name another role, grade sentences naming two roles, grades in tables.
What it cannot make sense of becomes a warning, never a silent drop. Only input that is not a
handbook page at all (empty, binary, no title) raises :class:`HandbookError`.

The package, by job: ``decoding`` (bytes → text, front matter), ``blocks`` (the heading tree),
``phrases`` (grade / extends / reports-to sentences), ``headings`` (what a heading is),
``parser`` (the walk that builds levels), ``text`` (titles and slugs), ``parsed`` (the
dataclasses), ``sources`` (files and folders → pages, split families grouped).
"""

from ladder.handbook.blocks import MAX_BULLETS, MAX_NESTING
from ladder.handbook.decoding import MAX_BYTES, decode_source
from ladder.handbook.parsed import (
    FAMILY_SECTIONS,
    SECTIONS,
    ExtendsRef,
    GradeStatement,
    HandbookError,
    ParsedFamily,
    ParsedItem,
    ParsedLevel,
    Warning,
    walk_items,
)
from ladder.handbook.parser import parse_handbook
from ladder.handbook.phrases import parse_extends
from ladder.handbook.text import (
    clean_title,
    family_title,
    infer_base_url,
    normalize_title,
    similar_titles,
    slugify,
    split_sentences,
    strip_links,
)

__all__ = [
    "FAMILY_SECTIONS",
    "MAX_BULLETS",
    "MAX_BYTES",
    "MAX_NESTING",
    "SECTIONS",
    "ExtendsRef",
    "GradeStatement",
    "HandbookError",
    "ParsedFamily",
    "ParsedItem",
    "ParsedLevel",
    "Warning",
    "clean_title",
    "decode_source",
    "family_title",
    "infer_base_url",
    "normalize_title",
    "parse_extends",
    "parse_handbook",
    "similar_titles",
    "slugify",
    "split_sentences",
    "strip_links",
    "walk_items",
]
