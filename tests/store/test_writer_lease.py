"""One writer across the hosts of a Chroma server, shown with real processes on a real
`chroma run`: a second host's ingest (or `--full`) is refused with one line naming the writer
(exit 3) and writes nothing; a writer keeps its lease while it works; a SIGKILLed writer's lease
blocks others until it lapses, then another host takes over; a writer frozen past its lease
stops instead of writing over the host that took over."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import threading
import time
from pathlib import Path

import pytest

from ingest.pipeline import ingest, open_index
from store.index.lease import Lease
from store.search.retrieval import search
from tests.hosts import LIMIT_S, Pause, finish, host, host_env, paperbot

HOSTNAME = socket.gethostname()


@pytest.fixture
def hosts(env, settings, chroma_server, tmp_path: Path):
    """The environments of two hosts (own data dir, own copy of the digests) and host A's
    settings (the test's view of the shared index)."""
    made = []
    for name in ("a", "b"):
        digests = tmp_path / f"digests-{name}"
        shutil.copytree(env["PAPERBOT_DIGESTS"], digests)
        made.append(host_env(env, chroma_server, tmp_path / f"host-{name}", digests))
    view = host(settings, chroma_server, tmp_path / "viewer")
    return made[0], made[1], view


def lease_record(view) -> dict:
    """The write lease's newest record in the registry (what another host would read)."""
    registry = open_index(view).registry
    holder = Lease(registry, "write", "test").holder()
    assert holder is not None
    return {"pid": holder.who, "expires": holder.expires, "epoch": holder.epoch}


def wait_until(check, what: str) -> None:
    deadline = time.monotonic() + LIMIT_S  # a hang guard, not a timing
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"never: {what}")
        time.sleep(0.1)


def assert_refused_by(err: str, holder_pid: int, command: str = "paperbot ingest") -> None:
    assert err.count("\n") == 1, err
    assert f"`{command}` on {HOSTNAME} (pid {holder_pid}" in err, err


def test_a_second_hosts_ingest_is_refused_and_writes_nothing(hosts, tmp_path: Path) -> None:
    env_a, env_b, view = hosts
    pause = Pause(tmp_path / "pause", "ingest-writing")
    first = paperbot(env_a, "ingest", "--json", **pause.env())
    try:
        pause.wait_reached(first)
        code, _, err = finish(paperbot(env_b, "ingest", "--json"))
    finally:
        pause.go()
    done, out, err_a = finish(first)
    assert done == 0, err_a
    assert code == 3, err
    assert_refused_by(err, first.pid)
    report = json.loads(out)
    index = open_index(view)
    assert report["passages_embedded"] == index.chunks.count() == index.lexical.count()
    assert len(index.by_id) == 62


def test_two_full_rebuilds_at_once_one_is_refused(hosts, tmp_path: Path) -> None:
    env_a, env_b, view = hosts
    ingest(view.model_copy(update={"digests": Path(env_a["PAPERBOT_DIGESTS"])}))
    before = open_index(view).generation
    pause = Pause(tmp_path / "pause", "rebuild-filling")
    first = paperbot(env_a, "ingest", "--full", "--json", **pause.env())
    try:
        pause.wait_reached(first)
        code, _, err = finish(paperbot(env_b, "ingest", "--full", "--json"))
    finally:
        pause.go()
    done, _, err_a = finish(first)
    assert done == 0, err_a
    assert code == 3, err
    assert_refused_by(err, first.pid, "paperbot ingest --full")
    index = open_index(view)
    assert index.generation == before + 1
    assert search(index, "Amphion audio music speech toolkit", k=1).hits[0].paper.arxiv_id == (
        "2312.09911"
    )


def test_a_writer_keeps_its_lease_while_it_works(hosts, tmp_path: Path) -> None:
    env_a, env_b, view = hosts
    pause = Pause(tmp_path / "pause", "ingest-writing")
    first = paperbot(env_a, "ingest", **pause.env(), PAPERBOT_LEASE_TTL_S="6")
    try:
        pause.wait_reached(first)
        taken = lease_record(view)
        wait_until(lambda: time.time() > taken["expires"] + 1, "the first lease term is over")
        assert lease_record(view)["epoch"] == taken["epoch"], "renewed, not taken over"
        code, _, err = finish(paperbot(env_b, "ingest"))
    finally:
        pause.go()
    assert finish(first)[0] == 0
    assert code == 3
    assert_refused_by(err, first.pid)


