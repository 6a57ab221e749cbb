"""Score fusion: the candidates of one question from the vector index and BM25, their cosines
and fused scores, and the operations ranking needs (best k, one per passage, boosts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from index.lexical import LexicalIndex


@dataclass(frozen=True)
class Candidates:
    """The items that may rank for one question: the vector index's top `candidate_pool` and
    BM25's top `candidate_pool`, with their scores. Everything else cannot rank, so nothing here
    costs more than the candidates (at a million passages, sorting them all took ~5 ms)."""

    ids: np.ndarray  # positions in the index, distinct
    dense: np.ndarray  # cosine to the question
    fused: np.ndarray  # dense + weight x BM25 / best BM25 of the corpus

    @classmethod
    def none(cls) -> Candidates:
        empty = np.zeros(0, dtype=np.float32)
        return cls(np.zeros(0, dtype=np.int64), empty, empty)

    @classmethod
    def fuse(
        cls,
        query_vector: np.ndarray,
        vectors: Any,
        lexical: LexicalIndex,
        tokens: list[str],
        weight: float,
        candidate_pool: int,
    ) -> Candidates:
        """The vector index's top `candidate_pool` plus BM25's top `candidate_pool`, each with
        its cosine and its fused score (cosine + weight x BM25 / the corpus's best BM25)."""
        total = vectors.ntotal
        if total == 0:
            return cls.none()
        pool = min(total, candidate_pool)
        scores, ids = vectors.search(query_vector.reshape(1, -1), pool)
        # an approximate index may find fewer than `pool`: the rest of `ids` is -1
        found = ids[0] >= 0
        ids, dense = ids[0][found].astype(np.int64), scores[0][found]
        if weight <= 0 or not tokens:
            return cls(ids, dense, dense)
        lexical_scores = lexical.scores(tokens)
        lexical_top = np.argpartition(-lexical_scores, pool - 1)[:pool]
        lexical_top = lexical_top[lexical_scores[lexical_top] > 0]
        if not lexical_top.size:
            return cls(ids, dense, dense)
        best_lexical = float(lexical_scores[lexical_top].max())  # the corpus's best: it is a top
        unseen = np.setdiff1d(lexical_top, ids, assume_unique=True)
        if unseen.size:
            unseen_dense = vectors.reconstruct_batch(unseen.astype(np.int64)) @ query_vector
            ids = np.concatenate([ids, unseen.astype(np.int64)])
            dense = np.concatenate([dense, unseen_dense.astype(np.float32)])
        fused = dense + weight * (lexical_scores[ids] / best_lexical)
        return cls(ids, dense, fused)

    @property
    def relevance(self) -> float:
        """The best cosine among the candidates, -1 when there are none."""
        return float(self.dense.max()) if self.dense.size else -1.0

    def best(self, k: int) -> list[tuple[int, float]]:
        """(position, fused score) of the `k` best, best first; ties go to the lower position."""
        order = np.lexsort((self.ids, -self.fused))[:k]
        return [(int(self.ids[i]), float(self.fused[i])) for i in order]

    def by_owner(self, owner: np.ndarray) -> Candidates:
        """One candidate per owner (`owner[position]`, a passage for each search unit): its
        best fused score and its best cosine over its units."""
        if not self.ids.size:
            return self
        owners = owner[self.ids]
        order = np.lexsort((self.ids, -self.fused))
        distinct, first = np.unique(owners[order], return_index=True)
        fused = self.fused[order][first]
        dense = np.full(distinct.size, -np.inf, dtype=np.float32)
        np.maximum.at(dense, np.searchsorted(distinct, owners), self.dense)
        return Candidates(distinct.astype(np.int64), dense, fused)

    def boosted(self, boost: np.ndarray) -> Candidates:
        """The same candidates with `boost[position]` added to their fused scores."""
        return Candidates(self.ids, self.dense, self.fused + boost[self.ids])
