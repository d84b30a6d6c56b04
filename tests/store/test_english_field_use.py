"""The English field end to end with the real USE model: enriched papers' English abstracts
(real ones, of papers in two real digest days) lift vague English questions about them, and
leave a Korean question's ranking alone."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ingest.pipeline import ingest, open_index
from store.embedders import get_embedder
from store.enrich import EnrichCache, Enrichment
from store.enrich.english import embed_pending
from store.search.retrieval import HYBRID, rank
from tests.conftest import ROOT

DAYS = ROOT / "tests" / "data" / "archive_days"
OFF = replace(HYBRID, english=0.0)
ABSTRACTS = {  # the papers' abstracts, shortened; the one-liners in the HF API's style
    "2403.17887": (
        "Removing up to half of an LLM's layers costs little accuracy.",
        (
            "We empirically study a simple layer-pruning strategy for popular families of "
            "open-weight pretrained LLMs, finding minimal degradation of performance on different "
            "question-answering benchmarks until after a large fraction (up to half) of the layers "
            "are removed. To prune these models, we identify the optimal block of layers to prune "
            "by considering similarity across layers; then, to heal the damage, we perform a small "
            "amount of finetuning with QLoRA."
        ),
    ),
    "2312.12456": (
        "A CPU-GPU hybrid inference engine serves LLMs fast on one consumer GPU.",
        (
            "This paper introduces PowerInfer, a high-speed Large Language Model inference engine on "
            "a personal computer equipped with a single consumer-grade GPU. The key insight is the "
            "high locality in LLM inference: a small subset of neurons, hot neurons, are "
            "consistently activated across inputs, while cold neurons vary. Hot neurons are "
            "preloaded onto the GPU and cold neurons are computed on the CPU."
        ),
    ),
    "2403.17694": (
        "Audio drives photorealistic portrait animation from a single image.",
        (
            "We propose AniPortrait, a framework for generating high-quality animation driven by "
            "audio and a reference portrait image. Audio is first turned into 3D facial "
            "representations and then projected to 2D landmarks, which a diffusion model with a "
            "motion module converts into temporally consistent talking-head videos."
        ),
    ),
}
QUESTIONS = {  # vague, in a member's words; none names the paper
    "can you throw away half of a language model's layers without hurting it much?": "2403.17887",
    "run a big chatbot on my home gaming graphics card by splitting hot and cold neurons": (
        "2312.12456"
    ),
    "make a still photo of a face talk along with a voice recording": "2403.17694",
}
KOREAN = "오디오로 인물 사진을 말하는 영상으로 만드는 방법"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory):
    from store.settings import Settings

    data = tmp_path_factory.mktemp("data")
    settings = Settings(
        _env_file=None, PAPERBOT_DATA_DIR=str(data), PAPERBOT_EMBEDDER="use", CHROMA_HOST=None
    )
    index = open_index(settings, get_embedder("use"))
    ingest(settings, sorted(DAYS.glob("*-*-*.md")), index=index)
    before = {q: position(index, q) for q in [*QUESTIONS, KOREAN]}
    cache = EnrichCache(data)
    cache.put(
        [Enrichment(a, source="hf", ai_summary=s, abstract=b) for a, (s, b) in ABSTRACTS.items()]
    )
    assert embed_pending(cache, index.embedder) == 2 * len(ABSTRACTS)  # summary + abstract
    yield index, before
    cache.close()
    index.close()


def position(index, question: str, config=HYBRID) -> int | None:
    target = QUESTIONS.get(question, "2403.17694")
    ids = [h.paper.arxiv_id for h in rank(index, question, k=10, config=config)[0]]
    return ids.index(target) + 1 if target in ids else None


@pytest.mark.parametrize("question", QUESTIONS)
def test_an_enriched_paper_tops_a_vague_english_question(index, question: str) -> None:
    index, before = index
    assert position(index, question) == 1
    assert position(index, question, OFF) == before[question]  # off: as before enrichment


def test_the_field_lifts_a_paper_the_summaries_alone_rank_lower(index) -> None:
    index, before = index
    question = next(iter(QUESTIONS))
    assert before[question] is None or before[question] > 1  # 4th without the abstracts


def test_a_korean_question_ranks_as_before(index) -> None:
    index, before = index
    korean = [h.paper.arxiv_id for h in rank(index, KOREAN, k=10)[0]]
    assert korean == [h.paper.arxiv_id for h in rank(index, KOREAN, k=10, config=OFF)[0]]
    assert position(index, KOREAN) == before[KOREAN]
