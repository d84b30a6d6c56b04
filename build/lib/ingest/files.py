"""Digest files on disk: their names and dates, finding them, and decoding their bytes.

A digest is named `paper_logs/YYYY/MM/DD.md` or `YYYY-MM-DD.md`. A name of that shape whose
date is not on the calendar (`2024-02-30.md`) is still a digest, a broken one: it is found and
reported, never silently passed over. Decoding is per line, so one bad byte costs one line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

_NESTED_NAME = re.compile(r"(?:^|/)([0-9]{4})/([0-9]{2})/([0-9]{2})\.md$")  # YYYY/MM/DD.md
_FLAT_NAME = re.compile(r"(?:^|/)([0-9]{4})-([0-9]{2})-([0-9]{2})\.md$")  # YYYY-MM-DD.md
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_BOM = b"\xef\xbb\xbf"


def calendar_date(text: str) -> str | None:
    """`text` if it is an ISO `YYYY-MM-DD` date that exists on the calendar, else None."""
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def name_date(path: Path | str) -> str | None:
    """The `YYYY-MM-DD` a digest-shaped path spells, valid or not; None for any other name."""
    name = Path(path).as_posix()
    match = _NESTED_NAME.search(name) or _FLAT_NAME.search(name)
    return None if match is None else "-".join(match.groups())


def date_from_path(path: Path | str) -> str | None:
    """The ISO date a digest path names (`.../YYYY/MM/DD.md` or `YYYY-MM-DD.md`), else None
    (also for a digest-shaped name that is not a calendar date)."""
    spelled = name_date(path)
    return None if spelled is None else calendar_date(spelled)


@dataclass
class FolderScan:
    """Digest-shaped files under a folder (sorted; misnamed ones included) and the folders
    that could not be listed, each with the reason."""

    files: list[Path] = field(default_factory=list)
    unreadable: list[tuple[Path, str]] = field(default_factory=list)


def scan_folder(folder: Path) -> FolderScan:
    """Every digest-shaped `.md` under `folder`, recursively; hidden folders and symlinked
    folders are not entered (a symlinked file is taken)."""
    scan = FolderScan()

    def unreadable(error: OSError) -> None:
        where = Path(error.filename) if error.filename else folder
        scan.unreadable.append((where, error.strerror or str(error)))

    for top, dirs, names in os.walk(folder, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            path = Path(top, name)
            if name.endswith(".md") and name_date(path) and path.is_file():
                scan.files.append(path)
    scan.files.sort()
    return scan


def find_digest_files(path: Path) -> list[Path]:
    """Digest files with a calendar date in their name under a folder (recursively, by path
    shape; hidden folders are left out), sorted. A file given directly is taken as a digest
    whatever its name."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        return []
    return [p for p in scan_folder(path).files if date_from_path(p)]


def decode_lines(data: bytes) -> tuple[str, dict[int, str]]:
    """Text of a digest with `\\n` line ends (CRLF and CR too), a leading BOM dropped, and the
    lines that are not UTF-8, as {1-based line: "is not valid UTF-8: ..."}. Such a line is
    decoded with U+FFFD in place of its bad bytes, so the lines around it keep their numbers."""
    data = data.removeprefix(_BOM)
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    try:
        return data.decode("utf-8"), {}
    except UnicodeDecodeError:
        pass
    lines: list[str] = []
    bad: dict[int, str] = {}
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            byte = raw[exc.start]
            bad[number] = (
                f"is not valid UTF-8: byte 0x{byte:02x} at byte {exc.start + 1} of the line"
            )
            lines.append(raw.decode("utf-8", errors="replace"))
    return "\n".join(lines), bad
