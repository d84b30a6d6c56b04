"""What members get from the papers' tools, end to end with the real USE model over the samples,
rendered as the plain text a user would see: an enriched card (English summary first for an
English client, the Korean bullets for a Korean one, a Code link for both), Cite, the BibTeX
export, a Discuss thread with /ask in it, and a topic channel's daily post.

Set PAPERBOT_TRANSCRIPT_DIR=/some/folder to keep the transcripts (papertools-en.txt, -ko.txt)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from store.settings import Settings
from tests.bot.helpers import FIRST_POST, cards_in, heads
from tests.bot.test_transcript import labels_of, messages_of, reply, show

MAP_NEO = "2405.19327"
SUMMARY = "A fully open bilingual LLM series with its data pipeline, checkpoints and code."
ABSTRACT = (
    "Large Language Models (LLMs) have made great strides in recent years; MAP-Neo is a highly "
    "capable and transparent bilingual language model with 7B parameters trained from scratch "
    "on 4.5T high-quality tokens, fully open-sourced with its cleaned pre-training corpus."
)
REPO = "https://github.com/multimodal-art-projection/MAP-NEO"
TOPIC = {"en": "video generation", "ko": "비디오 생성"}


@pytest.fixture
def simcord_bot(digests, monkeypatch: pytest.MonkeyPatch):
    """The bot over the samples with the real USE model, MAP-Neo enriched as the HF papers API
    would (its cache filled directly: fetching is tested against a loopback server elsewhere)."""
    from bot import create_bot
    from ingest.pipeline import ingest
    from store.embedders import get_embedder
    from store.enrich import EnrichCache, Enrichment
    from store.enrich.english import embed_pending

    monkeypatch.setenv("PAPERBOT_EMBEDDER", "use")
    settings = Settings()
    ingest(settings)
    cache = EnrichCache(settings.data_dir)
    cache.put(
        [Enrichment(MAP_NEO, source="hf", abstract=ABSTRACT, ai_summary=SUMMARY, github=REPO)]
    )
    embed_pending(cache, get_embedder("use"))
    cache.close()
    return create_bot()


async def session(simcord_env, server, lang: str) -> str:
    parts: list[str] = []
    ko = lang == "ko"

    def step(typed: str, *messages) -> None:
        parts.append(f"> {typed}")
        parts.extend(show(m) for m in messages)
        parts.append("")

    alice, admin, channel = server.member, server.admin, server.channel
    paper = await alice.slash(channel, "paper", arxiv_id=MAP_NEO)
    card = paper.response.embeds[0]
    links = next(f.value for f in card.fields if f.name in ("Links", "링크"))
    assert f"[{'코드' if ko else 'Code'}]({REPO})" in links
    if ko:
        assert card.description.startswith("• ") and SUMMARY not in card.description
    else:
        assert card.description.splitlines()[0] == f"**{SUMMARY}**"
    assert labels_of(paper.response)[-3:] == (
        ["저장", "인용", "토론"] if ko else ["Save", "Cite", "Discuss"]
    )
    step(f"alice: /paper arxiv_id:{MAP_NEO}", *messages_of(paper))

    cite = await alice.click(paper.response, label="인용" if ko else "Cite")
    entry = reply(cite).content
    assert cite.ephemeral and "@misc{" in entry and f"eprint={{{MAP_NEO}}}" in entry
    step("alice: (clicks Cite)", reply(cite))

    await alice.click(paper.response, label="저장" if ko else "Save")
    export = await alice.slash(channel, "saved-export")
    [attachment] = [a for m in messages_of(export) for a in m.attachments]
    bib = (await attachment.read()).decode("utf-8")
    assert export.ephemeral and attachment.filename == "saved-papers.bib"
    assert bib.count("@misc{") == 1 and bib.split("{", 2)[1].split(",")[0] in entry
    step("alice: (clicks Save) /saved-export", *messages_of(export))
    parts.extend(["  file saved-papers.bib:", *("    " + line for line in bib.splitlines()), ""])

    opened = await alice.click(paper.response, label="토론" if ko else "Discuss")
    assert opened.ephemeral
    step("alice: (clicks Discuss)", reply(opened))
    [thread] = channel.threads
    [intro] = thread.history()
    assert intro.embeds[0].url == f"https://arxiv.org/abs/{MAP_NEO}"
    parts.append(f"> (the thread «{thread.name}»)")
    parts.append(show(intro))
    parts.append("")
    question = "학습 데이터는 몇 토큰이야?" if ko else "how many tokens was it trained on?"
    asked = await admin.slash(thread, "ask", question=question)
    first, related = reply(asked).embeds[:2]
    assert first.url == f"https://arxiv.org/abs/{MAP_NEO}"  # the thread's paper first
    assert related.title == ("관련 논문" if ko else "Related papers")
    step(f'admin (in the thread): /ask question:"{question}"', reply(asked))

    video = server.guild.create_text_channel("video")
    every = await admin.slash(channel, "digest set", channel=channel)
    topical = await admin.slash(
        channel, "digest set", channel=video, topic=TOPIC[lang], empty="line", language=lang
    )
    assert topical.ephemeral and every.ephemeral
    step(f"admin: /digest set channel:#{channel.name}", *messages_of(every))
    typed = f'/digest set channel:#video topic:"{TOPIC[lang]}" empty:line language:{lang}'
    step(f"admin: {typed}", reply(topical))
    await simcord_env.advance_time(FIRST_POST)
    [overview] = heads(video)
    text = overview.embeds[0].description
    assert ("중" if ko else "of the day's 12 papers match") in text
    [topic_thread] = video.threads
    topic_cards = cards_in(topic_thread)
    assert 1 <= len(topic_cards) < 12
    assert "https://arxiv.org/abs/2405.18991" in topic_cards  # EasyAnimate: video generation
    step("(the next morning, the daily post in #video)", overview)
    parts.append(f"> (its thread: {len(topic_cards)} cards; #papers got all 12)")
    parts.append(show(topic_thread.history()[0], max_embeds=1))
    return "\n".join(parts)


def keep(lang: str, text: str) -> None:
    if folder := os.environ.get("PAPERBOT_TRANSCRIPT_DIR"):
        Path(folder, f"papertools-{lang}.txt").write_text(text, encoding="utf-8")


async def test_papertools_transcript_english(simcord_env, server) -> None:
    keep("en", await session(simcord_env, server, "en"))


async def test_papertools_transcript_korean(simcord_env, server, korean_client) -> None:
    keep("ko", await session(simcord_env, server, "ko"))
