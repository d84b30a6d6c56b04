"""The daily post runs: one at a time per feed (a channel of a server), the global ingest at most
every INGEST_EVERY (and at least every KEEP_FRESH_EVERY, posts or not), the scheduling after each
run (bot/digest/schedule.py) and the notice when a feed's posts stop. A topic feed posts only the
day's papers that match its topic (bot/digest/topic.py, matched in a worker thread); a day
without a match is recorded as `quiet` (nothing sent) or gets one line, as the feed says.
Each feed has its own records, tries and stop: a failure in one channel leaves the others be."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot.delivery import policy
from bot.delivery.notice import tell_admin
from bot.delivery.policy import Failed, Gone
from bot.digest import schedule
from bot.digest.posting import Poster
from bot.digest.topic import matching, no_match_line
from bot.state.digest import FeedConfig
from bot.state.times import next_occurrence
from bot.ui.i18n import Lang, lang_of, t
from store.index import Index

if TYPE_CHECKING:
    from bot.app import PaperBot

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    outcome: str  # 'posted' | 'nothing' | 'failed' | 'gone' | 'busy' | 'empty' | 'off'
    posted: list[str] = field(default_factory=list)  # a no-match line counts as a post
    day: str | None = None  # the date that failed, or the newest date
    error: str | None = None
    transient: bool = True
    stopped: dict | None = None
    quiet: list[str] = field(default_factory=list)  # topic days without a match, nothing sent


def post_lang(guild: discord.Guild | None, config: FeedConfig) -> Lang:
    if config.lang in ("ko", "en"):
        return config.lang  # type: ignore[return-value]
    return lang_of(guild.preferred_locale if guild else None)


def reason_text(stopped: dict, lang: Lang) -> str:
    """A stop reason from the state (catalogue key + values) in the reader's language."""
    values = dict(stopped.get("values") or {})
    if "perms" in values:
        values["perms"] = ", ".join(t(f"perm_{p}", lang) for p in values["perms"])
    return t(stopped["key"], lang, **values)


def outcome_text(result: RunResult) -> str:
    """A daily run's outcome for the log (journald, Docker)."""
    if result.outcome == "posted":
        return "posted " + ", ".join(result.posted)
    if result.outcome == "nothing" and result.quiet:
        return "no paper matched the topic on " + ", ".join(result.quiet)
    if result.outcome == "nothing":
        return f"nothing new (the newest digest, {result.day}, is already posted)"
    if result.outcome == "empty":
        return "nothing to post: the index is empty"
    if result.outcome == "gone":
        return f"stopped ({(result.stopped or {}).get('key', 'channel gone')})" + (
            f" after posting {', '.join(result.posted)}" if result.posted else ""
        )
    return result.outcome


LANGS: tuple[Lang, ...] = ("en", "ko")


def where(config: FeedConfig) -> str:
    """A feed in the log: its server and channel."""
    return f"server {config.guild_id} #{config.channel_id}"


