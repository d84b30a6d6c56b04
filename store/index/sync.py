"""A host's derived tables (its BM25 table and paper catalogue) in step with the shared store.

Every write to a generation stamps the passages and paper records it writes with the next write
version (`wv` in their Chroma metadata) and, once complete, records that version in the registry
(`written`, store/index/generations.py). A host's BM25 table remembers which generation (uid)
and version it reflects (`LexicalIndex.synced`). Catching up reads the registry's version first,
then:
- never caught up (a new data dir, a table from before versions, another store's generation of
  the same number): every passage and paper record, swapped in in one transaction;
- behind: the papers whose passages or record carry a version above the host's, and the papers
  the host holds that the store no longer has; each one's rows are replaced by what the store
  holds now (or dropped), in one transaction that also records the new version.
A write still running when a host catches up may be read half-way: its rows carry a version
above the one recorded, so the next catch-up (after it completes) reads those papers again.
A paper's rows are kept only while its record exists, as in the catalogue.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from store.index.catalogue import papers_from_documents
from store.index.chroma import matching, pages
from store.models import Paper
from store.search.lexical import LexicalRow

if TYPE_CHECKING:
    from store.index.generations import RegistryState
    from store.index.index import Index

log = logging.getLogger(__name__)
STAMP = "wv"  # the write version in a passage's or paper record's Chroma metadata
BATCH = 500  # papers per Chroma read


def catch_up(index: Index, state: RegistryState) -> int:
    """Bring `index`'s BM25 table (shared by the processes of this data dir) and its catalogue
    (this process's memory) to the write version `state` records for its generation; returns how
    many papers were read again (0: already in step)."""
    target = state.written_of(index.gen.number)
    synced = index.lexical.synced(index.gen.uid)
    seen = index.catalogue_at if index.catalogue.loaded else target  # unloaded: loads fresh
    if synced is None or seen is None:
        count = _everything(index, target)
        log.info(
            "generation %d: local tables filled from the store (%d papers)", index.gen.number, count
        )
        return count
    if min(synced, seen) >= target:
        return 0
    count = _since(index, min(synced, seen), target)
    log.info("generation %d: caught up to write %d (%d papers)", index.gen.number, target, count)
    return count


def _everything(index: Index, target: int) -> int:
    papers = {p.arxiv_id: p for page in pages(index.papers, ["documents"]) for p in _papers(page)}
    rows = [
        row
        for page in pages(index.chunks, ["documents", "metadatas"])
        for row in _rows(page, papers)
    ]
    index.lexical.replace(None, rows, (index.gen.uid, target))
    index.catalogue.replace(papers.values())
    index.catalogue_at = target
    return len(papers)


def _since(index: Index, synced: int, target: int) -> int:
    """Read again the papers written after version `synced` or gone since."""
    newer = {STAMP: {"$gt": synced}}
    touched = {
        meta["arxiv_id"]
        for page in matching(index.chunks, newer, ["metadatas"])
        for meta in page["metadatas"]
    }
    touched.update(i for page in matching(index.papers, newer, []) for i in page["ids"])
    present = {i for page in pages(index.papers, []) for i in page["ids"]}
    gone = (index.lexical.paper_ids() | index.catalogue.known()) - present
    wanted = sorted(touched & present)
    papers: dict[str, Paper] = {}
    rows: list[LexicalRow] = []
    for start in range(0, len(wanted), BATCH):
        part = wanted[start : start + BATCH]
        found = {p.arxiv_id: p for p in _papers(index.papers.get(ids=part, include=["documents"]))}
        passages = index.chunks.get(
            where={"arxiv_id": {"$in": part}}, include=["documents", "metadatas"]
        )
        papers.update(found)
        rows.extend(_rows(passages, found))
    changed = touched | gone
    index.lexical.replace(sorted(changed), rows, (index.gen.uid, target))
    index.catalogue.put(papers.values())
    index.catalogue.drop(sorted(changed - set(papers)))
    index.catalogue_at = target
    return len(changed)


def _papers(page: dict) -> Iterable[Paper]:
    return papers_from_documents(page["documents"])


def _rows(page: dict, papers: Mapping[str, Paper]) -> list[LexicalRow]:
    """The BM25 rows of a page of passages, for the papers in `papers` only."""
    rows = []
    for chunk_id, text, meta in zip(page["ids"], page["documents"], page["metadatas"]):
        paper = papers.get(meta["arxiv_id"])
        if paper is not None:
            rows.append(lexical_row(chunk_id, text, meta, paper))
    return rows


def lexical_row(chunk_id: str, text: str, meta: Mapping, paper: Paper) -> LexicalRow:
    span = bullet_span(paper, text)
    return LexicalRow(chunk_id, paper.arxiv_id, meta["date"], meta.get("votes"), text, span)


def bullet_span(paper: Paper, passage: str) -> tuple[int, int]:
    """Which of the paper's bullets a passage (title line + bullets) holds: (first, last), or
    (0, -1) for none. A bullet longer than a passage is split; each piece maps to it."""
    body = passage.partition("\n")[2]
    inside = [
        i
        for i, bullet in enumerate(paper.summary)
        if body and (" ".join(bullet.split())[:50] in body or body[:50] in " ".join(bullet.split()))
    ]
    return (inside[0], inside[-1]) if inside else (0, -1)
