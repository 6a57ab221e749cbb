"""Pinned answers: questions moderators attached a canonical answer to, matched by the embedder.

Pins live in their own small in-memory index, separate from the corpus index, so adding, editing
or removing one is immediate and never needs a rebuild. Each pin question is stored with its
query vector (the same `embed_queries` the asked question goes through), so a paraphrase of a
pinned question lands close to it. Pins belong to one guild and are only matched there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.guild_vectors import GuildVectors
from index.query import QuestionLanguage, detect_language


@dataclass(frozen=True)
class PinMatch:
    """The pin that answers a question: which pin, through which of its questions, how close."""

    pin_id: int
    question: str
    similarity: float


class PinIndex:
    """Per-guild pin questions and their vectors; updated one pin at a time (thread-safe)."""

    def __init__(self, dim: int):
        self.dim = dim
        self._questions: GuildVectors[str] = GuildVectors(dim)

    def __len__(self) -> int:
        """Number of pin questions, all guilds together."""
        return len(self._questions)

    def put(
        self, pin_id: int, guild_id: int, questions: Sequence[str], vectors: np.ndarray
    ) -> None:
        """Add pin `pin_id`, or replace its questions if it is already there."""
        items = [(question, detect_language(question)) for question in questions]
        self._questions.put(pin_id, guild_id, items, vectors)

    def remove(self, pin_id: int) -> None:
        """Forget pin `pin_id` (nothing happens if it is unknown)."""
        self._questions.remove(pin_id)

    def best(
        self,
        query_vector: np.ndarray,
        language: QuestionLanguage,
        guild_id: int,
        same_language_threshold: float,
        cross_language_threshold: float,
    ) -> PinMatch | None:
        """The guild's pin question closest to the query, if close enough (a pin question in
        the other language needs only the lower `cross_language_threshold`)."""
        matches = self._questions.matches(
            guild_id, query_vector, language, same_language_threshold, cross_language_threshold
        )
        if not matches:
            return None
        best = max(matches, key=lambda match: match.similarity)  # the first of equals
        return PinMatch(best.owner, best.payload, best.similarity)
