"""Building an index generation: passages and their search units (the original and each
translation), embeddings through the cache, vector and BM25 indexes, sentence alignment,
manifest; written beside the served generation, loaded back, gated, then published."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from corpus.align import align_sentences
from corpus.cards import passage_of_quote
from corpus.chunk import Passage, chunk_article, split_sentences
from corpus.loader import Corpus
from index.ann import (
    VectorIndexConfig,
    build_vector_index,
    describe_vector_index,
    planned_vector_index,
)
from index.cache import EmbeddingCache
from index.cards import CardPostings
from index.embedders import Embedder, EmbedderConfig, make_embedder
from index.lexical import TOKENIZER_ID, LexicalIndex

if TYPE_CHECKING:
    import faiss

from index.generations import (
    CACHE_FILE,
    FORMAT_VERSION,
    GENERATIONS,
    KEEP_GENERATIONS,
    MANIFEST,
    FileChecksum,
    IndexStoreError,
    Manifest,
    build_lock,
    current_generation_dir,
    fsync_dir,
    fsync_tree,
    prune,
    publish,
    read_current_manifest,
    remove_dead_staging,
    verify_generation,
    write_json,
)
from index.quality import GateReport
from index.query import matching_form
from index.records import (
    CardRecord,
    CardSourceRecord,
    PassageRecord,
    ResourceRecord,
    TranslationRecord,
    record_data,
    write_records,
)
from index.store import LoadedIndex, import_faiss, load_generation, load_index

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


@dataclass(frozen=True)
class SearchUnit:
    """One searchable text of a passage: the original or one of its translations. The vector
    and BM25 indexes hold one row per unit; a search returns one hit per passage."""

    passage: int  # position of the passage
    language: str
    text: str  # the passage text in this language
    embedding_text: str


def _search_units(passages: list[Passage]) -> list[SearchUnit]:
    units = []
    for position, passage in enumerate(passages):
        units.append(SearchUnit(position, passage.language, passage.text, passage.embedding_text()))
        for translation in passage.translations:
            units.append(
                SearchUnit(
                    position, translation.language, translation.text, translation.embedding_text()
                )
            )
    return units


def _index_inputs(corpus: Corpus) -> tuple[list[Passage], list[SearchUnit], list[str]]:
    """Passages, their search units and the resources' embedding texts."""
    passages = [p for article in corpus.articles for p in chunk_article(article)]
    return passages, _search_units(passages), [r.embedding_text() for r in corpus.resources]


def _sentence_spans(units: list[SearchUnit]) -> list[tuple[int, int, int]]:
    """`(unit position, start, end)` of every sentence, offsets into the unit's text."""
    return [
        (position, start, end)
        for position, unit in enumerate(units)
        for start, end in split_sentences(unit.text)
    ]


def _realigned(
    passages: list[Passage],
    units: list[SearchUnit],
    sentence_spans: list[tuple[int, int, int]],
    sentence_vectors: np.ndarray,
) -> list[PassageRecord]:
    """Passage records whose translations' sentence groups are aligned again with the
    cross-lingual similarity of the sentence vectors (order and length alone at chunking)."""
    rows: dict[int, list[int]] = {}
    for row, (unit, _, _) in enumerate(sentence_spans):
        rows.setdefault(unit, []).append(row)
    unit_of: dict[tuple[int, str], int] = {(u.passage, u.language): i for i, u in enumerate(units)}
    records = []
    for position, passage in enumerate(passages):
        record = PassageRecord.of(passage)
        ours = rows.get(unit_of[(position, passage.language)], [])
        translations: list[TranslationRecord] = []
        for translation in record.translations:
            theirs = rows.get(unit_of[(position, translation.language)], [])
            if ours and theirs and sentence_vectors.size:
                similarity = sentence_vectors[ours] @ sentence_vectors[theirs].T
                groups = align_sentences(
                    [sentence_spans[r][2] - sentence_spans[r][1] for r in ours],
                    [sentence_spans[r][2] - sentence_spans[r][1] for r in theirs],
                    lambda i, j, s=similarity: float(s[i, j]),
                )
                translation = replace(
                    translation,
                    sentence_groups=tuple((g.original, g.translated) for g in groups),
                )
            translations.append(translation)
        records.append(replace(record, translations=tuple(translations)))
    return records


