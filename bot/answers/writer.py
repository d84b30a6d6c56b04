"""The endpoint behind its cost controls, for the bot and the console alike: every call is
admitted first (rates, the day's budget), bounded by the timeout, and charged what it used."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

import discord

from bot.answers.budget import Limits
from bot.answers.client import ChatClient, Completion, LLMError, OnText
from bot.answers.prompt import estimate_tokens, messages_tokens
from bot.state.answers import AnswerState
from store.settings import Settings

log = logging.getLogger(__name__)


class Writer:
    def __init__(self, client: ChatClient, limits: Limits) -> None:
        self.client = client
        self.limits = limits

    @classmethod
    def from_settings(cls, settings: Settings, state: AnswerState, rates: bool = True) -> Writer:
        """The configured endpoint; `rates=False` (the console): the daily budget only."""
        assert settings.llm_base_url and settings.llm_model, "only with an endpoint configured"
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        client = ChatClient(settings.llm_base_url, settings.llm_model, key, settings.llm_timeout)
        users, servers = (settings.llm_user_rate, settings.llm_server_rate) if rates else (0, 0)
        return cls(client, Limits(state, settings.llm_daily_tokens, users, servers))

    async def call(
        self,
        scope: int,
        user_id: int,
        day: str,
        now: float,
        messages: list[dict],
        max_tokens: int,
        on_text: OnText | None = None,
    ) -> Completion | str:
        """The answer (streamed into `on_text` when given), or why there is none: the text
        key answer_user_rate, answer_server_rate, answer_budget (nothing was sent),
        answer_timeout or answer_failed."""
        prompt = messages_tokens(messages)
        held = self.limits.admit(scope, user_id, day, now, prompt + max_tokens)
        if isinstance(held, str):
            return held
        written = ""

        async def seen(text: str) -> None:
            nonlocal written
            written = text
            if on_text is not None:
                await on_text(text)

        try:
            if on_text is None:
                completion = await self.client.complete(messages, max_tokens)
            else:
                completion = await self.client.stream(messages, max_tokens, seen)
        except LLMError as error:
            log.warning("no written answer: %s", error)
            self.limits.budget.settle(held, prompt + estimate_tokens(written), answered=False)
            return "answer_timeout" if error.reason == "timeout" else "answer_failed"
        used = (completion.prompt_tokens or prompt) + (
            completion.completion_tokens or estimate_tokens(completion.text)
        )
        self.limits.budget.settle(held, used, answered=True)
        return completion


def budget_day(timezone: str) -> str:
    """The day a budget counts in: today in the bot's time zone (Discord's clock, which the
    tests move)."""
    return discord.utils.utcnow().astimezone(ZoneInfo(timezone)).date().isoformat()
