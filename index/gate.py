"""The quality gate: a new index generation is published only if it answers the labelled
questions about as well as the one being served."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import numpy as np

from corpus.schema import LabelledQuestion
from index.embedders import Embedder
from index.evaluation import EVAL_K, RESOURCE_K, EvalReport, evaluate
from index.manifest import PublishRefused
from index.quality import GateReport, QuestionChange
from index.retriever import Retriever
from index.search_config import RetrieverConfig
from index.store import LoadedIndex

QUALITY_FILE = "quality.json"  # written into the generation the gate passed


class _RememberedQueries:
    """An embedder that encodes each question once: the gate searches two generations with the
    same questions, and the encode is most of a search's time."""

    def __init__(self, embedder: Embedder):
        self._embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}
        self.id = embedder.id
        self.dim = embedder.dim

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        missing = [text for text in dict.fromkeys(texts) if text not in self._vectors]
        if missing:
            for text, vector in zip(missing, self._embedder.embed_queries(missing), strict=True):
                self._vectors[text] = vector
        return np.stack([self._vectors[text] for text in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embedder.embed_passages(texts)


def _rank_of(report: EvalReport) -> dict[str, int | None]:
    return {outcome.question.id: outcome.rank for outcome in report.outcomes}


def _mrr(report: EvalReport) -> float:
    return report.by_language["all"].mrr


def _unanswerable_answered(report: EvalReport) -> float | None:
    figures = report.by_language["all"]
    return figures.unanswerable_answered_share if figures.unanswerable else None


def _evaluate(
    loaded: LoadedIndex,
    embedder: Embedder,
    config: RetrieverConfig,
    questions: Sequence[LabelledQuestion],
) -> EvalReport:
    retriever = Retriever(loaded, embedder, config)
    return evaluate(
        questions,
        lambda q: retriever.search(q, k=EVAL_K, k_resources=RESOURCE_K, apply_threshold=False),
    )


def _got_worse(served: int | None, new: int | None) -> bool:
    if served is None:
        return False
    return new is None or new > served


def quality_gate(
    questions: Sequence[LabelledQuestion],
    embedder: Embedder,
    config: RetrieverConfig,
    max_mrr_drop: float,
    max_unanswerable_rise: float = 0.05,
) -> Callable[[LoadedIndex, LoadedIndex | None], GateReport]:
    """A gate for `build_index`: evaluates both generations on `questions` and raises
    PublishRefused (with the GateReport as details) if MRR@10 drops by more than
    `max_mrr_drop` or the share of unanswerable questions that get an answer rises by more
    than `max_unanswerable_rise`. A passing report is saved as quality.json in the new
    generation."""
    remembered = _RememberedQueries(embedder)

    def gate(candidate: LoadedIndex, served: LoadedIndex | None) -> GateReport:
        new_report = _evaluate(candidate, remembered, config, questions)
        served_report = (
            _evaluate(served, remembered, config, questions) if served is not None else None
        )
        new_ranks = _rank_of(new_report)
        served_ranks = _rank_of(served_report) if served_report else {}
        worse = [
            QuestionChange(q.id, q.question, served_ranks[q.id], new_ranks[q.id])
            for q in questions
            if not q.unanswerable
            and served_report is not None
            and _got_worse(served_ranks[q.id], new_ranks[q.id])
        ]
        better = sum(
            1
            for q in questions
            if served_report is not None
            and new_ranks[q.id] is not None
            and (served_ranks[q.id] is None or new_ranks[q.id] < served_ranks[q.id])
        )
        report = GateReport(
            new_mrr=_mrr(new_report),
            served_mrr=_mrr(served_report) if served_report else None,
            max_drop=max_mrr_drop,
            worse=worse,
            better=better,
            new_unanswerable_answered=_unanswerable_answered(new_report),
            served_unanswerable_answered=(
                _unanswerable_answered(served_report) if served_report else None
            ),
            max_unanswerable_rise=max_unanswerable_rise,
        )
        if not report.passed:
            reasons = []
            if report.drop > max_mrr_drop + 1e-9:
                reasons.append(
                    f"MRR@10 would drop from {report.served_mrr:.3f} to {report.new_mrr:.3f} "
                    f"(more than the allowed {max_mrr_drop:.3f}); {len(worse)} questions got worse"
                )
            if report.unanswerable_rise > max_unanswerable_rise + 1e-9:
                reasons.append(
                    f"unanswerable questions answered would rise from "
                    f"{report.served_unanswerable_answered:.1%} to "
                    f"{report.new_unanswerable_answered:.1%} (more than the allowed "
                    f"{max_unanswerable_rise:.1%})"
                )
            raise PublishRefused(
                f"quality gate: {'; '.join(reasons)}. The served index is unchanged; publish "
                "anyway with `careerbot index build --force`",
                details=report,
            )
        (candidate.directory / QUALITY_FILE).write_text(
            json.dumps(report.to_json(), ensure_ascii=False, indent=1), encoding="utf-8"
        )
        return report

    return gate
