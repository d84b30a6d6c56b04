"""A paging view: first / prev / x/y / next / last for the invoker only, and Save, Cite and
Discuss under a page that is one paper's card for whoever presses them (and any button a
feature opens to everyone, such as Follow up under a written answer)."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.ui.errors import report
from bot.ui.i18n import Lang, t
from bot.ui.render import NO_MENTIONS

Page = list[discord.Embed]
SAVE_ID = "pager:save"
CITE_ID = "pager:cite"
DISCUSS_ID = "pager:discuss"
ABS = "https://arxiv.org/abs/"


def card_id(page: Page) -> str | None:
    """The arXiv id of a page that is one paper's card (its embed's title links to it)."""
    url = page[0].url if len(page) == 1 else None
    return url[len(ABS) :] if url and url.startswith(ABS) else None


def _custom_id(interaction: discord.Interaction) -> str | None:
    data = interaction.data or {}
    return data.get("custom_id") if isinstance(data, dict) else None


class Pager(discord.ui.View):
    def __init__(
        self, pages: Sequence[Page], owner_id: int, lang: Lang, timeout: float = 600
    ) -> None:
        super().__init__(timeout=timeout)
        self.pages = pages  # indexed, never copied: render.Pages builds a page when shown
        self.owner_id = owner_id
        self.lang = lang
        self.index = 0
        self.message: discord.Message | discord.InteractionMessage | None = None
        self.first.label = t("first", lang)
        self.prev.label = t("prev", lang)
        self.next.label = t("next", lang)
        self.last.label = t("last", lang)
        self._save: discord.ui.Button | None = None
        self._card_items: list[discord.ui.Button] = []
        self._open_ids = {SAVE_ID, CITE_ID, DISCUSS_ID}  # buttons anyone may press
        if len(self.pages) == 1:
            self.clear_items()  # one page: no paging, only Save when it is a paper card
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        # not `_refresh`: discord.py's View calls its own `_refresh` after a message edit
        self._save_button()
        if len(self.pages) == 1:
            return
        at_start, at_end = self.index == 0, self.index == len(self.pages) - 1
        self.first.disabled = self.prev.disabled = at_start
        self.next.disabled = self.last.disabled = at_end
        self.position.label = f"{self.index + 1}/{len(self.pages)}"

    def _save_button(self) -> None:
        """Save, Cite and Discuss under a page that is one paper's card (for whoever presses
        them, whoever ran the command)."""
        for item in self._card_items:
            self.remove_item(item)
        self._card_items = []
        self._save = None
        arxiv_id = card_id(self.pages[self.index])
        if arxiv_id is None:
            return
        save = discord.ui.Button(
            label=t("saved_save", self.lang), emoji="🔖", custom_id=SAVE_ID, row=1
        )
        cite = discord.ui.Button(
            label=t("cite_button", self.lang), emoji="📑", custom_id=CITE_ID, row=1
        )
        discuss = discord.ui.Button(
            label=t("discuss_button", self.lang), emoji="💬", custom_id=DISCUSS_ID, row=1
        )
        single = len(self.pages) == 1  # a paging message changes card: no thread starts from it

        async def on_save(interaction: discord.Interaction) -> None:
            from bot.saved.buttons import save_paper

            await save_paper(interaction, arxiv_id)

        async def on_cite(interaction: discord.Interaction) -> None:
            from bot.saved.cite import cite_paper

            await cite_paper(interaction, arxiv_id)

        async def on_discuss(interaction: discord.Interaction) -> None:
            from bot.discuss.buttons import discuss

            await discuss(interaction, arxiv_id, from_message=single)

        save.callback, cite.callback, discuss.callback = on_save, on_cite, on_discuss
        self._save = save
        self._card_items = [save, cite, discuss]
        for item in self._card_items:
            self.add_item(item)

    def add_open_item(self, item: discord.ui.Button) -> None:
        """A button for whoever presses it, on every page."""
        self._open_ids.add(item.custom_id or "")
        self.add_item(item)

    async def update(self, index: int, page: Page, view_changed: bool = False) -> None:
        """Replace a page; the message shows it at once when it is the page on screen (and
        shows a changed set of buttons on any page)."""
        self.pages[index] = page
        if self.message is None:
            return
        if index == self.index:
            await self.message.edit(embeds=page, view=self, allowed_mentions=NO_MENTIONS)
        elif view_changed:
            await self.message.edit(view=self, allowed_mentions=NO_MENTIONS)

    async def post(self, channel: discord.abc.Messageable) -> None:
        """The first page as a message of the bot's own in a channel or thread."""
        self.message = await channel.send(
            embeds=self.pages[0], view=self, allowed_mentions=NO_MENTIONS
        )

    async def send(self, interaction: discord.Interaction, *, ephemeral: bool = False) -> None:
        """Reply with the first page (as the response, or as the followup of a deferral); a
        single page needs no buttons."""
        view = self if len(self.pages) > 1 or self._save else discord.utils.MISSING
        if interaction.response.is_done():
            self.message = await interaction.followup.send(
                embeds=self.pages[0],
                view=view,
                ephemeral=ephemeral,
                allowed_mentions=NO_MENTIONS,
                wait=True,
            )
        else:
            await interaction.response.send_message(
                embeds=self.pages[0], view=view, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
            )
            self.message = await interaction.original_response()
        if len(self.pages) <= 1 and self._save is None:
            self.stop()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id or _custom_id(interaction) in self._open_ids:
            return True
        await interaction.response.send_message(
            t("not_yours", self.lang), ephemeral=True, allowed_mentions=NO_MENTIONS
        )
        return False

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item
    ) -> None:
        """A failing button gets the same private apology as a failing command (and the log),
        not Discord's bare "This interaction failed"."""
        await report(interaction, error, f"pager button {getattr(item, 'custom_id', '?')}")

    async def _show(self, interaction: discord.Interaction, index: int) -> None:
        self.index = max(0, min(index, len(self.pages) - 1))
        self._sync_buttons()
        await interaction.response.edit_message(
            embeds=self.pages[self.index], view=self, allowed_mentions=NO_MENTIONS
        )

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.message is not None:
            try:
                await self.message.edit(view=self)
            except discord.HTTPException:
                pass  # the message is gone or the token expired: nothing left to disable

    @discord.ui.button(label="First", style=discord.ButtonStyle.secondary, custom_id="pager:first")
    async def first(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await self._show(interaction, 0)

    @discord.ui.button(label="Prev", style=discord.ButtonStyle.primary, custom_id="pager:prev")
    async def prev(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await self._show(interaction, self.index - 1)

    @discord.ui.button(
        label="1/1", style=discord.ButtonStyle.secondary, custom_id="pager:position", disabled=True
    )
    async def position(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        pass  # a label, not an action

    @discord.ui.button(label="Next", style=discord.ButtonStyle.primary, custom_id="pager:next")
    async def next(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await self._show(interaction, self.index + 1)

    @discord.ui.button(label="Last", style=discord.ButtonStyle.secondary, custom_id="pager:last")
    async def last(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await self._show(interaction, len(self.pages) - 1)
