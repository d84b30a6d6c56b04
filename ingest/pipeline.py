"""Digest files -> papers -> passages -> vectors -> index. Incremental by content hash.

Every write holds the data dir's writer lock (store/index/writelock.py) and, on a Chroma server
shared by several hosts, the server's write lease (store/index/lease.py), and passes the guards
in ingest/guards.py first, so no operator mistake empties the index.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest import guards
from ingest.chunk import CHUNK_SIZE, CHUNK_VERSION, MAX_PASSAGES, chunk_paper
from ingest.parse import ParseResult, Skipped, parse_paths, unique_papers
from store.embedders import Embedder, get_embedder
from store.index import Index, lease, writelock
from store.index.faults import crash_point, pause_point
from store.index.handle import IndexHandle
from store.models import Chunk, Paper
from store.progress import Progress, Tick
from store.settings import Settings

log = logging.getLogger(__name__)
CHUNKING = f"c{CHUNK_VERSION}s{CHUNK_SIZE}"
BATCH = 256  # papers per embed+write step; bounds memory and gives the progress its ticks


@dataclass
class IngestReport:
    files: int = 0
    entries: int = 0
    papers_new: int = 0
    papers_updated: int = 0
    papers_unchanged: int = 0
    papers_removed: int = 0
    passages_embedded: int = 0  # computed by the model
    passages_written: int = 0  # embedded or taken from the vector cache
    skipped: list[Skipped] = field(default_factory=list)
    removals_held: list[str] = field(default_factory=list)  # why nothing was removed this run

    def to_json(self) -> dict:
        data = asdict(self)
        data["skipped"] = [{"source": s.source, "reason": s.reason} for s in self.skipped]
        return data

    @property
    def papers(self) -> int:
        return self.papers_new + self.papers_updated + self.papers_unchanged


def open_handle(settings: Settings, embedder: Embedder | None = None) -> IndexHandle:
    """The active index for these settings, followed across rebuilds (the bot keeps one)."""
    return IndexHandle(settings, embedder or get_embedder(settings.embedder), CHUNKING)


def open_index(settings: Settings, embedder: Embedder | None = None) -> Index:
    """The active index as it is now (a one-shot command's view)."""
    return open_handle(settings, embedder).current()


def ingest(
    settings: Settings,
    paths: Iterable[Path] | None = None,
    index: Index | None = None,
    progress: Progress | None = None,
    allow_mass_removal: bool = False,
    purpose: str = "paperbot ingest",
) -> IngestReport:
    """Bring the active index in step with the digests. With no `paths` the configured folder
    is the whole truth, so papers gone from it are removed (within the guards); explicit paths
    only add and update, and never move a paper back to an older day. `purpose` names this
    writer to another one that is refused meanwhile."""
    mirror = paths is None
    sources = [settings.digests] if paths is None else list(paths)
    with writelock.writer(settings.data_dir, purpose):
        unreadable = guards.check_sources(sources)
        parsed = parse_paths(sources)
        if mirror:
            guards.check_papers(len(parsed.papers), sources)
        with _writing(settings, index, purpose) as target:
            where = ", ".join(str(p) for p in sources)
            pause_point("ingest-writing")
            return _fill(target, parsed, mirror, where, unreadable, progress, allow_mass_removal)


def rebuild(
    settings: Settings,
    index: Index | None = None,
    progress: Progress | None = None,
    paths: Iterable[Path] | None = None,
    allow_mass_removal: bool = False,
    purpose: str = "paperbot ingest --full",
) -> tuple[Index, IngestReport]:
    """Blue/green: fill a new generation from the source (the configured folder, or all of
    `paths`) while the active one keeps answering, then switch the pointer. The old active
    generation stays until the next switch. Returns the new (active) index."""
    sources = [settings.digests] if paths is None else list(paths)
    with writelock.writer(settings.data_dir, purpose):
        unreadable = guards.check_sources(sources)
        parsed = parse_paths(sources)
        guards.check_papers(len(parsed.papers), sources)
        with _writing(settings, index, purpose) as current:
            registry = current.registry
            if dropped := registry.discard_unfinished():
                log.warning("dropped %d half-built generation(s) of an earlier rebuild", dropped)
            fresh = Index(settings, current.embedder, registry.begin(), current.client, registry)
            try:
                fresh.catch_up()  # new and empty: its tables start at write version 0
                where = ", ".join(str(p) for p in sources)
                pause_point("rebuild-filling")
                report = _fill(fresh, parsed, True, where, unreadable, progress, allow_mass_removal)
                guards.check_activation(fresh.counts()[0], current.counts()[0], allow_mass_removal)
            except BaseException:
                fresh.close()
                if lease.holds_writing(registry):  # else the next rebuild drops it
                    registry.discard(fresh.gen)
                raise
            crash_point("rebuild-filled")
            lease.check_writing(registry)
            registry.activate(fresh.gen)
            return fresh, report


@contextmanager
def _writing(settings: Settings, index: Index | None, purpose: str) -> Iterator[Index]:
    """The index a writer must write to, under the server's write lease: the active
    generation, whatever `index` a caller holds (another process may have switched since it was
    opened), caught up with what was written elsewhere."""
    handle = None if index is not None else open_handle(settings)
    registry = index.registry if index is not None else handle.registry
    with lease.writing(registry, purpose):
        if index is not None:
            active = index.registry.ensure_active()
            if (active.number, active.prefix) == (index.gen.number, index.gen.prefix):
                index.gen = active  # with its uid, when this write registered it just now
                index.catch_up()
                yield index
                return
            log.warning(
                "generation %d is no longer active; writing to %d", index.generation, active.number
            )
            handle = open_handle(settings, index.embedder)
        yield handle.writable()


def _fill(
    index: Index,
    parsed: ParseResult,
    mirror: bool,
    where: str,
    unreadable: list[str],
    progress: Progress | None,
    allow_mass_removal: bool,
) -> IngestReport:
    papers = unique_papers(parsed.papers)
    known = index.paper_hashes()
    report = IngestReport(
        files=parsed.files, entries=len(parsed.papers), skipped=list(parsed.skipped)
    )
    if not mirror:  # a file given by hand never moves a paper back to an older day
        indexed = index.by_id
        papers = {
            aid: p for aid, p in papers.items() if aid not in indexed or indexed[aid].date <= p.date
        }
    todo = [p for p in papers.values() if known.get(p.arxiv_id) != p.content_hash()]
    report.papers_new = sum(1 for p in todo if p.arxiv_id not in known)
    report.papers_updated = len(todo) - report.papers_new
    report.papers_unchanged = len(papers) - len(todo)
    if mirror:
        # A broken entry keeps its paper's indexed version; a skip that cannot say which
        # papers it held (an unreadable or emptied file, a heading lost) holds every removal.
        kept = {s.arxiv_id for s in parsed.skipped if s.arxiv_id}
        unknown = [f"{s.source}: {s.reason}" for s in parsed.skipped if not s.arxiv_id]
        gone = sorted(set(known) - set(papers) - kept)
        if gone and (unreadable or unknown):
            report.removals_held = unreadable + unknown
        elif gone:
            guards.check_removal(len(gone), len(known), where, allow_mass_removal)
            index.remove(gone)
            report.papers_removed = len(gone)
    report.passages_written, report.passages_embedded = embed_and_write(
        index, todo, progress, files=parsed.files, cut=report.skipped
    )
    # the summaries' new Korean words for the English->Korean bridge (store/search/bridge.py)
    index.word_bridge(embed_missing=True)
    return report


def embed_and_write(
    index: Index,
    papers: list[Paper],
    progress: Progress | None = None,
    files: int | None = None,
    cut: list[Skipped] | None = None,
) -> tuple[int, int]:
    """Chunk, embed (text already seen comes from the vector cache) and write, BATCH papers at
    a time; a paper's first MAX_PASSAGES passages only, each cut reported in `cut`. Returns
    (passages written, passages the model embedded)."""
    written = embedded = 0
    if progress:
        progress(Tick(0, len(papers), 0, files))
    for start in range(0, len(papers), BATCH):
        batch = papers[start : start + BATCH]
        chunked = [_capped(p, chunk_paper(p), cut) for p in batch]
        texts = [c.text for chunks in chunked for c in chunks]
        vectors, computed = index.vectors.embed(texts, index.embedder.embed_passages)
        items, offset = [], 0
        for paper, chunks in zip(batch, chunked):
            items.append((paper, chunks, vectors[offset : offset + len(chunks)]))
            offset += len(chunks)
        index.write(items)
        pause_point("batch-written")
        written, embedded = written + len(texts), embedded + computed
        if progress:
            progress(Tick(start + len(batch), len(papers), written, files))
    return written, embedded


def _capped(paper: Paper, chunks: list[Chunk], cut: list[Skipped] | None) -> list[Chunk]:
    if len(chunks) <= MAX_PASSAGES:
        return chunks
    reason = (
        f"the summary makes {len(chunks)} passages: only the first {MAX_PASSAGES} are "
        "searchable (the summary is kept whole)"
    )
    log.warning("%s: %s", paper.source, reason)
    if cut is not None:
        cut.append(Skipped(paper.source, reason, paper.arxiv_id))
    return chunks[:MAX_PASSAGES]
