"""Subscriptions match by the calibrated cosine cut of /ask (store/search/retrieval.py), shown with
the real bundled USE model over the shipped sample digests: near-domain traps whose nearest
passage sits just under the cut (within 0.05) and that share no whole question with any passage
match nothing; a topic that only its meaning finds (BM25 covers less than the whole question,
its cosine is just over the cut) matches its paper."""

from __future__ import annotations

import numpy as np
import pytest

from ingest.pipeline import ingest, open_index
from store.embedders import get_embedder
from store.search.matching import Topic, embed_topics, match_topics
from store.search.retrieval import cosine_cut, query_weights
from tests.conftest import SAMPLES

# best passage cosine on the samples (USE) vs the cut: 0.301 / 0.307, 0.255 / 0.290,
# 0.269 / 0.310, 0.309 / 0.310; BM25 coverage 0.28-0.54
TRAPS = [
    "이미지 생성 AI 무료 사이트 추천",
    "best free AI image generator website",
    "유튜브 영상 자막 자동 생성 앱",
    "이미지 생성 모델 가격 비교",
]
# T2V-Turbo: cosine 0.299 against the English cut 0.29, coverage 0.82
BY_MEANING = {"text-to-video generation quality with reward feedback": "2405.18750"}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory):
    from store.settings import Settings

    settings = Settings(
        _env_file=None,
        PAPERBOT_DATA_DIR=str(tmp_path_factory.mktemp("data")),
        PAPERBOT_DIGESTS=str(SAMPLES),
        PAPERBOT_EMBEDDER="use",
        CHROMA_HOST=None,
    )
    index = open_index(settings, get_embedder("use"))
    ingest(settings, index=index)
    yield index
    index.close()


def topics(index, texts: list[str]) -> list[Topic]:
    vectors = embed_topics(index, texts)
    return [Topic(i, text, vectors[i]) for i, text in enumerate(texts)]


def test_the_traps_sit_just_under_the_cut_and_lexically_apart(index) -> None:
    """What makes the next test pin the cut: move it down 0.05 and every trap matches."""
    vectors = np.asarray(index.chunks.get(include=["embeddings"])["embeddings"], dtype=np.float32)
    for topic in topics(index, TRAPS):
        best = float(np.max(vectors @ topic.vector))
        cut = cosine_cut(index, topic.text)
        assert cut is not None and cut - 0.05 <= best < cut, (topic.text, best, cut)
        weights = query_weights(index, topic.text)
        top = index.lexical.search_weighted(weights, 1)
        assert not top or index.lexical.coverage(weights, top[0][1]) < 1.0, topic.text


def test_a_near_domain_trap_subscription_matches_nothing(index) -> None:
    assert match_topics(index, list(index.by_id), topics(index, TRAPS)) == {}


def test_a_topic_found_by_its_meaning_alone_matches_its_paper(index) -> None:
    texts = list(BY_MEANING)
    found = match_topics(index, list(index.by_id), topics(index, texts))
    for key, text in enumerate(texts):
        assert BY_MEANING[text] in found.get(key, []), text
