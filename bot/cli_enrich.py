"""`paperbot enrich`: fetch what the papers' own sources say about them (ingest/enrich) into the
data dir's cache, in the foreground, with a progress line and the run's report."""

from __future__ import annotations

import argparse
import json
import sys

from store.errors import retry_read
from store.settings import Settings


def fail(message: str, code: int) -> int:
    print(f"paperbot: {message}", file=sys.stderr)
    return code


def cmd_enrich(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.enrich import Sources, enrich, newest_first
    from store.enrich import EnrichCache
    from store.models import ARXIV_ID
    from store.progress import ProgressLog

    if not settings.enrich:
        return fail("enrichment is off (PAPERBOT_ENRICH=0): nothing fetched", 2)
    if bad := [i for i in args.ids if not ARXIV_ID.fullmatch(i)]:
        return fail(f"not an arXiv id: {bad[0]!r} (e.g. 2312.09911)", 2)
    ids = list(args.ids)
    if not ids:
        from ingest.pipeline import open_index

        def read() -> list[str]:
            with open_index(settings) as index:
                return newest_first(index.by_id.values())

        ids = retry_read(read)
        if not ids:
            print("No digest indexed yet: run `paperbot ingest`.")
            return 1
    cache = EnrichCache(settings.data_dir)
    try:
        with ProgressLog("enrich") as progress:
            report = enrich(
                cache,
                ids,
                Sources.of(settings),
                limit=args.limit,
                force=bool(args.ids),
                progress=progress,
            )
        if report.ok:  # the English text searchable (store/enrich/english.py)
            from store.embedders import get_embedder
            from store.enrich.english import embed_pending

            embed_pending(cache, get_embedder(settings.embedder))
    finally:
        cache.close()
    if args.json:
        print(json.dumps(report.to_json(), indent=1))
    else:
        print(report.line())
    if report.unreachable:
        return fail(
            f"{report.ended}: no network, or check PAPERBOT_HF_API and PAPERBOT_ARXIV_API; "
            "nothing was recorded for the papers not reached",
            1,
        )
    return 0
