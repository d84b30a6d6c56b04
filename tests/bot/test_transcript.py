"""One member's session end to end, rendered as the plain text a user would see.

Set PAPERBOT_TRANSCRIPT=/path/to/file to keep the transcript for reading."""

from __future__ import annotations

import os
from pathlib import Path

import discord
from discord import app_commands

from bot.ui.errors import UserError

LATEST = "2024-05-30"
HOUR = 3600


def labels_of(msg) -> list[str]:
    """Button labels of a SimCord response (raw dicts) or a channel message (discord.py rows)."""
    out: list[str] = []
    for row in msg.components:
        children = row["components"] if isinstance(row, dict) else row.children
        for c in children:
            label = c.get("label") if isinstance(c, dict) else getattr(c, "label", None)
            if label:
                out.append(label)
    return out


def is_ephemeral(msg) -> bool:
    return bool(msg.flags.ephemeral)


def show(msg, max_embeds: int | None = None) -> str:
    """What a user sees of one message, as plain text (optionally only its first embeds)."""
    if msg is None:
        return "  (no message)"
    lines = [f"  [message] ephemeral={is_ephemeral(msg)}"]
    if msg.content:
        lines.append("  content: " + msg.content.replace("\n", "\n           "))
    embeds = msg.embeds
    for i, embed in enumerate(embeds[:max_embeds], 1):
        lines.append(f"  embed {i}:")
        if embed.title:
            lines.append(f"    title: {embed.title}")
        if embed.url:
            lines.append(f"    url: {embed.url}")
        if embed.description:
            lines.append(
                "    description: " + embed.description.replace("\n", "\n                 ")
            )
        for field in embed.fields:
            value = (field.value or "").replace("\n", "\n        ")
            lines.append(f"    field {field.name}: {value}")
        if embed.footer and embed.footer.text:
            lines.append(f"    footer: {embed.footer.text}")
    if max_embeds is not None and len(embeds) > max_embeds:
        lines.append(f"  (+{len(embeds) - max_embeds} more embeds in this message)")
    buttons = labels_of(msg)
    if buttons:
        lines.append("  buttons: " + " | ".join(f"[{b}]" for b in buttons))
    return "\n".join(lines)


def messages_of(result) -> list:
    """Everything an interaction left for the user: the (possibly edited) response and followups."""
    out = [result.response] if result.response is not None else []
    return out + list(result.followups)


def reply(result):
    return result.followups[0] if result.followups else result.response


