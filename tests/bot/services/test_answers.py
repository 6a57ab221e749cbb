"""The answering service's record of what answers (pin, card, passages or nothing) and the
stable JSON of `careerbot search --json`, on the small corpus with the fake embedder."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db.pin_store import Pin
from bot.services.answers import Answer, answer_once
from corpus.loader import load_corpus
from index.build import build_index
from index.embedders import EmbedderConfig
from index.retriever import Retriever
from index.search_config import RetrieverConfig
from tests.conftest import HashEmbedder, write_card, write_small_corpus


@pytest.fixture
def small_retriever(tmp_path: Path) -> Retriever:
    root = write_small_corpus(tmp_path / "corpus")
    write_card(root)
    embedder = HashEmbedder()
    build_index(load_corpus(root), EmbedderConfig(), tmp_path / "index", embedder=embedder)
    config = RetrieverConfig(card_threshold_zh=0.85, card_threshold_en=0.85)
    return Retriever.open(tmp_path / "index", embedder, config)


def test_a_card_answers_and_says_so(small_retriever):
    answer = answer_once(small_retriever, "机器学习工程师要学什么数学？")
    assert answer.answered_by == "card" and answer.answered
    assert answer.generation == small_retriever.index.directory.name
    data = answer.to_json("机器学习工程师要学什么数学？")
    assert data["card"]["id"] == "alpha-math"
    assert data["card"]["matched_question"] == "机器学习工程师要学什么数学"
    assert data["lead"] == "需要：线性代数和概率论。"
    assert data["lead_sources"][0]["quote"] == "线性代数和概率论。"
    assert data["hits"][0]["id"] == data["lead_sources"][0]["passage_id"]  # cited first
    assert list(data)[:4] == ["query", "language", "answered", "answered_by"]


def test_passages_answer_when_no_card_is_close_and_a_pin_comes_first(small_retriever):
    answer = answer_once(small_retriever, "数据科学家做什么？", apply_threshold=False)
    assert answer.result.card is None
    assert answer.answered_by in {"passages", "nothing"}
    assert answer.answered == answer.result.answered
    now = datetime.now(UTC)
    pin = Pin(1, 5, "Python first.", ["q"], None, None, 7, now, now, 0, False)
    pinned = Answer(answer.result, pin=pin)
    assert pinned.answered_by == "pin" and pinned.answered


def test_nothing_answers_chit_chat(small_retriever):
    answer = answer_once(small_retriever, "hello")
    assert answer.answered_by == "nothing" and not answer.answered
    assert answer.to_json("hello")["reason"]
