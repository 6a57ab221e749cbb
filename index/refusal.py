"""The "no good answer" decision: a small logistic model per question language over what the
retriever knows, fitted on the `dev` split of the labelled questions (`careerbot eval
--calibrate`), explainable by the feature that pulled hardest towards refusing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from corpus.schema import LabelledQuestion

FEATURES = ("dense", "margin", "coverage", "unknown", "length")
# What a member is told (in `search --json` and logs) when a feature decided the refusal.
_REASONS = {
    "dense": "no passage is close in meaning to the question",
    "margin": "no passage stands out from the others",
    "coverage": "the passage found shares few of the question's words",
    "unknown": "the question is about things the corpus never mentions",
    "length": "too short to be a question",
}
# L2 penalty of the fit: with ~50 dev questions per language, it keeps the weights from
# chasing single questions.
RIDGE = 1.0


@dataclass(frozen=True)
class RefusalFeatures:
    """What the retriever knows about how well the best passage matches."""

    dense: float  # cosine of the best passage (any of its languages)
    margin: float  # cosine of the best passage minus the second best's
    coverage: float  # IDF-weighted share of the question's tokens in the best passage's texts
    unknown: float  # IDF-weighted share of the question's tokens that no passage uses
    length: float  # log(1 + number of question tokens)

    def vector(self) -> np.ndarray:
        return np.array(
            [self.dense, self.margin, self.coverage, self.unknown, self.length], dtype=np.float64
        )


class LanguageModel(BaseModel):
    """Logistic model of 'this question has an answer in the corpus' for one language.

    Features are standardised with `mean`/`scale` (from the fit) before the weights apply."""

    model_config = ConfigDict(extra="forbid")

    mean: list[float] = Field(min_length=5, max_length=5)
    scale: list[float] = Field(min_length=5, max_length=5)
    weights: list[float] = Field(min_length=5, max_length=5)
    bias: float
    threshold: float = Field(0.5, gt=0, lt=1, description="answer at or above this probability")

    def probability(self, features: RefusalFeatures) -> float:
        z = self._standardised(features) @ np.asarray(self.weights) + self.bias
        return 1.0 / (1.0 + math.exp(-float(z)))

    def reason(self, features: RefusalFeatures) -> str:
        """The feature that pulled the decision furthest towards refusing."""
        contributions = self._standardised(features) * np.asarray(self.weights)
        return _REASONS[FEATURES[int(np.argmin(contributions))]]

    def _standardised(self, features: RefusalFeatures) -> np.ndarray:
        return (features.vector() - np.asarray(self.mean)) / np.asarray(self.scale)


class RefusalModel(BaseModel):
    """One model per question language. The defaults were fitted on the dev split of
    `corpus/eval/questions.yaml` with the bundled embedder (`careerbot eval --calibrate`);
    another embedder or corpus needs its own fit."""

    model_config = ConfigDict(extra="forbid")

    zh: LanguageModel = LanguageModel(
        mean=[0.8853, 0.007, 0.1032, 0.736, 2.6589],
        scale=[0.0288, 0.0065, 0.1461, 0.1644, 0.8571],
        weights=[2.1568, -0.1167, -0.0461, -0.5655, 0.5389],
        bias=0.4277,
    )
    en: LanguageModel = LanguageModel(
        mean=[0.8549, 0.0078, 0.2593, 0.4588, 2.0779],
        scale=[0.0338, 0.0082, 0.2265, 0.2735, 0.7124],
        weights=[2.1788, 0.3987, 0.2437, -1.4495, 1.0336],
        bias=0.7478,
    )

    def for_language(self, language: str) -> LanguageModel:
        return self.zh if language == "zh" else self.en


@dataclass(frozen=True)
class Decision:
    """Whether to answer, how confident, and (for a refusal) why."""

    answered: bool
    probability: float
    reason: str | None


def decide(model: LanguageModel, features: RefusalFeatures) -> Decision:
    """Answer when the model's probability reaches its threshold; otherwise say why not."""
    probability = model.probability(features)
    answered = probability >= model.threshold
    return Decision(answered, probability, None if answered else model.reason(features))


def calibrate(
    questions: Sequence[LabelledQuestion], features_of: Callable[[str], RefusalFeatures]
) -> RefusalModel:
    """Fit one model per language on `questions` (give it the dev split only)."""
    fitted = {}
    for language in ("zh", "en"):
        chosen = [q for q in questions if q.language == language]
        if len({q.unanswerable for q in chosen}) < 2:
            raise ValueError(f"calibration needs answerable and unanswerable {language} questions")
        fitted[language] = fit_language_model(
            [features_of(q.question) for q in chosen], [not q.unanswerable for q in chosen]
        )
    return RefusalModel(**fitted)


def fit_language_model(
    features: Sequence[RefusalFeatures], answerable: Sequence[bool], iterations: int = 200
) -> LanguageModel:
    """Fit a ridge-penalised logistic regression (Newton's method) on labelled questions."""
    x = np.stack([f.vector() for f in features])
    y = np.asarray(answerable, dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    design = np.hstack([z, np.ones((len(z), 1))])
    beta = np.zeros(design.shape[1])
    penalty = np.diag([RIDGE] * z.shape[1] + [0.0])
    # Each class weighs as much as the other: answerable questions outnumber unanswerable ones
    # about three to one, and a wrong answer to chit-chat costs a member as much as a refusal.
    positives = max(1.0, float(y.sum()))
    negatives = max(1.0, float(len(y) - y.sum()))
    weight = np.where(y == 1, len(y) / (2 * positives), len(y) / (2 * negatives))
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-design @ beta))
        gradient = design.T @ (weight * (p - y)) + penalty @ beta
        hessian = design.T @ (design * (weight * p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-9:
            break

    def rounded(values: np.ndarray) -> list[float]:
        return [round(float(v), 4) for v in values]

    return LanguageModel(
        mean=rounded(mean),
        scale=rounded(scale),
        weights=rounded(beta[:-1]),
        bias=round(float(beta[-1]), 4),
    )
