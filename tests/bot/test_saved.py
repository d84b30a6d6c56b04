"""Saved papers: the Save button (persistent across restarts, ephemeral confirmation) and
/saved with paging and removal."""

from __future__ import annotations

import discord

from bot.ui import render

MAP_NEO, T2V = "2405.19327", "2405.18750"


async def post_card(bot, channel_id: int, arxiv_id: str) -> None:
    """A paper card carrying the Save button, as the bot's card views carry it."""
    from bot.saved.buttons import SaveButton

    paper = bot.index.get(arxiv_id)
    view = discord.ui.View(timeout=None)
    view.add_item(SaveButton(arxiv_id))
    await bot.get_channel(channel_id).send(embed=render.card(paper, "en"), view=view)


def said(result) -> discord.Message:
    return result.followups[0] if result.followups else result.response


async def test_save_button_and_saved_list(simcord_env, simcord_bot, server) -> None:
    member = server.member
    await post_card(simcord_bot, server.channel.id, MAP_NEO)
    card = server.channel.history()[-1]
    saved = await member.click(card, label="Save")
    assert saved.ephemeral and said(saved).content.startswith("Saved **MAP-Neo")
    again = await member.click(card, label="Save")
    assert "is already saved" in said(again).content

    from bot import create_bot

    await simcord_env.restart_bot(create_bot())
    await post_card(simcord_env.bot, server.channel.id, T2V)
    after = await member.click(server.channel.history()[-1], label="Save")  # after a restart
    assert said(after).content.startswith("Saved **T2V-Turbo")
    still = await member.click(card, label="Save")  # the button posted before the restart
    assert "is already saved" in said(still).content

    listed = await member.slash(server.channel, "saved")
    assert listed.ephemeral
    head = said(listed).embeds[0]
    assert head.title == "Your saved papers (2)"
    assert head.description.index(T2V) < head.description.index(MAP_NEO)  # newest first
    await member.click(said(listed), label="Next")
    assert said(listed).embeds[0].url == f"https://arxiv.org/abs/{T2V}"
    await member.click(said(listed), label="Remove from saved")
    assert said(listed).embeds[0].url == f"https://arxiv.org/abs/{MAP_NEO}"

    listed = await member.slash(server.channel, "saved")
    assert said(listed).embeds[0].title == "Your saved papers (1)"
    other = await server.admin.slash(server.channel, "saved")  # each member has their own
    assert "You have no saved papers" in said(other).embeds[0].description


def test_korean_pages() -> None:
    from bot.saved.cog import saved_pages
    from store.models import Paper

    paper = Paper(MAP_NEO, "MAP-Neo", "u", "2024-05-30", 19, (), ("요약",), None, "s")
    head, card = saved_pages([paper], "ko")
    assert head.title == "저장한 논문 (1편)" and card.url.endswith(MAP_NEO)
    assert "저장한 논문이 없습니다" in saved_pages([], "ko")[0].description


async def test_save_button_under_cards_of_replies(simcord_env, server) -> None:
    """/paper's card and /today's card pages carry Save; whoever presses it saves it."""
    one = await server.member.slash(server.channel, "paper", arxiv_id=MAP_NEO)
    reply = said(one)
    labels = [c["label"] for row in reply.components for c in row["components"]]
    assert labels == ["Save", "Cite", "Discuss"]
    await server.admin.click(reply, label="Save")  # not the one who ran /paper: saves too
    listed = await server.admin.slash(server.channel, "saved")
    assert said(listed).embeds[0].title == "Your saved papers (1)"

    today = await server.member.slash(server.channel, "today")
    page = said(today)
    labels = [c["label"] for row in page.components for c in row["components"]]
    assert "Save" not in labels  # the overview is not a paper
    await server.member.click(page, label="Next")
    first_card = said(today).embeds[0].url.rsplit("/", 1)[1]
    saved = await server.member.click(said(today), label="Save")
    assert said(saved).content.startswith("Saved **") and saved.ephemeral
    listed = await server.member.slash(server.channel, "saved")
    assert first_card in said(listed).embeds[0].description


async def test_daily_post_cards_carry_numbered_save_buttons(simcord_env, server) -> None:
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    await simcord_env.advance_time(23 * 3600)  # 07:00 KST: the daily post
    [thread] = server.channel.threads
    first = thread.history()[0]
    buttons = [c.label for row in first.components for c in row.children if c.type.value == 2]
    assert buttons == [f"Save {n}" for n in range(1, len(first.embeds) + 1)]
    second_id = first.embeds[1].url.rsplit("/", 1)[1]

    from bot import create_bot

    await simcord_env.restart_bot(create_bot())  # the buttons outlive the bot process
    saved = await server.member.click(first, label="Save 2")
    assert saved.ephemeral and "Saved **" in said(saved).content
    listed = await server.member.slash(server.channel, "saved")
    assert second_id in said(listed).embeds[0].description
