"""The bot's view of the index: a query whose generation is dropped under it (two rebuilds made
elsewhere while it runs) is answered from the active generation instead of failing."""

from __future__ import annotations

import asyncio
import threading

from ingest.pipeline import open_handle, rebuild
from store.search.retrieval import search


async def test_a_query_whose_generation_is_dropped_under_it_is_retried(indexed) -> None:
    from bot import create_bot

    bot = create_bot(indexed)
    handle = open_handle(indexed)
    handle.refresh_s = 3600.0  # this host has not looked at the registry again yet
    bot.indexes = handle
    first = handle.current().generation
    started, proceed = threading.Event(), threading.Event()
    seen: list[int] = []

    def ask(index, question: str):
        seen.append(index.generation)
        if len(seen) == 1:  # the query is running on `first` ...
            started.set()
            proceed.wait(120)
        return search(index, question, k=1)

    try:
        running = asyncio.ensure_future(bot.query(ask, "Amphion audio music speech toolkit"))
        assert await asyncio.to_thread(started.wait, 120)
        for _ in range(2):  # ... while another process rebuilds twice: `first` is dropped
            await asyncio.to_thread(rebuild, indexed, open_handle(indexed).current())
        proceed.set()
        answer = await running
        assert answer.hits[0].paper.arxiv_id == "2312.09911"
        assert seen == [first, first + 2]
    finally:
        proceed.set()
        handle.close()
        bot.state.close()
