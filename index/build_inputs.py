"""What an index generation is built from, taken from the corpus in one step: the passages and
their search units (the original and each translation), the sentences the lead is picked from,
the resources' and the cards' texts, and the fingerprint that says when a rebuild is due."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np

from corpus.cards import passage_of_quote
from corpus.chunk import Passage
from corpus.loader import Corpus
from corpus.passages import corpus_passages, realigned, sentence_spans
from index.lexical import TOKENIZER_ID
from index.manifest import FORMAT_VERSION
from index.query import matching_form
from index.records import CardRecord, CardSourceRecord, PassageRecord, record_data


@dataclass(frozen=True)
class SearchUnit:
    """One searchable text of a passage: the original or one of its translations. The vector
    and BM25 indexes hold one row per unit; a search returns one hit per passage."""

    passage: int  # position of the passage
    language: str
    text: str  # the passage text in this language
    embedding_text: str


@dataclass(frozen=True)
class BuildInputs:
    """Everything a build embeds and writes, in the order the index stores it."""

    passages: list[Passage]
    units: list[SearchUnit]
    sentence_spans: list[tuple[int, int, int]]  # (unit position, start, end) of every sentence
    resource_texts: list[str]
    cards: list[CardRecord]
    card_texts: list[str]  # one per phrasing, card by card
    fingerprint: str

    @property
    def passage_texts(self) -> list[str]:
        return [unit.embedding_text for unit in self.units]

    @property
    def sentence_texts(self) -> list[str]:
        return [self.units[unit].text[start:end] for unit, start, end in self.sentence_spans]

    @property
    def total_texts(self) -> int:
        """How many texts the build embeds (or finds in the cache)."""
        return (
            len(self.units)
            + len(self.resource_texts)
            + len(self.sentence_spans)
            + len(self.card_texts)
        )


def build_inputs(corpus: Corpus) -> BuildInputs:
    """The build's inputs for `corpus`."""
    passages = corpus_passages(corpus.articles)
    units = _search_units(passages)
    cards = _card_records(corpus, passages)
    return BuildInputs(
        passages=passages,
        units=units,
        sentence_spans=[
            (position, start, end)
            for position, unit in enumerate(units)
            for start, end in sentence_spans(unit.text)
        ],
        resource_texts=[r.embedding_text() for r in corpus.resources],
        cards=cards,
        card_texts=[matching_form(text) for card in cards for _, text in card.questions],
        fingerprint=_fingerprint(corpus, passages),
    )


def corpus_fingerprint(corpus: Corpus) -> str:
    """Hash of what the index is made of: the passages as cut by this code, their metadata,
    the resources and glossary, the tokenizer and the format. A change to cleaning or chunking
    code therefore triggers a rebuild by itself."""
    return _fingerprint(corpus, corpus_passages(corpus.articles))


def passage_records(inputs: BuildInputs, sentence_vectors: np.ndarray) -> list[PassageRecord]:
    """Passage records whose translations' sentence groups are aligned again with the
    cross-lingual similarity of the sentence vectors (order and length alone at chunking)."""
    rows: dict[int, list[int]] = {}
    for row, (unit, _, _) in enumerate(inputs.sentence_spans):
        rows.setdefault(unit, []).append(row)
    unit_of = {(u.passage, u.language): i for i, u in enumerate(inputs.units)}
    records = []
    for position, passage in enumerate(inputs.passages):
        ours = rows.get(unit_of[(position, passage.language)], [])

        def similarity(language: str, position: int = position, ours: list[int] = ours):
            theirs = rows.get(unit_of[(position, language)], [])
            if not (ours and theirs and sentence_vectors.size):
                return None
            matrix = sentence_vectors[ours] @ sentence_vectors[theirs].T
            return lambda i, j: float(matrix[i, j])

        records.append(PassageRecord.of(realigned(passage, similarity)))
    return records


def _search_units(passages: list[Passage]) -> list[SearchUnit]:
    units = []
    for position, passage in enumerate(passages):
        units.append(SearchUnit(position, passage.language, passage.text, passage.embedding_text()))
        for translation in passage.translations:
            units.append(
                SearchUnit(
                    position, translation.language, translation.text, translation.embedding_text()
                )
            )
    return units


def _card_records(corpus: Corpus, passages: list[Passage]) -> list[CardRecord]:
    """The cards as the index serves them, each quote with the passage it lies in."""
    return [
        CardRecord(
            id=card.id,
            questions=tuple(card.questions.all()),
            answer_zh=card.answer.zh,
            answer_en=card.answer.en,
            sources=tuple(
                CardSourceRecord(
                    source.article,
                    source.quote,
                    passage_of_quote(source.article, source.quote, passages),
                )
                for source in card.sources
            ),
            resources=tuple(card.resources),
            related=tuple(card.related),
        )
        for card in corpus.cards
    ]


def _fingerprint(corpus: Corpus, passages: list[Passage]) -> str:
    digest = hashlib.sha256(f"format={FORMAT_VERSION};{TOKENIZER_ID}".encode())
    digest.update(corpus.content_hash().encode())
    for passage, data in zip(
        passages, record_data([PassageRecord.of(p) for p in passages]), strict=True
    ):
        digest.update(json.dumps(data, ensure_ascii=False).encode())
        digest.update(passage.embedding_text().encode())
        for translation in passage.translations:
            digest.update(translation.embedding_text().encode())
    return digest.hexdigest()
