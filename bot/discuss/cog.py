"""A thread per paper: the Discuss control of a card opens a public thread named after the paper
(or points to the one already open in that channel), and inside it `/ask`, or a message that
mentions the bot, is answered from that paper's bullets first, then from related papers.

One thread per (channel, paper), recorded in `bot.sqlite` (bot/state/discuss.py); a recorded
thread that was deleted is replaced. Presses are serialised per (channel, paper), so two
members pressing at once get the same thread. The thread starts from the card message when
that message is the paper's card alone and sits in the channel itself; otherwise (a message of
several cards, a card inside the daily post's thread) it is a thread of the channel."""

from __future__ import annotations

import asyncio
import logging
import re
import weakref
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.discuss.buttons import DiscussButton, DiscussMenu
from bot.saved.buttons import card_buttons
from bot.state.discuss import PaperThread
from bot.ui import render
from bot.ui.errors import UserError
from bot.ui.i18n import Lang, lang_of, t
from bot.ui.render import NO_MENTIONS
from bot.ui.views import Page, Pager
from store.index import Index
from store.models import Hit, Paper
from store.search.retrieval import similar
from store.search.within import within_paper
from store.usertext import visible

if TYPE_CHECKING:
    from bot.app import PaperBot

log = logging.getLogger(__name__)
THREAD_NAME = 100  # Discord's limit on a thread's name
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
ARCHIVE_AFTER = 10080  # minutes without a message before Discord archives it (a week)
# What opening a thread and writing its first message need from the bot in the channel.
THREAD_PERMS = ("view_channel", "create_public_threads", "send_messages_in_threads", "embed_links")
RELATED = 5
QUESTION = 300  # characters, as /ask allows
# Mentions answered per member: as /ask's cooldown, 5 in any 60 seconds.
MENTION_RATE, MENTION_PER = 5, 60.0
_MENTION = re.compile(r"<@[!&]?\d+>")


def _answer(index: Index, arxiv_id: str, question: str) -> tuple[Hit | None, list[Hit]]:
    hit = within_paper(index, arxiv_id, question)
    return hit, similar(index, arxiv_id, RELATED) if hit else []


def thread_name(paper: Paper) -> str:
    return render.clip(" ".join(paper.title.split()), THREAD_NAME) or paper.arxiv_id


