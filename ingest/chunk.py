"""Paper -> passages. Pure: the same paper always gives the same chunks and ids."""

from __future__ import annotations

from langchain_text_splitters import RecursiveCharacterTextSplitter

from store.models import Chunk, Paper

# Bumped whenever chunking changes; it is part of the collection name, so old vectors never mix.
CHUNK_VERSION = 1
# Chosen by measurement (docs/ARCHITECTURE.md, "Chunk size 400"): ~one labelled bullet or two or three short
# bullets per passage, so a matching passage is itself the evidence shown to the user.
CHUNK_SIZE = 400
CHUNK_OVERLAP = 0
# Passages one paper may have in the index; the archive's longest summary makes 6. One 5 MB
# summary line made 7,490, embedded and written under the writer lock.
MAX_PASSAGES = 32

_splitter = RecursiveCharacterTextSplitter(
    chunk_size=CHUNK_SIZE,
    chunk_overlap=CHUNK_OVERLAP,
    separators=["\n", ". ", "다. ", " ", ""],
    keep_separator="end",
)


def chunk_paper(paper: Paper, splitter: RecursiveCharacterTextSplitter = _splitter) -> list[Chunk]:
    """Each chunk is `title` + a run of whole bullets (a bullet longer than the size is split)."""
    body = "\n".join(" ".join(bullet.split("\n")) for bullet in paper.summary)
    pieces = [p.strip() for p in splitter.split_text(body)] if body.strip() else []
    pieces = [p for p in pieces if p] or [""]
    return [
        Chunk(arxiv_id=paper.arxiv_id, index=i, text=f"{paper.title}\n{piece}".strip())
        for i, piece in enumerate(pieces)
    ]
