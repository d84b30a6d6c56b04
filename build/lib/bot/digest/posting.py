"""Posting one digest date to one server: the overview message, its thread, one card per paper.

Every send is recorded (bot/state/digest.py): `pending` before, the result after. A run that finds a
send pending looks for it in the channel or thread history (the bot's own messages, matched by
the overview's link or the cards' arXiv URLs) before sending anything again, so nothing that
landed is sent twice; papers whose card is recorded are never sent again.

Failures are sorted for the scheduler:
- ChannelGone: the channel was deleted or refuses the bot (403, or a permission missing). Stop
  posting there and tell the server.
- one message gone (the overview deleted before its thread exists: posted again; the thread
  deleted: the rest of that date is skipped): handled here, the post goes on.
- PostFailed: anything else; `transient` for 5xx, 429, network errors and an unavailable server
  (retried with backoff), not transient for other 4xx (bounded tries, then the date is dropped).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import aiohttp
import discord

from bot.saved.buttons import save_buttons
from bot.state.digest import Post
from bot.ui import render
from bot.ui.i18n import Lang, t
from bot.ui.render import NO_MENTIONS
from store.models import Paper

if TYPE_CHECKING:
    from bot.app import PaperBot

log = logging.getLogger(__name__)
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
UNKNOWN_CHANNEL, UNKNOWN_MESSAGE = 10003, 10008
HISTORY = 100  # messages looked at for a send that may have landed (a day is ~35 messages)
# Needed to post at all; without the thread permissions the cards go to the channel itself.
NEEDED = ("view_channel", "send_messages", "embed_links", "read_message_history")
THREAD_PERMS = ("create_public_threads", "send_messages_in_threads")
# What /digest set asks for.
ALL_PERMS = NEEDED[:3] + THREAD_PERMS + NEEDED[3:]


class ChannelGone(Exception):
    """The post's channel was deleted or refuses the bot. `key` names the reason (catalogue)."""

    def __init__(self, channel_id: int, key: str, **values: object) -> None:
        super().__init__(f"channel {channel_id}: {key} {values}")
        self.channel_id = channel_id
        self.key = key
        self.values = values


class PostFailed(Exception):
    def __init__(self, text: str, transient: bool) -> None:
        super().__init__(text)
        self.transient = transient


class _OverviewGone(Exception):
    pass


class _ThreadGone(Exception):
    pass


def missing_perms(channel: discord.abc.GuildChannel, me: discord.Member, names: Sequence[str]):
    perms = channel.permissions_for(me)
    return [name for name in names if not getattr(perms, name)]


def classify(error: BaseException, channel_id: int) -> ChannelGone | PostFailed:
    if isinstance(error, discord.Forbidden):
        return ChannelGone(channel_id, "stop_refused", error=f"{error.status} {error.text}")
    if isinstance(error, discord.NotFound) and error.code == UNKNOWN_CHANNEL:
        return ChannelGone(channel_id, "stop_deleted")
    if isinstance(error, discord.HTTPException):
        transient = error.status == 429 or error.status >= 500
        return PostFailed(f"{error.status} {error.text}".strip(), transient)
    if isinstance(error, aiohttp.ClientError | OSError | asyncio.TimeoutError):
        return PostFailed(f"network: {error!r}", transient=True)
    return PostFailed(f"{type(error).__name__}: {error}", transient=False)


