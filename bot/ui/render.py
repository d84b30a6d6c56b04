"""Pure functions from papers and hits to embeds, and the one helper that keeps every message
inside Discord's limits. No I/O: tests call these directly and read `embed.to_dict()`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from urllib.parse import urlparse

import discord

from bot.ui.i18n import Lang, t
from store.enrich import Enrichment
from store.models import Hit, Paper, arxiv_url

# Discord's documented embed limits.
TITLE, DESCRIPTION, FIELD_NAME, FIELD_VALUE, FIELDS = 256, 4096, 256, 1024, 25
FOOTER, AUTHOR, TOTAL, EMBEDS_PER_MESSAGE = 2048, 256, 6000, 10

NO_MENTIONS = discord.AllowedMentions.none()
COLOR = discord.Colour(0xFFD21E)  # Hugging Face yellow
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp")
ELLIPSIS = "…"
_LABEL = re.compile(r"^([A-Z][A-Za-z' &/-]{1,40}):\s+")
# A masked link `[text](url)` (also `[text](<url> "title")`); its text may hold one level of
# brackets, as Discord allows.
_MASKED_LINK = re.compile(
    r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^\s()<>]*)>?(?:\s+\"[^\"]*\")?\s*\)"
)
_UNESCAPED_BRACKET = re.compile(r"(?<!\\)((?:\\\\)*)([\[\]])")
_URL_UNSAFE = re.compile(r"[\s()<>\[\]\"'`]")
# What the papers' own sources add to a card (store/enrich/): the English one-line summary in
# full up to SUMMARY_MAX, the abstract up to ABSTRACT_MAX and less where the card has no room
# (the Korean bullets keep theirs), links no longer than LINK_MAX (a longer one is not shown).
SUMMARY_MAX, ABSTRACT_MAX, MIN_ABSTRACT, LINK_MAX = 400, 1500, 80, 300
# arXiv id -> what is known of that paper; the callers read it (bot.enrichment), cards don't
Extras = Callable[[Sequence[str]], Mapping[str, Enrichment]]


def unlink(text: str) -> str:
    """Masked links in text that is not ours become `text (url)`: the reader sees where a link
    goes, and nothing can pose as a link of the bot's."""
    for _ in range(5):  # nested links unwrap one level per pass
        text, count = _MASKED_LINK.subn(lambda m: f"{m[1]} ({m[2]})" if m[2] else m[1], text)
        if not count:
            break
    return text


def safe(text: str) -> str:
    """User or archive text made inert for an embed: masked links unwrapped, Markdown escaped
    (bold, italics, code, spoilers, quotes, headings), and every bracket left escaped, so no
    `[...](...)` survives. Plain URLs stay clickable and visible."""
    escaped = discord.utils.escape_markdown(unlink(text))
    return _UNESCAPED_BRACKET.sub(lambda m: f"{m[1]}\\{m[2]}", escaped)


def safe_url(url: str) -> str:
    """A URL from the archive usable as a Markdown link target: the characters that would end
    or break `[label](url)` are percent-encoded."""
    return _URL_UNSAFE.sub(lambda m: f"%{ord(m[0]):02X}", url)


abs_url = arxiv_url  # the paper's arXiv page, built in one place (store/models.py)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def short_authors(authors: Sequence[str], shown: int = 3) -> str:
    """ "A, B, C +12": the first few names and how many more (escaped: archive text)."""
    if not authors:
        return "–"
    head = safe(", ".join(authors[:shown]))
    rest = len(authors) - shown
    return f"{head} +{rest}" if rest > 0 else head


def image_url(media: str | None) -> str | None:
    """The thumbnail when it is a still or animated image; videos and SVG don't render."""
    if not media or not media.startswith(("https://", "http://")):
        return None
    return media if urlparse(media).path.lower().endswith(IMAGE_EXTENSIONS) else None


