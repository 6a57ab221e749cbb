"""What the CLI and the Discord bot both do with the index: open the retriever (building the
index on first use), answer one question in a fresh process, and rebuild behind the quality
gate with progress. No discord import: the adapters (`bot/cli/`, `bot/exts/admin.py`,
`bot/app.py`) call these and render the result.

The build code (`index.build`, the embedding cache, the evaluation) is imported by the functions
that build: answering from a built index never loads it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from index.embedders import Embedder, make_embedder
from index.generations import IndexMissing
from index.query import matching_form, normalize_question
from index.retriever import Retriever, SearchResult
from index.store import LoadedIndex, load_index

if TYPE_CHECKING:
    import numpy as np

    from bot.config import Settings
    from corpus.loader import Corpus
    from index.build import BuildReport, ProgressCallback, QualityGate

log = logging.getLogger(__name__)

Notice = Callable[[str], None]  # a line for whoever started the work (a terminal, a log)


def quality_gate_for(
    settings: Settings, corpus: Corpus, embedder: Embedder, notice: Notice | None = None
) -> QualityGate | None:
    """The configured quality gate over the labelled questions, or None (with a notice) when
    the question set does not exist."""
    if not settings.questions_file.exists():
        message = (
            f"no labelled questions at {settings.questions_file}: the quality gate cannot run "
            "(set eval.questions_file)"
        )
        (notice or log.warning)(message)
        return None
    from corpus.loader import load_questions
    from index.gate import quality_gate  # the evaluation code loads only when a gate runs

    return quality_gate(
        load_questions(settings.questions_file, corpus),
        embedder,
        settings.retrieval,
        settings.index.max_mrr_drop,
        settings.index.max_unanswerable_rise,
    )


def rebuild(
    settings: Settings,
    embedder: Embedder,
    *,
    force: bool = False,
    gate: bool = True,
    progress: ProgressCallback | None = None,
    notice: Notice | None = None,
) -> BuildReport:
    """Build a new generation of the configured corpus and publish it, behind the quality gate
    when `gate` (PublishRefused when it refuses; the served generation is kept)."""
    from index.build import build_index

    corpus = settings.load_corpus()
    quality_gate = quality_gate_for(settings, corpus, embedder, notice) if gate else None
    return build_index(
        corpus,
        settings.embedder,
        settings.index_root,
        embedder=embedder,
        force=force,
        progress=progress,
        keep_generations=settings.index.keep_generations,
        gate=quality_gate,
        vector_index=settings.index.vectors,
    )


def open_retriever(
    settings: Settings,
    embedder: Embedder | None = None,
    *,
    build_if_missing: bool = False,
    progress: ProgressCallback | None = None,
    notice: Notice | None = None,
) -> Retriever:
    """The configured embedder and the served index. With `build_if_missing`, a first use
    builds the index (without the gate: there is nothing to compare with); otherwise
    IndexMissing says what to run."""
    embedder = embedder or make_embedder(settings.embedder)
    try:
        return Retriever.open(settings.index_root, embedder, settings.retrieval)
    except IndexMissing:
        if not build_if_missing:
            raise
    _build_first_index(settings, embedder, progress, notice)
    return Retriever.open(settings.index_root, embedder, settings.retrieval)


def answer_once(
    settings: Settings,
    question: str,
    *,
    k: int | None = None,
    k_resources: int | None = None,
    progress: ProgressCallback | None = None,
    notice: Notice | None = None,
) -> SearchResult:
    """`Retriever.search` for one question in a process that has loaded nothing yet (the CLI's
    `ask`), building the index on first use; InvalidQuestion for an unusable question.

    The model loads and encodes the question on a second thread while this one reads the
    index: loading and encoding are C code that releases the GIL, reading the index is mostly
    Python (importing faiss, bm25s and scipy, parsing JSON), so on two cores the two overlap
    instead of adding up. The result is the same as `open_retriever(...).search(question)`.
    """
    limit = settings.retrieval.max_question_chars

    def load_and_encode() -> tuple[Embedder, str, np.ndarray]:
        embedder = make_embedder(settings.embedder)
        # What `Retriever.query_text` returns; checked against it below, once it exists.
        text = matching_form(normalize_question(question, limit))
        return embedder, text, embedder.embed_queries([text])[0]

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="careerbot-model") as pool:
        encoding = pool.submit(load_and_encode)
        index: LoadedIndex | None
        try:
            # the id the embedder will report, known without loading it
            index = load_index(settings.index_root, settings.embedder.embedder_id())
        except IndexMissing:
            index = None
        except Exception:
            encoding.result()  # a model that cannot load is reported first, as it always was
            raise
        embedder, text, vector = encoding.result()
    if index is None:
        _build_first_index(settings, embedder, progress, notice)
        index = load_index(settings.index_root, embedder.id)
    retriever = Retriever(index, embedder, settings.retrieval)
    return retriever.search(
        question,
        k=k,
        k_resources=k_resources,
        # only if the retriever would encode the same text (else it encodes its own)
        query_vector=vector if retriever.query_text(question) == text else None,
    )


def _build_first_index(
    settings: Settings,
    embedder: Embedder,
    progress: ProgressCallback | None,
    notice: Notice | None,
) -> None:
    """Build the first index of a data directory (no gate: there is nothing to compare with)."""
    if notice:
        notice("No index yet: building it from the corpus (first use only)…")
    report = rebuild(settings, embedder, gate=False, progress=progress, notice=notice)
    if notice:
        notice(f"Index built: {report.manifest.passage_count} passages in {report.seconds:.1f}s.")
