"""Score fusion: the candidates of the vector index and BM25, their cosines and fused scores."""

from __future__ import annotations

import numpy as np

from index.fusion import Candidates


class _Vectors:
    """A stand-in for a FAISS inner-product index over a few rows."""

    def __init__(self, rows: np.ndarray):
        self.rows = rows.astype(np.float32)
        self.ntotal = len(rows)

    def search(self, queries: np.ndarray, k: int):
        scores = queries @ self.rows.T
        order = np.argsort(-scores[0])[:k]
        return scores[:, order], order[None, :]

    def reconstruct_batch(self, ids: np.ndarray) -> np.ndarray:
        return self.rows[ids]


class _Lexical:
    def __init__(self, scores: list[float]):
        self._scores = np.array(scores, dtype=np.float32)

    def scores(self, tokens: list[str]) -> np.ndarray:
        return self._scores


ROWS = np.eye(4, dtype=np.float32)
QUERY = np.array([1, 0.5, 0, 0], dtype=np.float32)


def test_without_lexical_weight_the_fused_score_is_the_cosine():
    candidates = Candidates.fuse(QUERY, _Vectors(ROWS), _Lexical([0, 0, 0, 9]), ["x"], 0.0, 2)
    assert sorted(candidates.ids.tolist()) == [0, 1]
    assert np.array_equal(candidates.fused, candidates.dense)


def test_bm25s_top_joins_with_its_cosine_and_scores_are_fused():
    candidates = Candidates.fuse(QUERY, _Vectors(ROWS), _Lexical([0, 0, 0, 9]), ["x"], 0.5, 2)
    by_id = dict(zip(candidates.ids.tolist(), candidates.fused.tolist(), strict=True))
    assert set(by_id) == {0, 1, 3}  # row 3: BM25's best, not among the vector index's top 2
    assert by_id[3] == 0.5  # cosine 0 + 0.5 x 9 / 9
    assert by_id[0] == 1.0  # cosine 1, no BM25 score
    assert candidates.best(1) == [(0, 1.0)]


def test_an_empty_index_has_no_candidates():
    candidates = Candidates.fuse(QUERY, _Vectors(np.zeros((0, 4))), _Lexical([]), ["x"], 0.5, 2)
    assert candidates.ids.size == 0 and candidates.relevance == -1.0
