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
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
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
    rows = _rows(pages(index.chunks, ["documents", "metadatas"]), papers)
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
        rows.extend(_rows([passages], found))
    changed = touched | gone
    index.lexical.replace(sorted(changed), rows, (index.gen.uid, target))
    index.catalogue.put(papers.values())
    index.catalogue.drop(sorted(changed - set(papers)))
    index.catalogue_at = target
    return len(changed)


def _papers(page: dict) -> Iterable[Paper]:
    return papers_from_documents(page["documents"])


def _rows(found: Iterable[dict], papers: Mapping[str, Paper]) -> list[LexicalRow]:
    """The BM25 rows of the passages in the pages `found`, for the papers in `papers` only;
    each paper's bullet spans are found in one pass over its passages, in order."""
    passages: dict[str, list[tuple[int, str, str, Mapping]]] = {}
    for page in found:
        for chunk_id, text, meta in zip(page["ids"], page["documents"], page["metadatas"]):
            if meta["arxiv_id"] in papers:
                entry = (meta.get("chunk", 0), chunk_id, text, meta)
                passages.setdefault(meta["arxiv_id"], []).append(entry)
    rows = []
    for arxiv_id, held in passages.items():
        held.sort(key=lambda passage: passage[0])
        spans = bullet_spans(papers[arxiv_id], [text for _, _, text, _ in held])
        rows += [
            LexicalRow(cid, arxiv_id, meta["date"], meta.get("votes"), text, span)
            for (_, cid, text, meta), span in zip(held, spans)
        ]
    return rows


def bullet_spans(paper: Paper, passages: Sequence[str]) -> list[tuple[int, int]]:
    """Which of the paper's bullets each of its passages holds: (first, last), or (0, -1) for
    none. `passages` are the paper's, in order, each its title line and a piece of the bullets
    flattened and joined with line feeds (ingest/chunk.py); a bullet longer than a passage is
    split, and each piece maps to it. One pass: each bullet is flattened once and each passage
    looked for after the one before it (per passage, a 5 MB bullet took 48 minutes)."""
    flat = [" ".join(bullet.split("\n")) for bullet in paper.summary]
    starts, at = [], 0
    for bullet in flat:
        starts.append(at)
        at += len(bullet) + 1
    body = "\n".join(flat)
    spans, cursor = [], 0
    for passage in passages:
        piece = passage.partition("\n")[2]
        found = body.find(piece, cursor) if piece else -1
        if found < 0:
            spans.append((0, -1))
            continue
        cursor = found + len(piece)
        spans.append((bisect_right(starts, found) - 1, bisect_right(starts, cursor - 1) - 1))
    return spans
