"""The daily post runs: one at a time per server, the global ingest at most every INGEST_EVERY
(and at least every KEEP_FRESH_EVERY, posts or not), the scheduling after each run
(bot/digest/schedule.py) and the notice when a server's posts stop."""

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
from bot.state.digest import GuildConfig
from bot.state.times import next_occurrence
from bot.ui.i18n import Lang, lang_of, t
from store.index import Index

if TYPE_CHECKING:
    from bot.app import PaperBot

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    outcome: str  # 'posted' | 'nothing' | 'failed' | 'gone' | 'busy' | 'empty' | 'off'
    posted: list[str] = field(default_factory=list)
    day: str | None = None  # the date that failed, or the newest date
    error: str | None = None
    transient: bool = True
    stopped: dict | None = None


def post_lang(guild: discord.Guild | None, config: GuildConfig) -> Lang:
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
    if result.outcome == "nothing":
        return f"nothing new (the newest digest, {result.day}, is already posted)"
    if result.outcome == "empty":
        return "nothing to post: the index is empty"
    if result.outcome == "gone":
        return f"stopped ({(result.stopped or {}).get('key', 'channel gone')})" + (
            f" after posting {', '.join(result.posted)}" if result.posted else ""
        )
    return result.outcome


class DigestRunner:
    def __init__(self, bot: PaperBot) -> None:
        self.bot = bot
        self.state = bot.state.digest
        self.poster = Poster(bot)
        self._locks: dict[int, asyncio.Lock] = {}
        self._last_ingest: datetime | None = None
        self._started: datetime | None = None

    def lock(self, guild_id: int) -> asyncio.Lock:
        return self._locks.setdefault(guild_id, asyncio.Lock())

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
            *(self.serve(config.guild_id) for config in due), return_exceptions=True
        )
        for config, result in zip(due, results, strict=True):
            if isinstance(result, BaseException):
                log.error("server %s: run failed", config.guild_id, exc_info=result)
                result = RunResult("failed", error=repr(result), transient=False)
            self.reschedule(config.guild_id, result, now)

    def reschedule(self, guild_id: int, result: RunResult, now: datetime) -> None:
        config = self.state.guild(guild_id)
        if config is None or not config.enabled:
            return
        slot = next_occurrence(config.post_time, config.timezone, now)
        if result.outcome == "busy":  # /digest now is posting: look again in a minute
            self.state.schedule(guild_id, now + timedelta(minutes=1), "retry", config.tries)
            return
        if result.outcome != "failed":
            step = schedule.after_success(bool(result.posted), now, slot)
            self.state.schedule(guild_id, step.at, step.kind, 0)
            log.info(
                "server %s: daily post: %s; next run %s UTC",
                guild_id,
                outcome_text(result),
                step.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
            )
            return
        step = policy.after_failure(config.tries + 1, now, slot)
        text = f"{result.day}: {result.error}"
        if step.gave_up:
            text += f" ({config.tries + 1} tries; next try at the next post time)"
            if not result.transient and result.day:  # it will not get better: drop the date
                self.state.finish_post(guild_id, result.day, "abandoned", now)
                self.state.set_note(guild_id, "note_abandoned", day=result.day)
        log.warning(
            "server %s: posting failed: %s; next try %s UTC",
            guild_id,
            text,
            step.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
        )
        self.state.note_error(guild_id, text, now)
        self.state.schedule(guild_id, step.at, step.kind, step.tries)

    # -- one server --------------------------------------------------------------------------
    async def serve(self, guild_id: int) -> RunResult:
        """Post the dates this server is owed, oldest first; one run per server at a time."""
        lock = self.lock(guild_id)
        if lock.locked():
            return RunResult("busy")
        async with lock:
            return await self._serve(guild_id)

    async def _serve(self, guild_id: int) -> RunResult:
        config = self.state.guild(guild_id)
        if config is None or not config.enabled:
            return RunResult("off")
        dates = await self.bot.query(Index.dates)
        if not dates:
            return RunResult("empty")
        plan = schedule.plan(dates, self.state.statuses(guild_id), config.fresh)
        now = discord.utils.utcnow()
        guild = self.bot.get_guild(guild_id)
        lang = post_lang(guild, config)
        intro = None
        if plan.skipped:
            self.state.skip_days(guild_id, plan.skipped, config.channel_id, now)
            first, last = plan.skipped[0], plan.skipped[-1]
            cap = schedule.CATCH_UP_CAP
            self.state.set_note(
                guild_id, "note_skipped", n=len(plan.skipped), first=first, last=last, cap=cap
            )
        if len(plan.todo) > 1 or plan.skipped:
            intro = t("catch_up_intro", lang, n=len(plan.todo))
            if plan.skipped:
                intro += " " + t("catch_up_skipped", lang, n=len(plan.skipped))
        posted: list[str] = []
        for day in plan.todo:
            config = self.state.guild(guild_id)
            if config is None or not config.enabled:
                break
            papers = await self.bot.query(Index.papers_on, day)
            record = self.state.post(guild_id, day)
            channel_id = record.channel_id if record else config.channel_id
            try:
                await self.poster.post_day(guild_id, channel_id, day, papers, lang, intro)
            except Gone as gone:
                if gone.target_id != config.channel_id:  # /digest set moved: not a reason to stop
                    log.info("server %s: %s left unfinished in the old channel", guild_id, day)
                    self.state.finish_post(guild_id, day, "partial", discord.utils.utcnow())
                    continue
                stopped = gone.reason
                self.state.stop(guild_id, gone.key, **gone.values)
                log.warning("server %s: daily posts stopped: %s", guild_id, gone)
                await self.notify_stopped(guild_id, config, stopped)
                return RunResult("gone", posted, day, stopped=stopped)
            except Failed as failed:
                self.state.failed_try(guild_id, day)
                return RunResult("failed", posted, day, str(failed), failed.transient)
            posted.append(day)
            intro = None
            log.info("server %s: posted %s (%d papers)", guild_id, day, len(papers))
        self.state.served(guild_id)
        return RunResult(
            "posted" if posted else "nothing", posted, posted[-1] if posted else dates[-1]
        )

    async def notify_stopped(self, guild_id: int, config: GuildConfig, stopped: dict) -> None:
        """Tell the admin who set the channel up (a DM), else the server's system channel."""
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
