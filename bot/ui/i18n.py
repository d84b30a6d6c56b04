"""Korean for Korean clients, English otherwise: command metadata through discord.py's
Translator, reply texts through `t(key, lang)` over the same small catalogue."""

from __future__ import annotations

from typing import Literal, TypeVar

import discord
from discord import app_commands

from bot.ui.texts import about, answers, core, feeds, members, papertools

Lang = Literal["ko", "en"]
T = TypeVar("T")


def combine(*catalogues: dict[str, T]) -> dict[str, T]:
    """One catalogue from several; a key in two of them is a mistake, refused at import."""
    combined: dict[str, T] = {}
    for catalogue in catalogues:
        twice = combined.keys() & catalogue.keys()
        if twice:
            raise ValueError(f"text keys defined twice: {sorted(twice)}")
        combined.update(catalogue)
    return combined


# Command, option and choice descriptions: the English source text (what the decorators say)
# -> Korean. Discord shows the Korean to clients whose locale is Korean.
COMMAND_TEXT_KO: dict[str, str] = combine(
    core.COMMAND_TEXT_KO,
    members.COMMAND_TEXT_KO,
    about.COMMAND_TEXT_KO,
    answers.COMMAND_TEXT_KO,
    papertools.COMMAND_TEXT_KO,
    feeds.COMMAND_TEXT_KO,
)
MESSAGES: dict[str, dict[str, str]] = combine(
    core.MESSAGES,
    members.MESSAGES,
    about.MESSAGES,
    answers.MESSAGES,
    papertools.MESSAGES,
    feeds.MESSAGES,
)


def lang_of(locale: discord.Locale | str | None) -> Lang:
    """Korean for Korean clients, English for everyone else."""
    return "ko" if str(locale or "").lower().startswith("ko") else "en"


def t(key: str, lang: Lang, /, **values: object) -> str:
    return MESSAGES[key][lang].format(**values)


class Translator(app_commands.Translator):
    """Korean command descriptions and choice names; Discord falls back to the English source."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if locale is not discord.Locale.korean:
            return None
        location = context.location
        if location in (
            app_commands.TranslationContextLocation.command_name,
            app_commands.TranslationContextLocation.group_name,
            app_commands.TranslationContextLocation.parameter_name,
        ):
            return None  # names stay English so typing "/today" works in every client
        return COMMAND_TEXT_KO.get(string.message)
