"""Rebuilding behind the service: a corpus the loader refuses (here a card quoting a sentence
its article does not hold) builds nothing, and the served generation keeps serving."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from bot.services.reindex import rebuild
from corpus.problems import CorpusError
from index.generations import current_generation_dir
from index.store import load_index
from tests.conftest import HashEmbedder, write_card, write_small_corpus


def test_a_bad_card_is_refused_and_the_served_index_keeps_its_cards(tmp_path: Path):
    corpus = write_small_corpus(tmp_path / "corpus")
    card = write_card(corpus)
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data")
    embedder = HashEmbedder()
    report = rebuild(settings, embedder, gate=False)
    served = current_generation_dir(settings.index_root)
    assert report.generation == served.name

    card.write_text(
        card.read_text(encoding="utf-8").replace("线性代数和概率论。", "微积分和拓扑学。"),
        encoding="utf-8",
    )
    with pytest.raises(CorpusError) as refused:
        rebuild(settings, embedder, gate=False)
    (problem,) = refused.value.problems
    assert problem.path == card and problem.line == 13
    assert problem.field == "alpha-math.sources[0].quote"
    assert current_generation_dir(settings.index_root) == served  # nothing published
    assert [c.id for c in load_index(settings.index_root, embedder.id).cards] == ["alpha-math"]
