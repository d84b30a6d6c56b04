"""What the store's libraries raise reaches the operator as one line and exit 3 (docs/CONTRACTS.md),
whatever the type: Chroma's own errors, and the HTTP errors of a Chroma server that went away.
A read that meets a half-built segment (an `ask` while the first build runs) is tried again
once. The exceptions are the real types, raised from the store's real calls."""

from __future__ import annotations

import chromadb.errors
import httpx
import pytest
from chromadb.api.models.Collection import Collection

from bot.cli import main
from store.index import Index

SEGMENT = "Error creating hnsw segment reader: Nothing found on disk"
FAILURES = {
    "segment reader": chromadb.errors.InternalError(SEGMENT),
    "server down": httpx.ConnectError("[Errno 111] Connection refused"),
    "server killed": httpx.RemoteProtocolError("Server disconnected without sending a response."),
}


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    *logged, last = err.splitlines()  # progress log lines may come first (docs/CONTRACTS.md)
    assert last.startswith("paperbot: ") and all(" INFO " in line for line in logged), err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("name", FAILURES)
def test_a_store_failure_mid_ingest_is_one_line_and_exit_3(
    settings, monkeypatch: pytest.MonkeyPatch, capsys, name: str
) -> None:
    error = FAILURES[name]

    def write(self, batch):
        raise error

    monkeypatch.setattr(Index, "write", write)
    assert main(["ingest"]) == 3
    err = one_line(capsys)
    assert type(error).__name__ in err and str(error).split(":")[0] in err


@pytest.mark.parametrize("name", FAILURES)
def test_a_store_failure_in_a_read_is_one_line_and_exit_3(
    settings, monkeypatch: pytest.MonkeyPatch, capsys, name: str
) -> None:
    assert main(["ingest"]) == 0
    capsys.readouterr()
    error, calls = FAILURES[name], []

    def query(self, *args, **kwargs):
        calls.append(1)
        raise error

    monkeypatch.setattr(Collection, "query", query)
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    assert main(["ask", "Amphion audio toolkit"]) == 3
    assert type(error).__name__ in one_line(capsys)
    assert len(calls) == (2 if name == "segment reader" else 1), "only a segment reader retries"


def test_a_read_meeting_a_half_built_segment_is_tried_again_once(
    settings, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    assert main(["ingest"]) == 0
    capsys.readouterr()
    real, calls = Collection.query, []

    def query(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise chromadb.errors.InternalError(SEGMENT)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Collection, "query", query)
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    assert main(["ask", "Amphion audio toolkit", "-k", "1"]) == 0
    out, err = capsys.readouterr()
    assert "https://arxiv.org/abs/2312.09911" in out and err == ""
    assert len(calls) == 2
