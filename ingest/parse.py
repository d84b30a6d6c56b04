"""Digest markdown -> `Paper` entries. Pure: it reads files and never writes or indexes.

A digest is `## Daily Papers (YYYY-MM-DD)` sections of entries, each a
`### [Title](https://arxiv.org/abs/ID)` heading followed by optional media, `Vote:` and
`Authors:` lines and a bulleted summary. The quirks of the real archive are listed in
shared/corpus/SOURCE.md; every one of them is handled here. A malformed entry is skipped with
its `file:line` and a reason, and the rest of the file still parses.
"""

from __future__ import annotations

import ast
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from store.models import Paper

log = logging.getLogger(__name__)

ARXIV_LINK = "](https://arxiv.org/abs/"
HF_BASE = "https://huggingface.co"

_SECTION = re.compile(r"##\s+Daily Papers\s*\((\d{4}-\d{2}-\d{2})\)")
_BOUNDARY = re.compile(r"#{2,3}\s")  # a section or entry heading ends the entry before it
_NESTED_NAME = re.compile(r"(?:^|/)(\d{4})/(\d{2})/(\d{2})\.md$")  # paper_logs/YYYY/MM/DD.md
_FLAT_NAME = re.compile(r"(?:^|/)(\d{4})-(\d{2})-(\d{2})\.md$")  # YYYY-MM-DD.md
_ARXIV_ID = re.compile(r"(\d{4}\.\d{4,5}|[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?")
_BULLET = re.compile(r"\s*[-*]\s+(.*)")
_LABEL = re.compile(r"\*{1,3}([^*\n]+?)(?::\*{1,3}|\*{1,3}\s*:)[ ]*(.*)", re.DOTALL)
_VOTE = re.compile(r"Vote:\s*(.*)")
_AUTHORS = re.compile(r"Authors:\s*(.*)")
_INT = re.compile(r"-?\d+")
_MEDIA = (
    re.compile(r"!\[[^\]]*\]\(\s*([^)\s]+)"),  # image, or a video in image syntax
    re.compile(r"\[Watch Video\]\(?\s*([^)\s]+)"),  # with or without parentheses
    re.compile(r"<video\b[^>]*?\ssrc\s*=\s*['\"]([^'\"]+)"),
)


@dataclass(frozen=True)
class Skipped:
    """Something that could not be parsed: `file:line` (or the file) and why."""

    source: str
    reason: str


@dataclass
class ParseResult:
    papers: list[Paper] = field(default_factory=list)  # every entry, in file order
    skipped: list[Skipped] = field(default_factory=list)
    files: int = 0  # digest files read


@dataclass
class _Block:
    """The raw lines of one entry: its heading, the section date and what follows."""

    line: int  # 1-based line of the ### heading
    heading: str
    date: str | None
    body: list[str] = field(default_factory=list)


def date_from_path(path: Path | str) -> str | None:
    """The ISO date a digest path names (`.../YYYY/MM/DD.md` or `YYYY-MM-DD.md`), else None."""
    name = Path(path).as_posix()
    match = _NESTED_NAME.search(name) or _FLAT_NAME.search(name)
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups())).isoformat()
    except ValueError:
        return None