class Poster:
    def __init__(self, bot: PaperBot) -> None:
        self.bot = bot
        self.state = bot.state.digest

    async def post_day(
        self,
        guild_id: int,
        channel_id: int,
        day: str,
        papers: Sequence[Paper],
        lang: Lang,
        intro: str | None = None,
    ) -> str:
        """Post (or finish posting) one date; 'posted', or 'partial' when its thread was
        deleted midway. Raises ChannelGone or PostFailed."""
        guild = self.bot.get_guild(guild_id)
        if guild is None or guild.unavailable:
            raise PostFailed("the server is unavailable (Discord outage?)", transient=True)
        post = self.state.begin_post(guild.id, day, channel_id)
        try:
            status = await self._post(guild, post, papers, lang, intro)
        except (ChannelGone, PostFailed):
            raise
        except Exception as error:
            failure = classify(error, post.channel_id)
            if isinstance(failure, PostFailed) and not isinstance(error, discord.HTTPException):
                log.exception("server %s: posting %s failed", guild.id, day)
            raise failure from error
        self.state.finish_post(guild.id, day, status, discord.utils.utcnow())
        return status

    async def _post(
        self,
        guild: discord.Guild,
        post: Post,
        papers: Sequence[Paper],
        lang: Lang,
        intro: str | None,
    ) -> str:
        channel = await self._channel(guild, post.channel_id)
        if missing := missing_perms(channel, guild.me, NEEDED):
            raise ChannelGone(channel.id, "stop_missing", perms=missing)
        threads = post.thread_id != 0 and (
            bool(post.thread_id) or not missing_perms(channel, guild.me, THREAD_PERMS)
        )
        head, _ = render.digest_post(post.day, papers, lang, in_thread=threads)
        try:
            await self._send_all(guild, channel, post, head, threads, papers, lang, intro)
        except _ThreadGone:
            log.info("server %s: the thread of %s was deleted; rest skipped", guild.id, post.day)
            return "partial"
        return "posted"

    async def _send_all(
        self,
        guild: discord.Guild,
        channel: discord.TextChannel,
        post: Post,
        head: discord.Embed,
        threads: bool,
        papers: Sequence[Paper],
        lang: Lang,
        intro: str | None,
    ) -> None:
        """The overview, the thread and the cards; _ThreadGone when the thread was deleted."""
        for _ in range(2):
            message = await self._overview(channel, post, head, intro)
            if not threads:
                if post.thread_id is None:
                    self.state.set_thread(guild.id, post.day, 0)
                target: discord.abc.Messageable = channel
                break
            try:
                target = await self._thread(guild, message, post, lang)
                break
            except _OverviewGone:  # deleted before its thread was made: post it again
                log.info("server %s: the overview of %s was deleted", guild.id, post.day)
                self.state.set_message(guild.id, post.day, None)
                post = self.state.post(guild.id, post.day) or post
        else:
            raise PostFailed("the overview was deleted again before its thread", transient=False)
        await self._cards(target, message if target is channel else None, post, papers, lang)

    async def _channel(self, guild: discord.Guild, channel_id: int) -> discord.TextChannel:
        channel = guild.get_channel(channel_id)
        if channel is None:  # not in the cache: ask Discord before calling it gone
            try:
                channel = await guild.fetch_channel(channel_id)
            except discord.NotFound:
                raise ChannelGone(channel_id, "stop_deleted") from None
            except discord.Forbidden:
                raise ChannelGone(channel_id, "stop_missing", perms=["view_channel"]) from None
        if not isinstance(channel, discord.TextChannel):
            raise ChannelGone(channel_id, "stop_deleted")
        return channel

    async def _overview(
        self, channel: discord.TextChannel, post: Post, head: discord.Embed, intro: str | None
    ) -> discord.Message | discord.PartialMessage:
        """The recorded overview, one that landed although its send was not recorded, or a new
        one."""
        state = self.state
        if post.message_id:
            return channel.get_partial_message(post.message_id)
        if post.pending == "overview":
            async for message in channel.history(limit=HISTORY):
                if self._mine(message) and any(e.url == head.url for e in message.embeds):
                    state.set_message(post.guild_id, post.day, message.id)
                    return message
        state.mark_pending(post.guild_id, post.day, "overview")
        message = await channel.send(content=intro, embed=head, allowed_mentions=NO_MENTIONS)
        state.set_message(post.guild_id, post.day, message.id)
        return message

    async def _thread(
        self,
        guild: discord.Guild,
        message: discord.Message | discord.PartialMessage,
        post: Post,
        lang: Lang,
    ) -> discord.Thread:
        if post.thread_id:
            thread = guild.get_thread(post.thread_id)
            if thread is None:
                try:
                    thread = await guild.fetch_channel(post.thread_id)
                except discord.NotFound:
                    raise _ThreadGone from None
        else:
            try:
                thread = await message.create_thread(
                    name=t("thread_name", lang, day=post.day), auto_archive_duration=1440
                )
            except discord.NotFound as error:
                if error.code == UNKNOWN_MESSAGE:
                    raise _OverviewGone from error
                raise
            except discord.HTTPException as error:
                if error.code != THREAD_EXISTS:
                    raise
                thread = await guild.fetch_channel(message.id)  # a message's thread has its id
            self.state.set_thread(guild.id, post.day, thread.id)
        assert isinstance(thread, discord.Thread)
        return thread

    async def _cards(
        self,
        target: discord.abc.Messageable,
        overview: discord.Message | discord.PartialMessage | None,
        post: Post,
        papers: Sequence[Paper],
        lang: Lang,
    ) -> None:
        """The cards not recorded yet; a card message that may have landed is looked for first.
        `overview` is set when the cards go to the channel itself (look only after it)."""
        state, guild_id, day = self.state, post.guild_id, post.day
        in_thread = isinstance(target, discord.Thread)
        try:
            if post.pending == "cards":
                state.record_cards(guild_id, day, await self._landed(target, overview, papers))
            sent = state.cards(guild_id, day)
            remaining = [p for p in papers if p.arxiv_id not in sent]
            ids = iter([p.arxiv_id for p in remaining])
            for embeds in render.pack(render.card(p, lang) for p in remaining):
                batch = [next(ids) for _ in embeds]
                state.mark_pending(guild_id, day, "cards")
                message = await target.send(
                    embeds=embeds, view=save_buttons(batch, lang), allowed_mentions=NO_MENTIONS
                )
                state.record_cards(guild_id, day, [(i, message.id) for i in batch])
        except discord.NotFound as error:
            if in_thread and error.code == UNKNOWN_CHANNEL:
                raise _ThreadGone from error
            raise

    async def _landed(
        self,
        target: discord.abc.Messageable,
        overview: discord.Message | discord.PartialMessage | None,
        papers: Sequence[Paper],
    ) -> list[tuple[str, int]]:
        """(arXiv id, message id) for the cards of these papers already in the history."""
        wanted = {render.abs_url(p.arxiv_id): p.arxiv_id for p in papers}
        found = []
        async for message in target.history(limit=HISTORY, after=overview):
            if self._mine(message):
                found += [(wanted[e.url], message.id) for e in message.embeds if e.url in wanted]
        return found

    def _mine(self, message: discord.Message) -> bool:
        user = self.bot.user
        return user is not None and message.author.id == user.id
