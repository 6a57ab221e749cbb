"""Embedding cache keyed by (embedder id, text hash): unchanged passages are never re-embedded."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np


def text_key(text: str) -> str:
    """The cache key of a text (sha256 of its UTF-8 bytes)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """A small SQLite table of vectors. Safe to delete: it only saves time."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors ("
            " embedder TEXT NOT NULL, role TEXT NOT NULL, key TEXT NOT NULL, vector BLOB NOT NULL,"
            " PRIMARY KEY (embedder, role, key))"
        )

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def embed(
        self,
        embedder_id: str,
        role: str,
        texts: Sequence[str],
        encode: Callable[[Sequence[str]], np.ndarray],
        on_progress: Callable[[int], None] | None = None,
        batch_size: int = 32,
    ) -> tuple[np.ndarray, int]:
        """Vectors for `texts`, computing only the missing ones; returns (vectors, newly embedded).

        `encode` is only called for texts not in the cache, so a fully cached build never needs
        to load the model.
        """
        keys = [text_key(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):  # stay under SQLite's bound-parameter limit
            chunk = keys[start : start + 500]
            rows = self._db.execute(
                f"SELECT key, vector FROM vectors WHERE embedder = ? AND role = ? "
                f"AND key IN ({','.join('?' * len(chunk))})",
                (embedder_id, role, *chunk),
            )
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float32)
        first_index: dict[str, int] = {}
        for i, key in enumerate(keys):
            if key not in found:
                first_index.setdefault(key, i)
        missing = list(first_index.items())
        for position in range(0, len(missing), batch_size):
            batch = missing[position : position + batch_size]
            vectors = encode([texts[i] for _, i in batch])
            with self._db:  # commit per batch: an interrupted build keeps what it paid for
                self._db.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)",
                    [
                        (embedder_id, role, key, vector.astype(np.float32).tobytes())
                        for (key, _), vector in zip(batch, vectors, strict=True)
                    ],
                )
            for (key, _), vector in zip(batch, vectors, strict=True):
                found[key] = vector
            if on_progress:
                on_progress(len(batch))
        if not keys:
            return np.zeros((0, 0), dtype=np.float32), 0
        return np.stack([found[key] for key in keys]).astype(np.float32), len(missing)
