"""Text from members and the archive made inert for embeds, for the subscription, trend, saved
and weekly features: bot/ui/render.py's `safe` and `plain_title` when it has them, else the same
rule here (Markdown escaped, brackets escaped so no `[text](url)` survives)."""

from __future__ import annotations

import re

import discord

from bot.ui.render import TITLE, clip

_BRACKET = re.compile(r"(?<!\\)((?:\\\\)*)([\[\]])")

try:
    from bot.ui.render import plain_title, safe  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - an older bot/ui/render.py

    def safe(text: str) -> str:
        escaped = discord.utils.escape_markdown(text)
        return _BRACKET.sub(lambda m: f"{m[1]}\\{m[2]}", escaped)

    def plain_title(title: str, limit: int = TITLE) -> str:
        return safe(clip(title, limit))


__all__ = ["plain_title", "safe"]
