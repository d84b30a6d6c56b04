"""Incremental ingest: counted, not assumed. New, unchanged, updated and removed papers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.pipeline import ingest, open_index, rebuild
from store.search.retrieval import search
from tests.conftest import SAMPLES


@pytest.fixture
def source(tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "digests"
    shutil.copytree(SAMPLES, folder)
    monkeypatch.setenv("PAPERBOT_DIGESTS", str(folder))
    return settings.model_copy(update={"digests": folder})


def test_second_ingest_embeds_nothing(source) -> None:
    first = ingest(source)
    assert (first.files, first.entries, first.papers_new) == (5, 62, 62)
    assert first.passages_embedded > 62
    second = ingest(source)
    assert second.passages_embedded == 0
    assert (second.papers_new, second.papers_updated, second.papers_unchanged) == (0, 0, 62)


def test_changed_paper_is_replaced_and_missing_paper_removed(source) -> None:
    ingest(source)
    day = source.digests / "2024-05-30.md"
    text = day.read_text(encoding="utf-8")
    head, sep, rest = text.partition("\n### [")  # the first entry of the day
    first_entry, sep2, others = rest.partition("\n### [")
    changed = first_entry.replace("Vote:", "Vote: 1000\n\nX-Old-Vote:", 1)
    day.write_text(head + sep + changed + sep2 + others, encoding="utf-8")
    (source.digests / "2024-03-14.md").unlink()  # 9 of 62: under the removal guard
    report = ingest(source)
    assert report.papers_updated == 1
    assert report.papers_removed == 9
    assert report.passages_written > 0, "the changed paper's passages were rewritten"
    assert report.passages_embedded == 0, "a vote change leaves every text as it was"
    index = open_index(source)
    assert max(p.votes or 0 for p in index.papers_on("2024-05-30")) == 1000
    assert index.papers_on("2024-03-14") == []
    assert index.lexical.count() == index.chunks.count()


def test_explicit_paths_add_without_removing(source, tmp_path: Path) -> None:
    ingest(source, paths=[source.digests / "2023-12-12.md"])
    report = ingest(source, paths=[source.digests / "2024-02-16.md"])
    assert report.papers_removed == 0
    assert open_index(source).dates() == ["2023-12-12", "2024-02-16"]


def test_broken_entry_is_skipped_with_file_and_line_and_rest_ingested(source) -> None:
    bad = source.digests / "2024-06-01.md"
    bad.write_text(
        "## Daily Papers (2024-06-01)\n\n### [No link here](http://example.com/x)\n\n- bullet\n\n"
        "### [Fine paper](https://arxiv.org/abs/2406.00001)\n\nVote: 3\n\n- 좋은 요약입니다.\n",
        encoding="utf-8",
    )
    report = ingest(source)
    assert [s.source for s in report.skipped] == ["2024-06-01.md:3"]
    assert open_index(source).get("2406.00001").summary == ("좋은 요약입니다.",)


def test_rebuild_switches_generation_and_old_index_keeps_answering(source) -> None:
    ingest(source)
    old = open_index(source)
    before = search(old, "Amphion audio toolkit", k=3)
    new, report = rebuild(source, old)
    assert report.papers_new == 62
    assert new.generation == old.generation + 1
    assert open_index(source).generation == new.generation
    assert search(old, "Amphion audio toolkit", k=3).hits == before.hits


def test_rebuild_of_an_unchanged_source_embeds_nothing(source) -> None:
    """The vector cache: a /reindex or `--full` re-embeds only text it has never seen."""
    first = ingest(source)
    new, report = rebuild(source)
    assert report.papers_new == 62 and report.passages_written == first.passages_embedded
    assert report.passages_embedded == 0
    day = source.digests / "2024-05-30.md"
    text = day.read_text(encoding="utf-8")
    day.write_text(text.replace("- ", "- 새 문장. ", 1), encoding="utf-8")
    _, changed = rebuild(source, new)
    assert changed.passages_embedded == 1, "only the one passage whose text changed"
    index = open_index(source)
    assert search(index, "Amphion audio toolkit", k=1).hits[0].paper.arxiv_id == "2312.09911"


def test_a_huge_summary_is_indexed_up_to_the_passage_cap_and_the_rest_reported(source) -> None:
    """One 1 MB summary line made 1,177 passages (a 5 MB one 7,490, embedded under the writer
    lock). A paper gets MAX_PASSAGES at most; the cut is reported with the entry's file:line,
    and the summary itself is kept whole."""
    from ingest.chunk import MAX_PASSAGES

    bullet = "대규모 언어 모델의 추론 속도를 높인다. " * 20_000
    (source.digests / "2024-06-01.md").write_text(
        "## Daily Papers (2024-06-01)\n\n### [Huge](https://arxiv.org/abs/2406.00001)\n\n"
        f"- {bullet}\n\n### [Fine](https://arxiv.org/abs/2406.00002)\n\n- 좋은 요약입니다.\n",
        encoding="utf-8",
    )
    report = ingest(source)
    assert report.papers_new == 64 and report.removals_held == []
    [cut] = report.skipped
    assert cut.source == "2024-06-01.md:3"
    assert f"only the first {MAX_PASSAGES} are searchable" in cut.reason
    assert {"source": cut.source, "reason": cut.reason} in report.to_json()["skipped"]
    index = open_index(source)
    assert len(index.chunks.get(where={"arxiv_id": "2406.00001"})["ids"]) == MAX_PASSAGES
    assert index.get("2406.00001").summary == (bullet.strip(),)
    assert index.lexical.count() == index.chunks.count()
    assert search(index, "대규모 언어 모델 추론 속도", k=1).hits[0].paper.arxiv_id == "2406.00001"
