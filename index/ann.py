"""The passage vector index: exact inner-product search for small corpora, IVF above a size.

Vectors are L2-normalised, so inner product is cosine. Up to `exact_up_to` vectors the index is
a plain `IndexFlatIP` (exact, no training, instant to build); above it an `IndexIVFFlat`:
spherical k-means cells, `nprobe` of them scanned per query. The vectors themselves are kept
unquantised, so the scores of the candidates found are the exact cosines (the relevance floors
of the retriever compare them) and `reconstruct_batch` returns the real vectors.

Measured by bench/bench_scale.py on this machine (2 cores), with synthetic 384-d vectors shaped
like the bundled embedder's, k = 100 candidates, recall@10 against exact search on the shipped
questions (the workload that matters: questions sit farther from the passages than passages
from each other, where approximate search loses most) / on held-out synthetic vectors:

    passages  index                      build   search median   recall@10   exact search
    100k      IVF nlist=632  nprobe=128  2.2 s   1.9 ms          .984/.998   13.4 ms
    1M        IVF nlist=2000 nprobe=128  29 s    4.4 ms          .965/1.00   132 ms

IVF keeps the vectors unquantised (1.5 GB at 1M, as the flat index) and meets the targets
(recall@10 >= 0.95, search well under 20 ms); HNSW was not measured: its graph would add ~256
bytes a vector (M=32) on top of the same vectors.

faiss is imported inside the functions: `careerbot index status` and the other commands that
never search must not pay for importing it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    import faiss


class VectorIndexConfig(BaseModel):
    """How the passage vectors are indexed: exact up to a size, IVF above it."""

    model_config = ConfigDict(extra="forbid")

    # Exact search over n vectors costs ~n: one 384-d query, k=100, on this machine 1.1 ms at 10k,
    # 13 ms at 100k (bench/bench_scale.py); ~2-3 ms at 20k (linear), small next to the encode.
    exact_up_to: int = Field(
        20_000,
        ge=0,
        description="corpus size (vectors) up to which search is exact (IndexFlatIP); above: IVF",
    )
    ivf_lists_per_sqrt_n: float = Field(
        2.0,
        gt=0,
        description="IVF cells = this x sqrt(n), rounded (2048 at 1M vectors)",
    )
    ivf_nprobe: int = Field(
        128,
        ge=1,
        description="IVF cells scanned per query; more: better recall, slower search",
    )
    ivf_train_points_per_list: int = Field(
        64,
        ge=39,  # faiss warns below 39 points per centroid
        description="training sample size per IVF cell (k-means cost grows with it)",
    )
    seed: int = Field(1234, description="seed of the k-means training sample and initialisation")


def _faiss() -> Any:
    """The faiss module, imported on first use."""
    import faiss

    return faiss


def ivf_list_count(n: int, config: VectorIndexConfig) -> int:
    """Number of IVF cells for `n` vectors: `ivf_lists_per_sqrt_n` x sqrt(n), at least 1 and
    never more than n / `ivf_train_points_per_list` (k-means needs points to place each cell)."""
    wanted = round(config.ivf_lists_per_sqrt_n * math.sqrt(max(n, 1)))
    return max(1, min(wanted, n // config.ivf_train_points_per_list))


def planned_vector_index(n: int, config: VectorIndexConfig) -> str:
    """What `build_vector_index` makes for `n` vectors, as `describe_vector_index` says it
    (a build compares it with the served generation's to know whether to rebuild)."""
    if n <= config.exact_up_to:
        return "exact (flat)"
    nlist = ivf_list_count(n, config)
    return f"ivf nlist={nlist} nprobe={min(config.ivf_nprobe, nlist)}"


def build_vector_index(vectors: np.ndarray, config: VectorIndexConfig) -> faiss.Index:
    """An inner-product index over `vectors` (shape (n, dim), L2-normalised float32).

    Exact (`IndexFlatIP`) when n <= `config.exact_up_to`, else an `IndexIVFFlat` trained on a
    seeded sample, with every vector added, its direct map made (so `reconstruct_batch` works)
    and `nprobe` set. An empty array gives an empty exact index of its dimension.
    """
    faiss = _faiss()
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim != 2:
        raise ValueError(f"vectors must be a 2-d array, got shape {vectors.shape}")
    n, dim = vectors.shape
    if n <= config.exact_up_to:
        index = faiss.IndexFlatIP(dim)
        if n:
            index.add(vectors)
        return index
    nlist = ivf_list_count(n, config)
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    # Spherical k-means: centroids renormalised, so a cell is a cone of directions and the
    # inner product to a centroid ranks cells by cosine, as the vectors are ranked.
    index.cp.spherical = True
    index.cp.seed = config.seed
    sample_size = min(n, nlist * config.ivf_train_points_per_list)
    if sample_size < n:
        rng = np.random.default_rng(config.seed)
        sample = vectors[np.sort(rng.choice(n, sample_size, replace=False))]
    else:
        sample = vectors
    index.train(sample)
    index.add(vectors)
    prepare_for_search(index, config)
    return index


def prepare_for_search(index: faiss.Index, config: VectorIndexConfig) -> None:
    """Set the search parameters of `index` from `config` and make `reconstruct_batch` work.

    faiss 1.15 keeps `nprobe` and the direct map through write_index/read_index; the loader
    still calls this after read_index so that a changed `ivf_nprobe` applies without a rebuild
    and an index written by a faiss that dropped them still works. No-op for exact indexes.
    """
    faiss = _faiss()
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is None:
        return
    ivf.nprobe = min(config.ivf_nprobe, ivf.nlist)
    if ivf.direct_map.type == faiss.DirectMap.NoMap:
        # an array map (ids are 0..n-1, added once): 8 bytes a vector, O(1) lookup
        ivf.make_direct_map()


def describe_vector_index(index: faiss.Index) -> str:
    """A short human description, e.g. "exact (flat)" or "ivf nlist=2048 nprobe=128"."""
    faiss = _faiss()
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is not None:
        return f"ivf nlist={ivf.nlist} nprobe={ivf.nprobe}"
    hnsw = getattr(faiss.downcast_index(index), "hnsw", None)
    if hnsw is not None:
        return f"hnsw M={hnsw.nb_neighbors(1) // 2} efSearch={hnsw.efSearch}"
    if isinstance(faiss.downcast_index(index), faiss.IndexFlat):
        return "exact (flat)"
    return type(faiss.downcast_index(index)).__name__