def _card_records(corpus: Corpus, passages: list[Passage]) -> list[CardRecord]:
    """The cards as the index serves them, each quote with the passage it lies in."""
    return [
        CardRecord(
            id=card.id,
            questions=tuple(card.questions.all()),
            answer_zh=card.answer.zh,
            answer_en=card.answer.en,
            sources=tuple(
                CardSourceRecord(
                    source.article,
                    source.quote,
                    passage_of_quote(source.article, source.quote, passages),
                )
                for source in card.sources
            ),
            resources=tuple(card.resources),
            related=tuple(card.related),
        )
        for card in corpus.cards
    ]


def _card_query_texts(cards: list[CardRecord]) -> list[str]:
    """What the embedder encodes of each phrasing: what a question asked that way encodes
    (index.query.matching_form; the loader already collapsed white space)."""
    return [matching_form(text) for card in cards for _, text in card.questions]


def corpus_fingerprint(corpus: Corpus) -> str:
    """Hash of what the index is made of: the passages as cut by this code, their metadata,
    the resources and glossary, the tokenizer and the format. A change to cleaning or chunking
    code therefore triggers a rebuild by itself."""
    passages, _, _ = _index_inputs(corpus)
    return _fingerprint(corpus, passages)


def _fingerprint(corpus: Corpus, passages: list[Passage]) -> str:
    digest = hashlib.sha256(f"format={FORMAT_VERSION};{TOKENIZER_ID}".encode())
    digest.update(corpus.content_hash().encode())
    for passage, data in zip(
        passages, record_data([PassageRecord.of(p) for p in passages]), strict=True
    ):
        digest.update(json.dumps(data, ensure_ascii=False).encode())
        digest.update(passage.embedding_text().encode())
        for translation in passage.translations:
            digest.update(translation.embedding_text().encode())
    return digest.hexdigest()


