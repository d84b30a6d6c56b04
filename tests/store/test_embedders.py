"""Embedders: the bundled models load offline and give unit vectors that mean something."""

from __future__ import annotations

import importlib.util
import threading
import time

import numpy as np
import pytest

from ingest.pipeline import open_index
from store.embedders import get_embedder, identity
from store.errors import StoreError

HAS_ST = importlib.util.find_spec("sentence_transformers") is not None
# sentence-transformers (and torch) come with the `st` extra only: `make st`
needs_st = pytest.mark.skipif(not HAS_ST, reason="no `st` extra (sentence-transformers)")
MINILM = pytest.param("minilm", marks=needs_st)


@pytest.mark.parametrize("name", ["use", MINILM, "hash"])
def test_vectors_are_unit_length_and_related_texts_are_closer(name: str) -> None:
    embedder = get_embedder(name)
    docs = embedder.embed_passages(
        ["video generation with camera motion control", "tax deductions for medical costs"]
    )
    query = embedder.embed_query("controlling the camera in generated videos")
    assert docs.shape == (2, embedder.dim)
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-4)
    assert query @ docs[0] > query @ docs[1]


def test_use_matches_a_korean_question_to_an_english_passage() -> None:
    embedder = get_embedder("use")
    docs = embedder.embed_passages(
        ["open-source toolkit for audio and speech generation", "stock prices"]
    )
    query = embedder.embed_query("오디오와 음성 생성을 위한 오픈소스 툴킷")
    assert query @ docs[0] > query @ docs[1]


@pytest.mark.parametrize("name", ["use", MINILM])
def test_each_embedder_gets_its_own_collections(settings, name: str) -> None:
    fake = open_index(settings, get_embedder("hash"))
    other = open_index(settings, get_embedder(name))
    assert fake.chunks.name != other.chunks.name
    assert name in other.chunks.name


@pytest.mark.parametrize("name", ["use", "hash", MINILM])
def test_identity_names_the_embedder_without_loading_it(name: str) -> None:
    embedder = get_embedder(name)
    assert identity(name) == (embedder.name, embedder.model)


@pytest.mark.skipif(HAS_ST, reason="the `st` extra is installed")
def test_without_the_st_extra_a_sentence_transformers_model_says_how_to_get_it() -> None:
    for spec in ("minilm", "intfloat/multilingual-e5-small"):
        with pytest.raises(StoreError, match=r"make st.*PAPERBOT_EMBEDDER=use"):
            get_embedder(spec)


def test_a_query_goes_before_the_rest_of_a_bulk_embedding() -> None:
    """/ask during an ingest: the query waits for one small slice of passages at most (a few
    passages of model time), not for the whole batch (seconds to tens of seconds). Counted in
    passages, not seconds: with 64-passage slices the query would wait for 64."""
    embedder = get_embedder("use")
    model = embedder._model
    real_encode = model.encode
    calls: list[int] = []  # passages per model call; 0 marks the query
    started = threading.Event()

    def encode(texts):
        calls.append(0 if texts == ["speculative decoding"] else len(texts))
        if len(calls) == 1:  # the first slice holds the model until the query is waiting
            started.set()
            for _ in range(12_000):  # a hang guard, not a time limit
                if embedder._queries_waiting:
                    break
                time.sleep(0.005)
        return real_encode(texts)

    model.encode = encode
    try:
        passages = [f"passage {i}: 대규모 언어 모델의 추론 속도" for i in range(160)]
        bulk = threading.Thread(target=embedder.embed_passages, args=(passages,))
        bulk.start()
        assert started.wait(30)
        embedder.embed_query("speculative decoding")
        bulk.join(120)
    finally:
        del model.encode
    assert sum(calls) == 160 and 0 in calls
    waited = sum(calls[: calls.index(0)])
    assert waited <= 8, f"the query waited for {waited} passages to be embedded"
