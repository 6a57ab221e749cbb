"""Building an index generation, stage by stage: take the inputs from the corpus, embed them
(through the cache), write the generation beside the served one, load it back and gate it, then
publish. The generation's life on disk (staging, install, publish, prune) is `index.generations`'s.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from corpus.loader import Corpus
from index.ann import (
    VectorIndexConfig,
    build_vector_index,
    describe_vector_index,
    planned_vector_index,
)
from index.build_inputs import BuildInputs, build_inputs, passage_records
from index.cache import EmbeddingCache
from index.cards import CardPostings
from index.embedders import Embedder, EmbedderConfig, make_embedder
from index.generations import (
    CACHE_FILE,
    KEEP_GENERATIONS,
    build_lock,
    checksum_new_files,
    current_generation_dir,
    file_checksums,
    install,
    new_generation_name,
    prune,
    publish,
    read_current_manifest,
    seal,
    staging_directory,
    verify_generation,
    write_json,
)
from index.lexical import TOKENIZER_ID, LexicalIndex
from index.manifest import FORMAT_VERSION, IndexStoreError, Manifest
from index.quality import GateReport
from index.records import ResourceRecord, write_records
from index.store import LoadedIndex, import_faiss, load_generation, load_index

if TYPE_CHECKING:
    import faiss

ProgressCallback = Callable[[str, int, int], None]  # (stage, done, total)

# A quality gate sees the new generation and the served one (None when there is none, or it was
# made by another embedder or format) before publishing. It returns what it measured (kept in
# the BuildReport) or raises PublishRefused.
QualityGate = Callable[["LoadedIndex", "LoadedIndex | None"], GateReport]


@dataclass(frozen=True)
class BuildReport:
    """What a build did."""

    generation: str | None  # None when the index was already up to date
    manifest: Manifest
    embedded: int  # texts sent to the embedder (the rest came from the cache)
    reused: int
    seconds: float
    quality: GateReport | None = None  # what the quality gate measured, when there was one

    @property
    def skipped(self) -> bool:
        return self.generation is None


def build_index(
    corpus: Corpus,
    embedder_config: EmbedderConfig,
    index_root: Path,
    *,
    embedder: Embedder | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
    keep_generations: int = KEEP_GENERATIONS,
    gate: QualityGate | None = None,
    vector_index: VectorIndexConfig | None = None,
) -> BuildReport:
    """Build the index for `corpus` and publish it as the current generation.

    Skips the work when the current generation already matches the corpus and embedder (unless
    `force`). Vectors come from the embedding cache where possible; the model is only loaded
    when some text is not cached. The new generation is written to a temporary directory,
    fsynced and renamed beside the served one, loaded back and checked (checksums, counts,
    dimension), passed to `gate` with the served generation, and only then does CURRENT point
    at it: a build that fails, is refused or is killed at any point leaves the previous
    generation serving. BuildLocked at once if another build is running.

    The passage vectors are searched exactly up to `vector_index.exact_up_to` passages and by
    an IVF index above (see index.ann); a changed `vector_index` makes a rebuild.
    """
    vector_config = vector_index or VectorIndexConfig()
    started = time.perf_counter()
    inputs = build_inputs(corpus)
    planned_vectors = planned_vector_index(len(inputs.passages), vector_config)
    embedder_id = embedder.id if embedder else embedder_config.embedder_id()
    with build_lock(index_root):
        if not force:
            current = _unchanged(index_root, inputs.fingerprint, embedder_id, planned_vectors)
            if current is not None:
                return BuildReport(None, current, 0, 0, time.perf_counter() - started)
        vectors = _embed(inputs, index_root, embedder_id, embedder, embedder_config, progress)
        generation = new_generation_name()
        with staging_directory(index_root, generation) as staging:
            manifest = _write_generation(
                staging, corpus, inputs, vectors, embedder_id, vector_config, started, progress
            )
            manifest, quality = _verify_and_gate(
                staging, manifest, index_root, embedder_id, gate, progress
            )
            install(index_root, staging, generation)
        publish(index_root, generation)
        prune(index_root, keep_generations)
        return BuildReport(
            generation,
            manifest,
            vectors.embedded,
            inputs.total_texts - vectors.embedded,
            time.perf_counter() - started,
            quality,
        )


@dataclass(frozen=True)
class BuildVectors:
    """The vectors of a build's inputs, and how many texts the embedder had to encode."""

    passages: np.ndarray  # one row per search unit
    resources: np.ndarray
    sentences: np.ndarray
    card_questions: np.ndarray  # one row per phrasing, encoded as a query
    embedded: int
    dim: int


def _unchanged(
    index_root: Path, fingerprint: str, embedder_id: str, planned_vectors: str
) -> Manifest | None:
    """The served generation's manifest when it was built from the same inputs the same way
    (and is whole), else None: a damaged or different generation is rebuilt."""
    with contextlib.suppress(IndexStoreError):
        current = read_current_manifest(index_root)
        if (
            current.corpus_hash == fingerprint
            and current.embedder_id == embedder_id
            and current.format_version == FORMAT_VERSION
            and current.vector_index == planned_vectors
        ):
            verify_generation(current_generation_dir(index_root))
            return current
    return None


