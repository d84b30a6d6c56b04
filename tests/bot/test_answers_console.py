"""`paperbot ask QUESTION --answer` against a real chat-completions server on 127.0.0.1."""

from __future__ import annotations

import json

import pytest

from bot.answers.console import NOT_COVERED
from bot.answers.prompt import quoted_data
from bot.cli import main

QUESTION = "video generation with diffusion"


@pytest.fixture
def endpoint(indexed, chat_server, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PAPERBOT_LLM_BASE_URL", chat_server.base_url)
    monkeypatch.setenv("PAPERBOT_LLM_MODEL", "test-model")
    chat_server.reply = "Diffusion makes videos [2]. Not a paper here [8]."
    return chat_server


def test_the_answer_comes_above_the_papers_it_cites(endpoint, capsys) -> None:
    assert main(["ask", QUESTION, "--answer"]) == 0
    out = capsys.readouterr().out
    head, papers = out.split("\n\n", 1)
    assert head.startswith("Answer (written by test-model")
    assert head.endswith("Diffusion makes videos [2]. Not a paper here.")  # [8]: no such paper
    sources = quoted_data(endpoint.prompts[0])["sources"]
    assert papers.startswith(f"1. {sources[0]['title']}")
    assert f"2. {sources[1]['title']}" in papers
    assert "6 sentences in English" in endpoint.prompts[0][0]["content"]


def test_korean_question_gets_a_korean_answer(endpoint, capsys) -> None:
    assert main(["ask", "비디오 생성 확산 모델", "--answer"]) == 0
    assert "6 sentences in Korean" in endpoint.prompts[0][0]["content"]


def test_json_carries_the_answer(endpoint, capsys) -> None:
    assert main(["ask", QUESTION, "--answer", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["answer"] == "Diffusion makes videos [2]. Not a paper here."
    assert data["answer_note"] is None and len(data["papers"]) == 5


def test_abstention_sends_nothing(endpoint, capsys) -> None:
    assert main(["ask", "protein folding", "--since", "2030-01-01", "--answer"]) == 0
    assert NOT_COVERED in capsys.readouterr().out
    assert endpoint.requests == []


def test_the_budget_stops_the_call(endpoint, capsys, monkeypatch) -> None:
    monkeypatch.setenv("PAPERBOT_LLM_DAILY_TOKENS", "100")
    assert main(["ask", QUESTION, "--answer"]) == 0
    captured = capsys.readouterr()
    assert "answer budget is used up" in captured.err and captured.out.startswith("1. ")
    assert endpoint.requests == []


def test_a_failing_endpoint_leaves_the_papers(endpoint, capsys) -> None:
    endpoint.mode = "status"
    assert main(["ask", QUESTION, "--answer"]) == 0
    captured = capsys.readouterr()
    assert "no written answer: the endpoint failed" in captured.err
    assert captured.out.startswith("1. ")


def test_answer_without_an_endpoint_is_a_setting_error(indexed, capsys) -> None:
    assert main(["ask", QUESTION, "--answer"]) == 2
    assert "PAPERBOT_LLM_BASE_URL" in capsys.readouterr().err
