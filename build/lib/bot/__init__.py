"""The Discord bot: `create_bot()` returns the configured discord.py Bot (docs/CONTRACTS.md)."""

from bot.app import create_bot

__all__ = ["create_bot"]
