"""What /digest status and /digest now say: one block per feed (channel, topic, last and next
post, last error), and the weekly roll-up's lines. Pure text from the state, no sending."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.digest.runner import RunResult, post_lang, reason_text
from bot.state.digest import DigestState, FeedConfig
from bot.state.times import from_text
from bot.state.weekly import WeeklyState
from bot.ui.i18n import Lang, t
from bot.ui.render import join_within, safe

MESSAGE = 2000  # characters of one message's content


def feed_lines(
    state: DigestState, guild: discord.Guild, config: FeedConfig, lang: Lang
) -> list[str]:
    """One feed's part of /digest status."""
    lines = [
        t("status_stopped", lang, reason=reason_text(config.stopped, lang))
        if config.stopped and not config.enabled
        else t("status_on" if config.enabled else "status_off", lang),
        t(
            "status_where",
            lang,
            channel=f"<#{config.channel_id}>",
            time=config.post_time,
            tz=config.timezone,
            lang_name=t(f"lang_{post_lang(guild, config)}", lang),
        ),
    ]
    if config.topic:
        lines.append(
            t("status_topic", lang, topic=safe(config.topic), empty=empty_text(config, lang))
        )
    who = f"<@{config.set_by}>" if config.set_by else t("status_unknown_user", lang)
    lines.append(t("status_set_by", lang, user=who, when=timestamp(config.set_at, "D")))
    last = state.last_posted(config.feed_id)
    lines.append(
        t("status_last", lang, day=last.day, when=timestamp(from_text(last.finished_at), "R"))
        if last
        else t("status_never", lang)
    )
    if config.enabled:
        key = {"retry": "status_retry", "recheck": "status_recheck"}.get(
            config.run_kind, "status_next"
        )
        lines.append(t(key, lang, when=timestamp(config.next_due, "F"), tries=config.tries + 1))
    if config.last_error:
        when = timestamp(config.last_error_at, "R")
        lines.append(t("status_error", lang, when=when, error=config.last_error))
    if config.note:
        note = t(config.note["key"], lang, **config.note["values"])
        lines.append(t("status_note", lang, note=note))
    return lines


def weekly_lines(weekly: WeeklyState, guild_id: int, lang: Lang) -> list[str]:
    """The weekly roll-up's part of /digest status: on or why it stopped, the last error."""
    server = weekly.server(guild_id)
    if server is None or not (server.enabled or server.stopped):
        return []
    if server.stopped and not server.enabled:
        lines = [t("weekly_status_stopped", lang, reason=reason_text(server.stopped, lang))]
    else:
        lines = [t("weekly_status_on", lang)]
    if server.last_error:
        when = timestamp(server.last_error_at, "R")
        lines.append(t("weekly_status_error", lang, when=when, error=server.last_error))
    return lines


def messages(blocks: list[list[str]]) -> list[str]:
    """Blocks (a feed's lines each) as few messages as Discord's 2,000 characters allow: a
    block is never split between two messages; blocks are separated by an empty line."""
    out: list[str] = []
    for block in blocks:
        text = join_within(block, MESSAGE)
        if out and len(out[-1]) + 2 + len(text) <= MESSAGE:
            out[-1] += "\n\n" + text
        else:
            out.append(text)
    return out


def empty_text(config: FeedConfig, lang: Lang) -> str:
    return t("feed_empty_line" if config.empty == "line" else "feed_empty_quiet", lang)


def now_text(result: RunResult, config: FeedConfig, lang: Lang) -> str:
    """What /digest now says about one feed's run."""
    channel = f"<#{config.channel_id}>"
    if result.outcome == "posted":
        if len(result.posted) > 1:
            return t("digest_posted_many", lang, days=", ".join(result.posted), channel=channel)
        return t("digest_posted", lang, day=result.posted[0], channel=channel)
    if result.outcome == "nothing" and result.quiet and config.topic:
        topic = safe(config.topic)
        return t("digest_quiet", lang, day=result.quiet[-1], topic=topic, channel=channel)
    if result.outcome == "nothing":
        return t("digest_already", lang, day=result.day)
    if result.outcome == "busy":
        return t("digest_busy", lang, channel=channel)
    if result.outcome == "gone" and result.stopped:
        return t("digest_gone", lang, channel=channel, reason=reason_text(result.stopped, lang))
    if result.outcome == "failed":
        when = t("retry_at", lang, when=discord.utils.format_dt(config.next_due, "R"))
        return t("digest_failed", lang, day=result.day, error=result.error, when=when)
    if result.outcome == "off":
        return t("digest_not_set", lang)
    return t("no_index", lang)


def timestamp(moment: datetime | None, style: str) -> str:
    """A Discord timestamp (shown in each member's own time zone), or a dash."""
    return discord.utils.format_dt(moment, style) if moment else "–"  # type: ignore[arg-type]
