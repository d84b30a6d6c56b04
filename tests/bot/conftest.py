"""Bot fixtures: a data dir indexed from the shipped samples with the fast fake embedder, and the
bot SimCord drives (the `simcord_env` fixture comes from simcord's pytest plugin)."""

from __future__ import annotations

import pytest

from store.settings import Settings


@pytest.fixture
def indexed(settings: Settings) -> Settings:
    """The samples ingested into a fresh data dir (env vars set by the root `settings` fixture)."""
    from ingest.pipeline import ingest, open_index

    index = open_index(settings)
    ingest(settings, index=index)
    index.close()
    return settings


@pytest.fixture
def simcord_bot(indexed: Settings):
    from bot import create_bot

    return create_bot()
