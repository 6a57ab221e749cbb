"""The query path's tunables (`RetrieverConfig`), each with the measurement that set it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from index.query import (
    MAX_QUESTION_CHARS,
)
from index.refusal import RefusalModel


class RetrieverConfig(BaseModel):
    """Tunables of the search. Defaults were chosen on the shipped question set (`careerbot eval`)."""

    model_config = ConfigDict(extra="forbid")

    k: int = Field(5, ge=1, le=50, description="passages returned")
    k_resources: int = Field(3, ge=0, le=50, description="resources returned")
    # "No good answer" is decided by a small logistic model per language over the dense score,
    # the margin to the next passage, the words shared with the best passage and the question's
    # length (index.refusal), fitted on the dev split; another embedder needs its own fit.
    refusal: RefusalModel = Field(default_factory=RefusalModel)
    # A refused question still gets resources, but only ones close to it on their own: set just
    # above the closest resource of every unanswerable dev question (zh 0.879, en 0.846); the
    # dev questions that ask for a resource reach theirs at 0.881-0.901 (zh), 0.803-0.882 (en).
    min_resource_relevance_zh: float = Field(
        0.88, description="resource cosine a refused Chinese question needs to list a resource"
    )
    min_resource_relevance_en: float = Field(
        0.85, description="resource cosine a refused English question needs to list a resource"
    )
    # English questions meet Chinese text: the glossary-expanded BM25 carries them (dense alone
    # MRR@10 0.34, fused 0.82), while for Chinese a light touch helps (0.70 -> 0.74) and more
    # hurts, because paraphrased questions share few bigrams with the answer.
    lexical_weight_zh: float = Field(0.02, ge=0, description="BM25 share for Chinese questions")
    lexical_weight_en: float = Field(0.2, ge=0, description="BM25 share for English questions")
    resource_article_boost: float = Field(
        0.02, ge=0, description="bonus for resources that the best passages' articles mention"
    )
    glossary_expansion: bool = Field(True, description="add Chinese glossary terms to English")
    candidate_pool: int = Field(100, ge=10, description="candidates taken from each search")
    # A pinned answer is served only for a close paraphrase of its question. Set on the
    # paraphrase and near-miss examples of tests/index/test_pins.py with the bundled model:
    # different questions sharing a phrase ("机器学习工程师…") reach 0.914 within a language,
    # paraphrases 0.925+; across languages paraphrases score 0.845-0.898, different questions
    # up to 0.850.
    pin_threshold_same_language: float = Field(
        0.92, description="cosine to a pin question in the asked question's language"
    )
    pin_threshold_cross_language: float = Field(
        0.86, description="cosine to a pin question in the other language"
    )
    # Answer cards (index.cards) answer before retrieval when a question is this close to a
    # card (the mean of its two best phrasings' scores, each the cosine + card_lexical_weight x
    # the IDF-weighted share of the question's tokens the phrasing has). Fitted on the dev
    # split by `careerbot eval --calibrate` (a wrong card costing two right ones), with
    # card_agreement_margin: there, 30 Chinese and 40 English questions are answered by a card
    # citing a labelled passage, 1 and 3 by another card (a card's best phrasing alone, without
    # the agreement rule: 26/2 and 28/4).
    card_threshold_zh: float = Field(0.9502, description="card score a Chinese question needs")
    card_threshold_en: float = Field(0.9104, description="card score an English question needs")
    card_lexical_weight: float = Field(0.03, ge=0, description="lexical share in a card score")
    # Below its threshold by at most this, a card still answers when its quote lies in the
    # passage retrieval ranks first: two independent signals agreeing (fitted on dev with the
    # thresholds).
    card_agreement_margin: float = Field(
        0.02, ge=0, description="how far below the threshold a card agreeing with retrieval may be"
    )
    # A second card this close to the first is offered as a related question.
    card_related_margin: float = Field(0.02, ge=0, description="score gap of a related card")
    max_question_chars: int = Field(MAX_QUESTION_CHARS, ge=10)

    def card_threshold(self, language: str) -> float:
        """The card score a question in `language` needs to be answered by a card."""
        return self.card_threshold_zh if language == "zh" else self.card_threshold_en