class DigestRunner:
    def __init__(self, bot: PaperBot) -> None:
        self.bot = bot
        self.state = bot.state.digest
        self.poster = Poster(bot)
        self._locks: dict[int, asyncio.Lock] = {}
        self._last_ingest: datetime | None = None
        self._started: datetime | None = None

    def lock(self, feed_id: int) -> asyncio.Lock:
        return self._locks.setdefault(feed_id, asyncio.Lock())

    async def refresh(self, now: datetime, every: timedelta = schedule.INGEST_EVERY) -> None:
        """The global pull + ingest, unless one started less than `every` ago. A failure is
        logged: posting goes on from the current index."""
        if self._last_ingest is not None and now - self._last_ingest < every:
            return
        self._last_ingest = now
        try:
            await self.bot.refresh_source()
        except Exception:
            log.exception("daily ingest failed; posting from the current index")

    async def keep_fresh(self, now: datetime) -> None:
        """The ingest when no post time brought one for KEEP_FRESH_EVERY: /today, /ask and the
        subscription DMs need new days even where no server has a daily post set up."""
        if self._started is None:
            self._started = now
        if now - (self._last_ingest or self._started) >= schedule.KEEP_FRESH_EVERY:
            await self.refresh(now, schedule.KEEP_FRESH_EVERY)

    # -- the loop ----------------------------------------------------------------------------
    async def run_due(self, now: datetime) -> None:
        due = self.state.due(now)
        if not due:
            await self.keep_fresh(now)
            return
        kinds = {config.run_kind for config in due}
        if "slot" in kinds:  # every post time ingests, whatever failed before
            await self.refresh(now)
        elif "recheck" in kinds:
            await self.refresh(now, schedule.RECHECK_INGEST_EVERY)
        results = await asyncio.gather(
            *(self.serve(config.feed_id) for config in due), return_exceptions=True
        )
        for config, result in zip(due, results, strict=True):
            if isinstance(result, BaseException):
                log.error("%s: run failed", where(config), exc_info=result)
                result = RunResult("failed", error=repr(result), transient=False)
            self.reschedule(config.feed_id, result, now)

    def reschedule(self, feed_id: int, result: RunResult, now: datetime) -> None:
        config = self.state.feed(feed_id)
        if config is None or not config.enabled:
            return
        slot = next_occurrence(config.post_time, config.timezone, now)
        if result.outcome == "busy":  # /digest now is posting: look again in a minute
            self.state.schedule(feed_id, now + timedelta(minutes=1), "retry", config.tries)
            return
        if result.outcome != "failed":
            step = schedule.after_success(bool(result.posted or result.quiet), now, slot)
            self.state.schedule(feed_id, step.at, step.kind, 0)
            log.info(
                "%s: daily post: %s; next run %s UTC",
                where(config),
                outcome_text(result),
                step.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
            )
            return
        step = policy.after_failure(config.tries + 1, now, slot)
        text = f"{result.day}: {result.error}"
        if step.gave_up:
            text += f" ({config.tries + 1} tries; next try at the next post time)"
            if not result.transient and result.day:  # it will not get better: drop the date
                self.state.finish_post(feed_id, result.day, "abandoned", now)
                self.state.set_note(feed_id, "note_abandoned", day=result.day)
        log.warning(
            "%s: posting failed: %s; next try %s UTC",
            where(config),
            text,
            step.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
        )
        self.state.note_error(feed_id, text, now)
        self.state.schedule(feed_id, step.at, step.kind, step.tries)

    # -- one feed ----------------------------------------------------------------------------
    async def serve(self, feed_id: int) -> RunResult:
        """Post the dates this feed is owed, oldest first; one run per feed at a time."""
        lock = self.lock(feed_id)
        if lock.locked():
            return RunResult("busy")
        async with lock:
            return await self._serve(feed_id)

    async def _serve(self, feed_id: int) -> RunResult:
        config = self.state.feed(feed_id)
        if config is None or not config.enabled:
            return RunResult("off")
        dates = await self.bot.query(Index.dates)
        if not dates:
            return RunResult("empty")
        plan = schedule.plan(dates, self.state.statuses(feed_id), config.fresh)
        now = discord.utils.utcnow()
        lang = post_lang(self.bot.get_guild(config.guild_id), config)
        intro = None
        if plan.skipped:
            self.state.skip_days(feed_id, plan.skipped, config.channel_id, now)
            first, last = plan.skipped[0], plan.skipped[-1]
            cap = schedule.CATCH_UP_CAP
            self.state.set_note(
                feed_id, "note_skipped", n=len(plan.skipped), first=first, last=last, cap=cap
            )
        if len(plan.todo) > 1 or plan.skipped:
            intro = t("catch_up_intro", lang, n=len(plan.todo))
            if plan.skipped:
                intro += " " + t("catch_up_skipped", lang, n=len(plan.skipped))
        result = RunResult("nothing")
        for day in plan.todo:
            config = self.state.feed(feed_id)
            if config is None or not config.enabled:
                break
            try:
                sent = await self._post_day(config, day, lang, intro)
            except Gone as gone:
                self.state.stop(feed_id, gone.key, **gone.values)
                log.warning("%s: daily posts stopped: %s", where(config), gone)
                await self.notify_stopped(config, gone.reason)
                return RunResult("gone", result.posted, day, stopped=gone.reason)
            except Failed as failed:
                self.state.failed_try(feed_id, day)
                return RunResult("failed", result.posted, day, str(failed), failed.transient)
            (result.posted if sent else result.quiet).append(day)
            if sent:
                intro = None
        self.state.served(feed_id)
        result.outcome = "posted" if result.posted else "nothing"
        result.day = (result.posted or result.quiet or dates)[-1]
        return result

    async def _post_day(self, config: FeedConfig, day: str, lang: Lang, intro: str | None) -> bool:
        """One date for this feed; False when a topic feed had no match and stayed quiet."""
        papers = await self.bot.query(Index.papers_on, day)
        if config.topic is None:
            await self.poster.post_day(config, day, papers, lang, intro)
            log.info("%s: posted %s (%d papers)", where(config), day, len(papers))
            return True
        matched = await self.bot.query(matching, papers, config.topic)
        if matched:
            await self.poster.post_day(config, day, matched, lang, intro, total=len(papers))
            log.info(
                "%s: posted %s (%d of %d papers)", where(config), day, len(matched), len(papers)
            )
            return True
        if config.empty == "line":
            lines = [no_match_line(day, len(papers), config.topic, each) for each in (lang, *LANGS)]
            await self.poster.post_line(config, day, lines)
            log.info("%s: no paper of %s matched; posted one line", where(config), day)
            return True
        self.state.begin_post(config.feed_id, day, config.channel_id)
        self.state.finish_post(config.feed_id, day, "quiet", discord.utils.utcnow())
        self.state.set_note(config.feed_id, "note_quiet", day=day)
        log.info("%s: no paper of %s matched; nothing posted", where(config), day)
        return False

    async def notify_stopped(self, config: FeedConfig, stopped: dict) -> None:
        """Tell the admin who set the channel up (a DM), else the server's system channel."""
        guild_id = config.guild_id
        guild = self.bot.get_guild(guild_id)
        lang = post_lang(guild, config)
        text = t(
            "digest_stopped_notice",
            lang,
            guild=discord.utils.escape_markdown(guild.name if guild else str(guild_id)),
            channel=f"<#{config.channel_id}>",
            reason=reason_text(stopped, lang),
        )
        await tell_admin(self.bot, guild_id, config.set_by, text)