def _embed(
    inputs: BuildInputs,
    index_root: Path,
    embedder_id: str,
    embedder: Embedder | None,
    embedder_config: EmbedderConfig,
    progress: ProgressCallback | None,
) -> BuildVectors:
    """Every input's vector, from the cache where possible: the model is loaded only when some
    text is not cached."""
    total = inputs.total_texts
    done = 0
    loaded: list[Embedder] = [embedder] if embedder else []

    def model() -> Embedder:
        if not loaded:
            if progress:
                progress("loading model", 0, total)
            loaded.append(make_embedder(embedder_config))
        return loaded[0]

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress:
            progress("embedding", done, total)

    def passages(texts: list[str]) -> np.ndarray:
        return model().embed_passages(texts)

    with EmbeddingCache(index_root / CACHE_FILE) as cache:
        passage_vectors, new_passages = cache.embed(
            embedder_id, "passage", inputs.passage_texts, passages, advance
        )
        resource_vectors, new_resources = cache.embed(
            embedder_id, "passage", inputs.resource_texts, passages, advance
        )
        # Each sentence on its own, so the answer's lead can be the passage's sentence
        # closest to the question without encoding anything at question time.
        sentence_vectors, new_sentences = cache.embed(
            embedder_id, "passage", inputs.sentence_texts, passages, advance
        )
        # Card phrasings are matched question to question: encoded as queries.
        card_vectors, new_cards = cache.embed(
            embedder_id, "query", inputs.card_texts, lambda t: model().embed_queries(t), advance
        )
    embedded = new_passages + new_resources + new_sentences + new_cards
    if progress:
        progress("embedding", total, total)
    dim = next((v.shape[1] for v in (passage_vectors, resource_vectors) if v.size), 0)
    if embedded and dim and loaded[0].dim != dim:  # only ask a model that was used
        raise IndexStoreError(f"embedder reports dim {loaded[0].dim} but produced {dim}")
    return BuildVectors(
        passage_vectors, resource_vectors, sentence_vectors, card_vectors, embedded, dim
    )


def _write_generation(
    staging: Path,
    corpus: Corpus,
    inputs: BuildInputs,
    vectors: BuildVectors,
    embedder_id: str,
    vector_config: VectorIndexConfig,
    started: float,
    progress: ProgressCallback | None,
) -> Manifest:
    """Write every file of the generation into `staging`, then its manifest; fsynced."""
    dim = vectors.dim
    faiss_module = import_faiss()
    if len(vectors.passages):
        if progress and planned_vector_index(len(inputs.passages), vector_config) != (
            "exact (flat)"
        ):
            progress("training the vector index", 0, 1)
        passage_index = build_vector_index(vectors.passages, vector_config)
    else:
        passage_index = _flat_ip_index(vectors.passages, dim)
    built_vectors = describe_vector_index(passage_index)
    faiss_module.write_index(passage_index, str(staging / "passages.faiss"))
    del passage_index
    faiss_module.write_index(
        _flat_ip_index(vectors.resources, dim), str(staging / "resources.faiss")
    )
    write_records(staging / "passages.json", passage_records(inputs, vectors.sentences))
    write_json(staging / "units.json", [[u.passage, u.language] for u in inputs.units])
    write_records(staging / "resources.json", [ResourceRecord.of(r) for r in corpus.resources])
    write_json(staging / "glossary.json", [[e.en, e.zh] for e in corpus.glossary])
    np.save(staging / "sentences.npy", vectors.sentences.astype(np.float32))
    write_records(staging / "cards.json", inputs.cards)
    card_matrix = (
        vectors.card_questions.astype(np.float32).reshape(len(inputs.card_texts), dim)
        if inputs.card_texts
        else np.zeros((0, dim), dtype=np.float32)
    )
    np.save(staging / "card-questions.npy", card_matrix)
    CardPostings.of([text for card in inputs.cards for _, text in card.questions]).save(
        staging / "card-postings.npz"
    )
    write_json(staging / "sentences.json", [list(span) for span in inputs.sentence_spans])
    LexicalIndex.build(inputs.passage_texts).save(staging / "lexical-passages")
    LexicalIndex.build(inputs.resource_texts).save(staging / "lexical-resources")
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        embedder_id=embedder_id,
        dim=int(dim),
        corpus_hash=inputs.fingerprint,
        passage_count=len(inputs.passages),
        resource_count=len(corpus.resources),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        build_seconds=round(time.perf_counter() - started, 3),
        tokenizer=TOKENIZER_ID,
        files=file_checksums(staging),
        vector_index=built_vectors,
    )
    seal(staging, manifest)
    return manifest


def _verify_and_gate(
    staging: Path,
    manifest: Manifest,
    index_root: Path,
    embedder_id: str,
    gate: QualityGate | None,
    progress: ProgressCallback | None,
) -> tuple[Manifest, GateReport | None]:
    """Load the written generation back (checksums, counts, dimension) and pass it to `gate`
    beside the served one; the gate's report joins the manifest."""
    if progress:
        progress("verifying", 0, 1)
    candidate = load_generation(staging, embedder_id)
    if gate is None:
        return manifest, None
    if progress:
        progress("quality gate", 0, 1)
    quality = gate(candidate, _served_or_none(index_root, embedder_id))
    return checksum_new_files(staging, manifest), quality


def _flat_ip_index(vectors: np.ndarray, dim: int) -> faiss.Index:
    index = import_faiss().IndexFlatIP(dim)
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def _served_or_none(index_root: Path, embedder_id: str) -> LoadedIndex | None:
    """The served generation if it loads and matches `embedder_id`, else None."""
    try:
        return load_index(index_root, embedder_id)
    except IndexStoreError:
        return None
