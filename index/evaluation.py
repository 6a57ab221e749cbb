"""Retrieval and reply quality on a labelled question set, per language and per split: MRR@10,
hit@k, resource hit@5, refusals (wrong and right), whether the lead holds the answer, and the
share of shown passages in the asker's language."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from corpus.schema import LabelledQuestion
from index.card_answers import card_decision
from index.cards import CardMatch
from index.records import CardRecord, PassageRecord
from index.results import Hit, SearchResult

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


def card_cites_label(cited: Sequence[PassageRecord], question: LabelledQuestion) -> bool:
    """A card answer counts as right when one of its quotes lies in a passage holding a
    labelled fragment of a labelled article."""
    return any(
        passage.article_id == label.article and _squash(label.contains) in _squash(passage.text)
        for passage in cited
        for label in question.expected_passages
    )


def lead_holds_answer(lead_original: str | None, question: LabelledQuestion) -> bool:
    """The lead (in the original's words) contains one of the labelled fragments."""
    if not lead_original:
        return False
    lead = _squash(lead_original)
    return any(_squash(label.contains) in lead for label in question.expected_passages)


@dataclass(frozen=True)
class QuestionOutcome:
    """How one question fared."""

    question: LabelledQuestion
    rank: int | None  # 1-based rank of the first right passage within EVAL_K, None if absent
    resource_hit: bool | None  # None when the question expects no resource
    answered: bool  # the refusal model found a good answer
    relevance: float
    top_passage: Hit | None
    lead_holds_answer: bool = False
    shown_passages: int = 0  # passages that would be shown (k of them when answered)
    shown_in_language: int = 0  # ... of them shown in the asker's language
    reason: str | None = None
    card_id: str | None = None  # the answer card that answered, if one did


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
    unanswerable_answered: int = 0
    answered: int = 0  # answerable questions that were answered
    lead_holds_answer: int = 0  # ... whose lead holds the answer
    shown_passages: int = 0
    shown_in_language: int = 0
    by_card: int = 0  # questions (answerable or not) answered by an answer card

    @property
    def by_card_share(self) -> float:
        total = self.questions + self.unanswerable
        return self.by_card / total if total else 0.0

    @property
    def wrongly_refused_share(self) -> float:
        return self.wrongly_refused / self.questions if self.questions else 0.0

    @property
    def unanswerable_answered_share(self) -> float:
        return self.unanswerable_answered / self.unanswerable if self.unanswerable else 0.0

    @property
    def lead_share(self) -> float:
        return self.lead_holds_answer / self.answered if self.answered else 0.0

    @property
    def in_language_share(self) -> float:
        return self.shown_in_language / self.shown_passages if self.shown_passages else 0.0

    def to_json(self) -> dict[str, float | int | dict[int, float]]:
        """Counts and shares for `careerbot eval --json`."""
        data = dict(vars(self))
        data.update(
            wrongly_refused_share=round(self.wrongly_refused_share, 4),
            unanswerable_answered_share=round(self.unanswerable_answered_share, 4),
            lead_share=round(self.lead_share, 4),
            in_language_share=round(self.in_language_share, 4),
            by_card_share=round(self.by_card_share, 4),
        )
        return data


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
        report.answered = sum(1 for o in answerable if o.answered)
        report.lead_holds_answer = sum(1 for o in answerable if o.answered and o.lead_holds_answer)
        report.shown_passages = sum(o.shown_passages for o in answerable if o.answered)
        report.shown_in_language = sum(o.shown_in_language for o in answerable if o.answered)
    with_resources = [o for o in outcomes if o.resource_hit is not None]
    report.resource_questions = len(with_resources)
    if with_resources:
        report.resource_hit_at_5 = sum(1 for o in with_resources if o.resource_hit) / len(
            with_resources
        )
    unanswerable = [o for o in outcomes if o.question.unanswerable]
    report.unanswerable = len(unanswerable)
    report.correctly_refused = sum(1 for o in unanswerable if not o.answered)
    report.unanswerable_answered = report.unanswerable - report.correctly_refused
    report.by_card = sum(1 for o in outcomes if o.card_id is not None)
    return report


@dataclass(frozen=True)
class EvalReport:
    """Per-question outcomes and the figures by language, and by split then language."""

    outcomes: list[QuestionOutcome]
    by_language: dict[str, LanguageReport]
    by_split: dict[str, dict[str, LanguageReport]] = field(default_factory=dict)


SHOWN_K = 3  # passages a reply shows (the Discord embed and `careerbot ask`)


def evaluate(
    questions: Sequence[LabelledQuestion],
    search: Callable[[str], SearchResult],
) -> EvalReport:
    """Run every question through `search` (which must rank EVAL_K passages and RESOURCE_K
    resources without applying the threshold, i.e. still returning passages and a lead for
    refused questions) and score rankings, refusals, leads and languages."""
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
        shown = result.passages[:SHOWN_K]
        outcomes.append(
            QuestionOutcome(
                question=question,
                rank=rank,
                resource_hit=resource_hit,
                answered=result.answered,
                relevance=result.relevance,
                top_passage=result.passages[0] if result.passages else None,
                lead_holds_answer=lead_holds_answer(result.lead_original, question),
                shown_passages=len(shown),
                shown_in_language=sum(1 for h in shown if h.language_shown == question.language),
                reason=result.reason,
                card_id=result.card.card.id if result.card else None,
            )
        )
    by_split = {
        split: _by_language([o for o in outcomes if o.question.split == split])
        for split in sorted({q.split for q in questions})
    }
    return EvalReport(outcomes, _by_language(outcomes), by_split)


def _by_language(outcomes: Sequence[QuestionOutcome]) -> dict[str, LanguageReport]:
    reports = {
        language: _report([o for o in outcomes if o.question.language == language])
        for language in sorted({o.question.language for o in outcomes})
    }
    reports["all"] = _report(outcomes)
    return reports


def traditional_agreement(
    questions: Sequence[LabelledQuestion], search: Callable[[str], SearchResult]
) -> float | None:
    """Share of the answerable Chinese questions whose Traditional-character form (OpenCC
    s2t) gets the same top passage as the question as written; None without such questions."""
    import opencc

    to_traditional = opencc.OpenCC("s2t.json")
    chinese = [q for q in questions if q.language == "zh" and not q.unanswerable]
    if not chinese:
        return None
    same = 0
    for question in chinese:
        written = search(question.question)
        converted = search(to_traditional.convert(question.question))
        top = written.passages[0].id if written.passages else None
        same += top == (converted.passages[0].id if converted.passages else None)
    return same / len(chinese)


# A card that answers wrongly is a confident wrong first line, while the retrieval it displaces
# is often right: a wrong card answer costs this many right ones when fitting the thresholds.
CARD_WRONG_COST = 2.0
CARD_LEXICAL_WEIGHTS = (0.0, 0.03, 0.05, 0.08)
CARD_AGREEMENT_MARGINS = (0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06)

CardEvidence = tuple[list[CardMatch], str | None]  # closest cards, retrieval's top passage id


@dataclass(frozen=True)
class CardCalibration:
    """Card thresholds fitted on labelled questions, and what they do on those questions."""

    lexical_weight: float
    agreement_margin: float
    thresholds: dict[str, float]
    right: dict[str, int]  # answerable questions answered by a card citing a right passage
    wrong: dict[str, int]  # answered by a card that cites no right passage, or unanswerable


def calibrate_cards(
    questions: Sequence[LabelledQuestion],
    evidence: Callable[[str, float], CardEvidence],
    card_is_right: Callable[[CardRecord, LabelledQuestion], bool],
) -> CardCalibration:
    """The lexical weight and agreement margin (shared) and the per-language thresholds that
    maximise right card answers minus CARD_WRONG_COST x wrong ones, deciding as the retriever
    does (index.retriever.card_decision). `evidence(question, lexical_weight)`: the closest
    cards whatever their scores, and the passage retrieval alone ranks first."""
    best: tuple[float, int, CardCalibration] | None = None
    for weight in CARD_LEXICAL_WEIGHTS:
        seen = [(q, evidence(q.question, weight)) for q in questions]
        for margin in CARD_AGREEMENT_MARGINS:
            total, thresholds, right, wrong = 0.0, {}, {}, {}
            for language in ("zh", "en"):
                ours = [(q, e) for q, e in seen if q.language == language and e[0]]
                gain, threshold, counts = _best_threshold(ours, margin, card_is_right)
                total += gain
                thresholds[language], (right[language], wrong[language]) = threshold, counts
            fitted = CardCalibration(weight, margin, thresholds, right, wrong)
            wrong_answers = sum(wrong.values())
            # the highest gain; between equal gains, the fewest wrong answers
            if (
                best is None
                or total > best[0] + 1e-9
                or (abs(total - best[0]) <= 1e-9 and wrong_answers < best[1])
            ):
                best = (total, wrong_answers, fitted)
    if best is None:
        raise ValueError("no questions to calibrate the cards on")
    return best[2]


def _best_threshold(
    seen: Sequence[tuple[LabelledQuestion, CardEvidence]],
    margin: float,
    card_is_right: Callable[[CardRecord, LabelledQuestion], bool],
) -> tuple[float, float, tuple[int, int]]:
    """(gain, threshold, (right, wrong)) of the best threshold for one language: candidates
    sit halfway between consecutive closest-card scores; ties go to the higher threshold."""
    scores = sorted({ranked[0].score for _, (ranked, _) in seen}, reverse=True)
    candidates = [scores[0] + 0.001] if scores else [1.0]
    candidates += [(a + b) / 2 for a, b in itertools.pairwise(scores)]
    candidates = [round(c, 4) for c in candidates]  # as written to the configuration
    candidates += [scores[-1] - 0.001] if scores else []
    chosen = (0.0, candidates[0], (0, 0))
    for threshold in candidates:
        right = wrong = 0
        for question, (ranked, top) in seen:
            match = card_decision(ranked, threshold, margin, top)
            if match is None:
                continue
            if not question.unanswerable and card_is_right(match.card, question):
                right += 1
            else:
                wrong += 1
        gain = right - CARD_WRONG_COST * wrong
        if gain > chosen[0] + 1e-9:
            chosen = (gain, threshold, (right, wrong))
    return chosen