class Discuss(commands.Cog):
    def __init__(self, bot: PaperBot) -> None:
        self.bot = bot
        self.state = bot.state.discuss
        self._locks: weakref.WeakValueDictionary[tuple[int, str], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        self._mentions = commands.CooldownMapping.from_cooldown(
            MENTION_RATE, MENTION_PER, commands.BucketType.user
        )

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(DiscussButton, DiscussMenu)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(DiscussButton, DiscussMenu)

    # -- opening -----------------------------------------------------------------------------
    async def discuss(
        self, interaction: discord.Interaction, arxiv_id: str, from_message: bool
    ) -> None:
        """The Discuss press: a private reply linking the paper's thread (opened if needed)."""
        lang = lang_of(interaction.locale)
        here = interaction.channel
        channel = here.parent if isinstance(here, discord.Thread) else here
        if interaction.guild is None or not isinstance(channel, discord.TextChannel):
            raise UserError("discuss_where")
        perms = channel.permissions_for(interaction.guild.me)
        if missing := [name for name in THREAD_PERMS if not getattr(perms, name)]:
            raise UserError("discuss_missing", perms=_perm_names(missing, lang))
        await interaction.response.defer(ephemeral=True, thinking=True)
        paper = await self.bot.query(Index.get, arxiv_id)
        if paper is None:
            raise UserError("paper_gone", arxiv_id=arxiv_id)
        message = interaction.message
        starter = message if from_message and here is channel and message else None
        if starter is not None and starter.flags.ephemeral:
            starter = None  # a private reply cannot start a thread
        origin = message.jump_url if message else channel.jump_url
        try:
            thread, new = await self.thread_for(channel, paper, starter, origin, lang)
        except discord.Forbidden:
            raise UserError("discuss_missing", perms=_perm_names(THREAD_PERMS[1:], lang)) from None
        key = "discuss_opened" if new else "discuss_exists"
        await interaction.followup.send(
            t(key, lang, title=render.plain_title(paper.title, 150), thread=thread.mention),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    async def thread_for(
        self,
        channel: discord.TextChannel,
        paper: Paper,
        starter: discord.Message | None,
        origin: str,
        lang: Lang,
    ) -> tuple[discord.Thread, bool]:
        """The paper's thread in `channel` and whether it was opened now (then with the card
        and a link to `origin` as its first message)."""
        key = (channel.id, paper.arxiv_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            known = self.state.thread(channel.id, paper.arxiv_id)
            if known is not None:
                thread = await _existing(channel.guild, known.thread_id)
                if thread is not None:
                    return thread, False
                self.state.forget(known.thread_id)  # deleted: a new one replaces it
            thread = await _open(channel, paper, starter)
            self.state.record(PaperThread(channel.id, paper.arxiv_id, thread.id, origin))
            await thread.send(
                t("discuss_intro", lang, url=origin),
                embed=render.card(
                    paper, lang, extra=self.bot.extras([paper.arxiv_id]).get(paper.arxiv_id)
                ),
                view=card_buttons([paper], lang, discuss=False),
                allowed_mentions=NO_MENTIONS,
            )
            return thread, True

    # -- answering inside a paper's thread ---------------------------------------------------
    def paper_thread(self, channel_id: int | None) -> PaperThread | None:
        """The paper a thread discusses; None for any other channel."""
        return self.state.by_thread(channel_id) if channel_id else None

    async def answer_pages(self, known: PaperThread, question: str, lang: Lang) -> list[Page]:
        """The paper's card with the bullets that answer, then the related papers (a list
        linking back to the card message, then their cards)."""
        hit, related = await self.bot.query(_answer, known.arxiv_id, question)
        if hit is None:
            raise UserError("paper_gone", arxiv_id=known.arxiv_id)
        intro = [
            t("question", lang, q=render.safe(render.clip(question, QUESTION))),
            t("discuss_back", lang, url=known.origin_url),
        ]
        if related:
            papers = [h.paper for h in related]
            head = render.listing(t("discuss_related", lang), intro, papers, "more_in_pages", lang)
        else:
            head = render.notice("\n".join([*intro, t("no_similar", lang)]))
        extras = await self.bot.fetch_extras(
            [hit.paper.arxiv_id, *(h.paper.arxiv_id for h in related)]
        )
        first = render.pack([render.hit_card(hit, lang, extras.get(hit.paper.arxiv_id)), head])
        return [
            *first,
            *([render.card(h.paper, lang, extra=extras.get(h.paper.arxiv_id))] for h in related),
        ]

    async def ask(self, interaction: discord.Interaction, question: str) -> bool:
        """/ask inside a paper's thread (True: answered here); elsewhere False, /ask as usual."""
        known = self.paper_thread(interaction.channel_id)
        if known is None:
            return False
        await interaction.response.defer(thinking=True)
        lang = lang_of(interaction.locale)
        pages = await self.answer_pages(known, question, lang)
        await Pager(pages, interaction.user.id, lang).send(interaction)
        return True

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A member's message mentioning the bot in a paper's thread: answered like /ask there
        (discord.py receives the content of messages that mention the bot without the
        message-content intent)."""
        me = self.bot.user
        if message.author.bot or me is None or me not in message.mentions:
            return
        known = self.paper_thread(message.channel.id)
        if known is None:
            return
        lang = lang_of(message.guild.preferred_locale if message.guild else None)
        question = visible(_MENTION.sub(" ", message.content)).strip()[:QUESTION]
        if self._mentions.get_bucket(message).update_rate_limit():  # type: ignore[union-attr]
            return  # over the rate: quietly, as a flood of replies is what the rate prevents
        try:
            if not question:
                await message.reply(
                    t("discuss_ask_empty", lang), allowed_mentions=NO_MENTIONS, mention_author=False
                )
                return
            pages = await self.answer_pages(known, question, lang)
            await Pager(pages, message.author.id, lang).post(message.channel)
        except UserError as error:
            await message.channel.send(error.message(lang), allowed_mentions=NO_MENTIONS)
        except Exception:
            log.exception("answering a mention in thread %s failed", message.channel.id)
            await message.channel.send(t("apology", lang), allowed_mentions=NO_MENTIONS)


def _perm_names(names: tuple[str, ...] | list[str], lang: Lang) -> str:
    return ", ".join(t(f"perm_{name}", lang) for name in names)


async def _existing(guild: discord.Guild, thread_id: int) -> discord.Thread | None:
    """The recorded thread, or None when it was deleted."""
    thread = guild.get_thread(thread_id)
    if thread is not None:
        return thread
    try:  # archived threads are not in the cache
        found = await guild.fetch_channel(thread_id)
    except (discord.NotFound, discord.Forbidden):  # Forbidden: hidden from the bot, as good as gone
        return None
    return found if isinstance(found, discord.Thread) else None


async def _open(
    channel: discord.TextChannel, paper: Paper, starter: discord.Message | None
) -> discord.Thread:
    name = thread_name(paper)
    if starter is not None:
        try:
            return await starter.create_thread(name=name, auto_archive_duration=ARCHIVE_AFTER)
        except discord.HTTPException as error:
            if error.code != THREAD_EXISTS:
                raise
            # the card already has a thread (opened by hand, or by a press that crashed before
            # recording it): it is about this paper; a message's thread has the message's id
            found = await channel.guild.fetch_channel(starter.id)
            assert isinstance(found, discord.Thread)
            return found
    return await channel.create_thread(
        name=name, type=discord.ChannelType.public_thread, auto_archive_duration=ARCHIVE_AFTER
    )


async def setup(bot: PaperBot) -> None:
    await bot.add_cog(Discuss(bot))
