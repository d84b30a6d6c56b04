"""The Discord bot: `create_bot()` returns the configured discord.py Bot (DESIGN.md)."""

from bot.app import create_bot

__all__ = ["create_bot"]
