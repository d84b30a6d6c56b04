"""Digest markdown -> `Paper` entries. Pure: it reads files and never writes or indexes.

A digest is `## Daily Papers (YYYY-MM-DD)` sections of entries, each a
`### [Title](https://arxiv.org/abs/ID)` heading followed by optional media, `Vote:` and
`Authors:` lines and a bulleted summary. docs/ARCHIVE.md lists the format eras and quirks of
the real archive; every one of them is handled here.

What cannot be trusted is skipped with its `file:line` (or the file) and a reason, and the rest
still parses: a malformed entry; every entry under a section heading whose date is not a
calendar date (`2024-02-30`, `9999-99-99`; the file name's date is not used instead, as the
heading is what dates a section); an entry holding a line that is not UTF-8 or that has more
than 30 combining marks in a row (no text does; normalising such a line takes time quadratic
in its length); a file whose digest-shaped name is not a calendar date; a file with no entries.
Control characters (NUL, ESC, DEL, C1; not tab or line feed) are removed and logged: they are
never text, and a NUL before `###` would hide a heading. So every `Paper.date` is a real ISO
date and every text field is NFC and free of control characters. Parsing takes time
linear in the input, whatever its lines hold.
"""

from __future__ import annotations

import ast
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ingest.files import (
    calendar_date,
    date_from_path,
    decode_lines,
    find_digest_files,
    name_date,
    read_file,
    scan_folder,
)
from ingest.media import find_media
from ingest.text import drop_controls, nfc_lines
from store.models import ARXIV_ID, Paper

__all__ = [
    "ParseResult",
    "Skipped",
    "date_from_path",
    "find_digest_files",
    "parse_file",
    "parse_paths",
    "parse_text",
    "unique_papers",
]

log = logging.getLogger(__name__)

ARXIV_LINK = "](https://arxiv.org/abs/"
LITERAL_AUTHORS = 50_000  # characters; the longest list in the archive has about 10,400
LOGGED_SKIPS = 20  # per file; a hostile file can hold 100,000 broken entries

_SECTION = re.compile(r"##\s+Daily Papers\b")
_SECTION_DATE = re.compile(r"##\s+Daily Papers\s*\(([0-9]{4}-[0-9]{2}-[0-9]{2})\)")
_BOUNDARY = re.compile(r"#{2,3}\s")  # a section or entry heading ends the entry before it
_BULLET = re.compile(r"\s*[-*]\s+(.*)")
_LABEL = re.compile(r"\*{1,3}([^*\n]+?)(?::\*{1,3}|\*{1,3}\s*:)[ ]*(.*)", re.DOTALL)
_VOTE = re.compile(r"Vote:\s*(.*)")
_VOTES = re.compile(r"-?[0-9]{1,12}")  # longer is no vote count (and int() refuses 4,300+ digits)
_AUTHORS = re.compile(r"Authors:\s*(.*)")


@dataclass(frozen=True)
class Skipped:
    """Something that could not be parsed: `file:line` (or the file) and why; for an entry
    whose heading could still be read, its arXiv id, so that an ingest can keep the paper's
    indexed version rather than remove it as gone (not compared: it is a hint)."""

    source: str
    reason: str
    arxiv_id: str | None = field(default=None, compare=False)


@dataclass
class ParseResult:
    papers: list[Paper] = field(default_factory=list)  # every entry, in file order
    skipped: list[Skipped] = field(default_factory=list)
    files: int = 0  # digest files looked at, the skipped ones included


@dataclass
class _Block:
    """The raw lines of one entry: its heading, its date (or why it has none) and what
    follows; or, with no heading, a broken line outside any entry."""

    line: int  # 1-based line of the ### heading (or of the broken line)
    heading: str | None
    date: str | None
    problem: str | None = None  # set: the entry is skipped for this reason
    body: list[str] = field(default_factory=list)


