"""Per-server question vectors, matched by one matrix-vector product: the small in-memory indexes
behind pinned answers (`index.pins`) and similar help-forum threads (`bot.services.forum`).

Rows belong to an owner (a pin, a forum thread) in one server; an owner may have several rows (a
pin's phrasings). Rows live in arrays that grow by doubling, so adding is amortised O(1), and a
lookup is one product over the filled rows (10,000 rows: about a millisecond). A lock guards the
arrays, so any thread may call. Answer cards are global and built into the index instead
(`index.cards`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

from index.query import QuestionLanguage

Payload = TypeVar("Payload")

_FIRST_CAPACITY = 16


@dataclass(frozen=True)
class GuildVectorMatch(Generic[Payload]):
    """A row close enough to the question: its owner, what it carries, and how close."""

    owner: int
    payload: Payload
    similarity: float


class _GuildRows(Generic[Payload]):
    def __init__(self, dim: int):
        self.count = 0
        self.owners = np.zeros(_FIRST_CAPACITY, dtype=np.int64)
        self.chinese = np.zeros(_FIRST_CAPACITY, dtype=bool)
        self.vectors = np.zeros((_FIRST_CAPACITY, dim), dtype=np.float32)  # L2-normalised
        self.payloads: list[Payload] = []

    def rows_of(self, owner: int) -> list[int]:
        return [int(row) for row in np.flatnonzero(self.owners[: self.count] == owner)]

    def append(self, owner: int, payload: Payload, chinese: bool, vector: np.ndarray) -> None:
        if self.count == len(self.owners):
            grown = 2 * self.count
            self.owners = np.resize(self.owners, grown)
            self.chinese = np.resize(self.chinese, grown)
            self.vectors = np.resize(self.vectors, (grown, self.vectors.shape[1]))
        self.set(self.count, owner, payload, chinese, vector)
        self.payloads.append(payload)
        self.count += 1

    def set(self, row: int, owner: int, payload: Payload, chinese: bool, vector: np.ndarray):
        self.owners[row] = owner
        self.chinese[row] = chinese
        self.vectors[row] = vector
        if row < len(self.payloads):
            self.payloads[row] = payload

    def remove_rows(self, rows: list[int]) -> None:
        """Remove rows; the last rows fill the gaps (order is not kept)."""
        for row in sorted(rows, reverse=True):
            last = self.count - 1
            if row != last:
                self.owners[row] = self.owners[last]
                self.chinese[row] = self.chinese[last]
                self.vectors[row] = self.vectors[last]
                self.payloads[row] = self.payloads[last]
            self.payloads.pop()
            self.count = last


class GuildVectors(Generic[Payload]):
    """Each server's rows of (owner, payload, language, vector); see the module docstring."""

    def __init__(self, dim: int):
        self.dim = dim
        self._guilds: dict[int, _GuildRows[Payload]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """Rows, all servers together."""
        with self._lock:
            return sum(rows.count for rows in self._guilds.values())

    def put(
        self,
        owner: int,
        guild_id: int,
        items: Sequence[tuple[Payload, QuestionLanguage]],
        vectors: np.ndarray,
    ) -> None:
        """Give `owner` these rows in `guild_id`, replacing those it had in any server. Rows
        replaced one for one in the same server keep their place (which breaks ties)."""
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(items), -1)
        if vectors.shape[1] != self.dim:
            raise ValueError(f"vectors have dimension {vectors.shape[1]}, index {self.dim}")
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.where(norms == 0, 1, norms)
        with self._lock:
            for other_id, other in self._guilds.items():
                if other_id != guild_id:
                    other.remove_rows(other.rows_of(owner))
            rows = self._guilds.setdefault(guild_id, _GuildRows(self.dim))
            existing = rows.rows_of(owner)
            if len(existing) == len(items):
                for row, (payload, language), vector in zip(existing, items, vectors, strict=True):
                    rows.set(row, owner, payload, language == "zh", vector)
                return
            rows.remove_rows(existing)
            for (payload, language), vector in zip(items, vectors, strict=True):
                rows.append(owner, payload, language == "zh", vector)

    def remove(self, owner: int) -> None:
        """Forget `owner`'s rows (nothing happens if it is unknown)."""
        with self._lock:
            for rows in self._guilds.values():
                rows.remove_rows(rows.rows_of(owner))

    def matches(
        self,
        guild_id: int,
        query_vector: np.ndarray,
        language: QuestionLanguage,
        same_language_threshold: float,
        cross_language_threshold: float,
        exclude: int | None = None,
    ) -> list[GuildVectorMatch[Payload]]:
        """The server's rows close enough to the query, in row order. A row in the question's
        language must reach `same_language_threshold`, one in the other language the (lower)
        `cross_language_threshold`: the embedder's cosines across languages run lower for the
        same meaning."""
        with self._lock:
            rows = self._guilds.get(guild_id)
            if rows is None or rows.count == 0:
                return []
            n = rows.count
            similarities = rows.vectors[:n] @ np.asarray(query_vector, dtype=np.float32)
            same = rows.chinese[:n] == (language == "zh")
            thresholds = np.where(same, same_language_threshold, cross_language_threshold)
            qualifying = similarities >= thresholds
            if exclude is not None:
                qualifying &= rows.owners[:n] != exclude
            return [
                GuildVectorMatch(
                    int(rows.owners[row]), rows.payloads[row], float(similarities[row])
                )
                for row in np.flatnonzero(qualifying)
            ]
