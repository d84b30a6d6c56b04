"""`paperbot paper` and `paperbot bib`, and how the `paperbot` command prints a paper (with what
the enrichment cache knows of it)."""

from __future__ import annotations

import argparse
import json
import sys

from store.enrich import EnrichCache, Enrichment
from store.enrich.cache import FILE as ENRICH_FILE
from store.errors import retry_read
from store.models import Paper
from store.settings import Settings


def print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1))


def print_paper(
    paper: Paper,
    bullets: tuple[str, ...] | None = None,
    rank: int | None = None,
    extra: Enrichment | None = None,
) -> None:
    head = f"{rank}. " if rank is not None else ""
    print(f"{head}{paper.title}")
    print(f"   {paper.url}  |  {paper.date}  |  votes {paper.votes_text}")
    if extra is not None and extra.github:
        print(f"   code: {extra.github}")
    for bullet in paper.summary if bullets is None else bullets:
        print(f"   - {bullet}")


def known_extras(settings: Settings, arxiv_ids: list[str]) -> dict[str, Enrichment]:
    """What the enrichment cache knows of these papers (nothing without a cache: a read
    command creates no file)."""
    if not (settings.data_dir / ENRICH_FILE).exists():
        return {}
    cache = EnrichCache(settings.data_dir)
    try:
        return cache.many(arxiv_ids)
    finally:
        cache.close()


def enrichment_json(extra: Enrichment) -> dict:
    """The `enrichment` key of a paper in --json output (docs/CONTRACTS.md)."""
    return {"source": extra.source, **extra.content()}


def cmd_paper(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.pipeline import open_index

    def read() -> Paper | None:
        with open_index(settings) as index:
            return index.get(args.arxiv_id)

    paper = retry_read(read)
    if paper is None:
        print(f"No paper {args.arxiv_id} in the index.")
        return 1
    extra = known_extras(settings, [paper.arxiv_id]).get(paper.arxiv_id)
    if args.json:
        data = paper.to_json()
        if extra is not None:
            data["enrichment"] = enrichment_json(extra)
        print_json(data)
        return 0
    print_paper(paper, extra=extra)
    if extra is not None and extra.project_page:
        print(f"   project: {extra.project_page}")
    if extra is not None and extra.english:
        print(f"\n   {' '.join(extra.english.split())}")
    return 0


def cmd_bib(args: argparse.Namespace, settings: Settings) -> int:
    from bot.saved.bibtex import arxiv_id_of, entries
    from ingest.pipeline import open_index

    def read() -> tuple[list[Paper], list[str], list[str]]:
        with open_index(settings) as index:
            found, unknown = [], []
            for typed in args.ids:
                paper = index.get(arxiv_id_of(typed) or typed.strip())
                if paper is None:
                    unknown.append(typed)
                elif paper not in found:
                    found.append(paper)
            return found, entries(found, index.by_id), unknown

    found, texts, unknown = retry_read(read)
    for typed in unknown:
        print(f"paperbot: no paper with arXiv id {typed!r} in the index", file=sys.stderr)
    print("\n".join(texts), end="")
    return 0 if found else 1
