"""One place that turns command errors into replies: a user's mistake gets a short ephemeral
explanation, anything else is logged with its traceback and gets an apology."""

from __future__ import annotations

import logging
import math

import discord
from discord import app_commands

from bot.ui.i18n import Lang, lang_of, t
from bot.ui.render import NO_MENTIONS
from store.dates import iso_date
from store.errors import IngestRefused, StoreError
from store.usertext import without_invisible

log = logging.getLogger(__name__)


class UserError(app_commands.AppCommandError):
    """A mistake the user can fix: a catalogue key and the values for its message."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def message(self, lang: Lang) -> str:
        return t(self.key, lang, **{k: echo(v) for k, v in self.values.items()})


def echo(value: object) -> object:
    """A value the user typed, made safe to quote inside a message's `code` span: a backtick
    would close the span early (shown as the look-alike U+02CB instead), a line break would
    split the message, a bidi override would turn the rest of the message around."""
    if not isinstance(value, str):
        return value
    value = value.replace("`", "\u02cb").replace("\n", " ").replace("\r", " ")
    return without_invisible(value)


def parse_date(value: str) -> str:
    """ISO date text, or a UserError explaining the expected form."""
    try:
        return iso_date(value)
    except ValueError:
        raise UserError("bad_date", value=value[:40]) from None


class DateTransformer(app_commands.Transformer):
    """`YYYY-MM-DD` option -> ISO date string; a bad value is a user error, not a crash."""

    async def transform(self, interaction: discord.Interaction, value: str) -> str:
        return parse_date(value)


IsoDate = app_commands.Transform[str, DateTransformer]


def explain(error: app_commands.AppCommandError, lang: Lang) -> str | None:
    """The message for a user's mistake; None for a bug."""
    if isinstance(error, app_commands.CommandInvokeError):
        original = error.original
        if isinstance(original, IngestRefused):
            return t("index_refused", lang, reason=str(original))
        if isinstance(original, StoreError):  # a busy or unreachable store
            log.warning("index unavailable: %s", original)
            return t("index_unavailable", lang, reason=str(original))
        return original.message(lang) if isinstance(original, UserError) else None
    if isinstance(error, UserError):
        return error.message(lang)
    if isinstance(error, app_commands.CommandOnCooldown):
        return t("cooldown", lang, seconds=max(1, math.ceil(error.retry_after)))
    if isinstance(error, app_commands.NoPrivateMessage):
        return t("guild_only", lang)
    if isinstance(error, app_commands.MissingPermissions):
        return t("need_manage_guild", lang)
    if isinstance(error, app_commands.BotMissingPermissions):
        return t("bot_missing", lang, perms=", ".join(error.missing_permissions))
    if isinstance(error, app_commands.CheckFailure):
        return t("not_allowed", lang)
    if isinstance(error, app_commands.TransformerError):
        return t("bad_value", lang)
    return None


async def reply_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Tell only the user, however the interaction stands.

    - not answered yet: an ephemeral message;
    - deferred privately ("thinking", ephemeral): the deferred reply becomes the text;
    - deferred publicly: the channel must not read it. A followup to a thinking reply would
      only edit that public message, so the thinking reply is first turned into a neutral
      line, the text follows as an ephemeral followup, and the public line is deleted;
    - a button press or a sent reply: an ephemeral followup (the paged message stays)."""
    response = interaction.response
    if not response.is_done():
        await response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        return
    if response.type is discord.InteractionResponseType.deferred_channel_message:
        try:
            original = await interaction.original_response()
            private = original.flags.ephemeral
        except discord.HTTPException:
            private = False  # gone: nothing public to protect, say it in a followup
            original = None
        if private:
            await interaction.edit_original_response(
                content=text, embeds=[], view=None, allowed_mentions=NO_MENTIONS
            )
            return
        if original is not None:
            await interaction.edit_original_response(
                content=t("failed_public", lang_of(interaction.locale)),
                embeds=[],
                view=None,
                allowed_mentions=NO_MENTIONS,
            )
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        if original is not None:
            try:
                await interaction.delete_original_response()
            except discord.HTTPException:
                pass  # the neutral line stays; the text itself was private
        return
    await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def report(interaction: discord.Interaction, error: Exception, where: str) -> None:
    """Answer an error the way every command and button does: a user's mistake explained, a
    bug logged with its traceback and apologised for; only the user sees either."""
    lang = lang_of(interaction.locale)
    text = explain(error, lang) if isinstance(error, app_commands.AppCommandError) else None
    if text is None:
        log.error("%s failed", where, exc_info=error)
        text = t("apology", lang)
    try:
        await reply_ephemeral(interaction, text)
    except discord.HTTPException:
        log.warning("could not tell the user about an error in %s", where, exc_info=True)


class PaperTree(app_commands.CommandTree):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        command = interaction.command.qualified_name if interaction.command else "?"
        await report(interaction, error, f"command /{command}")
