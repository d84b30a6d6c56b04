"""/reindex: a blue/green rebuild while /ask keeps answering from the old index."""

from __future__ import annotations

import time

import discord
import pytest
from simcord import InteractionResult, interactions

from bot.errors import UserError


class Recorder:
    """Captures the interaction payloads SimCord builds, so a test can replay one later from
    inside the bot's work (SimCord runs one user action at a time)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.original = interactions.base_payload
        self.calls: list[dict] = []
        monkeypatch.setattr(interactions, "base_payload", self)

    def __call__(self, backend, **fields):
        self.calls.append(fields)
        return self.original(backend, **fields)

    def replay(self, env, fields: dict):
        record, payload = self.original(env.backend, **fields)
        env.backend.emit("INTERACTION_CREATE", payload)
        return record


def answer_of(result: InteractionResult) -> discord.Embed | None:
    """The embed a deferred reply was edited into, once it is there."""
    message = result.followups[0] if result.followups else result.response
    return message.embeds[0] if message is not None and message.embeds else None


async def test_reindex_rebuilds_and_swaps(simcord_env, simcord_bot, server) -> None:
    old = simcord_bot.index.generation
    result = await server.admin.slash(server.channel, "reindex")
    assert (
        "Index rebuilt" in result.response.content
        and "papers from 5 files" in result.response.content
    )
    assert simcord_bot.index.generation == old + 1
    today = await server.admin.slash(server.channel, "today")
    assert "12 papers" in today.response.embeds[0].description
    edits = [
        r
        for r in simcord_env.http_requests
        if r.method == "PATCH" and "/messages/@original" in r.path
    ]
    assert any("Rebuilding the index" in (r.json or {}).get("content", "") for r in edits)


async def test_ask_answers_and_a_second_reindex_is_refused_while_one_runs(
    simcord_env, simcord_bot, server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest import pipeline

    recorder = Recorder(monkeypatch)
    await server.admin.slash(server.channel, "ask", question="video generation")
    await server.admin.slash(server.channel, "reindex")
    ask_fields, reindex_fields = recorder.calls[0], recorder.calls[1]
    loop = __import__("asyncio").get_running_loop()
    during: dict[str, object] = {}
    real_ingest = pipeline.ingest

    def ingest_with_visitors(settings, paths=None, index=None, progress=None):
        """The rebuild's ingest; once the new generation is filled, and before it becomes active,
        a member asks a question and another admin tries a second reindex."""

        def hooked(done: int, total: int) -> None:
            if progress:
                progress(done, total)
            if "ask" in during:
                return
            loop.call_soon_threadsafe(
                lambda: during.update(ask=recorder.replay(simcord_env, ask_fields))
            )
            loop.call_soon_threadsafe(
                lambda: during.update(second=recorder.replay(simcord_env, reindex_fields))
            )
            for _ in range(600):  # real seconds: SimCord's clock is virtual, so count spins
                ask = during.get("ask")
                if ask is not None and answer_of(InteractionResult(simcord_env, ask)):
                    break
                time.sleep(0.005)
            during["generation while asked"] = simcord_bot.index.generation

        return real_ingest(settings, paths, index, hooked)

    monkeypatch.setattr(pipeline, "ingest", ingest_with_visitors)
    generation = simcord_bot.index.generation
    result = await server.admin.slash(server.channel, "reindex")
    assert "Index rebuilt" in result.response.content

    answered = answer_of(InteractionResult(simcord_env, during["ask"]))
    assert answered.title == "Papers for your question" and "arxiv.org/abs/" in answered.description
    assert during["generation while asked"] == generation  # answered by the old index
    assert simcord_bot.index.generation == generation + 1  # then swapped
    second = InteractionResult(simcord_env, during["second"])
    assert second.ephemeral and "already running" in second.response.content
    assert [type(e) for e in simcord_env.errors] == [UserError]
