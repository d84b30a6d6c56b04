"""bot.sqlite: one connection for every feature, and a feature's transaction is never split
or undone by another feature's write from another thread."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from bot.state import State
from bot.state.db import Database


def open_files(name: str) -> list[str]:
    """This process's open file descriptors whose path ends with `name`."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.endswith(name):
            found.append(target)
    return found


async def test_the_bot_opens_bot_sqlite_once(simcord_env, simcord_bot) -> None:
    assert len(open_files(str(simcord_bot.settings.data_dir / "bot.sqlite"))) == 1
    cogs = {name: simcord_bot.get_cog(name) for name in ("Saved", "Subscriptions", "Weekly")}
    assert cogs["Saved"].store is simcord_bot.state.saved
    assert cogs["Subscriptions"].store is simcord_bot.state.subscriptions
    assert cogs["Weekly"].store is simcord_bot.state.weekly


def test_a_write_from_another_thread_waits_for_a_transaction(tmp_path: Path) -> None:
    """Thread A's transaction fails and rolls back while thread B writes on the same
    connection: B's row must survive (B waited), A's must not."""
    state = State(tmp_path / "bot.sqlite")
    db: Database = state.db
    started, failures = threading.Event(), []

    def a() -> None:
        try:
            with db.transaction():
                db.execute("INSERT INTO meta VALUES ('a', '1')")
                started.set()
                time.sleep(0.3)  # B tries to write meanwhile
                raise RuntimeError("A fails")
        except RuntimeError:
            pass

    def b() -> None:
        started.wait(30)
        try:
            state.set_meta("b", "1")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert state.meta("a") is None and state.meta("b") == "1"
    state.close()
