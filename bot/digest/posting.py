"""Posting one digest date to one feed (a channel of a server): the overview message, its thread,
one card per paper; for a topic feed only the matching papers, or one line on a day without a
match when the feed asks for it.

Every send goes through the delivery primitive (bot/delivery/once.py) over this date's record
(bot/state/digest.py): `pending` before, the result after. A run that finds a send pending
looks for it in the channel or thread history (the overview by its link, the cards by their
arXiv URLs) before sending anything again, so nothing that landed is sent twice; papers whose
card is recorded are never sent again.

Failures follow the one failure policy (bot/delivery/policy.py):
- Gone: the channel was deleted or refuses the bot (403, 404 Unknown Channel, or a permission
  missing). The runner stops posting there and tells the server.
- one message gone (the overview deleted before its thread exists: posted again; the thread
  deleted: the rest of that date is skipped): handled here, the post goes on.
- Failed: anything else; `transient` for 5xx, 429, network errors and an unavailable server
  (retried with backoff), not transient for other 4xx (bounded tries, then the date is dropped).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING, TypeVar

import discord

from bot.delivery.once import Courier, Ledger
from bot.delivery.policy import UNKNOWN_CHANNEL, UNKNOWN_MESSAGE, Failed, Gone, classify
from bot.digest.topic import topic_overview
from bot.saved.buttons import card_buttons
from bot.state.digest import FeedConfig, Post
from bot.ui import render
from bot.ui.i18n import Lang, t
from bot.ui.render import NO_MENTIONS
from store.models import Paper

if TYPE_CHECKING:
    from bot.app import PaperBot

log = logging.getLogger(__name__)
T = TypeVar("T")
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
# Needed to post at all; without the thread permissions the cards go to the channel itself.
NEEDED = ("view_channel", "send_messages", "embed_links", "read_message_history")
THREAD_PERMS = ("create_public_threads", "send_messages_in_threads")
# The weekly roll-up (bot/weekly/runner.py) posts in the same channel and uploads its chart.
WEEKLY_NEEDED = (*NEEDED, "attach_files")
# What /digest set asks for: the daily post's and the weekly roll-up's.
ALL_PERMS = (*NEEDED[:3], "attach_files", *THREAD_PERMS, NEEDED[3])


class _OverviewGone(Exception):
    pass


class _ThreadGone(Exception):
    pass


def missing_perms(channel: discord.abc.GuildChannel, me: discord.Member, names: Sequence[str]):
    perms = channel.permissions_for(me)
    return [name for name in names if not getattr(perms, name)]


async def text_channel(guild: discord.Guild, channel_id: int) -> discord.TextChannel:
    """The server's text channel; Gone when it was deleted or is hidden from the bot."""
    channel = guild.get_channel(channel_id)
    if channel is None:  # not in the cache: ask Discord before calling it gone
        try:
            channel = await guild.fetch_channel(channel_id)
        except discord.NotFound:
            raise Gone(channel_id, "stop_deleted") from None
        except discord.Forbidden:
            raise Gone(channel_id, "stop_missing", perms=["view_channel"]) from None
    if not isinstance(channel, discord.TextChannel):
        raise Gone(channel_id, "stop_deleted")
    return channel


