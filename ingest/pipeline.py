"""Digest files -> papers -> passages -> vectors -> index. Incremental by content hash."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest.chunk import CHUNK_SIZE, CHUNK_VERSION, chunk_paper
from ingest.parse import Skipped, parse_paths, unique_papers
from store.embedders import Embedder, get_embedder
from store.index import Index
from store.models import Paper
from store.settings import Settings

log = logging.getLogger(__name__)
LAYOUT = f"c{CHUNK_VERSION}s{CHUNK_SIZE}"
BATCH = 256  # papers per embed+write step; bounds memory and gives the progress bar its ticks

Progress = Callable[[int, int], None]  # (papers done, papers to embed)


@dataclass
class IngestReport:
    files: int = 0
    entries: int = 0
    papers_new: int = 0
    papers_updated: int = 0
    papers_unchanged: int = 0
    papers_removed: int = 0
    passages_embedded: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    def to_json(self) -> dict:
        data = asdict(self)
        data["skipped"] = [{"source": s.source, "reason": s.reason} for s in self.skipped]
        return data


def open_index(settings: Settings, embedder: Embedder | None = None) -> Index:
    """The active index for these settings (embedder and chunking fix the collection names)."""
    index = Index(settings, embedder or get_embedder(settings.embedder), LAYOUT)
    if healed := index.heal_lexical():
        log.warning("lexical index was empty; rebuilt %d passages from Chroma", healed)
    return index


def ingest(
    settings: Settings,
    paths: Iterable[Path] | None = None,
    index: Index | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Bring the index in step with the digests. With no `paths` the configured source is the
    whole truth, so papers gone from it are removed; explicit paths only add and update."""
    index = index or open_index(settings)
    mirror = paths is None
    parsed = parse_paths(list(paths) if paths is not None else [settings.digests])
    papers = unique_papers(parsed.papers)
    known = index.paper_hashes()
    report = IngestReport(files=parsed.files, entries=len(parsed.papers), skipped=parsed.skipped)
    todo = [p for p in papers.values() if known.get(p.arxiv_id) != p.content_hash()]
    report.papers_new = sum(1 for p in todo if p.arxiv_id not in known)
    report.papers_updated = len(todo) - report.papers_new
    report.papers_unchanged = len(papers) - len(todo)
    if mirror:
        gone = sorted(set(known) - set(papers))
        index.remove(gone)
        report.papers_removed = len(gone)
    report.passages_embedded = embed_and_write(index, todo, progress)
    return report


def embed_and_write(index: Index, papers: list[Paper], progress: Progress | None = None) -> int:
    embedded = 0
    for start in range(0, len(papers), BATCH):
        batch = papers[start : start + BATCH]
        chunked = [chunk_paper(p) for p in batch]
        texts = [c.text for chunks in chunked for c in chunks]
        vectors = index.embedder.embed_passages(texts)
        items, offset = [], 0
        for paper, chunks in zip(batch, chunked):
            items.append((paper, chunks, vectors[offset : offset + len(chunks)]))
            offset += len(chunks)
        index.write(items)
        embedded += len(texts)
        if progress:
            progress(start + len(batch), len(papers))
    return embedded


def rebuild(
    settings: Settings, index: Index | None = None, progress: Progress | None = None
) -> tuple[Index, IngestReport]:
    """Blue/green: fill a new generation from the source while `index` keeps answering, then
    switch the active pointer. Returns the new (active) index."""
    current = index or open_index(settings)
    fresh = current.next_generation()
    report = ingest(settings, index=fresh, progress=progress)
    fresh.activate()
    return fresh, report