def test_a_killed_writers_lease_blocks_others_until_it_lapses(hosts, tmp_path: Path) -> None:
    env_a, env_b, view = hosts
    for ttl, refused in (("1", False), ("3600", True)):
        pause = Pause(tmp_path / f"pause-{ttl}", "ingest-writing")
        dead = paperbot(env_a, "ingest", **pause.env(), PAPERBOT_LEASE_TTL_S=ttl)
        pause.wait_reached(dead)
        dead.send_signal(signal.SIGKILL)
        dead.wait(30)
        if not refused:
            lapse = lease_record(view)["expires"]
            wait_until(lambda t=lapse: time.time() > t, "the dead writer's lease lapsed")
        code, _, err = finish(paperbot(env_b, "ingest", "--json", PAPERBOT_LEASE_TTL_S=ttl))
        if refused:
            assert code == 3, err
            assert_refused_by(err, dead.pid)
            assert "lease" in err
        else:
            assert code == 0, err
    index = open_index(view)
    assert len(index.by_id) == 62 and index.lexical.count() == index.chunks.count()


def test_a_writer_frozen_past_its_lease_stops_instead_of_writing(hosts, tmp_path: Path) -> None:
    env_a, env_b, view = hosts
    (Path(env_b["PAPERBOT_DIGESTS"]) / "2024-05-30.md").unlink()  # A has more to write than B
    pause = Pause(tmp_path / "pause", "ingest-writing")
    frozen = paperbot(env_a, "ingest", "--json", **pause.env(), PAPERBOT_LEASE_TTL_S="2")
    try:
        pause.wait_reached(frozen)
        os.kill(frozen.pid, signal.SIGSTOP)
        lapse = lease_record(view)["expires"]
        wait_until(lambda: time.time() > lapse, "the frozen writer's lease lapsed")
        code, out, err = finish(paperbot(env_b, "ingest", "--json"))
        assert code == 0, err
    finally:
        pause.go()
        os.kill(frozen.pid, signal.SIGCONT)
    done, _, err_a = finish(frozen)
    assert done == 3, err_a
    assert "write lease" in err_a.splitlines()[-1]
    index = open_index(view)
    report = json.loads(out)
    assert len(index.by_id) == report["papers_new"] < 62, "what B wrote, and nothing of A's"
    assert report["passages_embedded"] == index.chunks.count() == index.lexical.count()


def test_of_hosts_taking_a_free_lease_at_once_exactly_one_gets_it(hosts) -> None:
    registry = open_index(hosts[2]).registry
    leases = [Lease(registry, "duty", f"bot {n}") for n in range(8)]
    start = threading.Barrier(len(leases))
    got: dict[int, object] = {}

    def take(n: int) -> None:
        start.wait(60)
        got[n] = leases[n].claim()

    threads = [threading.Thread(target=take, args=(n,)) for n in range(len(leases))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    winners = [n for n, holder in got.items() if holder is None]
    assert len(got) == len(leases) and len(winners) == 1, got
    assert all(h.token == leases[winners[0]].token for h in got.values() if h is not None)


def test_a_lease_is_taken_over_only_when_let_go_or_lapsed(hosts) -> None:
    registry = open_index(hosts[2]).registry
    first = Lease(registry, "duty", "bot a")
    assert first.claim() is None and first.held
    second = Lease(registry, "duty", "bot b")
    assert second.claim().token == first.token, "running: refused"
    assert first.claim() is None, "the holder renews it"
    lapsed = Lease(registry, "duty", "bot c", clock=lambda: time.time() + first.ttl + 1)
    assert lapsed.claim() is None, "lapsed, by the taker's clock"
    assert not first.renew() and not first.held, "the old holder finds it gone"
    lapsed.release()
    assert second.claim() is None, "let go: taken at once"
