"""Which department a family belongs to: its page's front matter, else the folder it came from.

Pure: takes the stored source name and the start of the page, returns a label.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

OTHER = "Other"
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_DEPARTMENT = re.compile(r"^department:[ \t]*[\"']?([^\"'\r\n]+?)[\"']?[ \t]*$", re.M)
# Folders that say where the pages sit, not which department they belong to.
_NEUTRAL = {"job-families", "job_families", "handbook", "pages", "source", "sites", "content"}


def department_of(source_name: str, head: str = "") -> str:
    """The department of a family page.

    ``department:`` in the front matter wins; else a flattened path (``engineering--backend.md``)
    or the folder under ``job-families/`` or the nearest folder that names something.

    >>> department_of("tests/corpus/engineering--development--backend.md")
    'Engineering'
    >>> department_of("x.md", "---\\ntitle: A\\ndepartment: People Group\\n---\\n")
    'People Group'
    >>> department_of("/srv/job-families/sales/account-executive/index.html.md")
    'Sales'
    >>> department_of("handbook-current/alliances/technology-partner-manager/_index.md")
    'Alliances'
    """
    match = _FRONT_MATTER.match(head)
    if match:
        stated = _DEPARTMENT.search(match.group(1))
        if stated:
            return stated.group(1).strip()
    path = PurePosixPath(source_name.replace("\\", "/"))
    if "--" in path.name:
        return label(path.name.split("--", 1)[0])
    parts = [p for p in path.parts[:-1] if p not in ("/", "")]
    if path.name.startswith(("_index.", "index.")) and parts:
        parts = parts[:-1]  # the folder is the family (split into a page per level)
    for index, part in enumerate(parts):
        if part in ("job-families", "job_families") and index + 1 < len(parts):
            return label(parts[index + 1])
    return OTHER if not parts or parts[-1].lower() in _NEUTRAL else label(parts[-1])


def label(slug: str) -> str:
    """``chief-executive-officer`` → ``Chief executive officer``."""
    words = re.sub(r"[-_]+", " ", slug).strip()
    return words[:1].upper() + words[1:] if words else OTHER
