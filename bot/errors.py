"""One place that turns command errors into replies: a user's mistake gets a short ephemeral
explanation, anything else is logged with its traceback and gets an apology."""

from __future__ import annotations

import logging
from datetime import date

import discord
from discord import app_commands

from bot.i18n import Lang, lang_of, t
from bot.render import NO_MENTIONS

log = logging.getLogger(__name__)


class UserError(app_commands.AppCommandError):
    """A mistake the user can fix: a catalogue key and the values for its message."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def message(self, lang: Lang) -> str:
        return t(self.key, lang, **self.values)


def parse_date(value: str) -> str:
    """ISO date text, or a UserError explaining the expected form."""
    try:
        return date.fromisoformat(value.strip()).isoformat()
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
        return original.message(lang) if isinstance(original, UserError) else None
    if isinstance(error, UserError):
        return error.message(lang)
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
    """Answer however the interaction stands: a deferred reply is replaced (a followup to a
    public deferral cannot be ephemeral), otherwise an ephemeral message."""
    response = interaction.response
    if not response.is_done():
        await response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    elif response.type in (
        discord.InteractionResponseType.deferred_channel_message,
        discord.InteractionResponseType.deferred_message_update,
    ):
        await interaction.edit_original_response(
            content=text, embeds=[], view=None, allowed_mentions=NO_MENTIONS
        )
    else:
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


class PaperTree(app_commands.CommandTree):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        lang = lang_of(interaction.locale)
        text = explain(error, lang)
        if text is None:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.exception("command /%s failed", command, exc_info=error)
            text = t("apology", lang)
        try:
            await reply_ephemeral(interaction, text)
        except discord.HTTPException:
            log.warning("could not tell the user about an error", exc_info=True)
