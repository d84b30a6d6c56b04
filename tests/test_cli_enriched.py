"""`paperbot paper` and `paperbot ask`: what the papers' own sources add, when the enrichment
cache knows it (additive JSON keys; a Code line in the human output)."""

from __future__ import annotations

import json

from bot.cli import main
from store.enrich import EnrichCache, Enrichment
from tests.test_cli import run

PAPER = "2405.19327"
EXTRA = Enrichment(
    PAPER,
    source="hf",
    abstract="We release everything.",
    ai_summary="A fully open bilingual model.",
    keywords=("open", "bilingual"),
    github="https://github.com/multimodal-art-projection/MAP-NEO",
    upvotes=12,
)


def test_paper_without_a_cache_has_no_enrichment_and_creates_no_file(settings, capsys) -> None:
    assert main(["ingest"]) == 0
    capsys.readouterr()
    data = json.loads(run(capsys, "paper", PAPER, "--json"))
    assert data["arxiv_id"] == PAPER and "enrichment" not in data
    assert not (settings.data_dir / "enrich.sqlite").exists()
    assert "code:" not in run(capsys, "paper", PAPER)
    assert main(["paper", "9999.99999"]) == 1


def test_paper_and_ask_show_the_enrichment(settings, capsys) -> None:
    assert main(["ingest"]) == 0
    EnrichCache(settings.data_dir).put([EXTRA])
    capsys.readouterr()
    data = json.loads(run(capsys, "paper", PAPER, "--json"))
    assert data["enrichment"] == {
        "source": "hf",
        "abstract": "We release everything.",
        "ai_summary": "A fully open bilingual model.",
        "keywords": ["open", "bilingual"],
        "github": "https://github.com/multimodal-art-projection/MAP-NEO",
        "project_page": None,
        "upvotes": 12,
    }
    assert data["summary"]  # the paper's own keys as before
    text = run(capsys, "paper", PAPER)
    assert "   code: https://github.com/multimodal-art-projection/MAP-NEO" in text
    assert "A fully open bilingual model." in text
    found = json.loads(run(capsys, "ask", "MAP-Neo open bilingual model", "--json", "-k", "10"))
    papers = {p["arxiv_id"]: p for p in found["papers"]}
    assert papers[PAPER]["enrichment"]["github"] == EXTRA.github
    assert all("enrichment" not in p for a, p in papers.items() if a != PAPER)
    assert "code: https://github.com" in run(capsys, "ask", "MAP-Neo open bilingual model")
