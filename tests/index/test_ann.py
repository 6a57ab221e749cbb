import subprocess
import sys
from pathlib import Path

import faiss
import numpy as np
import pytest
from pydantic import ValidationError

from index.ann import (
    VectorIndexConfig,
    build_vector_index,
    describe_vector_index,
    ivf_list_count,
    prepare_for_search,
)

ROOT = Path(__file__).resolve().parents[2]
DIM = 32


def _normalised(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _clustered(n: int, seed: int, centres: int = 20) -> np.ndarray:
    """Unit vectors in clusters around shared centres (seed 0), like topics of a corpus."""
    centre_vectors = np.random.default_rng(0).standard_normal((centres, DIM))
    rng = np.random.default_rng(seed)
    points = centre_vectors[rng.integers(0, centres, n)] + 0.4 * rng.standard_normal((n, DIM))
    return _normalised(points)


def _exact_top(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    return np.argsort(-(queries @ vectors.T), axis=1, kind="stable")[:, :k]


def _recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(
        np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth, strict=True)])
    )


# A config with a tiny threshold and few cells scanned, so 5k vectors give a real IVF whose
# search is genuinely approximate (with the default nprobe every cell would be scanned).
IVF = VectorIndexConfig(exact_up_to=1000, ivf_nprobe=8)


@pytest.fixture(scope="module")
def corpus() -> np.ndarray:
    return _clustered(5000, seed=1)


@pytest.fixture(scope="module")
def queries() -> np.ndarray:
    return _clustered(100, seed=2)


def test_at_or_below_the_threshold_the_index_is_exact(queries):
    vectors = _clustered(1000, seed=3)
    index = build_vector_index(vectors, IVF)
    assert isinstance(index, faiss.IndexFlatIP)
    assert describe_vector_index(index) == "exact (flat)"
    scores, ids = index.search(queries, 10)
    np.testing.assert_array_equal(ids, _exact_top(vectors, queries, 10))
    np.testing.assert_allclose(scores[:, 0], np.max(queries @ vectors.T, axis=1), rtol=1e-5)


def test_above_the_threshold_the_index_is_ivf_with_high_recall(corpus, queries):
    index = build_vector_index(corpus, IVF)
    ivf = faiss.try_extract_index_ivf(index)
    assert ivf is not None and index.ntotal == len(corpus)
    assert index.metric_type == faiss.METRIC_INNER_PRODUCT
    assert ivf.nlist == ivf_list_count(len(corpus), IVF) and ivf.nprobe == 8 < ivf.nlist
    assert describe_vector_index(index) == f"ivf nlist={ivf.nlist} nprobe=8"
    scores, ids = index.search(queries, 10)
    assert _recall(ids, _exact_top(corpus, queries, 10)) >= 0.9
    # the vectors are stored unquantised: the scores found are the exact cosines
    np.testing.assert_allclose(scores[:, 0], np.sum(queries * corpus[ids[:, 0]], axis=1), atol=1e-5)


def test_search_parameters_and_reconstruction_survive_write_and_read(corpus, queries, tmp_path):
    index = build_vector_index(corpus, IVF)
    before = index.search(queries, 10)
    path = str(tmp_path / "passages.faiss")
    faiss.write_index(index, path)
    loaded = faiss.read_index(path)
    assert faiss.extract_index_ivf(loaded).nprobe == 8  # without prepare_for_search
    prepare_for_search(loaded, IVF)
    after = loaded.search(queries, 10)
    np.testing.assert_array_equal(before[1], after[1])
    ids = np.array([0, 17, 4999, 17], dtype=np.int64)
    np.testing.assert_array_equal(loaded.reconstruct_batch(ids), corpus[ids])


def test_prepare_for_search_applies_the_config_and_restores_the_direct_map(corpus):
    index = build_vector_index(corpus, IVF)
    ivf = faiss.extract_index_ivf(index)
    ivf.set_direct_map_type(faiss.DirectMap.NoMap)  # as an index written without one
    with pytest.raises(RuntimeError):
        index.reconstruct_batch(np.array([1], dtype=np.int64))
    prepare_for_search(index, IVF.model_copy(update={"ivf_nprobe": 3}))
    assert ivf.nprobe == 3
    np.testing.assert_array_equal(
        index.reconstruct_batch(np.array([1], dtype=np.int64)), corpus[[1]]
    )
    prepare_for_search(index, IVF.model_copy(update={"ivf_nprobe": 10_000}))
    assert ivf.nprobe == ivf.nlist  # never more cells than there are


@pytest.mark.parametrize("config", [VectorIndexConfig(), VectorIndexConfig(exact_up_to=0)])
def test_an_empty_corpus_gives_an_empty_exact_index(config, tmp_path):
    index = build_vector_index(np.zeros((0, DIM), dtype=np.float32), config)
    assert index.ntotal == 0 and index.d == DIM
    assert describe_vector_index(index) == "exact (flat)"
    faiss.write_index(index, str(tmp_path / "empty.faiss"))
    loaded = faiss.read_index(str(tmp_path / "empty.faiss"))
    prepare_for_search(loaded, config)  # a no-op for an exact index
    assert loaded.ntotal == 0 and loaded.d == DIM


def test_just_above_a_tiny_threshold_the_ivf_still_builds(queries):
    vectors = _clustered(50, seed=4)
    index = build_vector_index(vectors, VectorIndexConfig(exact_up_to=10))
    assert faiss.extract_index_ivf(index).nlist == 1  # too few points to place more cells
    _, ids = index.search(queries, 5)
    np.testing.assert_array_equal(ids, _exact_top(vectors, queries, 5))


def test_the_build_is_deterministic(corpus, queries):
    first = build_vector_index(corpus, IVF).search(queries, 10)[1]
    second = build_vector_index(corpus, IVF).search(queries, 10)[1]
    np.testing.assert_array_equal(first, second)


def test_the_config_rejects_unknown_fields():
    with pytest.raises(ValidationError):
        VectorIndexConfig(nprobe=8)


def test_importing_the_module_does_not_import_faiss():
    code = "import sys, index.ann; assert 'faiss' not in sys.modules, 'faiss imported'"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