def bullet_line(bullet: str) -> str:
    """One summary bullet, escaped (archive text); a "What's New: ..." label is shown bold."""
    label = _LABEL.match(bullet)
    if label is None:
        return "• " + safe(bullet)
    return f"• **{safe(label[1])}**: {safe(bullet[label.end() :])}"


def link_title(title: str, limit: int = 100) -> str:
    """A title usable as Markdown link text: brackets would end the link early, and the rest
    is escaped."""
    return safe(unlink(clip(title, limit)).replace("[", "(").replace("]", ")"))


def plain_title(title: str, limit: int = TITLE) -> str:
    """A paper title for an embed title or a line of text: clipped, then escaped."""
    return safe(clip(title, limit))


def join_within(lines: Iterable[str], limit: int, more: str = "") -> str:
    """Whole lines (bullets) up to `limit` characters; a single over-long first line is clipped,
    never a later one, so a cut always falls on a line boundary."""
    out: list[str] = []
    size = 0
    for line in lines:
        extra = len(line) + (1 if out else 0)
        if size + extra > limit:
            if not out:
                out.append(clip(line, limit))
            elif more and size + 1 + len(more) <= limit:
                out.append(more)
            break
        out.append(line)
        size += extra
    return "\n".join(out)


def fit(embed: discord.Embed) -> discord.Embed:
    """Clip every part of `embed` to Discord's limits, then drop whole description lines (and
    finally fields) until the embed's total length fits 6,000 characters."""
    if embed.title:
        embed.title = clip(embed.title, TITLE)
    if embed.description:
        embed.description = join_within(embed.description.split("\n"), DESCRIPTION)
    if embed.footer.text:
        embed.set_footer(text=clip(embed.footer.text, FOOTER), icon_url=embed.footer.icon_url)
    if embed.author.name:
        embed.set_author(name=clip(embed.author.name, AUTHOR), url=embed.author.url)
    fields = embed.fields[:FIELDS]
    embed.clear_fields()
    for field in fields:
        value = join_within((field.value or "–").split("\n"), FIELD_VALUE)
        embed.add_field(
            name=clip(field.name or "\u200b", FIELD_NAME), value=value, inline=field.inline
        )
    while len(embed) > TOTAL and embed.description and "\n" in embed.description:
        embed.description = embed.description.rsplit("\n", 1)[0]
    if len(embed) > TOTAL and embed.description:
        embed.description = clip(
            embed.description, max(1, len(embed.description) - (len(embed) - TOTAL))
        )
    while len(embed) > TOTAL and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    return embed


def pack(embeds: Iterable[discord.Embed]) -> list[list[discord.Embed]]:
    """Group embeds into messages of at most 10 embeds and 6,000 characters together."""
    messages: list[list[discord.Embed]] = []
    size = 0
    for embed in embeds:
        embed = fit(embed)
        if not messages or len(messages[-1]) == EMBEDS_PER_MESSAGE or size + len(embed) > TOTAL:
            messages.append([])
            size = 0
        messages[-1].append(embed)
        size += len(embed)
    return messages


def card(
    paper: Paper,
    lang: Lang,
    bullets: Sequence[str] | None = None,
    heading: str = "",
    extra: Enrichment | None = None,
) -> discord.Embed:
    """The full card of one paper; `bullets` replaces the summary (evidence for /ask). With
    `extra` (the paper's enrichment): Code and Project links, and for an English reader the
    English one-line summary and abstract before the Korean bullets (the abstract clipped to
    what the card has room for, the bullets kept whole as far as they fit)."""
    lines = [bullet_line(b) for b in (paper.summary if bullets is None else bullets)]
    head = [f"__{heading}__"] if heading else []
    english = lang == "en" and extra is not None and bool(extra.english)
    embed = discord.Embed(
        title=plain_title(paper.title),
        url=abs_url(paper.arxiv_id),
        description=None if english else join_within(head + lines, DESCRIPTION) or None,
        colour=COLOR,
    )
    embed.add_field(name=t("field_date", lang), value=paper.date)
    embed.add_field(name=t("field_votes", lang), value=paper.votes_text)
    embed.add_field(name=t("field_authors", lang), value=short_authors(paper.authors), inline=False)
    links = f"[arXiv]({abs_url(paper.arxiv_id)}) · [PDF]({paper.pdf_url}) · [{t('hf_page', lang)}]({paper.hf_url})"
    thumbnail = image_url(paper.media)
    if thumbnail:
        embed.set_thumbnail(url=thumbnail)
    elif paper.media and paper.media.startswith("https://"):
        links += f" · [{t('media', lang)}]({safe_url(paper.media)})"  # a video or SVG: linked, not embedded
    links += extra_links(extra, lang)
    embed.add_field(name=t("field_links", lang), value=links, inline=False)
    embed.set_footer(text=t("footer_ai_english" if english else "footer_ai", lang))
    if english:
        assert extra is not None
        room = min(DESCRIPTION, TOTAL - len(fit(embed)))
        embed.description = english_first(extra, head, lines, room) or None
    return fit(embed)