class Poster:
    def __init__(self, bot: PaperBot) -> None:
        self.bot = bot
        self.state = bot.state.digest
        self.courier = Courier(bot)

    async def post_day(
        self,
        feed: FeedConfig,
        day: str,
        papers: Sequence[Paper],
        lang: Lang,
        intro: str | None = None,
        total: int | None = None,
    ) -> str:
        """Post (or finish posting) one date in the feed's channel: `papers` are the ones it
        gets (a topic feed's matches out of `total`). 'posted', or 'partial' when its thread
        was deleted midway. Raises Gone or Failed."""
        guild, post = self._begin(feed, day)
        status = await self._guarded(
            guild, post, self._post(guild, post, papers, lang, intro, feed.topic, total)
        )
        self.state.finish_post(post.feed_id, day, status, discord.utils.utcnow())
        return status

    async def post_line(self, feed: FeedConfig, day: str, lines: Sequence[str]) -> None:
        """A topic feed's one line on a day without a match (`lines[0]`; the others are the same
        line in the other language, recognised in the history too). Exactly once, like the
        overview. Raises Gone or Failed."""
        guild, post = self._begin(feed, day)
        await self._guarded(guild, post, self._line(guild, post, lines))
        self.state.finish_post(post.feed_id, day, "posted", discord.utils.utcnow())

    def _begin(self, feed: FeedConfig, day: str) -> tuple[discord.Guild, Post]:
        guild = self.bot.get_guild(feed.guild_id)
        if guild is None or guild.unavailable:
            raise Failed("the server is unavailable (Discord outage?)", transient=True)
        return guild, self.state.begin_post(feed.feed_id, day, feed.channel_id)

    async def _guarded(self, guild: discord.Guild, post: Post, sending: Awaitable[T]) -> T:
        """What a send raised, sorted by the failure policy."""
        try:
            return await sending
        except (Gone, Failed):
            raise
        except Exception as error:
            failure = classify(error, post.channel_id)
            if isinstance(failure, Failed) and not isinstance(error, discord.HTTPException):
                log.exception("server %s: posting %s failed", guild.id, post.day)
            raise failure from error

    async def _channel(self, guild: discord.Guild, post: Post) -> discord.TextChannel:
        channel = await text_channel(guild, post.channel_id)
        if missing := missing_perms(channel, guild.me, NEEDED):
            raise Gone(channel.id, "stop_missing", perms=missing)
        return channel

    async def _line(self, guild: discord.Guild, post: Post, lines: Sequence[str]) -> None:
        channel = await self._channel(guild, post)
        if post.message_id:
            return
        state, feed_id, day = self.state, post.feed_id, post.day
        ledger = Ledger(
            pending=post.pending == "overview",
            mark=lambda: state.mark_pending(feed_id, day, "overview"),
            record=lambda found: state.set_message(feed_id, day, found[0][1] if found else None),
        )
        recognise = lambda message: ["line"] if message.content in lines else []
        if not await self.courier.resume(channel, ledger, recognise):
            await self.courier.send(
                channel, ledger, ["line"], content=lines[0], allowed_mentions=NO_MENTIONS
            )

    async def _post(
        self,
        guild: discord.Guild,
        post: Post,
        papers: Sequence[Paper],
        lang: Lang,
        intro: str | None,
        topic: str | None = None,
        total: int | None = None,
    ) -> str:
        channel = await self._channel(guild, post)
        threads = post.thread_id != 0 and (
            bool(post.thread_id) or not missing_perms(channel, guild.me, THREAD_PERMS)
        )
        if topic is None:
            head, _ = render.digest_post(post.day, papers, lang, in_thread=threads)
        else:
            count = len(papers) if total is None else total
            head = topic_overview(post.day, papers, count, topic, lang, in_thread=threads)
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
                    self.state.set_thread(post.feed_id, post.day, 0)
                target: discord.abc.Messageable = channel
                break
            try:
                target = await self._thread(guild, message, post, lang)
                break
            except _OverviewGone:  # deleted before its thread was made: post it again
                log.info("server %s: the overview of %s was deleted", guild.id, post.day)
                self.state.set_message(post.feed_id, post.day, None)
                post = self.state.post(post.feed_id, post.day) or post
        else:
            raise Failed("the overview was deleted again before its thread", transient=False)
        await self._cards(target, message if target is channel else None, post, papers, lang)

    async def _overview(
        self, channel: discord.TextChannel, post: Post, head: discord.Embed, intro: str | None
    ) -> discord.Message | discord.PartialMessage:
        """The recorded overview, one that landed although its send was not recorded, or a new
        one."""
        if post.message_id:
            return channel.get_partial_message(post.message_id)
        state, feed_id, day = self.state, post.feed_id, post.day
        ledger = Ledger(
            pending=post.pending == "overview",
            mark=lambda: state.mark_pending(feed_id, day, "overview"),
            record=lambda found: state.set_message(feed_id, day, found[0][1] if found else None),
        )

        def recognise(message: discord.Message) -> list[str]:
            return ["overview"] if any(e.url == head.url for e in message.embeds) else []

        found = await self.courier.resume(channel, ledger, recognise)
        if found:
            return channel.get_partial_message(found["overview"])
        return await self.courier.send(
            channel, ledger, ["overview"], content=intro, embed=head, allowed_mentions=NO_MENTIONS
        )

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
            self.state.set_thread(post.feed_id, post.day, thread.id)
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
        """The cards not recorded yet; card messages that may have landed are looked for first
        (recognised by their arXiv URLs). `overview` is set when the cards go to the channel
        itself (look only after it)."""
        state, feed_id, day = self.state, post.feed_id, post.day
        in_thread = isinstance(target, discord.Thread)
        ledger = Ledger(
            pending=post.pending == "cards",
            mark=lambda: state.mark_pending(feed_id, day, "cards"),
            record=lambda found: state.record_cards(feed_id, day, found),
        )
        wanted = {render.abs_url(p.arxiv_id): p.arxiv_id for p in papers}
        try:
            await self.courier.resume(
                target, ledger, lambda m: [wanted[e.url] for e in m.embeds if e.url in wanted],
                after=overview,
            )  # fmt: skip
            sent = state.cards(feed_id, day)
            remaining = [p for p in papers if p.arxiv_id not in sent]
            extras = await self.bot.fetch_extras(p.arxiv_id for p in remaining)
            cards = (render.card(p, lang, extra=extras.get(p.arxiv_id)) for p in remaining)
            queue = iter(remaining)
            for embeds in render.pack(cards):
                batch = [next(queue) for _ in embeds]
                await self.courier.send(
                    target, ledger, [p.arxiv_id for p in batch],
                    embeds=embeds, view=card_buttons(batch, lang), allowed_mentions=NO_MENTIONS,
                )  # fmt: skip
        except discord.NotFound as error:
            if in_thread and error.code == UNKNOWN_CHANNEL:
                raise _ThreadGone from error
            raise
