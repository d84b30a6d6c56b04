"""/subscribe topic|author, /subscriptions, and the loop that sends the subscription DMs."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.state.subscriptions import MAX_PER_MEMBER, Subscription, SubscriptionState
from bot.subscriptions.dm import label
from bot.subscriptions.notify import Notifier
from bot.ui import render
from bot.ui.errors import UserError
from bot.ui.i18n import Lang, lang_of, t
from bot.ui.render import NO_MENTIONS, safe
from store.index import Index
from store.search.matching import author_names, embed_topics, normalise_name
from store.usertext import visible

if TYPE_CHECKING:
    from bot.app import PaperBot

log = logging.getLogger(__name__)
CHOICES = 25


def _topic_vector(index: Index, text: str) -> tuple[str, object]:
    return index.embedder.model, embed_topics(index, [text])[0]


def _authors(index: Index) -> list[tuple[str, str, int]]:
    """(normalised, spelling, papers), most papers first."""
    names = author_names(index.by_id.values())
    return sorted(((n, s, c) for n, (s, c) in names.items()), key=lambda x: (-x[2], x[1]))


def author_choices(
    authors: list[tuple[str, str, int]], typed: str
) -> list[app_commands.Choice[str]]:
    """Names whose words start with what was typed first, then names containing it."""
    wanted = normalise_name(typed)
    starts, contains = [], []
    for norm, spelling, count in authors:
        if not wanted or norm.startswith(wanted) or f" {wanted}" in norm:
            starts.append((spelling, count))
        elif wanted in norm:
            contains.append((spelling, count))
        if len(starts) >= CHOICES:
            break
    picked = (starts + contains)[:CHOICES]
    return [
        app_commands.Choice(name=render.clip(f"{s} ({c})", 100), value=s[:100]) for s, c in picked
    ]


def subscriptions_embed(subs: list[Subscription], refused: str | None, lang: Lang) -> discord.Embed:
    lines = [f"{n}. {label(f'{s.kind}:{s.text}', lang)}" for n, s in enumerate(subs, 1)]
    if not subs:
        lines = [t("subs_none", lang)]
    if refused:
        lines += ["", t("subs_refused", lang, when=refused[:16].replace("T", " ") + " UTC")]
    embed = discord.Embed(
        title=t("subs_list_title", lang, n=len(subs), max=MAX_PER_MEMBER),
        description="\n".join(lines),
        colour=render.COLOR,
    )
    return render.fit(embed)


class SubscriptionList(discord.ui.View):
    """The member's subscriptions with one Remove button each (at most 20 < 25 buttons)."""

    def __init__(self, store: SubscriptionState, user_id: int, lang: Lang) -> None:
        super().__init__(timeout=600)
        self.store, self.user_id, self.lang = store, user_id, lang
        self._fill()

    def content(self) -> discord.Embed:
        subs = self.store.of(self.user_id)
        return subscriptions_embed(subs, self.store.refused(self.user_id), self.lang)

    def _fill(self) -> None:
        self.clear_items()
        for n, sub in enumerate(self.store.of(self.user_id), 1):
            button = discord.ui.Button(
                label=t("subs_remove", self.lang, n=n),
                style=discord.ButtonStyle.secondary,
                custom_id=f"subs:remove:{sub.id}",
            )
            button.callback = self._remover(sub.id)
            self.add_item(button)

    def _remover(self, sub_id: int):
        async def remove(interaction: discord.Interaction) -> None:
            self.store.remove(self.user_id, sub_id)
            self._fill()
            await interaction.response.edit_message(
                embed=self.content(), view=self, allowed_mentions=NO_MENTIONS
            )

        return remove

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return interaction.user.id == self.user_id


class Subscriptions(commands.Cog):
    def __init__(self, bot: PaperBot) -> None:
        self.bot = bot
        self.store = bot.state.subscriptions
        self.notifier = Notifier(bot, self.store)
        self._authors: tuple[tuple[int, int], list[tuple[str, str, int]]] | None = None

    async def cog_load(self) -> None:
        self.tick.start()

    async def cog_unload(self) -> None:
        self.tick.cancel()

    async def authors(self) -> list[tuple[str, str, int]]:
        """The index's authors, rebuilt (in a worker thread) when the catalogue changed."""
        index = self.bot.index
        key = (index.generation, index.catalogue.revision) if index else (0, 0)
        if self._authors is None or self._authors[0] != key:
            self._authors = (key, await self.bot.query(_authors))
        return self._authors[1]

    @app_commands.command(name="subscribe")
    @app_commands.describe(
        topic="A topic or question, e.g. video generation with camera control",
        author="An author's name (type to search the digests)",
    )
    async def subscribe(
        self,
        interaction: discord.Interaction,
        topic: app_commands.Range[str, 1, 200] | None = None,
        author: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        """Get one DM a day when new papers match a topic or an author"""
        if (topic is None) == (author is None):
            raise UserError("subs_need_one")
        typed = visible(topic if topic is not None else author or "")
        if not typed:
            raise UserError("nothing_visible")
        await interaction.response.defer(ephemeral=True, thinking=True)
        lang = lang_of(interaction.locale)
        user_id = interaction.user.id
        if topic is not None:
            text = typed
            if len(text) < 2:
                raise UserError("subs_bad_topic")
            model, vector = await self.bot.query(_topic_vector, text)
            outcome = self.store.add(user_id, "topic", text, text.casefold(), lang, model, vector)
            reply = t("subs_added_topic", lang, text=safe(text))
        else:
            wanted = normalise_name(typed)
            found = next((a for a in await self.authors() if a[0] == wanted), None)
            if found is None:
                raise UserError("subs_unknown_author", value=typed[:60])
            outcome = self.store.add(user_id, "author", found[1], found[0], lang)
            reply = t("subs_added_author", lang, text=safe(found[1]), n=found[2])
        if outcome == "duplicate":
            raise UserError("subs_duplicate")
        if outcome == "full":
            raise UserError("subs_full", max=MAX_PER_MEMBER)
        await interaction.followup.send(reply, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @subscribe.autocomplete("author")
    async def author_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return author_choices(await self.authors(), current)

    @app_commands.command(name="subscriptions")
    async def subscriptions(self, interaction: discord.Interaction) -> None:
        """List your subscriptions and remove them"""
        lang = lang_of(interaction.locale)
        view = SubscriptionList(self.store, interaction.user.id, lang)
        await interaction.response.send_message(
            embed=view.content(),
            view=view if view.children else discord.utils.MISSING,
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @tasks.loop(minutes=1)
    async def tick(self) -> None:
        try:
            await self.notifier.tick(discord.utils.utcnow())
        except Exception:
            log.exception("subscriptions: matching or sending failed; trying again next minute")

    @tick.before_loop
    async def before_tick(self) -> None:
        await self.bot.wait_until_ready()


async def setup(bot: PaperBot) -> None:
    await bot.add_cog(Subscriptions(bot))