def parse_text(
    text: str, source: str, fallback_date: str | None = None
) -> tuple[list[Paper], list[Skipped]]:
    """Parse one digest's text; `source` prefixes each `Paper.source` as `<source>:<line>`.
    `fallback_date` dates entries that come before any `## Daily Papers (date)` heading."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return _parse(text, {}, source, fallback_date)


def parse_file(path: Path, root: Path | None = None) -> tuple[list[Paper], list[Skipped]]:
    """Parse one digest file; sources are shown relative to `root` (the file name without it)."""
    display = _display_path(path, root)
    spelled = name_date(path)
    if spelled is not None and calendar_date(spelled) is None:
        return [], [_skip(display, f"file name date {spelled} is not a calendar date")]
    try:
        data = read_file(path)
    except OSError as exc:
        return [], [_skip(display, f"unreadable: {exc.strerror or exc}")]
    text, bad_lines = decode_lines(data)
    papers, skipped = _parse(text, bad_lines, display, date_from_path(path))
    if not papers and not skipped:
        what = "the file is empty" if not text.strip() else "no `### [Title](arXiv link)` heading"
        skipped.append(_skip(display, f"no entries: {what}"))
    return papers, skipped


def parse_paths(paths: Iterable[Path]) -> ParseResult:
    """Parse every digest under the given files and folders, in the order given. A folder is
    searched recursively for digest-shaped names; one that cannot be listed is reported."""
    result = ParseResult()
    for path in paths:
        if not path.exists() and not path.is_symlink():
            result.skipped.append(_skip(path.as_posix(), "no such file or folder"))
            continue
        root, files = None, [path]
        if path.is_dir():
            root, scan = path, scan_folder(path)
            files = scan.files
            for folder, why in scan.unreadable:
                shown = _display_path(folder, path) if folder != path else folder.as_posix()
                result.skipped.append(_skip(shown, f"unreadable folder: {why}"))
            for odd, why in scan.not_files:
                result.skipped.append(_skip(_display_path(odd, path), f"unreadable: {why}"))
                result.files += 1
        for file in files:
            papers, skipped = parse_file(file, root)
            result.papers.extend(papers)
            result.skipped.extend(skipped)
            result.files += 1
    return result


def unique_papers(papers: Iterable[Paper]) -> dict[str, Paper]:
    """One paper per arXiv id; a paper listed on several days keeps its latest listing."""
    latest: dict[str, Paper] = {}
    for paper in papers:
        kept = latest.get(paper.arxiv_id)
        if kept is None or paper.date >= kept.date:
            latest[paper.arxiv_id] = paper
    return latest


def _parse(
    text: str, bad_lines: dict[int, str], source: str, fallback_date: str | None
) -> tuple[list[Paper], list[Skipped]]:
    """Lines of `\\n`-separated text -> entries; `bad_lines` ({line: why}) cannot be trusted."""
    text, removed, first = drop_controls(text.replace("\t", " "))
    if removed:
        log.warning(
            "%s: removed %d control characters (the first on line %d)", source, removed, first
        )
    lines = nfc_lines(text, bad_lines)
    papers: list[Paper] = []
    skipped: list[Skipped] = []
    for block in _blocks(lines, bad_lines, fallback_date):
        where = f"{source}:{block.line}"
        entry = block.problem or _parse_entry(block, where)
        if isinstance(entry, Paper):
            papers.append(entry)
        else:
            heading = _parse_heading(block.heading) if block.heading else None
            skipped.append(
                Skipped(where, entry, heading[1] if isinstance(heading, tuple) else None)
            )
    for skip in skipped[:LOGGED_SKIPS]:
        log.warning("%s: %s", skip.source, skip.reason)
    if len(skipped) > LOGGED_SKIPS:
        log.warning("%s: %d more skipped entries", source, len(skipped) - LOGGED_SKIPS)
    return papers, skipped


def _skip(source: str, reason: str) -> Skipped:
    log.warning("%s: %s", source, reason)
    return Skipped(source, reason)


def _display_path(path: Path, root: Path | None) -> str:
    if root is None or root == path:
        return path.name
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else f"{text[:limit]}..."


def _section_date(line: str, number: int, bad: str | None) -> tuple[str | None, str | None]:
    """(date, None) for a good `## Daily Papers (date)` heading, else (None, why not)."""
    if bad is not None:
        return None, f"the section heading on line {number} {bad}"
    match = _SECTION_DATE.match(line)
    if match is None:
        return None, f"the section heading on line {number} has no (YYYY-MM-DD) date"
    if day := calendar_date(match[1]):
        return day, None
    return None, f"heading date {match[1]} (line {number}) is not a calendar date"


def _blocks(
    lines: list[str], bad_lines: dict[int, str], fallback_date: str | None
) -> Iterator[_Block]:
    section_date, section_problem = fallback_date, None
    if fallback_date is not None and calendar_date(fallback_date) is None:
        section_date = None
        section_problem = f"the file's date {fallback_date} is not a calendar date"
    block: _Block | None = None
    for number, line in enumerate(lines, start=1):
        bad = bad_lines.get(number)
        if _BOUNDARY.match(line):
            if block is not None:
                yield block
                block = None
            if line.startswith("###"):
                problem = section_problem or (bad and f"line {number} {bad}")
                block = _Block(number, line, section_date, problem)
            elif _SECTION.match(line) or bad is not None:
                section_date, section_problem = _section_date(line, number, bad)
        elif block is None:
            if bad is not None:
                yield _Block(number, None, None, f"this line {bad} (it is outside any entry)")
        elif bad is None:
            block.body.append(line)
        elif block.problem is None:
            block.problem = f"line {number} {bad}"
    if block is not None:
        yield block


def _parse_heading(line: str) -> tuple[str, str] | str:
    """(title, arXiv id) of a `### [Title](https://arxiv.org/abs/ID)` line, or why not."""
    body = line[3:].strip()
    # The title may itself hold `](` or brackets, so the link is the last arXiv link.
    cut = body.rfind(ARXIV_LINK)
    if cut < 0:
        return "no arXiv link in heading"
    if not body.startswith("["):
        return "heading is not a [title](link)"
    title = body[1:cut].strip()
    raw_id = re.split(r"[)\s?#]", body[cut + len(ARXIV_LINK) :], maxsplit=1)[0]
    match = ARXIV_ID.fullmatch(raw_id)
    if match is None:
        return f"not an arXiv id: {_clip(raw_id)!r}"
    if not title:
        return "empty title"
    return title, match[1]


def _parse_entry(block: _Block, source: str) -> Paper | str:
    heading = _parse_heading(block.heading or "")
    if isinstance(heading, str):
        return heading
    if block.date is None:
        return "no date (no Daily Papers heading, no date in the file name)"
    title, arxiv_id = heading
    media: str | None = None
    votes: int | None = None
    authors: tuple[str, ...] = ()
    bullets: list[list[str]] = []  # each bullet's lines, joined once at the end
    for line in block.body:
        text = line.strip()
        if not text:
            continue
        if bullet := _BULLET.fullmatch(line):
            bullets.append([bullet[1].strip()])
        elif bullets:  # a continuation or numbered line belongs to the bullet above it
            bullets[-1].append(text)
        elif vote := _VOTE.fullmatch(text):
            count = vote[1].strip()
            votes = int(count) if _VOTES.fullmatch(count) else None
        elif names := _AUTHORS.fullmatch(text):
            authors = _parse_authors(names[1])
        elif media is None:
            media = find_media(text)
    summary = tuple(_unlabel(b) for lines in bullets if (b := "\n".join(lines)))
    if not summary:
        return "no summary bullets"
    return Paper(
        arxiv_id=arxiv_id,
        title=title,
        url=f"https://arxiv.org/abs/{arxiv_id}",
        date=block.date,
        votes=votes,
        authors=authors,
        summary=summary,
        media=media,
        source=source,
    )


def _parse_authors(raw: str) -> tuple[str, ...]:
    """Comma-separated or Python-list authors, in order, without `+` and repeats. A list with
    a backslash is split as text (unescaping could make text that is not NFC), and so is a
    list longer than LITERAL_AUTHORS (`ast` takes over a second for a 1 MB one)."""
    raw = raw.strip()
    names: list[str] | None = None
    if raw.startswith("[") and raw.endswith("]"):
        value = None
        if "\\" not in raw and len(raw) <= LITERAL_AUTHORS:
            try:
                value = ast.literal_eval(raw)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                pass
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            names = list(value)
        else:
            names = [n.strip().strip("'\"") for n in raw[1:-1].split(",")]
    if names is None:
        names = raw.split(",")
    cleaned = (" ".join(n.split()) for n in names)
    return tuple(dict.fromkeys(n for n in cleaned if n and n != "+"))


def _unlabel(bullet: str) -> str:
    """`**What's New**: text` (or `***...***`) -> `What's New: text`; other bullets as they are."""
    match = _LABEL.fullmatch(bullet)
    if match is None:
        return bullet
    label, rest = match[1].strip(), match[2]
    gap = " " if rest and not rest.startswith("\n") else ""
    return f"{label}:{gap}{rest}"
