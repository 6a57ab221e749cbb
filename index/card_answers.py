"""Answer cards on the query path: which card answers a question (threshold, agreement with
retrieval, rivals), the card's reply (its answer in the asker's language and script, the passages
it cites first) and the related card offered beside it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from index.cards import CardMatch, CardMatcher
from index.embedders import Embedder
from index.query import (
    ChineseScript,
    QuestionLanguage,
    in_script,
    join_chinese,
)
from index.records import CardRecord, PassageRecord
from index.results import SearchResult, _in_script
from index.search_config import RetrieverConfig
from index.store import LoadedIndex

# Cards looked at beyond the closest: one of them may quote the passage retrieval ranks first.
CARD_RIVALS = 5

if TYPE_CHECKING:
    from index.retriever import Retriever


def card_decision(
    ranked: Sequence[CardMatch], threshold: float, margin: float, top_passage_id: str | None
) -> CardMatch | None:
    """The card that answers: the closest at or above `threshold`, else the closest within
    `margin` below it whose quotes lie in `top_passage_id`; None when neither."""
    if not ranked:
        return None
    if ranked[0].score >= threshold:
        return ranked[0]
    if top_passage_id is None or margin <= 0:
        return None
    for match in ranked:
        if match.score < threshold - margin:
            break
        if any(source.passage_id == top_passage_id for source in match.card.sources):
            return match
    return None


class CardAnswering:
    """Card answering for `Retriever` (mixed in): it needs the index, the card matcher, the
    configuration and the retriever's own search."""

    index: LoadedIndex
    cards: CardMatcher
    config: RetrieverConfig
    embedder: Embedder

    def match_card(
        self,
        query_vector: np.ndarray,
        matching: str,
        language: str,
        top_passage: int | None = None,
    ) -> CardMatch | None:
        """The card that answers the question (in matching form): the closest when it reaches
        the threshold, else the closest within `card_agreement_margin` below it that quotes
        the passage retrieval ranks first (`top_passage`, a position), if any."""
        config = self.config
        ranked = self.cards.ranked(query_vector, matching, config.card_lexical_weight, CARD_RIVALS)
        return card_decision(
            ranked,
            config.card_threshold(language),
            config.card_agreement_margin,
            self.index.passages[top_passage].id if top_passage is not None else None,
        )

    def card_evidence(
        self, question: str, lexical_weight: float
    ) -> tuple[list[CardMatch], str | None]:
        """The closest cards whatever their scores, and the passage retrieval alone ranks
        first (for fitting the card thresholds)."""
        matching = self.query_text(question)
        vector = self.embedder.embed_queries([matching])[0]
        ranked = self.cards.ranked(vector, matching, lexical_weight, CARD_RIVALS)
        if self._without_cards is None:  # one for the whole calibration
            alone = {"card_threshold_zh": 9.0, "card_threshold_en": 9.0}
            self._without_cards = Retriever(
                self.index, self.embedder, self.config.model_copy(update=alone)
            )
        result = self._without_cards.search(question, apply_threshold=False, query_vector=vector)
        return ranked, result.passages[0].id if result.passages else None

    def card_answer(
        self,
        card_id: str,
        reply_language: QuestionLanguage = "en",
        script: ChineseScript = "simplified",
    ) -> SearchResult | None:
        """The answer of one card on its own (a related question a member picked), in the reply
        language and script; None when the index holds no such card."""
        card = self.cards.by_id(card_id)
        if card is None:
            return None
        question = card.question(reply_language)
        match = CardMatch(card=card, phrasing=question, score=1.0, dense=1.0)
        cited = self._cited_first(card, 1.0, [])
        named = self._card_resources_first(card, 1.0, [])
        passages = [self._passage_hit(i, score, reply_language) for i, score in cited]
        resources = [self._resource_hit(i, score, reply_language) for i, score in named]
        script = script if reply_language == "zh" else "simplified"
        if script == "traditional":
            passages = [_in_script(hit, script) for hit in passages]
            resources = [_in_script(hit, script) for hit in resources]
        return SearchResult(
            question,
            reply_language,
            passages,
            resources,
            True,
            1.0,
            in_script(card.answer(reply_language), script),
            lead_original=join_chinese(" ".join(source.quote for source in card.sources)),
            lead_passage_id=next((s.passage_id for s in card.sources if s.passage_id), None),
            reply_language=reply_language,
            card=match,
            script=script,
        )

    def card_cites(self, card: CardRecord) -> list[PassageRecord]:
        """The passages a card's quotes lie in."""
        positions = [self._passage_position.get(s.passage_id or "") for s in card.sources]
        return [self.index.passages[p] for p in positions if p is not None]

    def _related(self, match: CardMatch | None, language: str) -> CardRecord | None:
        """The runner-up card when it is nearly as close as the card that answered."""
        if match is None or match.runner_up is None:
            return None
        close = match.score - match.runner_up_score <= self.config.card_related_margin
        if close and match.runner_up_score >= self.config.card_threshold(language):
            return match.runner_up
        return None

    def _cited_first(
        self, card: CardRecord, score: float, best: list[tuple[int, float]]
    ) -> list[tuple[int, float]]:
        """The card's cited passages (scored as the card), then the ranked ones not cited."""
        cited = []
        for source in card.sources:
            position = self._passage_position.get(source.passage_id or "")
            if position is not None and position not in cited:
                cited.append(position)
        rest = [(position, s) for position, s in best if position not in cited]
        return [(position, score) for position in cited] + rest

    def _card_resources_first(
        self, card: CardRecord, score: float, best: list[tuple[int, float]]
    ) -> list[tuple[int, float]]:
        """The card's resources first, then the ranked ones (the caller cuts the list)."""
        named = [self._resource_position[r] for r in card.resources if r in self._resource_position]
        rest = [(position, s) for position, s in best if position not in named]
        return [(position, score) for position in named] + rest
