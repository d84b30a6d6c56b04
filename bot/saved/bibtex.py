"""BibTeX entries of digest papers (arXiv preprints as `@misc` with `eprint`, the form arXiv's own
export uses), for /saved-export, the Cite button and `paperbot bib`. No Discord: the command
line uses it too.

A key is the first author's last name, the year and the first word of the title that is not an
article or preposition, in lowercase ASCII (`zhang2024mapneo`). Papers sharing that key are told
apart over the whole catalogue, not over one export: the one with the smallest arXiv id keeps
the bare key, the next get `b`, `c`, ... in id order. So one paper has one key wherever it is
cited, as long as no paper with an earlier id and the same key joins the index later (digests
list papers about as they appear on arXiv, so new ids are larger).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from store.models import ARXIV_ID, Paper, arxiv_url

# Discord's default upload limit per file (8 MB); a bigger export is split into several files.
UPLOAD_LIMIT = 8_000_000
FILES_PER_MESSAGE = 10
_NEW_STYLE = re.compile(r"^([0-9]{2})([0-9]{2})\.[0-9]{4,5}$")
# What LaTeX treats as markup, and how to write it literally; backslash first.
_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIAL = re.compile("|".join(re.escape(c) for c in _LATEX))
_SKIPPED_WORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "at", "by"}
_NAME_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}


def arxiv_id_of(text: str) -> str | None:
    """The arXiv id in what a user typed or pasted: `2405.19327`, `2405.19327v2`, an arXiv or
    Hugging Face URL; None when there is none."""
    match = ARXIV_ID.search(text.strip())
    return match[1] if match else None


def escape(text: str) -> str:
    """Text for a BibTeX field: LaTeX's special characters written literally; other characters
    (Korean, accents) stay as they are (UTF-8)."""
    return _SPECIAL.sub(lambda m: _LATEX[m[0]], " ".join(text.split()))


def year_of(paper: Paper) -> str:
    """The year from a new-style arXiv id (`2405.19327`: 2024), else from the digest date."""
    match = _NEW_STYLE.match(paper.arxiv_id)
    return f"20{match[1]}" if match else paper.date[:4]


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def base_key(paper: Paper) -> str:
    """The key before telling papers apart: last name + year + first title word."""
    name = ""
    if paper.authors:
        parts = [p for p in paper.authors[0].split() if p.lower() not in _NAME_SUFFIXES]
        name = _ascii_word(parts[-1]) if parts else ""
    word = next(
        (w for w in map(_ascii_word, paper.title.split()) if w and w not in _SKIPPED_WORDS), ""
    )
    return f"{name or 'anon'}{year_of(paper)}{word}"


def _suffix(rank: int) -> str:
    """'' for the first paper with a key, then b, c, ..., z, ba, bb, ..."""
    if rank == 0:
        return ""
    letters = ""
    while rank:
        rank, digit = divmod(rank, 26)
        letters = chr(ord("a") + digit) + letters
    return letters


def cite_keys(catalogue: Iterable[Paper], wanted: Iterable[str]) -> dict[str, str]:
    """arXiv id -> key for the `wanted` papers, unique across the whole `catalogue`."""
    wanted = set(wanted)
    bases = {p.arxiv_id: base_key(p) for p in catalogue}
    needed = {bases[a] for a in wanted if a in bases}
    sharing: dict[str, list[str]] = {}
    for arxiv_id, key in bases.items():
        if key in needed:
            sharing.setdefault(key, []).append(arxiv_id)
    keys = {}
    for key, ids in sharing.items():
        for rank, arxiv_id in enumerate(sorted(ids)):
            if arxiv_id in wanted:
                keys[arxiv_id] = key + _suffix(rank)
    return keys


def _author(name: str) -> str:
    # a name holding a comma or " and " would be read as several: braces keep it one
    text = escape(name)
    return f"{{{text}}}" if "," in text or " and " in f" {text.lower()} " else text


def entry(paper: Paper, key: str) -> str:
    """One `@misc` entry."""
    fields = [("title", escape(paper.title))]
    if paper.authors:
        fields.append(("author", " and ".join(_author(a) for a in paper.authors)))
    fields += [
        ("year", year_of(paper)),
        ("eprint", paper.arxiv_id),
        ("archivePrefix", "arXiv"),
        ("url", arxiv_url(paper.arxiv_id)),
    ]
    body = ",\n".join(f"  {name}={{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def entries(papers: Sequence[Paper], catalogue: Mapping[str, Paper]) -> list[str]:
    """The entries of `papers`, in their order, keyed over `catalogue` (id -> paper)."""
    keys = cite_keys(catalogue.values(), [p.arxiv_id for p in papers])
    return [entry(p, keys.get(p.arxiv_id) or base_key(p)) for p in papers]


def split(texts: Sequence[str], limit: int = UPLOAD_LIMIT) -> list[bytes]:
    """The entries as files of at most `limit` bytes each (UTF-8), never cutting an entry; an
    entry bigger than `limit` on its own gets a file of its own."""
    files: list[bytes] = []
    current = b""
    for text in texts:
        data = text.encode("utf-8") + b"\n"
        if current and len(current) + len(data) > limit:
            files.append(current)
            current = b""
        current += data
    if current:
        files.append(current)
    return files


def messages(files: Sequence[bytes], limit: int = UPLOAD_LIMIT) -> list[list[int]]:
    """Which files go together (their indexes): at most 10 per message, and together within
    `limit` bytes, so one message never uploads more than one file may."""
    groups: list[list[int]] = []
    size = 0
    for number, data in enumerate(files):
        if not groups or len(groups[-1]) == FILES_PER_MESSAGE or size + len(data) > limit:
            groups.append([])
            size = 0
        groups[-1].append(number)
        size += len(data)
    return groups