def _flat_ip_index(vectors: np.ndarray, dim: int) -> faiss.Index:
    index = import_faiss().IndexFlatIP(dim)
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


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
    passages, units, resource_texts = _index_inputs(corpus)
    passage_texts = [unit.embedding_text for unit in units]
    sentence_spans = _sentence_spans(units)
    sentence_texts = [units[u].text[start:end] for u, start, end in sentence_spans]
    cards = _card_records(corpus, passages)
    card_texts = _card_query_texts(cards)
    fingerprint = _fingerprint(corpus, passages)
    planned_vectors = planned_vector_index(len(passages), vector_config)
    embedder_id = embedder.id if embedder else embedder_config.embedder_id()
    with build_lock(index_root):
        if not force:
            with contextlib.suppress(IndexStoreError):
                current = read_current_manifest(index_root)
                if (
                    current.corpus_hash == fingerprint
                    and current.embedder_id == embedder_id
                    and current.format_version == FORMAT_VERSION
                    and current.vector_index == planned_vectors
                ):
                    verify_generation(current_generation_dir(index_root))
                    return BuildReport(None, current, 0, 0, time.perf_counter() - started)

        total = len(passage_texts) + len(resource_texts) + len(sentence_texts) + len(card_texts)
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

        with EmbeddingCache(index_root / CACHE_FILE) as cache:
            passage_vectors, new_passages = cache.embed(
                embedder_id, "passage", passage_texts, lambda t: model().embed_passages(t), advance
            )
            resource_vectors, new_resources = cache.embed(
                embedder_id, "passage", resource_texts, lambda t: model().embed_passages(t), advance
            )
            # Each sentence on its own, so the answer's lead can be the passage's sentence
            # closest to the question without encoding anything at question time.
            sentence_vectors, new_sentences = cache.embed(
                embedder_id, "passage", sentence_texts, lambda t: model().embed_passages(t), advance
            )
            # Card phrasings are matched question to question: encoded as queries.
            card_vectors, new_cards = cache.embed(
                embedder_id, "query", card_texts, lambda t: model().embed_queries(t), advance
            )
        embedded = new_passages + new_resources + new_sentences + new_cards
        if progress:
            progress("embedding", total, total)
        dim = next((v.shape[1] for v in (passage_vectors, resource_vectors) if v.size), 0)
        if embedded and dim and loaded[0].dim != dim:  # only ask a model that was used
            raise IndexStoreError(f"embedder reports dim {loaded[0].dim} but produced {dim}")

        generation = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        generations = index_root / GENERATIONS
        remove_dead_staging(generations)
        staging = generations / f".tmp-{generation}-{os.getpid()}"
        staging.mkdir(parents=True)
        try:
            faiss_module = import_faiss()
            if len(passage_vectors):
                if progress and planned_vectors != "exact (flat)":
                    progress("training the vector index", 0, 1)
                passage_index = build_vector_index(passage_vectors, vector_config)
            else:
                passage_index = _flat_ip_index(passage_vectors, dim)
            built_vectors = describe_vector_index(passage_index)
            faiss_module.write_index(passage_index, str(staging / "passages.faiss"))
            del passage_index
            faiss_module.write_index(
                _flat_ip_index(resource_vectors, dim), str(staging / "resources.faiss")
            )
            write_records(
                staging / "passages.json",
                _realigned(passages, units, sentence_spans, sentence_vectors),
            )
            write_json(staging / "units.json", [[u.passage, u.language] for u in units])
            write_records(
                staging / "resources.json", [ResourceRecord.of(r) for r in corpus.resources]
            )
            write_json(staging / "glossary.json", [[e.en, e.zh] for e in corpus.glossary])
            np.save(staging / "sentences.npy", sentence_vectors.astype(np.float32))
            write_records(staging / "cards.json", cards)
            card_matrix = (
                card_vectors.astype(np.float32).reshape(len(card_texts), dim)
                if card_texts
                else np.zeros((0, dim), dtype=np.float32)
            )
            np.save(staging / "card-questions.npy", card_matrix)
            CardPostings.of([text for card in cards for _, text in card.questions]).save(
                staging / "card-postings.npz"
            )
            write_json(staging / "sentences.json", [list(span) for span in sentence_spans])
            LexicalIndex.build(passage_texts).save(staging / "lexical-passages")
            LexicalIndex.build(resource_texts).save(staging / "lexical-resources")
            files = {
                str(path.relative_to(staging)): FileChecksum.of(path)
                for path in sorted(staging.rglob("*"))
                if path.is_file()
            }
            manifest = Manifest(
                format_version=FORMAT_VERSION,
                embedder_id=embedder_id,
                dim=int(dim),
                corpus_hash=fingerprint,
                passage_count=len(passages),
                resource_count=len(corpus.resources),
                built_at=datetime.now(UTC).isoformat(timespec="seconds"),
                build_seconds=round(time.perf_counter() - started, 3),
                tokenizer=TOKENIZER_ID,
                files=files,
                vector_index=built_vectors,
            )
            write_json(staging / MANIFEST, asdict(manifest))
            fsync_tree(staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        quality = None
        try:
            if progress:
                progress("verifying", 0, 1)
            candidate = load_generation(staging, embedder_id)
            if gate is not None:
                if progress:
                    progress("quality gate", 0, 1)
                quality = gate(candidate, _served_or_none(index_root, embedder_id))
                manifest = _checksum_new_files(staging, manifest)
            final = generations / generation
            os.rename(staging, final)
            fsync_dir(generations)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        publish(index_root, generation)
        prune(index_root, keep_generations)
        return BuildReport(
            generation,
            manifest,
            embedded,
            total - embedded,
            time.perf_counter() - started,
            quality,
        )


def _checksum_new_files(staging: Path, manifest: Manifest) -> Manifest:
    """The manifest with the files written into the staging directory after it (the quality
    gate's report) checksummed too, rewritten: `verify` covers everything in a generation."""
    files = dict(manifest.files)
    for path in sorted(staging.rglob("*")):
        name = str(path.relative_to(staging))
        if path.is_file() and name != MANIFEST and name not in files:
            files[name] = FileChecksum.of(path)
    if files == manifest.files:
        return manifest
    updated = replace(manifest, files=files)
    write_json(staging / MANIFEST, asdict(updated))
    fsync_tree(staging)
    return updated


def _served_or_none(index_root: Path, embedder_id: str) -> LoadedIndex | None:
    """The served generation if it loads and matches `embedder_id`, else None."""
    try:
        return load_index(index_root, embedder_id)
    except IndexStoreError:
        return None
