"""A small client for an OpenAI-compatible chat-completions server (a hosted API, Ollama,
llama.cpp, vLLM): `POST {base}/chat/completions`, streamed (server-sent events, `data: {...}`
chunks with `choices[0].delta.content`, then `data: [DONE]`) or in one JSON answer.

Every failure is an `LLMError` with a short reason (timeout, HTTP status, unreadable reply); the
callers fall back to what they show without a model. One timeout bounds each whole exchange. The API key goes only into the
Authorization header: it is never logged, and no error text carries it."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp

log = logging.getLogger(__name__)
OnText = Callable[[str], Awaitable[None]]
T = TypeVar("T")

# A runaway answer is cut here whatever max_tokens the server honours (Discord shows far less).
MAX_REPLY_CHARS = 6000


class LLMError(Exception):
    """The endpoint did not give a usable answer; `reason` is one of timeout, status, garbage,
    unreachable, empty."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class Completion:
    text: str
    prompt_tokens: int | None = None  # as the server reported them, when it did
    completion_tokens: int | None = None


def _usage(data: dict) -> tuple[int | None, int | None]:
    usage = data.get("usage")
    if not isinstance(usage, dict):
        return None, None
    prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
    return (
        prompt if isinstance(prompt, int) else None,
        completion if isinstance(completion, int) else None,
    )


def _message_text(data: object) -> str:
    """choices[0].message.content of a non-streamed reply; LLMError when it has none."""
    try:
        text = data["choices"][0]["message"]["content"]  # type: ignore[index]
    except (KeyError, IndexError, TypeError):
        raise LLMError("garbage", "no choices[0].message.content") from None
    if not isinstance(text, str):
        raise LLMError("garbage", "content is not text")
    return text


def _delta_text(data: object) -> tuple[str, bool]:
    """(choices[0].delta.content, finished) of one streamed chunk."""
    try:
        choice = data["choices"][0]  # type: ignore[index]
    except (KeyError, IndexError, TypeError):
        if isinstance(data, dict) and "usage" in data:
            return "", False  # a usage-only closing chunk (stream_options.include_usage)
        raise LLMError("garbage", "a chunk without choices") from None
    if not isinstance(choice, dict):
        raise LLMError("garbage", "a chunk without choices")
    delta = choice.get("delta") or {}
    text = delta.get("content") if isinstance(delta, dict) else None
    return (text if isinstance(text, str) else ""), bool(choice.get("finish_reason"))


class ChatClient:
    """The endpoint's address, model and key; one per bot (or console run)."""

    def __init__(
        self, base_url: str, model: str, api_key: str | None = None, timeout: float = 20.0
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.timeout = timeout
        self._headers = {"Content-Type": "application/json"}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"

    def _session(self) -> aiohttp.ClientSession:
        """A session per exchange: answers are seconds apart, and nothing outlives its call
        (no session to close when the bot or a console run ends)."""
        # no aiohttp timeout: the exchange has one bound, `_within_timeout`
        return aiohttp.ClientSession(
            headers=self._headers, timeout=aiohttp.ClientTimeout(total=None)
        )

    def _body(self, messages: list[dict], max_tokens: int, stream: bool) -> dict:
        return {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": 0.2,
            "stream": stream,
        }

    async def complete(self, messages: list[dict], max_tokens: int) -> Completion:
        """One non-streamed answer, within the timeout."""
        return await self._within_timeout(self._complete(messages, max_tokens))

    async def stream(
        self, messages: list[dict], max_tokens: int, on_text: OnText | None = None
    ) -> Completion:
        """A streamed answer: `on_text` is awaited with the text so far as pieces arrive. The
        whole exchange, `on_text` included, is bounded by the timeout. A server that ignores
        `stream` and answers in one JSON object is read as such."""
        return await self._within_timeout(self._stream(messages, max_tokens, on_text))

    async def _within_timeout(self, work: Coroutine[Any, Any, T]) -> T:
        """`work`, cancelled after `timeout` seconds of real time (LLMError "timeout").

        A timer thread keeps the bound, not the event loop's clock: this exchange is with the
        outside world, and a loop whose clock is simulated (SimCord's, in the tests) fires its
        timers only once every task is idle, never while one waits on a real socket."""
        loop = asyncio.get_running_loop()
        task = loop.create_task(work)
        expired = False

        def expire() -> None:
            nonlocal expired
            if not task.done():
                expired = True
                task.cancel()

        def ring() -> None:
            try:
                loop.call_soon_threadsafe(expire)
            except RuntimeError:
                pass  # the loop has closed: nothing is waiting any more

        watchdog = threading.Timer(self.timeout, ring)
        watchdog.daemon = True
        watchdog.start()
        try:
            return await task
        except asyncio.CancelledError:
            if expired:
                raise LLMError("timeout", f"no answer within {self.timeout:g} s") from None
            raise
        finally:
            watchdog.cancel()

    async def _complete(self, messages: list[dict], max_tokens: int) -> Completion:
        try:
            async with (
                self._session() as session,
                session.post(self.url, json=self._body(messages, max_tokens, False)) as response,
            ):
                _check_status(response)
                data = await _json_of(response)
        except aiohttp.ClientError as error:
            raise LLMError("unreachable", type(error).__name__) from None
        text = _message_text(data)[:MAX_REPLY_CHARS]
        if not text.strip():
            raise LLMError("empty")
        return Completion(text, *_usage(data))

    async def _stream(
        self, messages: list[dict], max_tokens: int, on_text: OnText | None
    ) -> Completion:
        text = ""
        try:
            async with (
                self._session() as session,
                session.post(self.url, json=self._body(messages, max_tokens, True)) as response,
            ):
                _check_status(response)
                if response.content_type == "application/json":
                    text = _message_text(await _json_of(response))[:MAX_REPLY_CHARS]
                else:
                    async for piece in _events(response):
                        text += piece
                        if on_text is not None:
                            await on_text(text)
        except aiohttp.ClientError as error:
            raise LLMError("unreachable", type(error).__name__) from None
        except ValueError:  # a line longer than aiohttp reads
            raise LLMError("garbage", "an unreadable stream") from None
        if not text.strip():
            raise LLMError("empty")
        return Completion(text)


def _check_status(response: aiohttp.ClientResponse) -> None:
    if response.status >= 400:
        log.warning("LLM endpoint answered HTTP %s", response.status)
        raise LLMError("status", f"HTTP {response.status}")


async def _json_of(response: aiohttp.ClientResponse) -> object:
    try:
        return json.loads(await response.text())
    except (ValueError, UnicodeDecodeError):
        raise LLMError("garbage", "the reply is not JSON") from None


async def _events(response: aiohttp.ClientResponse) -> AsyncIterator[str]:
    """The text pieces of a server-sent event stream, until `data: [DONE]` (or a chunk with a
    finish_reason, for servers that end without it)."""
    size = 0
    finished = False
    async for raw in response.content:
        line = raw.decode("utf-8", "replace").strip()
        if not line or line.startswith(":") or not line.startswith("data:"):
            continue  # keep-alives, comments, `event:` lines
        payload = line[len("data:") :].strip()
        if payload == "[DONE]":
            return
        try:
            data = json.loads(payload)
        except ValueError:
            raise LLMError("garbage", "a chunk that is not JSON") from None
        text, done = _delta_text(data)
        finished = finished or done
        if text:
            text = text[: MAX_REPLY_CHARS - size]
            size += len(text)
            yield text
            if size >= MAX_REPLY_CHARS:
                return
    if not finished:
        raise LLMError("garbage", "the stream ended before [DONE]")
