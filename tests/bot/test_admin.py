"""/reindex: a blue/green rebuild while /ask keeps answering from the old index; only the bot's
owner or the admin server's managers may start one, at most once per cooldown."""

from __future__ import annotations

import logging
import time
from types import SimpleNamespace

import discord
import pytest
from discord import app_commands
from simcord import InteractionResult, interactions

from bot.ui.errors import UserError


@pytest.fixture
def admin_server(simcord_bot, server):
    """`server` configured as the bot's admin server (PAPERBOT_ADMIN_GUILD_ID)."""
    simcord_bot.settings.admin_guild_id = server.guild.id
    return server


def rebuilds(env) -> int:
    """How many rebuilds started (each shows "Rebuilding the index" first)."""
    return sum(
        "Rebuilding the index" in ((r.json or {}).get("content") or "")
        for r in env.http_requests
        if r.method == "PATCH"
    )


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


async def test_reindex_rebuilds_and_swaps(simcord_env, simcord_bot, admin_server, caplog) -> None:
    server = admin_server
    old = simcord_bot.index.generation
    with caplog.at_level(logging.INFO, logger="bot.admin.cog"):
        result = await server.admin.slash(server.channel, "reindex")
    assert (
        "Index rebuilt" in result.response.content
        and "papers from 5 files" in result.response.content
    )
    assert "/reindex: done in " in caplog.text and "62/62 papers" in caplog.text  # the bot's log
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
    simcord_env, simcord_bot, admin_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest import pipeline

    server = admin_server
    recorder = Recorder(monkeypatch)
    await server.admin.slash(server.channel, "ask", question="video generation")
    await server.admin.slash(server.channel, "reindex")
    simcord_bot.get_cog("Admin").cooldown.reset()  # the recording above was a real rebuild
    ask_fields, reindex_fields = recorder.calls[0], recorder.calls[1]
    loop = __import__("asyncio").get_running_loop()
    during: dict[str, object] = {}
    real_embed = pipeline.embed_and_write

    def embed_with_visitors(index, papers, progress=None, **kwargs):
        """The rebuild's embedding; once the new generation is filled, and before it becomes
        active, a member asks a question and another admin tries a second reindex."""

        def hooked(tick) -> None:
            if progress:
                progress(tick)
            if tick.done < tick.total or "ask" in during:
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

        return real_embed(index, papers, hooked, **kwargs)

    monkeypatch.setattr(pipeline, "embed_and_write", embed_with_visitors)
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


# -- who may rebuild ---------------------------------------------------------------------------
async def test_a_manager_of_any_other_server_is_refused(simcord_env, simcord_bot, server) -> None:
    """Manage Server in some server is not enough: a rebuild costs every server's /ask."""
    generation = simcord_bot.index.generation
    for configured in (None, server.guild.id + 1):
        simcord_bot.settings.admin_guild_id = configured
        result = await server.admin.slash(server.channel, "reindex")
        assert result.ephemeral
        assert result.response.content == (
            "/reindex rebuilds the index for every server, so only the bot's owner or the admins "
            "of its home server can run it."
        )
    assert simcord_bot.index.generation == generation and rebuilds(simcord_env) == 0
    assert [type(e) for e in simcord_env.errors] == [UserError, UserError]


async def test_the_admin_server_needs_manage_server_too(
    simcord_env, simcord_bot, admin_server
) -> None:
    server = admin_server
    command = next(c for c in await simcord_bot.tree.fetch_commands() if c.name == "reindex")
    server.guild.set_command_permissions(command, {server.member: True})  # loosened by a mod
    result = await server.member.slash(server.channel, "reindex")
    assert result.ephemeral and "Manage Server" in result.response.content
    assert rebuilds(simcord_env) == 0
    assert any(isinstance(e, app_commands.MissingPermissions) for e in simcord_env.errors)


async def test_admin_server_rebuilds_once_per_cooldown(
    simcord_env, simcord_bot, admin_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from discord.app_commands import checks

    server = admin_server
    assert "Index rebuilt" in (await server.admin.slash(server.channel, "reindex")).response.content
    again = await server.admin.slash(server.channel, "reindex")
    assert again.ephemeral and again.response.content == (
        "The index was rebuilt recently; the next /reindex is possible in 10 min."
    )
    assert rebuilds(simcord_env) == 1
    later = time.time() + 601
    monkeypatch.setattr(checks, "time", SimpleNamespace(time=lambda: later))
    assert "Index rebuilt" in (await server.admin.slash(server.channel, "reindex")).response.content
    assert rebuilds(simcord_env) == 2
    assert [type(e) for e in simcord_env.errors] == [UserError]


async def test_the_owner_rebuilds_from_any_server_without_cooldown(
    simcord_env, simcord_bot, server
) -> None:
    simcord_bot.owner_id = server.admin.id  # as application_info would name them
    for _ in range(2):
        result = await server.admin.slash(server.channel, "reindex")
        assert "Index rebuilt" in result.response.content
    assert rebuilds(simcord_env) == 2


async def test_the_application_owner_is_asked_of_discord(simcord_env, simcord_bot, server) -> None:
    """With no owner_id set, the owner comes from the application info (SimCord names the bot's
    own user): a member is not the owner."""
    from bot.admin.cog import may_rebuild

    assert simcord_bot.owner_id is None and not simcord_bot.owner_ids
    asked = SimpleNamespace(
        user=server.admin, guild_id=server.guild.id, guild=server.guild, extras={}
    )
    assert not await may_rebuild(simcord_bot, asked)
    assert simcord_bot.owner_id == simcord_bot.user.id  # fetched and cached by discord.py
    assert any(r.path == "/oauth2/applications/@me" for r in simcord_env.http_requests)


async def test_no_rebuild_while_the_daily_ingest_runs(
    simcord_env, simcord_bot, admin_server
) -> None:
    server = admin_server
    async with simcord_bot.index_lock:  # as refresh_source holds it for the ingest
        result = await server.admin.slash(server.channel, "reindex")
    assert result.ephemeral and "being updated" in result.response.content
    assert rebuilds(simcord_env) == 0
    assert "Index rebuilt" in (await server.admin.slash(server.channel, "reindex")).response.content
    assert [type(e) for e in simcord_env.errors] == [UserError]


async def test_no_rebuild_while_the_archive_is_being_pulled(
    simcord_env, simcord_bot, admin_server
) -> None:
    from bot.digest import source

    server = admin_server
    assert source._running.acquire(blocking=False)
    try:
        result = await server.admin.slash(server.channel, "reindex")
    finally:
        source._running.release()
    assert result.ephemeral and result.response.content == (
        "The digest folder is being updated (pull or daily ingest); try /reindex again in a minute."
    )
    assert rebuilds(simcord_env) == 0
    assert [type(e) for e in simcord_env.errors] == [UserError]


async def test_refusals_in_korean(simcord_env, simcord_bot, admin_server, korean_client) -> None:
    server = admin_server
    other = simcord_env.create_guild()
    channel = other.create_text_channel("papers")
    role = other.create_role("Admin", permissions=discord.Permissions(manage_guild=True))
    boss = other.add_member(simcord_env.create_user("boss"), roles=[role])
    refused = await boss.slash(channel, "reindex")
    assert refused.response.content.startswith("/reindex는 모든 서버의 색인을")
    await server.admin.slash(server.channel, "reindex")
    cooling = await server.admin.slash(server.channel, "reindex")
    assert cooling.response.content == (
        "최근에 색인을 다시 만들었습니다. 10분 뒤에 다시 /reindex를 쓸 수 있습니다."
    )
    assert [type(e) for e in simcord_env.errors] == [UserError, UserError]