async def test_user_transcript(simcord_env, simcord_bot) -> None:
    parts: list[str] = []

    def step(typed: str, *messages) -> None:
        parts.append(f"> {typed}")
        parts.extend(show(m) for m in messages)
        parts.append("")

    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("papers")
    managers = guild.create_role("Admin", permissions=discord.Permissions(manage_guild=True))
    admin = guild.add_member(simcord_env.create_user("admin"), roles=[managers])
    alice = guild.add_member(simcord_env.create_user("alice"))
    simcord_bot.settings.admin_guild_id = guild.id  # the admin runs /reindex: the admin server

    # /today, then Next once
    today = await alice.slash(channel, "today")
    head = today.response.embeds[0]
    assert head.title == f"Daily Papers {LATEST}" and "12 papers" in head.description
    assert not today.ephemeral
    step("alice: /today", *messages_of(today))
    await alice.click(today.response, label="Next")
    card = today.response.embeds[0]
    assert "arxiv.org/abs/" in card.url
    assert "2/13" in labels_of(today.response)
    step("alice: (clicks Next on /today)", today.response)

    # /today for a date without a digest
    april = await alice.slash(channel, "today", date="2024-04-01")
    head = april.response.embeds[0]
    assert head.title == "Daily Papers 2024-03-14"
    assert "2024-03-14" in head.title and "No digest on 2024-04-01" in head.description
    step("alice: /today date:2024-04-01", *messages_of(april))

    # /top of all time
    top = await alice.slash(channel, "top", period="all", count=3)
    head = top.response.embeds[0]
    assert head.title == "Top 3 by votes" and head.description.count("arxiv.org/abs/") == 3
    step("alice: /top period:all count:3", *messages_of(top))

    # /ask in Korean, on topic
    question = "오디오 음악 음성 생성 오픈소스 툴킷"
    ask = await alice.slash(channel, "ask", question=question)
    head = reply(ask).embeds[0]
    assert question in head.description
    step(f'alice: /ask question:"{question}"', *messages_of(ask))

    # /ask off topic: may or may not abstain with the fake embedder, just recorded
    offtopic = "LA 갈비 양념 비율 알려줘"
    ask2 = await alice.slash(channel, "ask", question=offtopic)
    assert reply(ask2) is not None and reply(ask2).embeds
    step(f'alice: /ask question:"{offtopic}"', *messages_of(ask2))

    # /paper
    paper = await alice.slash(channel, "paper", arxiv_id="2312.09911")
    card = paper.response.embeds[0]
    assert card.url == "https://arxiv.org/abs/2312.09911" and "Amphion" in card.title
    assert {f.name for f in card.fields} >= {"Date", "Votes", "Authors", "Links"}
    step("alice: /paper arxiv_id:2312.09911", *messages_of(paper))

    # autocomplete on /paper arxiv_id
    choices = await alice.autocomplete(channel, "paper", "arxiv_id", "amph")
    assert choices and choices[0]["value"] == "2312.09911" and "Amphion" in choices[0]["name"]
    parts.append("> alice: /paper arxiv_id:amph (autocomplete)")
    parts.extend(f"  choice: {c['name']}  -> {c['value']}" for c in choices)
    parts.append("")

    # /similar
    similar = await alice.slash(channel, "similar", arxiv_id="2312.09911")
    head = reply(similar).embeds[0]
    assert head.title.startswith("Papers similar to Amphion")
    assert "2312.09911)" not in head.description and "arxiv.org/abs/" in head.description
    step("alice: /similar arxiv_id:2312.09911", *messages_of(similar))

    # admin: /digest set, then the daily post fires
    setup = await admin.slash(channel, "digest set", channel=channel)
    assert setup.ephemeral and "07:00 (Asia/Seoul)" in setup.response.content
    step(f"admin: /digest set channel:#{channel.name}", *messages_of(setup))

    before = {m.id for m in channel.history()}  # the replies to commands are there too
    await simcord_env.advance_time(26 * HOUR)
    posted = [m for m in channel.history() if m.id not in before and m.author.bot and m.embeds]
    assert [m.embeds[0].title for m in posted] == [f"Daily Papers {LATEST}"]
    overview = posted[0]
    assert "12 papers" in overview.embeds[0].description
    [thread] = channel.threads
    assert thread.name == f"Daily Papers {LATEST}"
    batches = [m for m in thread.history() if m.embeds]  # a message carries several cards
    cards = [e for m in batches for e in m.embeds]
    assert len(cards) == 12 and all(e.url.startswith("https://arxiv.org/abs/") for e in cards)
    step(f"(26 hours later, the daily post in #{channel.name})", overview)
    parts.append(
        f"> (thread: {thread.name}, {len(cards)} cards in {len(batches)} messages; the first card)"
    )
    parts.append(show(batches[0], max_embeds=1))
    parts.append("")

    # admin: /reindex
    reindex = await admin.slash(channel, "reindex")
    assert "Index rebuilt" in reindex.response.content
    assert "papers from 5 files" in reindex.response.content
    step("admin: /reindex", *messages_of(reindex))

    # a plain member types a bad date
    bad = await alice.slash(channel, "today", date="yesterday")
    assert bad.ephemeral and bad.response.ephemeral
    assert "YYYY-MM-DD" in bad.response.content
    step("alice: /today date:yesterday", *messages_of(bad))

    errors = simcord_env.errors
    assert errors and all(isinstance(e, UserError) for e in errors)
    assert not any(isinstance(e, app_commands.CheckFailure) for e in errors)

    text = "\n".join(parts)
    if target := os.environ.get("PAPERBOT_TRANSCRIPT"):
        Path(target).write_text(text, encoding="utf-8")
