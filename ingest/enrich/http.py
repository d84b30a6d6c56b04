"""GET requests to the papers' sources, paced and retried the way the runner needs them.

`Fetcher.fetch` keeps each source to its own pace (at least `interval` seconds from the end of
one request to the start of the next), tries again after a 429, a 5xx, a timeout or a broken
connection (waiting what Retry-After asks, capped, else a doubling backoff), and tells apart
the three ends the runner acts on: a reply (2xx, 404, another 4xx), `Failed` (still failing
after the retries), and `Unreachable` (no connection at all: refused, no route, a name that does
not resolve; the network is down and trying more ids is pointless)."""

from __future__ import annotations

import errno
import http.client
import socket
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

USER_AGENT = "paperbot (Daily Papers digest bot; enrichment)"
MAX_BODY = 8 * 1024 * 1024  # a paper's JSON or a batch's Atom is far smaller
NO_ROUTE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ECONNREFUSED, errno.EADDRNOTAVAIL}


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    retry_after: float | None = None  # seconds, from a Retry-After header


class Unreachable(Exception):
    """No connection could be made to the source at all."""


class Failed(Exception):
    """The source kept failing (429, 5xx, timeouts) through the retries; the text says how."""


class TransientError(Exception):
    """A try that may succeed later: a timeout or a connection broken mid-reply."""


class Stopped(Exception):
    """The stop event was set while waiting."""


def host_of(url: str) -> str:
    return urlsplit(url).netloc or url


def retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def _no_connection(reason: object) -> bool:
    if isinstance(reason, socket.gaierror | ConnectionRefusedError):
        return True
    return isinstance(reason, OSError) and reason.errno in NO_ROUTE


def get(url: str, timeout: float) -> Reply:
    """One GET. Raises Unreachable (no connection), or TransientError (timeout, broken reply)."""
    request = Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urlopen(request, timeout=timeout) as response:  # http(s): the settings check it
            return Reply(response.status, response.read(MAX_BODY))
    except HTTPError as error:
        body = error.read(MAX_BODY) if error.fp else b""
        return Reply(error.code, body, retry_after(error.headers.get("Retry-After")))
    except URLError as error:
        if _no_connection(error.reason):
            raise Unreachable(f"{host_of(url)}: {error.reason}") from None
        if isinstance(error.reason, TimeoutError):
            raise TransientError(f"no reply within {timeout:g} s") from None
        raise TransientError(str(error.reason)) from None
    except TimeoutError:
        raise TransientError(f"no reply within {timeout:g} s") from None
    except (http.client.HTTPException, OSError) as error:
        if _no_connection(error):
            raise Unreachable(f"{host_of(url)}: {error}") from None
        raise TransientError(f"{type(error).__name__}: {error}") from None


class Pace:
    """At least `interval` seconds from the end of one request to the start of the next."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._last: float | None = None

    def wait(self, stop: threading.Event) -> None:
        if self._last is not None:
            remaining = self._last + self.interval - time.monotonic()
            if remaining > 0 and stop.wait(remaining):
                raise Stopped

    def mark(self) -> None:
        self._last = time.monotonic()


@dataclass
class Fetcher:
    """Paced GETs with bounded retries; counts the requests it made."""

    timeout: float
    retries: int  # further tries after a transient failure, within one run
    backoff: float  # seconds before the first retry when the reply names none; doubles
    retry_cap: float  # the longest wait honoured, Retry-After included
    stop: threading.Event
    requests: int = 0

    def fetch(self, pace: Pace, url: str) -> Reply:
        """The reply of the first try that is not transient (2xx, 404, another 4xx). Raises
        Failed after `retries` further tries, Unreachable at once, Stopped when asked to."""
        reason, wait = "", 0.0
        for attempt in range(self.retries + 1):
            if attempt and self.stop.wait(min(wait, self.retry_cap)):
                raise Stopped
            pace.wait(self.stop)
            self.requests += 1
            try:
                reply = get(url, self.timeout)
            except TransientError as error:
                reason, hint = str(error), None
            else:
                if reply.status != 429 and reply.status < 500:
                    return reply
                reason, hint = f"HTTP {reply.status}", reply.retry_after
            finally:
                pace.mark()
            wait = hint if hint is not None else self.backoff * 2**attempt
        tries = self.retries + 1
        raise Failed(f"{reason} ({tries} tr{'y' if tries == 1 else 'ies'})")
