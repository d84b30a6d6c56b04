"""/paper and /ask with an enriched paper (store/enrich/), through SimCord: an English client
sees the paper's English one-line summary and abstract before the Korean bullets, a Korean
client the card as before; both get the Code link. An English question whose words only the
abstract holds finds the paper."""

from __future__ import annotations

import pytest

from store.embedders import get_embedder
from store.enrich import EnrichCache, Enrichment
from store.enrich.english import embed_pending
from store.settings import Settings

PAPER = "2405.19327"  # MAP-Neo in the samples
SUMMARY = "A fully open bilingual language model with its whole training pipeline released."
ABSTRACT = "We release everything, including a quokka-themed photometry dataset."
REPO = "https://github.com/multimodal-art-projection/MAP-NEO"


@pytest.fixture
def enriched(simcord_bot) -> None:
    settings = Settings()
    cache = EnrichCache(settings.data_dir)
    cache.put([Enrichment(PAPER, source="hf", abstract=ABSTRACT, ai_summary=SUMMARY, github=REPO)])
    embed_pending(cache, get_embedder(settings.embedder))
    cache.close()


def links(card) -> str:
    return next(f.value for f in card.fields if f.name in ("Links", "링크"))


async def test_an_english_client_sees_the_english_summary_first(simcord_env, server, enriched):
    card = (await server.member.slash(server.channel, "paper", arxiv_id=PAPER)).response.embeds[0]
    lines = card.description.splitlines()
    assert lines[0] == f"**{SUMMARY}**"
    assert lines[1] == ABSTRACT
    assert lines[3].startswith("• ")  # the Korean bullets follow
    assert f"[Code]({REPO})" in links(card)


async def test_a_korean_client_sees_the_korean_card_with_the_code_link(
    simcord_env, server, enriched, korean_client
):
    card = (await server.member.slash(server.channel, "paper", arxiv_id=PAPER)).response.embeds[0]
    assert card.description.startswith("• ")
    assert SUMMARY not in card.description and ABSTRACT not in card.description
    assert f"[코드]({REPO})" in links(card)


async def test_an_english_question_finds_the_paper_by_its_abstract(simcord_env, server, enriched):
    result = await server.member.slash(server.channel, "ask", question="quokka photometry")
    message = result.followups[0] if result.followups else result.response
    assert f"arxiv.org/abs/{PAPER}" in message.embeds[0].description
    for _ in range(5):  # to its card
        await server.member.click(message, label="Next")
        card = message.embeds[0]
        if card.url.endswith(PAPER):
            break
    assert card.description.splitlines()[:2] == ["__Matching summary lines__", f"**{SUMMARY}**"]
