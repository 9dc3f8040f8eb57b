"""Bytes → text, and the YAML front matter: refuse what is not a text page."""

from __future__ import annotations

import re

import yaml

from ladder.handbook.parsed import HandbookError, Warning

MAX_BYTES = 5 * 1024 * 1024


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def decode_source(data: bytes | str, name: str = "") -> str:
    """Bytes → text, refusing what is not a text page.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are accepted; anything else, NUL bytes,
    or more than :data:`MAX_BYTES` is a :class:`HandbookError` with a clear message.
    """
    label = f"{name}: " if name else ""
    if isinstance(data, str):
        raw_len = len(data.encode("utf-8", "surrogatepass"))
        text = data
    else:
        raw_len = len(data)
        if raw_len > MAX_BYTES:
            raise HandbookError(
                f"{label}file is {raw_len / 1024 / 1024:.1f} MB; a handbook page is at most "
                f"{MAX_BYTES // 1024 // 1024} MB"
            )
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            # Handbook pages are UTF-8 markdown; a UTF-16 file is a word-processor export.
            raise HandbookError(f"{label}file is UTF-16 text; save the page as UTF-8")
        else:
            if b"\x00" in data[:8192]:
                raise HandbookError(f"{label}binary file (NUL bytes): not a markdown page")
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                line = data[: exc.start].count(b"\n") + 1
                raise HandbookError(
                    f"{label}not valid UTF-8 text (byte {exc.start}); save the page as UTF-8",
                    line,
                ) from None
    if raw_len > MAX_BYTES:
        raise HandbookError(f"{label}page is larger than {MAX_BYTES // 1024 // 1024} MB")
    if "\x00" in text:
        raise HandbookError(f"{label}binary file (NUL characters): not a markdown page")
    controls = len(_CONTROL_CHARS.findall(text, 0, 20000))
    if controls > 20:
        raise HandbookError(f"{label}binary file (control characters): not a markdown page")
    if not text.strip():
        raise HandbookError(f"{label}empty page: nothing to import")
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------- front matter


def split_front_matter(text: str, warnings: list[Warning]) -> tuple[dict, str, int]:
    """Return (front matter, body, line number of the body's first line)."""
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        for index in range(1, min(len(lines), 200)):
            if lines[index].strip() in {"---", "..."}:
                return (
                    _load_yaml("\n".join(lines[1:index]), 2),
                    "\n".join(lines[index + 1 :]),
                    (index + 2),
                )
        raise HandbookError("front matter opened with --- on line 1 is never closed", 1)
    # A real page lost its opening "---": key: value lines, then "---".
    for index in range(0, min(len(lines), 30)):
        if lines[index].strip() == "---":
            head = lines[:index]
            if head and all(re.match(r"^[\w-]+\s*:", line) or not line.strip() for line in head):
                data = _load_yaml("\n".join(head), 1)
                if "title" in data:
                    warnings.append(
                        Warning(1, "front-matter", "front matter has no opening '---' line")
                    )
                    return data, "\n".join(lines[index + 1 :]), index + 2
            break
    return {}, text, 1


def _load_yaml(block: str, first_line: int) -> dict:
    try:
        data = yaml.safe_load(block) if block.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise HandbookError(f"front matter is not valid YAML: {problem}", line) from None
    if not isinstance(data, dict):
        raise HandbookError("front matter must be a YAML mapping (title: …)", first_line)
    return data
