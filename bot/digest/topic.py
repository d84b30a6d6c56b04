"""Topic channels: which of a day's papers a feed's topic lets through, and what the post says
about the rest.

The rule is the subscriptions' (store/search/matching.py `match_topics`): a paper matches when
its best passage passes the test /ask uses to decide "nothing relevant" (the topic's whole BM25
weight in the passage, or a cosine at the embedder's calibrated cut). Matching embeds the topic
and reads the day's passages: callers run it through `bot.query` (a worker thread).
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.ui import render
from bot.ui.errors import UserError
from bot.ui.i18n import Lang, t
from store.index import Index
from store.models import Paper
from store.search.matching import Topic, embed_topics, match_topics
from store.usertext import visible

MAX_TOPIC = 100  # characters, after invisible ones are removed
EMPTY_MODES = ("quiet", "line")  # a day without a match: nothing, or one line


def checked_topic(typed: str | None) -> str | None:
    """A topic as stored: invisible characters removed, spaces collapsed; None (every paper)
    when nothing visible is left. UserError when it is longer than MAX_TOPIC."""
    text = visible(typed or "")
    if len(text) > MAX_TOPIC:
        raise UserError("feed_topic_long", n=MAX_TOPIC)
    return text or None


def matching(index: Index, papers: Sequence[Paper], topic: str) -> list[Paper]:
    """The papers that match `topic`, in the day's order (by votes)."""
    if not papers:
        return []
    vector = embed_topics(index, [topic])[0]
    ids = [p.arxiv_id for p in papers]
    found = match_topics(index, ids, [Topic(0, topic, vector)], limit=len(ids))
    keep = set(found.get(0, ()))
    return [p for p in papers if p.arxiv_id in keep]


def topic_overview(
    day: str, matched: Sequence[Paper], total: int, topic: str, lang: Lang, in_thread: bool
) -> discord.Embed:
    """The topic channel's overview: the daily post's, with how many of the day's papers match
    and how many were skipped instead of the plain count."""
    intro = [f"**{matched_text(len(matched), total, topic, lang)}**"]
    more = "more_in_thread" if in_thread else "more_below"
    title = t("overview_title", lang, day=day)
    return render.listing(title, intro, matched, more, lang, url=render.date_url(day))


def matched_text(n: int, total: int, topic: str, lang: Lang) -> str:
    return t("feed_matched", lang, n=n, m=total, topic=render.safe(topic), k=total - n)


def no_match_line(day: str, total: int, topic: str, lang: Lang) -> str:
    """The one line a topic channel gets on a day without a match (when it asked for it)."""
    return t("feed_no_match", lang, day=day, m=total, topic=render.safe(topic))
