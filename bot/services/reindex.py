"""What the CLI and the Discord bot both do with the index: open the retriever (building the
index on first use), rebuild behind the quality gate with progress, and roll back. No discord import: the
adapters (`bot/cli/`, `bot/discord/exts/admin/_cog.py`, `bot/discord/app.py`) call these and render the result.

The build code (`index.build`, the embedding cache, the evaluation) is imported by the functions
that build: answering from a built index never loads it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.services.corpus import load_configured_corpus
from index.embedders import Embedder, make_embedder
from index.manifest import IndexMissing
from index.retriever import Retriever

if TYPE_CHECKING:
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

    corpus = load_configured_corpus(settings)
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
    if notice:
        notice("No index yet: building it from the corpus (first use only)…")
    report = rebuild(settings, embedder, gate=False, progress=progress, notice=notice)
    if notice:
        notice(f"Index built: {report.manifest.passage_count} passages in {report.seconds:.1f}s.")
    return Retriever.open(settings.index_root, embedder, settings.retrieval)


def rollback(settings: Settings) -> str:
    """Serve the generation built before the current one (checked fully first); its name."""
    from index.generations import rollback as rollback_generation

    return rollback_generation(settings.index_root, settings.embedder.embedder_id())
