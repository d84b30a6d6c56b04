"""`paperbot enrich` against a loopback server playing the papers' sources; `paperbot ingest`
never fetches."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from ingest.parse import parse_paths
from measure.sources_server import SourcesServer, closed_port, hf_paper
from store.enrich import EnrichCache
from store.settings import Settings
from tests.conftest import SAMPLES

SAMPLE_IDS = sorted({paper.arxiv_id for paper in parse_paths([SAMPLES]).papers})


@pytest.fixture
def sources(settings: Settings, monkeypatch: pytest.MonkeyPatch):
    with SourcesServer({i: hf_paper(i, abstract=f"About {i}.") for i in SAMPLE_IDS}) as running:
        point_at(monkeypatch, running.hf_api)
        yield running


def point_at(monkeypatch: pytest.MonkeyPatch, base: str) -> None:
    monkeypatch.setenv("PAPERBOT_ENRICH", "1")
    monkeypatch.setenv("PAPERBOT_HF_API", base)
    monkeypatch.setenv("PAPERBOT_ARXIV_API", f"{base}/api/query")
    monkeypatch.setenv("PAPERBOT_HF_INTERVAL", "0")
    monkeypatch.setenv("PAPERBOT_ARXIV_INTERVAL", "0")


def test_ingest_never_fetches(sources, capsys) -> None:
    assert main(["ingest"]) == 0
    assert sources.seen == []


def test_enrich_fetches_the_newest_papers_up_to_the_limit(sources, settings, capsys) -> None:
    main(["ingest"])
    capsys.readouterr()
    assert main(["enrich", "--limit", "5"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("enriched 5 papers in ") and "5 found" in out
    assert f"{len(SAMPLE_IDS) - 5} left for the next run" in out
    assert "enrich: done in " in err  # the progress log's closing line
    asked = [seen.ids[0] for seen in sources.requests("hf")]
    assert len(asked) == 5
    assert all(i.startswith("2405.") for i in asked)  # the newest digest (2024-05-30) first
    cache = EnrichCache(settings.data_dir)
    assert cache.get(asked[0]).abstract == f"About {asked[0]}."
    cache.close()


def test_named_ids_are_fetched_again_and_json_reports(sources, capsys) -> None:
    paper = SAMPLE_IDS[0]
    assert main(["enrich", paper]) == 0
    capsys.readouterr()
    assert main(["enrich", paper, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] == 1 and report["requests"] == 1 and report["ended"] is None
    assert len(sources.requests("hf")) == 2


def test_a_bad_id_is_refused(sources, capsys) -> None:
    assert main(["enrich", "papers/1234"]) == 2
    assert "not an arXiv id: 'papers/1234'" in capsys.readouterr().err
    assert sources.seen == []


def test_enrich_off_says_so_and_fetches_nothing(sources, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PAPERBOT_ENRICH", "0")
    assert main(["enrich", SAMPLE_IDS[0]]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line == "paperbot: enrichment is off (PAPERBOT_ENRICH=0): nothing fetched"
    assert sources.seen == []


def test_no_network_is_one_clear_line(settings, monkeypatch, capsys) -> None:
    point_at(monkeypatch, f"http://127.0.0.1:{closed_port()}")
    assert main(["enrich", *SAMPLE_IDS]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("enriched 0 papers") and f"{len(SAMPLE_IDS)} left" in out
    [line] = [x for x in err.splitlines() if x.startswith("paperbot:")]
    assert line.startswith("paperbot: cannot reach 127.0.0.1") and "no network" in line
    assert EnrichCache(settings.data_dir).counts() == {}