def extra_links(extra: Enrichment | None, lang: Lang) -> str:
    """ " · [Code](…) · [Project](…)" for the links the paper's sources know (https only)."""
    if extra is None:
        return ""
    out = ""
    for key, url in (("link_code", extra.github), ("link_project", extra.project_page)):
        if url and url.startswith("https://") and len(url) <= LINK_MAX:
            out += f" · [{t(key, lang)}]({safe_url(url)})"
    return out


def english_first(extra: Enrichment, head: list[str], bullets: list[str], room: int) -> str:
    """An English reader's description in `room` characters: the heading, the one-line summary
    (bold), the abstract, then the Korean bullets. The bullets are kept whole as far as they
    fit; the abstract gets what is left (left out under MIN_ABSTRACT characters)."""
    top = list(head)
    if extra.ai_summary:
        top.append(f"**{escaped_within(extra.ai_summary, SUMMARY_MAX)}**")
    fixed = join_within(top, room)
    korean = join_within(bullets, max(room - len(fixed) - 2, 0))
    left = room - len(fixed) - len(korean) - 3  # the line breaks between the parts
    abstract = ""
    if extra.abstract and min(left, ABSTRACT_MAX) >= MIN_ABSTRACT:
        abstract = escaped_within(extra.abstract, min(left, ABSTRACT_MAX))
    english = [part for part in (fixed, abstract) if part]
    return "\n".join(english + ["", korean] if english and korean else english or [korean])


def escaped_within(text: str, limit: int) -> str:
    """Outside text on one line, clipped so that escaped (`safe`) it holds at most `limit`
    characters."""
    flat = " ".join(text.split())
    size = limit
    while True:
        out = safe(clip(flat, size))
        if len(out) <= limit or size <= 1:
            return out[:limit]
        size -= len(out) - limit


def hit_card(hit: Hit, lang: Lang, extra: Enrichment | None = None) -> discord.Embed:
    """A paper found for a question, showing the bullets that match it."""
    return card(
        hit.paper,
        lang,
        bullets=hit.evidence or hit.paper.summary,
        heading=t("matching", lang),
        extra=extra,
    )


def paper_line(paper: Paper, rank: int) -> str:
    return f"{rank}. [{link_title(paper.title)}]({abs_url(paper.arxiv_id)}) · ▲ {paper.votes_text}"


def paper_lines(papers: Sequence[Paper], start: int = 1) -> list[str]:
    return [paper_line(p, rank) for rank, p in enumerate(papers, start)]


