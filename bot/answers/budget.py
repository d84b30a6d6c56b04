"""Cost controls in front of every call to the endpoint: answers per member and per server in
any hour (kept in memory: a restart forgives), and estimated tokens per server per day (kept in
bot.sqlite, so a restart does not reset the day). A limit of 0 means no limit.

A call first reserves its estimate (prompt + the most it may write), so two answers started at
once cannot both pass the last of the budget; when it ends the reservation is replaced by what
it used (the server's usage figures when it reports them, else the estimate)."""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass

from bot.state.answers import AnswerState

HOUR = 3600.0
CONSOLE = 0  # the budget scope of `paperbot ask --answer`


class RateLimit:
    """At most `limit` events per key in any `per` seconds (0: unlimited)."""

    def __init__(self, limit: int, per: float = HOUR) -> None:
        self.limit = limit
        self.per = per
        self._events: dict[int, deque[float]] = defaultdict(deque)

    def full(self, key: int, now: float) -> bool:
        """True when one more event for `key` at `now` would pass the limit."""
        if self.limit <= 0:
            return False
        events = self._events[key]
        while events and events[0] <= now - self.per:
            events.popleft()
        return len(events) >= self.limit

    def count(self, key: int, now: float) -> None:
        if self.limit > 0:
            self._events[key].append(now)


@dataclass(frozen=True)
class Reservation:
    scope: int
    day: str
    tokens: int


class Budget:
    """The daily token budget of each scope (a server's id; DMs count per member, as minus
    their id; the console as 0)."""

    def __init__(self, state: AnswerState, daily_tokens: int) -> None:
        self.state = state
        self.daily_tokens = daily_tokens

    def reserve(self, scope: int, day: str, tokens: int) -> Reservation | None:
        """Hold `tokens` of the scope's day, or None when they do not fit what is left."""
        if self.state.add_usage_within(scope, day, tokens, self.daily_tokens or None):
            return Reservation(scope, day, tokens)
        return None

    def settle(self, held: Reservation, used: int, answered: bool) -> None:
        """Replace the reservation by what the call used (and count the answer, if any)."""
        self.state.add_usage(held.scope, held.day, used - held.tokens, 1 if answered else 0)

    def used(self, scope: int, day: str) -> tuple[int, int]:
        """(tokens, answers) of the scope's day."""
        return self.state.usage(scope, day)


class Limits:
    """The three checks together; `admit` returns a Reservation or the key of the reason."""

    def __init__(self, state: AnswerState, daily_tokens: int, user_rate: int, server_rate: int):
        self.budget = Budget(state, daily_tokens)
        self.users = RateLimit(user_rate)
        self.servers = RateLimit(server_rate)

    def admit(
        self, scope: int, user_id: int, day: str, now: float, tokens: int
    ) -> Reservation | str:
        """Admit one call (counted against both rates, its tokens held) or say why not."""
        if self.users.full(user_id, now):
            return "answer_user_rate"
        if self.servers.full(scope, now):
            return "answer_server_rate"
        held = self.budget.reserve(scope, day, tokens)
        if held is None:
            return "answer_budget"
        self.users.count(user_id, now)
        self.servers.count(scope, now)
        return held
