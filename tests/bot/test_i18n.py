"""The text catalogues: every key in both languages, and no feature's texts replace another's."""

from __future__ import annotations

import pytest

from bot.ui import i18n
from bot.ui.texts import about, answers, core, feeds, members, papertools


def test_every_text_has_english_and_korean() -> None:
    for key, texts in i18n.MESSAGES.items():
        assert set(texts) == {"en", "ko"} and all(texts.values()), key
    assert i18n.t("subs_none", "ko") and i18n.t("reindex_start", "ko")


def test_the_catalogue_holds_every_feature_catalogue_unchanged() -> None:
    catalogues = (core, members, about, answers, papertools, feeds)
    merged: dict = {}
    for catalogue in catalogues:
        merged |= catalogue.MESSAGES
    assert i18n.MESSAGES == merged
    assert len(i18n.MESSAGES) == sum(len(c.MESSAGES) for c in catalogues)
    assert len(i18n.COMMAND_TEXT_KO) == sum(len(c.COMMAND_TEXT_KO) for c in catalogues)


def test_a_key_defined_by_two_features_is_refused() -> None:
    with pytest.raises(ValueError, match="subs_none"):
        i18n.combine(members.MESSAGES, {"subs_none": {"en": "x", "ko": "y"}})
