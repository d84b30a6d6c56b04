"""The Follow up button under a written answer: a modal asks the question, the answer's
message gets a thread (or the thread it is in is used), and the new turn is answered there,
knowing the earlier ones. Inside the thread `/followup question:...` does the same (there is no
message-content intent: follow-ups are a modal or a slash command)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.ui import render
from bot.ui.errors import report
from bot.ui.i18n import Lang, lang_of, t
from bot.ui.render import NO_MENTIONS
from bot.ui.views import Pager

if TYPE_CHECKING:
    from bot.answers.cog import Answers

log = logging.getLogger(__name__)
FOLLOW_UP_ID = "answers:follow-up"
QUESTION_ID = "answers:question"
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
THREAD_NAME = 100  # Discord's limit on a thread's name


def button(cog: Answers, lang: Lang) -> discord.ui.Button:
    """Follow up, for whoever presses it (the conversation is the channel's)."""
    follow = discord.ui.Button(
        label=t("follow_up", lang), emoji="💬", custom_id=FOLLOW_UP_ID, row=1
    )

    async def pressed(interaction: discord.Interaction) -> None:
        source = interaction.message
        assert source is not None, "a button press comes from a message"
        await interaction.response.send_modal(
            FollowUpModal(cog, source, lang_of(interaction.locale))
        )

    follow.callback = pressed
    return follow


class FollowUpModal(discord.ui.Modal):
    def __init__(self, cog: Answers, source: discord.Message, lang: Lang) -> None:
        super().__init__(title=t("follow_up_modal", lang), timeout=900)
        self.cog = cog
        self.source = source
        self.question: discord.ui.TextInput = discord.ui.TextInput(
            label=t("follow_up_label", lang),
            placeholder=t("follow_up_placeholder", lang),
            style=discord.TextStyle.paragraph,
            max_length=300,
            custom_id=QUESTION_ID,
        )
        self.add_item(self.question)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        lang = lang_of(interaction.locale)
        question = self.question.value.strip()
        thread = await thread_of(self.cog, self.source, question)
        if thread is None:
            await interaction.followup.send(
                t("follow_up_no_thread", lang), ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return

        async def send(what: Pager | discord.Embed) -> None:
            if isinstance(what, Pager):
                await what.post(thread)
            else:
                await thread.send(embed=what, allowed_mentions=NO_MENTIONS)
            await interaction.followup.send(
                t("follow_up_posted", lang, thread=thread.mention),
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )

        await self.cog.turn(interaction, thread.id, question, send)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await report(interaction, error, "follow-up modal")


async def thread_of(cog: Answers, source: discord.Message, question: str) -> discord.Thread | None:
    """The thread a follow-up goes to: the one the answer is in, else one started from the
    answer's message (its id is the message's; the conversation moves to it if not); None
    when the bot may not make one here."""
    if isinstance(source.channel, discord.Thread):
        return source.channel
    name = render.clip(" ".join(question.split()), THREAD_NAME) or "…"
    try:
        thread = await source.create_thread(name=name, auto_archive_duration=1440)
    except discord.Forbidden:
        return None
    except discord.HTTPException as error:
        if error.code != THREAD_EXISTS or source.guild is None:
            raise
        found = await source.guild.fetch_channel(source.id)
        assert isinstance(found, discord.Thread)
        thread = found
    if thread.id != source.id:
        cog.bot.state.answers.move(source.id, thread.id)
    return thread
