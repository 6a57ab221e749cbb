"""The loaded index: everything a retriever needs, read from one generation and checked
(checksums, counts, dimension, vector index kind); and rollback to an older published one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.ann import (
    describe_vector_index,
)
from index.cards import CardPostings
from index.lexical import LexicalIndex
from index.records import CardRecord, PassageRecord, ResourceRecord, read_records

if TYPE_CHECKING:
    import faiss

from index.generations import (
    current_generation_dir,
    verify_generation,
)
from index.manifest import IndexCorrupt, Manifest, check_compatible


def import_faiss() -> Any:
    """The faiss module, imported on first use (commands that only check the index skip it)."""
    import faiss

    return faiss


@dataclass
class LoadedIndex:
    """Everything a retriever needs, read from one generation."""

    directory: Path
    manifest: Manifest
    passages: list[PassageRecord]  # `units` name a passage by its position here
    resources: list[ResourceRecord]  # row i of the resource indexes is resources[i]
    glossary: list[tuple[list[str], list[str]]]
    passage_index: faiss.Index
    resource_index: faiss.Index
    passage_lexical: LexicalIndex
    resource_lexical: LexicalIndex
    sentence_vectors: np.ndarray  # one row per sentence of every search unit, L2-normalised
    sentence_spans: list[tuple[int, int, int]]  # (unit position, start, end) per row
    units: list[tuple[int, str]]  # (passage position, language) per vector / BM25 row
    cards: list[CardRecord]  # answer cards, their phrasings in order
    card_vectors: np.ndarray  # one query vector per phrasing of every card, L2-normalised
    card_postings: CardPostings  # which phrasings hold each token


def load_index(index_root: Path, embedder_id: str) -> LoadedIndex:
    """Load the served generation, refusing a mismatched, incomplete or corrupted one."""
    return load_generation(current_generation_dir(index_root), embedder_id)


def load_generation(directory: Path, embedder_id: str) -> LoadedIndex:
    """Load one generation directory, refusing a mismatched, incomplete or corrupted one.

    The passage and resource files are parsed into their records here, once; a malformed
    record is IndexCorrupt naming the file, the record and the field."""
    manifest = verify_generation(directory)
    check_compatible(manifest, embedder_id)
    fix = "rebuild with `careerbot index build --force`"
    try:
        passages = read_records(directory / "passages.json", PassageRecord)
        resources = read_records(directory / "resources.json", ResourceRecord)
        glossary = [
            (list(en), list(zh))
            for en, zh in json.loads((directory / "glossary.json").read_text(encoding="utf-8"))
        ]
        faiss_module = import_faiss()
        passage_index = faiss_module.read_index(str(directory / "passages.faiss"))
        resource_index = faiss_module.read_index(str(directory / "resources.faiss"))
        units = [
            (int(p), str(language))
            for p, language in json.loads((directory / "units.json").read_text(encoding="utf-8"))
        ]
        # BM25 documents are search units (a passage in one of its languages), as vector rows
        passage_lexical = LexicalIndex.load(directory / "lexical-passages", len(units))
        resource_lexical = LexicalIndex.load(directory / "lexical-resources", len(resources))
        sentence_vectors = np.load(directory / "sentences.npy", allow_pickle=False)
        cards = read_records(directory / "cards.json", CardRecord)
        card_vectors = np.load(directory / "card-questions.npy", allow_pickle=False)
        card_postings = CardPostings.load(directory / "card-postings.npz")
        sentence_spans = [
            (int(p), int(a), int(b))
            for p, a, b in json.loads((directory / "sentences.json").read_text(encoding="utf-8"))
        ]
    except (OSError, ValueError, RuntimeError) as exc:
        raise IndexCorrupt(f"index in {directory} could not be read ({exc}): {fix}") from None
    counts_ok = (
        len(passages) == manifest.passage_count
        and len(units) == passage_index.ntotal
        and all(0 <= p < len(passages) for p, _ in units)
        and len(resources) == manifest.resource_count == resource_index.ntotal
        and len(sentence_spans) == len(sentence_vectors)
        and sum(len(card.questions) for card in cards) == len(card_vectors)
        and len(card_postings.starts) == len(card_postings.tokens) + 1
        and (not card_postings.rows.size or int(card_postings.rows.max()) < len(card_vectors))
    )
    if not counts_ok:
        raise IndexCorrupt(f"index in {directory} has inconsistent counts: {fix}")
    if passage_index.ntotal and passage_index.d != manifest.dim:
        raise IndexCorrupt(f"index in {directory} has dimension {passage_index.d}: {fix}")
    if describe_vector_index(passage_index) != manifest.vector_index:
        raise IndexCorrupt(
            f"index in {directory} is {describe_vector_index(passage_index)}, its manifest says "
            f"{manifest.vector_index}: {fix}"
        )
    return LoadedIndex(
        directory,
        manifest,
        passages,
        resources,
        glossary,
        passage_index,
        resource_index,
        passage_lexical,
        resource_lexical,
        sentence_vectors,
        sentence_spans,
        units,
        cards,
        card_vectors,
        card_postings,
    )