def find_digest_files(path: Path) -> list[Path]:
    """Digest files under a folder (recursively, by path shape; hidden folders are left out),
    sorted. A file given directly is taken as a digest whatever its name."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        return []
    return sorted(p for p in path.rglob("*.md") if p.is_file() and _is_digest(p, path))


def parse_text(
    text: str, source: str, fallback_date: str | None = None
) -> tuple[list[Paper], list[Skipped]]:
    """Parse one digest's text; `source` prefixes each `Paper.source` as `<source>:<line>`.
    `fallback_date` dates entries that come before any `## Daily Papers (date)` heading."""
    text = unicodedata.normalize("NFC", text.removeprefix("\ufeff")).replace("\t", " ")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    papers: list[Paper] = []
    skipped: list[Skipped] = []
    for block in _blocks(lines, fallback_date):
        where = f"{source}:{block.line}"
        entry = _parse_entry(block, where)
        if isinstance(entry, Paper):
            papers.append(entry)
        else:
            skipped.append(_skip(where, entry))
    return papers, skipped


def parse_file(path: Path, root: Path | None = None) -> tuple[list[Paper], list[Skipped]]:
    """Parse one digest file; sources are shown relative to `root` (the file name without it)."""
    display = _display_path(path, root)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [_skip(display, f"not UTF-8: {exc}")]
    except OSError as exc:
        return [], [_skip(display, f"unreadable: {exc.strerror or exc}")]
    return parse_text(text, display, date_from_path(path))


def parse_paths(paths: Iterable[Path]) -> ParseResult:
    """Parse every digest under the given files and folders, in the order given."""
    result = ParseResult()
    for path in paths:
        if not path.exists():
            result.skipped.append(_skip(path.as_posix(), "no such file or folder"))
            continue
        root = path if path.is_dir() else None
        for file in find_digest_files(path):
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


def _skip(source: str, reason: str) -> Skipped:
    log.warning("%s: %s", source, reason)
    return Skipped(source, reason)


def _is_digest(path: Path, folder: Path) -> bool:
    """By path shape, so `paper_logs/2024/07` given as the folder still finds `16.md`."""
    hidden = any(part.startswith(".") for part in path.relative_to(folder).parts[:-1])
    return not hidden and date_from_path(path) is not None


def _display_path(path: Path, root: Path | None) -> str:
    if root is None or root == path:
        return path.name
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _blocks(lines: list[str], fallback_date: str | None) -> Iterator[_Block]:
    section_date = fallback_date
    block: _Block | None = None
    for number, line in enumerate(lines, start=1):
        if _BOUNDARY.match(line):
            if block is not None:
                yield block
                block = None
            if section := _SECTION.match(line):
                section_date = section[1]
            elif line.startswith("###"):
                block = _Block(number, line, section_date)
        elif block is not None:
            block.body.append(line)
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
    match = _ARXIV_ID.fullmatch(raw_id)
    if match is None:
        return f"not an arXiv id: {raw_id!r}"
    if not title:
        return "empty title"
    return title, match[1]


def _parse_entry(block: _Block, source: str) -> Paper | str:
    heading = _parse_heading(block.heading)
    if isinstance(heading, str):
        return heading
    if block.date is None:
        return "no date (no Daily Papers heading, no date in the file name)"
    title, arxiv_id = heading
    media: str | None = None
    votes: int | None = None
    authors: tuple[str, ...] = ()
    bullets: list[str] = []
    for line in block.body:
        text = line.strip()
        if not text:
            continue
        if bullet := _BULLET.fullmatch(line):
            bullets.append(bullet[1].strip())
        elif bullets:  # a continuation or numbered line belongs to the bullet above it
            bullets[-1] = f"{bullets[-1]}\n{text}"
        elif vote := _VOTE.fullmatch(text):
            votes = int(vote[1]) if _INT.fullmatch(vote[1].strip()) else None
        elif names := _AUTHORS.fullmatch(text):
            authors = _parse_authors(names[1])
        elif media is None:
            media = _find_media(text)
    summary = tuple(_unlabel(b) for b in bullets if b)
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
    """Comma-separated or Python-list authors, in order, without `+` and repeats."""
    raw = raw.strip()
    names: list[str] | None = None
    if raw.startswith("[") and raw.endswith("]"):
        try:
            value = ast.literal_eval(raw)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            value = None
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            names = list(value)
        else:
            names = [n.strip().strip("'\"") for n in raw[1:-1].split(",")]
    if names is None:
        names = raw.split(",")
    cleaned = (" ".join(n.split()) for n in names)
    return tuple(dict.fromkeys(n for n in cleaned if n and n != "+"))


def _find_media(text: str) -> str | None:
    found = [m for pattern in _MEDIA if (m := pattern.search(text))]
    if not found:
        return None
    url = min(found, key=lambda m: m.start())[1]
    if url.startswith("//"):
        return f"https:{url}"
    if url.startswith("/"):
        return f"{HF_BASE}{url}"
    return url


def _unlabel(bullet: str) -> str:
    """`**What's New**: text` (or `***...***`) -> `What's New: text`; other bullets as they are."""
    match = _LABEL.fullmatch(bullet)
    if match is None:
        return bullet
    label, rest = match[1].strip(), match[2]
    gap = " " if rest and not rest.startswith("\n") else ""
    return f"{label}:{gap}{rest}"
