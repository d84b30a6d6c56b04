"""Digest files on disk: their names and dates, finding them, and decoding their bytes.

A digest is named `paper_logs/YYYY/MM/DD.md` or `YYYY-MM-DD.md`. A name of that shape whose
date is not on the calendar (`2024-02-30.md`) is still a digest, a broken one: it is found and
reported, never silently passed over; so is a digest-shaped name that is no readable file (a
FIFO, a device, a folder, a symlink loop or a dangling link), and such a name is never opened
for reading (a FIFO would block forever, /dev/zero never end). Decoding is per line, so one bad
byte costs one line.
"""

from __future__ import annotations

import errno
import os
import re
import stat
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
    """Digest-shaped files under a folder (sorted; misnamed ones included), the folders
    that could not be listed, and the digest-shaped names that are no readable file, each
    with the reason."""

    files: list[Path] = field(default_factory=list)
    unreadable: list[tuple[Path, str]] = field(default_factory=list)
    not_files: list[tuple[Path, str]] = field(default_factory=list)


def scan_folder(folder: Path) -> FolderScan:
    """Every digest-shaped `.md` under `folder`, recursively; hidden folders and symlinked
    folders are not entered (a symlinked file is taken)."""
    scan = FolderScan()

    def unreadable(error: OSError) -> None:
        where = Path(error.filename) if error.filename else folder
        scan.unreadable.append((where, error.strerror or str(error)))

    for top, dirs, names in os.walk(folder, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in (*dirs, *names):
            path = Path(top, name)
            if not (name.endswith(".md") and name_date(path)):
                continue
            why = not_a_file(path)
            if why is None:
                scan.files.append(path)
            else:
                scan.not_files.append((path, why))
    scan.files.sort()
    scan.not_files.sort()
    return scan


def not_a_file(path: Path) -> str | None:
    """Why `path` cannot be read as a digest file (it is not opened); None for a regular file
    or a symlink to one."""
    try:
        return _not_regular(path.stat().st_mode)
    except OSError as error:
        return _os_reason(path, error)


def read_file(path: Path) -> bytes:
    """The bytes of a regular file; OSError for anything else, its strerror saying what the
    path is. Opened without blocking and checked before reading: a FIFO is never read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        raise OSError(error.errno, _os_reason(path, error)) from None
    try:
        if kind := _not_regular(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, kind)
        with os.fdopen(fd, "rb", closefd=False) as file:
            return file.read()
    finally:
        os.close(fd)


def _not_regular(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    kinds = [
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ]
    kind = next((name for test, name in kinds if test(mode)), "a special file")
    return f"{kind}, not a file"


def _os_reason(path: Path, error: OSError) -> str:
    if error.errno == errno.ENOENT and path.is_symlink():
        return "a broken symbolic link"
    return error.strerror or str(error)


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
