"""`paperbot` end to end on a temporary data dir with the real bundled multilingual model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import ARCHIVE, SAMPLES


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


@pytest.fixture
def real(settings, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PAPERBOT_EMBEDDER", "use")
    return settings


def test_ingest_today_top_ask_with_the_real_model(real, capsys) -> None:
    report = json.loads(run(capsys, "ingest", "--json"))
    assert report["files"] == 5 and report["entries"] == 62 and report["skipped"] == []
    assert report["papers_new"] == 62 and report["passages_embedded"] > 62
    again = json.loads(run(capsys, "ingest", "--json"))
    assert again["passages_embedded"] == 0 and again["papers_unchanged"] == 62

    today = json.loads(run(capsys, "today", "--json"))
    assert today["date"] == "2024-05-30" and len(today["papers"]) == 12
    votes = [p["votes"] for p in today["papers"] if p["votes"] is not None]
    assert votes == sorted(votes, reverse=True)
    earlier = json.loads(run(capsys, "today", "--date", "2024-01-01", "--json"))
    assert earlier["date"] == "2023-12-18"

    top = json.loads(run(capsys, "top", "--period", "all", "-n", "3", "--json"))
    assert (top["since"], top["until"]) == ("2023-12-12", "2024-05-30") and len(top["papers"]) == 3

    ko = json.loads(run(capsys, "ask", "오디오, 음악, 음성 생성을 위한 오픈소스 툴킷", "--json"))
    assert not ko["abstained"] and ko["papers"][0]["arxiv_id"] == "2312.09911"
    assert ko["papers"][0]["evidence"], "the bullets that answer are shown"
    en = json.loads(
        run(capsys, "ask", "open-source toolkit for audio, music and speech generation", "--json")
    )
    assert en["papers"][0]["arxiv_id"] == "2312.09911"
    off = json.loads(run(capsys, "ask", "LA 갈비 양념 비율 알려줘", "--json"))
    assert off["abstained"] and off["papers"] == []

    windowed = json.loads(
        run(
            capsys,
            "ask",
            "텍스트로 이미지를 만드는 디퓨전 모델",
            "--since",
            "2024-02-01",
            "--until",
            "2024-03-31",
            "--json",
        )
    )
    assert windowed["papers"] and all(
        "2024-02-01" <= p["date"] <= "2024-03-31" for p in windowed["papers"]
    )

    text = run(capsys, "ask", "Amphion toolkit", "-k", "1")
    assert "https://arxiv.org/abs/2312.09911" in text and "2023-12-18" in text


def test_parse_jsonl_prints_one_entry_per_line(capsys) -> None:
    lines = run(capsys, "parse", str(SAMPLES / "2023-12-18.md"), "--jsonl").splitlines()
    first = json.loads(lines[0])
    assert len(lines) == 15
    assert set(first) == {
        "arxiv_id",
        "title",
        "url",
        "date",
        "votes",
        "authors",
        "summary",
        "media",
        "source",
    }


@pytest.mark.skipif(not ARCHIVE.exists(), reason="no archive checkout (tests/conftest.py)")
def test_parse_whole_archive_prints_5488_lines(capsys) -> None:
    assert len(run(capsys, "parse", str(ARCHIVE), "--jsonl").splitlines()) == 5488


def queries_file(tmp_path: Path, rows: list[dict]) -> Path:
    """A labelled queries file (`paperbot eval`'s input), one JSON object a line."""
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def test_eval_prints_metrics_and_writes_rankings(settings, capsys, tmp_path: Path) -> None:
    run(capsys, "ingest", "--json")
    rows = [
        {
            "id": "a",
            "lang": "en",
            "kind": "named",
            "query": "Amphion audio toolkit",
            "relevant": ["2312.09911"],
        },
        {
            "id": "b",
            "lang": "ko",
            "kind": "offtopic",
            "query": "김치찌개 끓이는 법",
            "relevant": [],
        },
    ]
    queries = queries_file(tmp_path, rows)
    out = tmp_path / "out.jsonl"
    table = run(capsys, "eval", str(queries), "--out", str(out), "--configs", "hybrid,bm25")
    assert "en R@5" in table and "offtopic abstain" in table
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert {(w["id"], w["config"]) for w in written} == {
        ("a", "hybrid"),
        ("b", "hybrid"),
        ("a", "bm25"),
        ("b", "bm25"),
    }
    assert written[0]["results"][0] == "2312.09911"


def test_eval_lists_the_rows_it_missed_and_what_ranked_above(
    settings, capsys, tmp_path: Path
) -> None:
    run(capsys, "ingest", "--json")
    rows = [
        # found first: not a failure
        {
            "id": "hit",
            "kind": "named",
            "query": "Amphion audio toolkit",
            "relevant": ["2312.09911"],
        },
        # a question about Amphion labelled with another paper: Amphion ranks above it
        {
            "id": "miss",
            "kind": "named",
            "query": "Amphion audio toolkit",
            "relevant": ["2312.06655"],
        },
    ]
    printed = run(capsys, "eval", str(queries_file(tmp_path, rows)), "--failures", "1")
    listed = [line.strip() for line in printed.splitlines() if line.startswith("  ")]
    assert printed.startswith("hybrid: 1 paper rows missed at 1")
    assert len(listed) == 1 and listed[0].startswith("miss ?/named: 2312.06655 ")
    assert "above: 'Amphion: An Open-Source Audio" in listed[0]
    assert "all R@1" in printed  # the metrics table still follows


def test_eval_split_prints_odd_and_even_targets_side_by_side(
    settings, capsys, tmp_path: Path
) -> None:
    run(capsys, "ingest", "--json")
    # two rows per target, as in the dev files: rows 1 and 3 name the paper found first (one
    # target, the 1st), rows 2 are mislabelled (Amphion ranks above: the 2nd target); the
    # off-topic row is a target of its own (the 3rd)
    right, wrong = "2312.09911", "2312.06655"
    rows = [
        {"id": f"{n}{lang}", "lang": lang, "kind": "named", "query": "Amphion audio toolkit"}
        | {"relevant": [right if n % 2 else wrong]}
        for n in (1, 2, 3)
        for lang in ("en", "ko")
    ]
    rows.append({"id": "off", "lang": "ko", "kind": "offtopic", "query": "김치찌개 끓이는 법"})
    printed = run(capsys, "eval", str(queries_file(tmp_path, rows)), "--split", "2")
    header, *lines = printed.splitlines()
    assert header.split()[1:] == ["hybrid", "hybrid", "1/2", "hybrid", "2/2"]
    cells = {" ".join(line.split()[:2]): line.split()[2:] for line in lines}
    assert cells["all n"] == ["6", "4", "2"]  # 1st target | 2nd target, both languages each
    assert cells["all R@1"] == ["0.667", "1.000", "0.000"]
    assert cells["ko R@1"] == ["0.667", "1.000", "0.000"]
    # the 3rd target: a cell in the whole column and the odd half only (the fixture's hash
    # embedder has no abstention cut, so the value itself is 0)
    off = next(line for line in lines if line.startswith("offtopic abstain"))
    assert off.split()[2:] == ["0.000", "0.000"] and off.endswith("0.000" + " " * 14)


def test_bench_runs_on_samples(settings, capsys) -> None:
    out = json.loads(
        run(
            capsys, "bench", "--corpus", str(SAMPLES), "--scale", "2", "--runs", "1", "--json"
        ).split("\n", 1)[1]
    )
    assert out["papers"] == 62 and out["10x_papers"] == 124 and out["10x_peak_rss_mb"] > 0
    assert out["1x_ask_p95_ms"] > 0 and out["ingest_noop_s"] >= 0
    assert out["reindex_unchanged_s"] > 0 and out["ask_p95_during_ingest_ms"] > 0
    assert out["ingest_peak_rss_mb"] > 0 and out["reindex_peak_rss_mb"] >= out["ingest_peak_rss_mb"]
    assert out["enrich_found"] == 62 and out["enrich_archive_s"] > 0  # from a loopback server
    # then asked with the English field full (the bench's hf papers have a summary and abstract)
    assert out["enrich_passages_embedded"] > 62 and out["1x_enriched_ask_p95_ms"] > 0


@pytest.mark.parametrize(
    "argv",
    [
        ["ask", "x", "-k", "-3"],
        ["ask", "x", "-k", "1000"],
        ["top", "-n", "-2"],
        ["today", "--date", "2024-02-30"],
        ["ask", "x", "--since", "2024-05-01", "--until", "2024-01-01"],
    ],
)
def test_bad_options_are_refused_in_one_line(settings, capsys, argv: list[str]) -> None:
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's own refusal
        code = exit_.code
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and err.strip()


def test_failures_are_one_line_with_a_non_zero_exit(settings, capsys, tmp_path: Path) -> None:
    def one_line(code: int, *argv: str) -> str:
        assert main(list(argv)) == code
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err, err
        return err

    assert "not valid UTF-8" in one_line(3, "ask", "caf\udce9")
    assert "no such queries file" in one_line(3, "eval", str(tmp_path / "missing.jsonl"))
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings_env = {"PAPERBOT_DATA_DIR": str(blocker / "data")}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in settings_env.items():
            patch.setenv(key, value)
        assert "PAPERBOT_DATA_DIR" in one_line(3, "ingest")
        assert "PAPERBOT_DATA_DIR" in one_line(3, "today")
        patch.setenv("CHROMA_HOST", "127.0.0.1")
        patch.setenv("CHROMA_PORT", "9")  # discard: nothing listens
        assert "cannot reach the Chroma server at 127.0.0.1:9" in one_line(3, "ask", "x")
    run(capsys, "ingest")
    for day in ("2023-02-01", "0001-01-01"):
        assert main(["today", "--date", day]) == 1
        assert f"No digest on or before {day}; the first is 2023-12-12." in capsys.readouterr().out


def test_a_reader_that_stops_early_gets_no_error_message() -> None:
    # `paperbot parse samples --jsonl | head -c 10`: the pipe closes long before 110 kB are out
    cli = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "parse", str(SAMPLES), "--jsonl"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert cli.stdout is not None and cli.stderr is not None
    assert cli.stdout.read(10)
    cli.stdout.close()
    assert cli.wait(timeout=60) == 141
    assert cli.stderr.read() == b""


def test_a_piped_ingest_logs_progress_lines(settings, capsys, monkeypatch) -> None:
    """Under systemd, Docker or a pipe there is no bar: progress comes as log lines on stderr
    (every 10 s; here every tick), the report on stdout."""
    import store.progress

    monkeypatch.setattr(store.progress, "EVERY", 0.0)
    assert main(["ingest"]) == 0
    out, err = capsys.readouterr()
    assert "62 new" in out and "paperbot.progress" not in out
    assert "INFO paperbot.progress: ingest: 0/62 papers (0%), 5 files" in err
    assert "ingest: 62/62 papers (100%), 5 files, " in err and " passages/s, ETA 0:00" in err
    assert "ingest: done in " in err


def test_ingest_through_a_pipe_shows_its_progress_and_no_bar(env) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ingest"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "62 new" in done.stdout
    assert "ingest: done in " in done.stderr and "62/62 papers" in done.stderr
    assert "\r" not in done.stderr  # no bar redrawn in a log


def test_log_level_option_and_setting(settings, capsys, monkeypatch) -> None:
    assert main(["--log-level", "warning", "ingest"]) == 0
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("PAPERBOT_LOG_LEVEL", "WARNING")
    assert main(["ingest"]) == 0
    assert capsys.readouterr().err == ""
    assert (
        "ingest: done in" in (main(["--log-level", "INFO", "ingest"]), capsys.readouterr().err)[1]
    )
    monkeypatch.setenv("PAPERBOT_LOG_LEVEL", "loud")
    assert main(["ingest"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert (
        "PAPERBOT_LOG_LEVEL" in line and "'loud' is not one of DEBUG, INFO, WARNING, ERROR" in line
    )


def every_option(parser):
    """(command, option) for every option of every subcommand, with its help text."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                for inner in sub._actions:
                    if not isinstance(inner, argparse._HelpAction):
                        yield name, "/".join(inner.option_strings) or inner.dest, inner.help
        elif not isinstance(action, argparse._HelpAction):
            yield "paperbot", "/".join(action.option_strings), action.help


def test_every_option_has_help_text() -> None:
    from bot.cli import build_parser

    found = list(every_option(build_parser()))
    assert ("ask", "--min-votes", "only papers with N votes or more") in found
    assert [(command, option) for command, option, text in found if not text] == []


def test_ask_removes_invisible_characters_and_refuses_a_question_of_them(settings, capsys) -> None:
    run(capsys, "ingest")
    assert main(["ask", "\u200b\u200d\u202e \u2066\u2069"]) == 3
    assert capsys.readouterr().err == "paperbot: the question is empty\n"
    answer = json.loads(run(capsys, "ask", "\u202eAmphion\u200b audio\u200f toolkit", "--json"))
    assert answer["question"] == "Amphion audio toolkit"
    assert answer["papers"][0]["arxiv_id"] == "2312.09911"


def test_bib_prints_entries_and_names_unknown_ids(settings, capsys) -> None:
    from tests.bot.bibparse import parse

    run(capsys, "ingest")
    text = run(capsys, "bib", "2405.19327v2", "https://arxiv.org/abs/2403.08715", "2405.19327")
    [(_, neo, fields), (_, sotopia, escaped)] = parse(text)  # the same paper once
    assert (neo, fields["eprint"], fields["year"]) == ("lin2024mapneo", "2405.19327", "2024")
    assert sotopia == "yu2024sotopia" and escaped["title"].startswith(r"SOTOPIA-\$π\$:")

    assert main(["bib", "2405.19327", "9999.99999"]) == 0  # one found: printed, exit 0
    out, err = capsys.readouterr()
    assert parse(out)[0][1] == "lin2024mapneo"
    assert err == "paperbot: no paper with arXiv id '9999.99999' in the index\n"
    assert main(["bib", "nothing"]) == 1  # none found
    out, err = capsys.readouterr()
    assert out == "" and "no paper with arXiv id 'nothing'" in err
