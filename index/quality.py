"""What the quality gate measured: a typed report shared by the gate (which makes it), the
build (which returns it), a refusal (which carries it) and the front ends (which show it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class QuestionChange:
    """A labelled question whose right passage moved down (rank None: out of the top 10)."""

    question_id: str
    question: str
    served_rank: int | None
    new_rank: int | None


@dataclass(frozen=True)
class GateReport:
    """MRR@10 of the new generation and of the served one, and the questions that got worse."""

    new_mrr: float
    served_mrr: float | None  # None when nothing comparable is served (first build, new model)
    max_drop: float
    worse: list[QuestionChange]
    better: int  # questions whose right passage moved up
    # share of the unanswerable questions that got an answer (None: the set has none)
    new_unanswerable_answered: float | None = None
    served_unanswerable_answered: float | None = None
    max_unanswerable_rise: float = 1.0

    @property
    def drop(self) -> float:
        """How much MRR@10 fell (negative when it rose); 0 without a served generation."""
        return 0.0 if self.served_mrr is None else self.served_mrr - self.new_mrr

    @property
    def unanswerable_rise(self) -> float:
        """How much the share of answered unanswerable questions rose (0 without a served one)."""
        if self.served_unanswerable_answered is None or self.new_unanswerable_answered is None:
            return 0.0
        return self.new_unanswerable_answered - self.served_unanswerable_answered

    @property
    def passed(self) -> bool:
        return (
            self.drop <= self.max_drop + 1e-9
            and self.unanswerable_rise <= self.max_unanswerable_rise + 1e-9
        )

    def to_json(self) -> dict[str, Any]:
        """What `careerbot index status` shows of a generation's quality."""

        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "mrr": round(self.new_mrr, 4),
            "served_mrr": rounded(self.served_mrr),
            "unanswerable_answered": rounded(self.new_unanswerable_answered),
            "served_unanswerable_answered": rounded(self.served_unanswerable_answered),
            "worse": [vars(change) for change in self.worse],
            "better": self.better,
        }
