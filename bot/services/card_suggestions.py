"""Closing the loop on answer cards: the questions members asked that nothing answered, and the
answers they voted 👎, grouped by meaning (index.grouping) into the cards a maintainer could
write next: QnA Maker's active learning, with a person deciding. No discord import: `careerbot
cards suggest` renders what this returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.grouping import group_questions
from index.query import detect_language

# An answer card in the ids an answer record and its votes keep (before the hit ids).
CARD_ID_PREFIX = "card:"


@dataclass(frozen=True)
class DownVote:
    """A 👎 on an answer: its question and the ids the answer showed (`card:<id>` first when
    a card answered)."""

    question: str
    hit_ids: Sequence[str]

    @property
    def card_id(self) -> str | None:
        """The card whose answer was voted down, if a card answered."""
        return next(
            (i.removeprefix(CARD_ID_PREFIX) for i in self.hit_ids if i.startswith(CARD_ID_PREFIX)),
            None,
        )


@dataclass(frozen=True)
class CardSuggestion:
    """One group of questions asking the same thing: a card to write (or to fix)."""

    questions: list[tuple[str, int]]  # distinct questions, most asked first, with counts
    unanswered: int  # times asked without an answer
    down_votes: int  # 👎 on answers to them
    down_voted_cards: list[str]  # the cards those 👎 were on

    @property
    def total(self) -> int:
        return self.unanswered + self.down_votes

    def skeleton(self) -> dict[str, object]:
        """A YAML-ready card to complete: the group's questions as its first phrasings."""
        by_language: dict[str, list[str]] = {"zh": [], "en": []}
        for question, _ in self.questions:
            by_language[detect_language(question)].append(question)
        return {
            "id": "todo-write-an-id",
            "questions": by_language,
            "answer": {"zh": "TODO", "en": "TODO"},
            "sources": [{"article": "TODO", "quote": "TODO: the sentence(s) quoted verbatim"}],
        }


def suggest_cards(
    unanswered: Sequence[str], down_votes: Sequence[DownVote], vectors: np.ndarray
) -> list[CardSuggestion]:
    """Group the unanswered questions and the 👎-voted answers' questions by meaning (`vectors`:
    one query vector per distinct question, unanswered first, in first-seen order), the
    groups asked most first."""
    asked = [*unanswered, *(vote.question for vote in down_votes)]
    suggestions = []
    for group in group_questions(asked, vectors):
        members = {question for question, _ in group.questions}
        votes = [vote for vote in down_votes if vote.question in members]
        cards = list(dict.fromkeys(v.card_id for v in votes if v.card_id is not None))
        suggestions.append(
            CardSuggestion(
                questions=group.questions,
                unanswered=group.total - len(votes),
                down_votes=len(votes),
                down_voted_cards=cards,
            )
        )
    return sorted(suggestions, key=lambda s: -s.total)


def distinct_questions(unanswered: Sequence[str], down_votes: Sequence[DownVote]) -> list[str]:
    """The distinct questions in the order `suggest_cards` wants their vectors."""
    return list(dict.fromkeys([*unanswered, *(vote.question for vote in down_votes)]))
