"""`Retriever.search`: dense (embedder + FAISS) and lexical (BM25) search fused, with a threshold."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.card_answers import CardAnswering
from index.cards import CardMatcher
from index.embedders import Embedder
from index.fusion import Candidates
from index.lead import LEAD_PASSAGES, LeadSelection, _Lead
from index.lexical import GlossaryExpander, LexicalIndex
from index.query import (
    QuestionLanguage,
    chinese_script,
    detect_language,
    in_script,
    join_chinese,
    matching_form,
    normalize_question,
)
from index.refusal import Decision, decide
from index.refusal_features import RefusalFeaturing
from index.results import Hit, SearchResult, _in_script
from index.search_config import RetrieverConfig
from index.store import LoadedIndex, load_index


class Retriever(LeadSelection, CardAnswering, RefusalFeaturing):
    """Searches one loaded index with one embedder. Not thread-safe: give it one worker."""

    def __init__(
        self, index: LoadedIndex, embedder: Embedder, config: RetrieverConfig | None = None
    ):
        self.index = index
        self.embedder = embedder
        self.config = config or RetrieverConfig()
        self._expander = GlossaryExpander(index.glossary)
        self._resource_mentions = [set(r.mentioned_in) for r in index.resources]
        # Vector and BM25 rows are search units: a passage in one of its languages.
        self._unit_passage = np.array([p for p, _ in index.units], dtype=np.int64)
        self._unit_of = {unit: row for row, unit in enumerate(index.units)}
        # Sentence rows of each unit: spans are written unit by unit, so contiguous.
        self._sentence_rows: dict[int, tuple[int, int]] = {}
        for row, (unit, _, _) in enumerate(index.sentence_spans):
            first, _ = self._sentence_rows.get(unit, (row, row))
            self._sentence_rows[unit] = (first, row + 1)
        self._unit_tokens: dict[int, set[str]] = {}
        # per unit, whether each of its sentences may lead; per translated sentence, whether
        # the original sentences it renders may: filled as searches meet them (the regular
        # expressions ran ~150 times per search, 40% of its time)
        self._lead_flags: dict[int, list[int]] = {}
        self._other_leads: dict[tuple[int, str, int, str], bool] = {}
        self._unseen_idf = float(self._idf(["\0never-a-token"])[0])
        self.cards = CardMatcher(index.cards, index.card_vectors, index.card_postings)
        self._without_cards: Retriever | None = None  # retrieval alone, for card calibration
        self._passage_position = {record.id: i for i, record in enumerate(index.passages)}
        self._resource_position = {record.id: i for i, record in enumerate(index.resources)}

    @classmethod
    def open(
        cls, index_root: Path, embedder: Embedder, config: RetrieverConfig | None = None
    ) -> Retriever:
        """Load the served index (refusing one that does not match `embedder`)."""
        return cls(load_index(index_root, embedder.id), embedder, config)

    def search(
        self,
        question: str,
        k: int | None = None,
        k_resources: int | None = None,
        *,
        apply_threshold: bool = True,
        reply_language: QuestionLanguage | None = None,
        query_vector: np.ndarray | None = None,
    ) -> SearchResult:
        """Rank passages and resources for `question` (InvalidQuestion for unusable input).

        Passages are shown in `reply_language` (default: the question's) where a translation
        exists, in Traditional characters for a question written in them. `query_vector` is the
        question's vector when the caller encoded it already (`encode_queries` of `query_text`,
        in a batch).

        An answer card close enough (`match_card`) answers whatever the refusal model says: its
        answer is the lead and the passages it quotes come first. Otherwise, when the refusal
        model (index.refusal) finds no good answer the result is marked unanswered, says why,
        and carries no passages, unless `apply_threshold` is False (evaluation looks at the
        ranking either way).
        """
        config = self.config
        k = config.k if k is None else k
        k_resources = config.k_resources if k_resources is None else k_resources
        text = normalize_question(question, config.max_question_chars)
        matching = matching_form(text)  # Traditional Chinese matched as Simplified
        language = detect_language(matching)
        shown_language = reply_language or language
        if query_vector is None:
            query_vector = self.embedder.embed_queries([matching])[0]

        question_tokens, tokens, weight = self._lexical_query(matching, language)
        unit_candidates = self.candidates(
            query_vector, self.index.passage_index, self.index.passage_lexical, tokens, weight
        )
        passage_candidates = unit_candidates.by_owner(self._unit_passage)
        passage_best = passage_candidates.best(max(k, LEAD_PASSAGES))
        features = self._features(passage_candidates, passage_best, question_tokens)
        decision = (
            decide(config.refusal.for_language(language), features)
            if passage_best
            else Decision(False, 0.0, "the index has no passages")
        )
        top = passage_best[0][0] if passage_best else None
        card = self.match_card(query_vector, matching, language, top)
        if card is not None:
            decision = Decision(True, decision.probability, None)
            passage_best = self._cited_first(card.card, card.score, passage_best)
        answered = decision.answered

        resource_candidates = self.candidates(
            query_vector, self.index.resource_index, self.index.resource_lexical, tokens, weight
        )
        if answered and config.resource_article_boost:
            top_articles = {self.index.passages[i].article_id for i, _ in passage_best[:3]}
            boost = np.array(
                [bool(mentions & top_articles) for mentions in self._resource_mentions], dtype=float
            )
            resource_candidates = resource_candidates.boosted(config.resource_article_boost * boost)
        resource_best = resource_candidates.best(k_resources)
        if card is not None:
            resource_best = self._card_resources_first(card.card, card.score, resource_best)
            resource_best = resource_best[:k_resources]
        if not answered and apply_threshold:
            # Refused: a resource is listed only when it is close to the question on its own.
            floor = (
                config.min_resource_relevance_zh
                if language == "zh"
                else config.min_resource_relevance_en
            )
            dense_of = dict(
                zip(
                    resource_candidates.ids.tolist(),
                    resource_candidates.dense.tolist(),
                    strict=True,
                )
            )
            resource_best = [(i, s) for i, s in resource_best if dense_of.get(i, -1.0) >= floor]

        passages = (
            [self._passage_hit(i, score, shown_language) for i, score in passage_best[:k]]
            if answered or not apply_threshold
            else []
        )
        resources = [self._resource_hit(i, score, shown_language) for i, score in resource_best]
        lead = None
        if card is not None:
            cited = [s.passage_id for s in card.card.sources if s.passage_id is not None]
            lead = _Lead(
                passage_id=cited[0] if cited else None,
                original=join_chinese(" ".join(source.quote for source in card.card.sources)),
                shown=card.card.answer(shown_language),
            )
        elif (answered or not apply_threshold) and passage_best:
            lead = self._lead(query_vector, passage_best[:LEAD_PASSAGES], shown_language)
        script = chinese_script(text) if shown_language == "zh" else "simplified"
        if script == "traditional":
            in_script("预", script)  # loads the converter here, not where the reply is rendered
            passages = [_in_script(hit, script) for hit in passages]
            resources = [_in_script(hit, script) for hit in resources]
        lead_shown = None
        if lead is not None:
            lead_shown = in_script(join_chinese(lead.shown), script)
        return SearchResult(
            text,
            language,
            passages,
            resources,
            answered,
            round(decision.probability, 4),
            lead_shown,
            lead_original=lead.original if lead else None,
            lead_passage_id=lead.passage_id if lead else None,
            reply_language=shown_language,
            reason=decision.reason,
            dense=passage_candidates.relevance,
            query_vector=query_vector,
            card=card,
            related_card=self._related(card, language),
            script=script,
        )

    def query_text(self, question: str) -> str:
        """The text `search` encodes for `question` (InvalidQuestion for unusable input)."""
        return matching_form(normalize_question(question, self.config.max_question_chars))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Query vectors of `query_text` results, encoded in one batch."""
        return self.embedder.embed_queries(texts)

    def embed_questions(self, questions: Sequence[str]) -> np.ndarray:
        """Query vectors of `questions` as `search` computes them (for pin questions).

        InvalidQuestion if one of them cannot be searched."""
        texts = [
            matching_form(normalize_question(q, self.config.max_question_chars)) for q in questions
        ]
        return self.embedder.embed_queries(texts)

    def candidates(
        self,
        query_vector: np.ndarray,
        vectors: Any,
        lexical: LexicalIndex,
        tokens: list[str],
        weight: float,
    ) -> Candidates:
        """The FAISS top `candidate_pool` plus the BM25 top `candidate_pool` of one index, each
        with its cosine and its fused score (cosine + weight x BM25 / the corpus's best BM25)."""
        return Candidates.fuse(
            query_vector, vectors, lexical, tokens, weight, self.config.candidate_pool
        )

    def _passage_hit(self, position: int, score: float, shown_language: str) -> Hit:
        record = self.index.passages[position]
        shown = record.shown_language(shown_language)
        translation = record.translation(shown)
        return Hit(
            kind="passage",
            id=record.id,
            score=score,
            title=record.title,
            text=record.text,
            url=record.url,
            source=record.article_id,
            heading_path=record.heading_path,
            language=record.language,
            language_shown=shown,
            title_shown=translation.title if translation else None,
            heading_path_shown=translation.heading_path if translation else (),
            text_shown=translation.text if translation else None,
            start=record.start,
            end=record.end,
        )

    def _resource_hit(self, position: int, score: float, language: QuestionLanguage) -> Hit:
        record = self.index.resources[position]
        return Hit(
            kind="resource",
            id=record.id,
            score=score,
            title=record.name,
            text=record.description(language),
            url=record.url,
            source=record.id,
            resource_kind=record.kind,
            provider=record.provider,
            level=record.level,
            cost=record.cost,
            topics=record.topics,
        )
