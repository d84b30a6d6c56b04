"""`paperbot ask QUESTION --answer`: the written answer in a terminal, with the same prompt,
guard rails and daily budget as the bot (the console's own budget scope; no rate limits: one
person at a keyboard). The answer is in the question's language."""

from __future__ import annotations

import asyncio
import time

from bot.answers.budget import CONSOLE
from bot.answers.prompt import ANSWER_MAX_TOKENS, answer_language, answer_messages, console_answer
from bot.answers.writer import Writer, budget_day
from bot.state.answers import AnswerState
from bot.state.db import Database
from store.models import Answer
from store.settings import Settings

NOTES = {
    "answer_budget": "today's answer budget is used up (PAPERBOT_LLM_DAILY_TOKENS)",
    "answer_timeout": "the endpoint did not answer within PAPERBOT_LLM_TIMEOUT",
    "answer_failed": "the endpoint failed (see the warning above)",
}
SOURCES = 5  # the answer is written from the first five papers, as in /ask
NOT_COVERED = "The digests don't cover this, so no answer was written."


def written_answer(settings: Settings, answer: Answer) -> tuple[str | None, str | None]:
    """(the answer, citations `[n]` kept only for papers 1..n, or None; why there is none)."""
    if answer.abstained:
        return None, NOT_COVERED  # nothing is sent
    db = Database(settings.data_dir / "bot.sqlite")
    try:
        writer = Writer.from_settings(settings, AnswerState(db), rates=False)
        language = answer_language(None, answer.question)
        messages = answer_messages(answer.question, answer.hits[:SOURCES], language)
        day = budget_day(settings.timezone)
        result = asyncio.run(
            writer.call(CONSOLE, 0, day, time.monotonic(), messages, ANSWER_MAX_TOKENS)
        )
    finally:
        db.close()
    if isinstance(result, str):
        return None, NOTES.get(result, result)
    return console_answer(result.text, len(answer.hits[:SOURCES])), None
