"""Questions grouped by meaning, so that one new article or pin can answer a whole group."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.query import detect_language

# Looser than a pin match (tests/index/test_pins.py): a group is a topic to write about, not a
# single question. Across languages e5 cosines run lower for the same meaning.
GROUP_SAME_LANGUAGE = 0.90
GROUP_CROSS_LANGUAGE = 0.86


@dataclass(frozen=True)
class QuestionGroup:
    """Questions close in meaning: the most asked first, with how often each was asked."""

    questions: list[tuple[str, int]]

    @property
    def total(self) -> int:
        """How many times a question of this group was asked."""
        return sum(count for _, count in self.questions)


def group_questions(
    asked: Sequence[str],
    vectors: np.ndarray,
    same_language: float = GROUP_SAME_LANGUAGE,
    cross_language: float = GROUP_CROSS_LANGUAGE,
) -> list[QuestionGroup]:
    """Group `asked` (repeats allowed; `vectors` one normalised row per distinct question in
    first-seen order) around their most asked question; biggest groups first.

    Each question joins the group whose leading question is closest, if close enough, else
    leads a new group; leaders are taken most asked first, so groups are stable and explainable.
    """
    counts = Counter(asked)
    distinct = list(dict.fromkeys(asked))
    if len(distinct) != len(vectors):
        raise ValueError(f"{len(distinct)} distinct questions but {len(vectors)} vectors")
    row_of = {question: row for row, question in enumerate(distinct)}
    languages = {question: detect_language(question) for question in distinct}
    order = sorted(distinct, key=lambda question: (-counts[question], row_of[question]))
    leaders: list[str] = []
    members: dict[str, list[str]] = {}
    for question in order:
        best, best_score = None, -np.inf
        for leader in leaders:
            score = float(vectors[row_of[question]] @ vectors[row_of[leader]])
            floor = same_language if languages[leader] == languages[question] else cross_language
            if score >= floor and score > best_score:
                best, best_score = leader, score
        if best is None:
            leaders.append(question)
            members[question] = [question]
        else:
            members[best].append(question)
    groups = [
        QuestionGroup([(question, counts[question]) for question in members[leader]])
        for leader in leaders
    ]
    return sorted(groups, key=lambda group: -group.total)