def listing(
    title: str,
    intro: Sequence[str],
    papers: Sequence[Paper],
    more_key: str,
    lang: Lang,
    url: str | None = None,
) -> discord.Embed:
    """A list of papers by rank with their links and votes, as many as fit in one embed, and a
    last line saying how many more are elsewhere (pages or thread)."""
    head = "\n".join(intro)
    budget = DESCRIPTION - len(head) - 2
    footer = t("footer_list", lang)
    budget = min(budget, TOTAL - len(title) - len(footer) - 2)
    body: list[str] = []  # formatted one by one: a day may hold 50,000 papers
    size = 0
    for rank, paper in enumerate(papers, 1):
        line = paper_line(paper, rank)
        remaining = len(papers) - rank
        tail = len(t(more_key, lang, n=remaining)) + 1 if remaining else 0
        if size + len(line) + 1 + tail > budget:
            break
        size += len(line) + 1
        body.append(line)
    if len(body) < len(papers):
        body.append(t(more_key, lang, n=len(papers) - len(body)))
    embed = discord.Embed(
        title=title, url=url, description="\n".join([head, "", *body]).strip(), colour=COLOR
    )
    embed.set_footer(text=footer)
    return fit(embed)


def overview(
    day: str,
    papers: Sequence[Paper],
    lang: Lang,
    more_key: str = "more_in_pages",
    asked: str | None = None,
    stale_days: int | None = None,
) -> discord.Embed:
    """A digest's first message: ISO date, paper count, the papers by votes with their links;
    with `stale_days`, a first line saying the archive has not moved for that long."""
    intro = [f"**{t('overview_count', lang, count=len(papers))}**"]
    if asked and asked != day:
        intro.insert(0, t("nearest_earlier", lang, asked=asked, day=day))
    if stale_days is not None:
        intro.insert(0, t("archive_stale", lang, day=day, days=stale_days))
    title = t("overview_title", lang, day=day)
    return listing(title, intro, papers, more_key, lang, url=date_url(day))


def date_url(day: str) -> str:
    """The day's page on Hugging Face: the link of every overview of that date."""
    return f"https://huggingface.co/papers/date/{day}"


def top_overview(since: str, until: str, papers: Sequence[Paper], lang: Lang) -> discord.Embed:
    title = t("top_title", lang, count=len(papers))
    return listing(
        title, [t("top_window", lang, since=since, until=until)], papers, "more_in_pages", lang
    )


def ask_overview(question: str, hits: Sequence[Hit], lang: Lang) -> discord.Embed:
    intro = [t("question", lang, q=safe(clip(question, 300)))]
    return listing(t("ask_title", lang), intro, [h.paper for h in hits], "more_in_pages", lang)


def notice(text: str) -> discord.Embed:
    return fit(discord.Embed(description=text, colour=COLOR))


class Pages(Sequence[list[discord.Embed]]):
    """Pages built when first asked for (and kept): a 50,000-paper day is not 50,001 embeds
    made on the event loop before the first reply."""

    def __init__(self, count: int, build: Callable[[int], list[discord.Embed]]) -> None:
        self._count = count
        self._build = build
        self._built: dict[int, list[discord.Embed]] = {}

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: int) -> list[discord.Embed]:  # type: ignore[override]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        if index not in self._built:
            self._built[index] = self._build(index)
        return self._built[index]


def digest_pages(
    day: str,
    papers: Sequence[Paper],
    lang: Lang,
    asked: str | None = None,
    stale_days: int | None = None,
    extras: Extras | None = None,
) -> Pages:
    """/today: the overview, then one card per paper, each built when it is first shown (and
    its enrichment read then, through `extras`)."""
    head = overview(day, papers, lang, asked=asked, stale_days=stale_days)

    def page(i: int) -> list[discord.Embed]:
        if i == 0:
            return [head]
        paper = papers[i - 1]
        extra = extras([paper.arxiv_id]).get(paper.arxiv_id) if extras else None
        return [card(paper, lang, extra=extra)]

    return Pages(1 + len(papers), page)


def digest_post(
    day: str,
    papers: Sequence[Paper],
    lang: Lang,
    in_thread: bool,
    extras: Mapping[str, Enrichment] | None = None,
) -> tuple[discord.Embed, list[list[discord.Embed]]]:
    """The daily post: the overview message and the card messages that follow it."""
    head = overview(day, papers, lang, more_key="more_in_thread" if in_thread else "more_below")
    known = extras or {}
    return head, pack(card(p, lang, extra=known.get(p.arxiv_id)) for p in papers)
