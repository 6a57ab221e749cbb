"""Pinned answers: questions moderators attached a canonical answer to, matched by the embedder.

Pins live in their own small in-memory index, separate from the corpus index, so adding, editing
or removing one is immediate and never needs a rebuild. Each pin question is stored with its
query vector (the same `embed_queries` the asked question goes through), so a paraphrase of a
pinned question lands close to it. Pins belong to one guild and are only matched there.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.query import QuestionLanguage, detect_language


@dataclass(frozen=True)
class PinMatch:
    """The pin that answers a question: which pin, through which of its questions, how close."""

    pin_id: int
    question: str
    similarity: float


@dataclass
class _GuildPins:
    pin_ids: list[int]
    questions: list[str]
    languages: list[QuestionLanguage]
    vectors: np.ndarray  # (n, dim) float32, L2-normalised rows


class PinIndex:
    """Per-guild pin questions and their vectors; updated one pin at a time.

    Safe to call from several threads (a lock guards the small arrays), although the bot only
    touches it from the search worker.
    """

    def __init__(self, dim: int):
        self.dim = dim
        self._guilds: dict[int, _GuildPins] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """Number of pin questions, all guilds together."""
        with self._lock:
            return sum(len(pins.pin_ids) for pins in self._guilds.values())

    def put(
        self, pin_id: int, guild_id: int, questions: Sequence[str], vectors: np.ndarray
    ) -> None:
        """Add pin `pin_id`, or replace its questions if it is already there."""
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(questions), -1)
        if vectors.shape[1] != self.dim:
            raise ValueError(f"pin vectors have dimension {vectors.shape[1]}, index {self.dim}")
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.where(norms == 0, 1, norms)
        with self._lock:
            self._drop(pin_id)
            pins = self._guilds.setdefault(
                guild_id, _GuildPins([], [], [], np.empty((0, self.dim), dtype=np.float32))
            )
            pins.pin_ids += [pin_id] * len(questions)
            pins.questions += list(questions)
            pins.languages += [detect_language(question) for question in questions]
            pins.vectors = np.vstack([pins.vectors, vectors])

    def remove(self, pin_id: int) -> None:
        """Forget pin `pin_id` (nothing happens if it is unknown)."""
        with self._lock:
            self._drop(pin_id)

    def _drop(self, pin_id: int) -> None:
        for pins in self._guilds.values():
            keep = [i for i, known in enumerate(pins.pin_ids) if known != pin_id]
            if len(keep) != len(pins.pin_ids):
                pins.pin_ids = [pins.pin_ids[i] for i in keep]
                pins.questions = [pins.questions[i] for i in keep]
                pins.languages = [pins.languages[i] for i in keep]
                pins.vectors = pins.vectors[keep]

    def best(
        self,
        query_vector: np.ndarray,
        language: QuestionLanguage,
        guild_id: int,
        same_language_threshold: float,
        cross_language_threshold: float,
    ) -> PinMatch | None:
        """The guild's pin question closest to the query, if close enough.

        A pin question in the asked question's language must reach `same_language_threshold`;
        one in the other language the (lower) `cross_language_threshold`, because the
        embedder's cosines across languages run lower for the same meaning.
        """
        with self._lock:
            pins = self._guilds.get(guild_id)
            if pins is None or not pins.pin_ids:
                return None
            similarities = pins.vectors @ np.asarray(query_vector, dtype=np.float32)
            thresholds = np.array(
                [
                    same_language_threshold
                    if pin_language == language
                    else cross_language_threshold
                    for pin_language in pins.languages
                ],
                dtype=np.float32,
            )
            qualifying = np.where(similarities >= thresholds, similarities, -np.inf)
            best = int(np.argmax(qualifying))
            if not np.isfinite(qualifying[best]):
                return None
            return PinMatch(pins.pin_ids[best], pins.questions[best], float(similarities[best]))
