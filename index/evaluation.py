"""Retrieval quality on a labelled question set: MRR@10, hit@k per language, resource hit@5."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from corpus.schema import LabelledQuestion
from index.retriever import Hit, SearchResult

EVAL_K = 10  # passages ranked per question (MRR@10)
RESOURCE_K = 5  # resources looked at per question (resource hit@5)
_SPACE = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _SPACE.sub("", text)


def passage_matches(hit: Hit, question: LabelledQuestion) -> bool:
    """A passage is right if it comes from a labelled article and contains the labelled text."""
    return any(
        hit.source == label.article and _squash(label.contains) in _squash(hit.text)
        for label in question.expected_passages
    )


@dataclass(frozen=True)
class QuestionOutcome:
    """How one question fared."""

    question: LabelledQuestion
    rank: int | None  # 1-based rank of the first right passage within EVAL_K, None if absent
    resource_hit: bool | None  # None when the question expects no resource
    answered: bool  # above the relevance threshold
    relevance: float
    top_passage: Hit | None


@dataclass
class LanguageReport:
    """Figures for one language (or all)."""

    questions: int = 0
    mrr: float = 0.0
    hit_at: dict[int, float] = field(default_factory=dict)
    resource_questions: int = 0
    resource_hit_at_5: float = 0.0
    unanswerable: int = 0
    correctly_refused: int = 0
    wrongly_refused: int = 0


def _report(outcomes: Sequence[QuestionOutcome]) -> LanguageReport:
    answerable = [o for o in outcomes if not o.question.unanswerable]
    report = LanguageReport(questions=len(answerable))
    if answerable:
        report.mrr = sum(1 / o.rank for o in answerable if o.rank) / len(answerable)
        report.hit_at = {
            k: sum(1 for o in answerable if o.rank and o.rank <= k) / len(answerable)
            for k in (1, 3, 5)
        }
        report.wrongly_refused = sum(1 for o in answerable if not o.answered)
    with_resources = [o for o in outcomes if o.resource_hit is not None]
    report.resource_questions = len(with_resources)
    if with_resources:
        report.resource_hit_at_5 = sum(1 for o in with_resources if o.resource_hit) / len(
            with_resources
        )
    unanswerable = [o for o in outcomes if o.question.unanswerable]
    report.unanswerable = len(unanswerable)
    report.correctly_refused = sum(1 for o in unanswerable if not o.answered)
    return report


@dataclass(frozen=True)
class EvalReport:
    """Per-question outcomes and the figures by language."""

    outcomes: list[QuestionOutcome]
    by_language: dict[str, LanguageReport]


def evaluate(
    questions: Sequence[LabelledQuestion],
    search: Callable[[str], SearchResult],
) -> EvalReport:
    """Run every question through `search` (which must rank EVAL_K passages and RESOURCE_K
    resources without applying the threshold) and score the rankings."""
    outcomes = []
    for question in questions:
        result = search(question.question)
        rank = next(
            (
                i
                for i, hit in enumerate(result.passages[:EVAL_K], 1)
                if passage_matches(hit, question)
            ),
            None,
        )
        resource_hit = None
        if question.expected_resources:
            found = {hit.id for hit in result.resources[:RESOURCE_K]}
            resource_hit = bool(found & set(question.expected_resources))
        outcomes.append(
            QuestionOutcome(
                question=question,
                rank=rank,
                resource_hit=resource_hit,
                answered=result.answered,
                relevance=result.relevance,
                top_passage=result.passages[0] if result.passages else None,
            )
        )
    by_language = {
        language: _report([o for o in outcomes if o.question.language == language])
        for language in sorted({q.language for q in questions})
    }
    by_language["all"] = _report(outcomes)
    return EvalReport(outcomes, by_language)
