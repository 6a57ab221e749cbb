"""Answer cards in the index: their records (`cards.json`), the vectors of their phrasings
(`card-questions.npy`) and the matcher that finds the card a member's question asks.

A question is matched against every phrasing of every card, question to question: the dense
cosine of the two query vectors (e5 places paraphrases of one question closer than a question
and its answer text) plus a lexical share, the IDF-weighted part of the question's tokens the
phrasing also has (e5-small squeezes all cosines into a narrow band, where shared words
separate a paraphrase from a neighbouring question). A card's score is the mean of its best two
phrasings' scores.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.lexical import tokenize
from index.query import matching_form
from index.records import CardRecord


@dataclass(frozen=True)
class CardMatch:
    """The card closest to a question: which, through which phrasing, how close; and the next
    closest other card (offered as a related question when it is nearly as close)."""

    card: CardRecord
    phrasing: str
    score: float  # cosine + lexical weight x lexical share
    dense: float  # cosine of the matched phrasing
    runner_up: CardRecord | None = None
    runner_up_score: float = -1.0


@dataclass(frozen=True)
class CardPostings:
    """Which phrasings hold each token (the matching form's BM25 tokens), as flat arrays:
    the phrasings of token `tokens[i]` are `rows[starts[i]:starts[i + 1]]`. Built with the
    index (`card-postings.npz`), so that a cold start neither converts nor tokenises the
    phrasings (that took ~60 ms of every cold ask)."""

    tokens: np.ndarray  # str, sorted
    starts: np.ndarray  # int64, len(tokens) + 1
    rows: np.ndarray  # int64

    @classmethod
    def of(cls, phrasings: Sequence[str]) -> CardPostings:
        """The postings of phrasings (as written: Traditional ones are matched as Simplified)."""
        postings: dict[str, list[int]] = {}
        for row, text in enumerate(phrasings):
            for token in sorted(set(tokenize(matching_form(text)))):
                postings.setdefault(token, []).append(row)
        tokens = sorted(postings)
        sizes = [len(postings[t]) for t in tokens]
        return cls(
            np.array(tokens, dtype=str),
            np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).astype(np.int64),
            np.array([r for t in tokens for r in postings[t]], dtype=np.int64),
        )

    def save(self, path: Path) -> None:
        np.savez(path, tokens=self.tokens, starts=self.starts, rows=self.rows)

    @classmethod
    def load(cls, path: Path) -> CardPostings:
        with np.load(path, allow_pickle=False) as data:
            return cls(data["tokens"], data["starts"], data["rows"])


# A card's score is the mean of its best two phrasings' scores: one stray phrasing close to an
# unrelated question no longer decides alone. On dev, with 12 more phrasings per card, the best
# phrasing alone answered worse than with fewer phrasings (right - 2 x wrong card answers 50
# against 57); the mean of the best two, 62 (index/evaluation.calibrate_cards).
CARD_TOP_PHRASINGS = 2


class CardMatcher:
    """Finds the card closest to a question among all cards' phrasings (one small matrix)."""

    def __init__(
        self,
        cards: Sequence[CardRecord],
        vectors: np.ndarray,
        postings: CardPostings | None = None,
    ):
        self.cards = list(cards)
        owner = [number for number, card in enumerate(self.cards) for _ in card.questions]
        if len(owner) != len(vectors):
            raise ValueError(f"{len(owner)} card phrasings but {len(vectors)} vectors")
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self._owner = np.array(owner, dtype=np.int64)
        self._sizes = np.array([len(card.questions) for card in self.cards], dtype=np.int64)
        self._first = np.concatenate([[0], np.cumsum(self._sizes)[:-1]]).astype(np.int64)
        self._phrasings = [text for card in self.cards for _, text in card.questions]
        # Inverted lists token -> phrasing rows, and each token's IDF over the phrasings:
        # a question's few tokens touch a few short lists, so the lexical share costs ~0.1 ms.
        postings = postings or CardPostings.of(self._phrasings)
        if postings.rows.size and int(postings.rows.max()) >= len(owner):
            raise ValueError("card postings name a phrasing the cards do not have")
        self._token_of = {str(token): i for i, token in enumerate(postings.tokens)}
        self._starts = postings.starts
        self._rows = postings.rows
        count = max(len(owner), 1)
        self._idf = np.log1p(count / np.maximum(np.diff(postings.starts), 1))
        self._unseen_idf = math.log(1 + count)

    def __len__(self) -> int:
        return len(self.cards)

    def scores(
        self, query_vector: np.ndarray, query_text: str, lexical_weight: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """(fused score, cosine) of every phrasing for a question (`query_text` in matching
        form, `query_vector` its query vector)."""
        # einsum, not BLAS: right after the encoder (whose OpenMP threads are still spinning),
        # a multi-threaded BLAS product of this 2,000 x 384 matrix took 1.8-3.3 ms to wake its
        # threads; einsum's single-threaded loop takes 0.16 ms (bench_retrieval).
        dense = np.einsum("ij,j->i", self.vectors, np.asarray(query_vector, dtype=np.float32))
        tokens = set(tokenize(query_text))
        if not tokens or lexical_weight <= 0:
            return dense, dense
        shared = np.zeros(len(self._phrasings), dtype=np.float32)
        total = 0.0
        for token in tokens:
            number = self._token_of.get(token)
            if number is None:
                total += self._unseen_idf
                continue
            weight = float(self._idf[number])
            total += weight
            shared[self._rows[self._starts[number] : self._starts[number + 1]]] += weight
        return dense + lexical_weight * (shared / total), dense

    def best(
        self, query_vector: np.ndarray, query_text: str, lexical_weight: float
    ) -> CardMatch | None:
        """The closest card and the closest other card (None when there are no cards)."""
        ranked = self.ranked(query_vector, query_text, lexical_weight, 1)
        return ranked[0] if ranked else None

    def ranked(
        self, query_vector: np.ndarray, query_text: str, lexical_weight: float, count: int
    ) -> list[CardMatch]:
        """The `count` closest cards, closest first, each with the next one as runner-up."""
        if not self.cards:
            return []
        fused, dense = self.scores(query_vector, query_text, lexical_weight)
        per_card, best_row = self._card_scores(fused)
        order = [int(i) for i in np.argsort(-per_card, kind="stable")[: count + 1]]
        matches = []
        for rank, number in enumerate(order[:count]):
            row = int(best_row[number])
            second = order[rank + 1] if rank + 1 < len(order) else None
            matches.append(
                CardMatch(
                    card=self.cards[number],
                    phrasing=self._phrasings[row],
                    score=float(per_card[number]),
                    dense=float(dense[row]),
                    runner_up=self.cards[second] if second is not None else None,
                    runner_up_score=float(per_card[second]) if second is not None else -1.0,
                )
            )
        return matches

    def _card_scores(self, fused: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each card's score (the mean of its CARD_TOP_PHRASINGS best phrasings' scores) and
        its best phrasing's row. A card's phrasings are contiguous rows."""
        order = np.lexsort((-fused, self._owner))  # card by card, best phrasing first
        ranked = fused[order]
        total = np.zeros(len(self.cards), dtype=np.float64)
        taken = np.minimum(self._sizes, CARD_TOP_PHRASINGS)
        for offset in range(CARD_TOP_PHRASINGS):
            has = self._sizes > offset
            total[has] += ranked[self._first[has] + offset]
        per_card = np.where(taken > 0, total / np.maximum(taken, 1), -np.inf).astype(np.float32)
        best_row = order[np.minimum(self._first, max(len(order) - 1, 0))]
        return per_card, best_row

    def by_id(self, card_id: str) -> CardRecord | None:
        """The card of that id, if the index holds it."""
        return next((card for card in self.cards if card.id == card_id), None)
