"""`Retriever.search`: dense (embedder + FAISS) and lexical (BM25) search fused, with a threshold."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from corpus.chunk import split_sentences
from corpus.schema import Cost, Level, ResourceKind
from index.cards import CardMatch, CardMatcher
from index.embedders import Embedder
from index.lexical import GlossaryExpander, LexicalIndex, tokenize
from index.query import (
    MAX_QUESTION_CHARS,
    ChineseScript,
    QuestionLanguage,
    chinese_script,
    detect_language,
    in_script,
    join_chinese,
    matching_form,
    normalize_question,
)
from index.records import CardRecord, PassageRecord
from index.refusal import Decision, RefusalFeatures, RefusalModel, decide
from index.store import LoadedIndex, load_index


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


@dataclass(frozen=True)
class Hit:
    """One search result: a passage of an article or a catalogue resource."""

    kind: Literal["passage", "resource"]
    id: str
    score: float
    title: str
    text: str
    url: str | None
    source: str  # the article id of a passage, the resource id of a resource
    heading_path: tuple[str, ...] = ()
    # Passages: the original's language, and what the member is shown (the translation in the
    # reply language when there is one, else the original).
    language: str | None = None
    language_shown: str | None = None
    title_shown: str | None = None
    heading_path_shown: tuple[str, ...] = ()
    text_shown: str | None = None
    # Passages: character offsets of the original text into the cleaned article.
    start: int | None = None
    end: int | None = None
    # Resources: what the catalogue says of the entry (corpus.schema.Resource).
    resource_kind: ResourceKind | None = None
    provider: str | None = None
    level: Level | None = None
    cost: Cost | None = None
    topics: tuple[str, ...] = ()

    @property
    def shown_text(self) -> str:
        """The text the member reads."""
        return self.text if self.text_shown is None else self.text_shown

    @property
    def shown_title(self) -> str:
        return self.title if self.title_shown is None else self.title_shown

    @property
    def shown_heading_path(self) -> tuple[str, ...]:
        return self.heading_path_shown or self.heading_path

    def to_json(self) -> dict[str, Any]:
        """The stable JSON form used by `careerbot search --json`."""
        data: dict[str, Any] = {
            "kind": self.kind,
            "id": self.id,
            "score": round(self.score, 4),
            "title": self.title,
            "text": self.text,
            "url": self.url,
            "source": self.source,
        }
        if self.kind == "passage":
            data["article_id"] = self.source
            data["heading_path"] = list(self.heading_path)
            data["language"] = self.language
            data["text_shown"] = self.shown_text
            data["language_shown"] = self.language_shown
            data["title_shown"] = self.shown_title
            data["heading_path_shown"] = list(self.shown_heading_path)
            data["start"] = self.start
            data["end"] = self.end
        else:
            data["resource_kind"] = self.resource_kind
            data["provider"] = self.provider
            data["level"] = self.level
            data["cost"] = self.cost
            data["topics"] = list(self.topics)
        return data


@dataclass(frozen=True)
class SearchResult:
    """Passages and resources for one question, and whether they are good enough to show."""

    question: str
    language: QuestionLanguage
    passages: list[Hit]
    resources: list[Hit]
    answered: bool  # False: nothing relevant enough; `passages` is then empty
    relevance: float  # the refusal model's probability that the corpus answers the question
    lead: str | None = None  # the sentence(s) that answer the question, as shown
    lead_original: str | None = None  # the lead's sentence(s) in the original passage
    lead_passage_id: str | None = None  # the passage the lead comes from
    reply_language: QuestionLanguage | None = None  # shown in this language (default: asked)
    reason: str | None = None  # why there is no good answer (None when answered)
    dense: float = -1.0  # cosine of the best passage
    # the answer card that answered (its answer is the lead, its passages come first)
    card: CardMatch | None = None
    related_card: CardRecord | None = None  # a second card nearly as close, offered
    script: ChineseScript = "simplified"  # Chinese shown in the asker's script
    # the question's vector, for matching it against moderators' pins (bot.curation)
    query_vector: np.ndarray | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.reply_language is None:
            object.__setattr__(self, "reply_language", self.language)

    @property
    def hits(self) -> list[Hit]:
        """Passages first, then resources."""
        return [*self.passages, *self.resources]

    def excerpt_anchor(self, hit: Hit) -> str | None:
        """The text a passage's excerpt must show, as shown: the card's quote lying in it (when
        the passage is shown in its original language), else the lead of a retrieved answer."""
        if self.card is not None:
            if hit.language_shown != hit.language:
                return None
            for source in self.card.card.sources:
                if source.passage_id == hit.id:
                    return in_script(source.quote, self.script)
            return None
        if hit.id != self.lead_passage_id or not self.lead:
            return None
        # the lead's first sentence: the lead as shown has Chinese joined across paragraphs,
        # its first sentence is as the passage writes it
        spans = split_sentences(self.lead)
        return self.lead[spans[0][0] : spans[0][1]] if spans else self.lead

    def lead_sources(self) -> list[dict[str, str]]:
        """What the lead rests on: a card's quotes with their article (for `search --json`)."""
        if self.card is None:
            return []
        return [
            {"article_id": s.article_id, "quote": s.quote, "passage_id": s.passage_id or ""}
            for s in self.card.card.sources
        ]


@dataclass(frozen=True)
class Candidates:
    """The items that may rank for one question: the vector index's top `candidate_pool` and
    BM25's top `candidate_pool`, with their scores. Everything else cannot rank, so nothing here
    costs more than the candidates (at a million passages, sorting them all took ~5 ms)."""

    ids: np.ndarray  # positions in the index, distinct
    dense: np.ndarray  # cosine to the question
    fused: np.ndarray  # dense + weight x BM25 / best BM25 of the corpus

    @classmethod
    def none(cls) -> Candidates:
        empty = np.zeros(0, dtype=np.float32)
        return cls(np.zeros(0, dtype=np.int64), empty, empty)

    @property
    def relevance(self) -> float:
        """The best cosine among the candidates, -1 when there are none."""
        return float(self.dense.max()) if self.dense.size else -1.0

    def best(self, k: int) -> list[tuple[int, float]]:
        """(position, fused score) of the `k` best, best first; ties go to the lower position."""
        order = np.lexsort((self.ids, -self.fused))[:k]
        return [(int(self.ids[i]), float(self.fused[i])) for i in order]

    def by_owner(self, owner: np.ndarray) -> Candidates:
        """One candidate per owner (`owner[position]`, a passage for each search unit): its
        best fused score and its best cosine over its units."""
        if not self.ids.size:
            return self
        owners = owner[self.ids]
        order = np.lexsort((self.ids, -self.fused))
        distinct, first = np.unique(owners[order], return_index=True)
        fused = self.fused[order][first]
        dense = np.full(distinct.size, -np.inf, dtype=np.float32)
        np.maximum.at(dense, np.searchsorted(distinct, owners), self.dense)
        return Candidates(distinct.astype(np.int64), dense, fused)

    def boosted(self, boost: np.ndarray) -> Candidates:
        """The same candidates with `boost[position]` added to their fused scores."""
        return Candidates(self.ids, self.dense, self.fused + boost[self.ids])


# The lead is the best sentence and its closer neighbour (by cosine to the question) when the
# two fit in this many characters: one sentence that echoes the question is often followed or
# preceded by the one that answers it (on the dev split the lead held a labelled answer for 31%
# of questions with one sentence, 44% with the neighbour).
LEAD_MAX_CHARS = {"zh": 200, "en": 500}
# The lead is looked for in the best few passages, the lower ranks paying a little per rank:
# the best sentence is not always in the best passage, but usually is.
LEAD_PASSAGES = 3
LEAD_RANK_PENALTY = 0.02
# Sentences that never make a lead: questions, quotation attributions ("— Chip Huyen",
# "他强调说:"), lead-ins that end in a colon, and headings kept as one-line paragraphs.
_QUESTION_END = re.compile(r"[?？][\"”’」』）)]*$|[吗呢][。]?$")
_ATTRIBUTION = re.compile(
    r"^\s*(?:[-–—―]+|by\s)|(?:说|道|表示|写道|指出)\s*[:：]|\b(?:said|says|wrote)\s*:", re.I
)
_LEAD_IN_END = re.compile(r"[:：—-]\s*$")


# Sentences that lean on the one before ("Besides, …", "Because …", "我的意思是…", "此外，…"):
# a lead never starts with one; it takes the sentence before with it, or another sentence.
_LEANS_ON_PREVIOUS = {
    "en": re.compile(
        r"^\W*(?:besides|also|however|but|and|so|because|that's why|this|these|that|those|it|"
        r"they|furthermore|moreover|in addition|additionally|therefore|thus|hence|then|"
        r"otherwise|instead|still|yet|plus|i mean|you decide|on the other hand|for example|"
        r"for instance|in other words|as a result|after all|again|even so|which|such)\b",
        re.I,
    ),
    "zh": re.compile(
        r"^\W*(?:此外|另外|而且|但是|但|不过|因为|所以|因此|我的意思是|这|那|它|他们|她们|同时|"
        r"然后|并且|于是|否则|相反|其次|最后|总之|换句话说|例如|比如|也就是说|再次|尤其是|"
        r"当然|可以说|原因|对此|其中|之后|后来|首先|然而|可是|同样|而是|毕竟|反之|另一方面)"
    ),
}
CANNOT_LEAD, MAY_LEAD, LEADS_WITH_PREVIOUS = 0, 1, 2


def _lead_candidate(sentence: str, language: str) -> int:
    """Whether a sentence may be (the start of) a lead: CANNOT_LEAD, MAY_LEAD, or
    LEADS_WITH_PREVIOUS (only together with the sentence before it)."""
    stripped = sentence.strip()
    if not stripped or _QUESTION_END.search(stripped) or _ATTRIBUTION.search(stripped):
        return CANNOT_LEAD
    if "?" in stripped or "？" in stripped:  # "…数学技能?这个问题很难量化。": a question inside
        return CANNOT_LEAD
    if _LEAD_IN_END.search(stripped):
        return CANNOT_LEAD
    leans = _LEANS_ON_PREVIOUS["zh" if language == "zh" else "en"]
    return LEADS_WITH_PREVIOUS if leans.search(stripped) else MAY_LEAD


class Retriever:
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

    def query_text(self, question: str) -> str:
        """The text `search` encodes for `question` (InvalidQuestion for unusable input)."""
        return matching_form(normalize_question(question, self.config.max_question_chars))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Query vectors of `query_text` results, encoded in one batch."""
        return self.embedder.embed_queries(texts)

    def features(self, question: str) -> RefusalFeatures:
        """The refusal model's inputs for `question` (for calibration)."""
        text = self.query_text(question)
        question_tokens, tokens, weight = self._lexical_query(text, detect_language(text))
        query_vector = self.embedder.embed_queries([text])[0]
        candidates = self.candidates(
            query_vector, self.index.passage_index, self.index.passage_lexical, tokens, weight
        ).by_owner(self._unit_passage)
        return self._features(candidates, candidates.best(LEAD_PASSAGES), question_tokens)

    def _lexical_query(self, text: str, language: str) -> tuple[list[str], list[str], float]:
        """The question's own tokens, the tokens BM25 searches (English questions also get
        the glossary's Chinese terms) and the BM25 share for the question's language."""
        question_tokens = tokenize(text)
        tokens = list(question_tokens)
        if language == "en" and self.config.glossary_expansion:
            tokens += tokenize(" ".join(self._expander.chinese_terms(text)))
        config = self.config
        weight = config.lexical_weight_zh if language == "zh" else config.lexical_weight_en
        return question_tokens, tokens, weight

    def _features(
        self,
        candidates: Candidates,
        best: list[tuple[int, float]],
        question_tokens: list[str],
    ) -> RefusalFeatures:
        dense_sorted = np.sort(candidates.dense)[::-1]
        dense = float(dense_sorted[0]) if dense_sorted.size else -1.0
        margin = float(dense_sorted[0] - dense_sorted[1]) if dense_sorted.size > 1 else 0.0
        distinct = sorted(set(question_tokens))
        coverage = unknown = 0.0
        if distinct:
            idf = self._idf(distinct)
            never_used = idf >= self._unseen_idf - 1e-9
            total = float(idf.sum())
            unknown = float(idf[never_used].sum()) / total
            if best:
                found = self._passage_tokens(best[0][0])
                covered = np.array([t in found for t in distinct])
                coverage = float(idf[covered].sum()) / total
        return RefusalFeatures(
            dense, margin, coverage, unknown, float(np.log1p(len(question_tokens)))
        )

    def _idf(self, tokens: list[str]) -> np.ndarray:
        # n counts passages while df counts search units (up to one per language of a
        # passage): the refusal models in the configuration were calibrated on these values,
        # and n = units would move every coverage and unknown feature under them.
        return self.index.passage_lexical.idf(tokens, documents=len(self.index.passages))

    def _passage_tokens(self, position: int) -> set[str]:
        """Tokens of a passage in all its languages (cached: the corpus is small per passage)."""
        if position not in self._unit_tokens:
            texts = [text for _, text in self.index.passages[position].texts()]
            self._unit_tokens[position] = set(tokenize(matching_form(" ".join(texts))))
        return self._unit_tokens[position]

    def embed_questions(self, questions: Sequence[str]) -> np.ndarray:
        """Query vectors of `questions` as `search` computes them (for pin questions).

        InvalidQuestion if one of them cannot be searched."""
        texts = [
            matching_form(normalize_question(q, self.config.max_question_chars)) for q in questions
        ]
        return self.embedder.embed_queries(texts)

    def _unit_sentences(self, unit: int) -> list[tuple[int, int, int]]:
        """(sentence row, start, end) of every sentence of a unit."""
        rows = self._sentence_rows.get(unit)
        if rows is None:
            return []
        first, last = rows
        return [(row, *self.index.sentence_spans[row][1:]) for row in range(first, last)]

    def _lead(
        self, query_vector: np.ndarray, best: list[tuple[int, float]], shown_language: str
    ) -> _Lead | None:
        """The sentence of the best passages closest to the question that can stand as an
        answer, with its closer neighbour when both fit, in the original and as shown."""
        chosen: tuple[float, int, str, int] | None = None  # (score, position, language, index)
        for rank, (position, _) in enumerate(best):
            record = self.index.passages[position]
            for language, text in record.texts():
                unit = self._unit_of.get((position, language))
                if unit is None:
                    continue
                sentences = self._unit_sentences(unit)
                if not sentences:
                    continue
                rows = [row for row, _, _ in sentences]
                scores = self.index.sentence_vectors[rows] @ query_vector
                flags = self._lead_flags_of(unit, text, language)
                limit = LEAD_MAX_CHARS["zh" if language == "zh" else "en"]
                for index in range(len(sentences)):
                    start = index  # where the lead would start
                    if flags[index] == LEADS_WITH_PREVIOUS:
                        # only with an antecedent that may lead itself, and short enough
                        start = index - 1
                        if (
                            index == 0
                            or flags[start] != MAY_LEAD
                            or sentences[index][2] - sentences[start][1] > limit
                        ):
                            continue
                    elif not flags[index]:
                        continue
                    # in every language it is shown or read in, the lead must start cleanly: a
                    # translation may smooth away a question mark or add a connective
                    if any(
                        other != language
                        and not self._starts_a_lead_in(record, position, language, start, other)
                        for other in {record.language, record.shown_language(shown_language)}
                    ):
                        continue
                    score = float(scores[index]) - LEAD_RANK_PENALTY * rank
                    if chosen is None or score > chosen[0]:
                        chosen = (score, position, language, index)
        if chosen is None:
            return None
        _, position, language, index = chosen
        record = self.index.passages[position]
        unit = self._unit_of[(position, language)]
        unit_sentences = self._unit_sentences(unit)
        flags = self._lead_flags_of(unit, record.text_in(language), language)
        indices = [index]
        neighbours = [
            i for i in (index - 1, index + 1) if 0 <= i < len(unit_sentences) and flags[i]
        ]
        if flags[index] == LEADS_WITH_PREVIOUS:
            indices, neighbours = [index - 1, index], []  # with its antecedent (checked above)
        else:  # a neighbour before the sentence must not lean on its own predecessor
            neighbours = [
                i for i in neighbours if i != index - 1 or flags[i] != LEADS_WITH_PREVIOUS
            ]
        if neighbours:
            rows = [unit_sentences[i][0] for i in neighbours]
            closer = neighbours[int(np.argmax(self.index.sentence_vectors[rows] @ query_vector))]
            span = max(unit_sentences[index][2], unit_sentences[closer][2]) - min(
                unit_sentences[index][1], unit_sentences[closer][1]
            )
            if span <= LEAD_MAX_CHARS["zh" if language == "zh" else "en"]:
                indices = sorted([index, closer])
        shown_lang = record.shown_language(shown_language)
        original_indices = self._map_sentences(record, language, record.language, indices)
        shown_indices = self._map_sentences(record, language, shown_lang, indices)
        return _Lead(
            passage_id=record.id,
            original=self._sentence_text(record, record.language, original_indices),
            shown=self._sentence_text(record, shown_lang, shown_indices),
        )

    def _lead_flags_of(self, unit: int, text: str, language: str) -> list[int]:
        """Whether each sentence of `unit` (whose text is `text`) may be (the start of) a lead."""
        flags = self._lead_flags.get(unit)
        if flags is None:
            flags = [
                _lead_candidate(text[start:end], language)
                for _, start, end in self._unit_sentences(unit)
            ]
            self._lead_flags[unit] = flags
        return flags

    def _starts_a_lead_in(
        self, record: PassageRecord, position: int, language: str, index: int, other: str
    ) -> bool:
        """Whether the sentences of language `other` that sentence `index` (of `language`)
        renders may start a lead too: the first on its own, none a question or attribution."""
        key = (position, language, index, other)
        known = self._other_leads.get(key)
        if known is not None:
            return known
        indices = self._map_sentences(record, language, other, [index])
        unit = self._unit_of.get((position, other))
        flags = self._lead_flags_of(unit, record.text_in(other), other) if unit is not None else []
        known_flags = [flags[i] for i in indices if i < len(flags)]
        may_lead = bool(known_flags) and known_flags[0] == MAY_LEAD and all(known_flags)
        self._other_leads[key] = may_lead
        return may_lead

    @staticmethod
    def _map_sentences(
        record: PassageRecord, source: str, target: str, indices: list[int]
    ) -> list[int]:
        """Sentence indices of language `source` mapped to language `target` of a passage,
        through the original (translations are aligned with the original, not each other)."""
        if source == target:
            return indices
        original_language = record.language
        groups_of = {t.language: t.sentence_groups for t in record.translations}

        def across(language: str, wanted: list[int], *, to_original: bool) -> list[int]:
            """Through the sentence groups of `language`, to or from the original."""
            if language == original_language:
                return wanted
            found: list[int] = []
            for original, translated in groups_of.get(language, ()):
                here, there = (translated, original) if to_original else (original, translated)
                if any(here[0] <= i < here[1] for i in wanted):
                    found.extend(range(there[0], there[1]))
            return found

        in_original = across(source, indices, to_original=True)
        return sorted(set(across(target, in_original, to_original=False)))

    def _sentence_text(self, record: PassageRecord, language: str, indices: list[int]) -> str:
        text = record.text_in(language)
        spans = split_sentences(text)
        if not indices or not spans:
            return text
        first = spans[min(indices)][0]
        last = spans[min(max(indices), len(spans) - 1)][1]
        return text[first:last]

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
        total = vectors.ntotal
        if total == 0:
            return Candidates.none()
        pool = min(total, self.config.candidate_pool)
        scores, ids = vectors.search(query_vector.reshape(1, -1), pool)
        # an approximate index may find fewer than `pool`: the rest of `ids` is -1
        found = ids[0] >= 0
        ids, dense = ids[0][found].astype(np.int64), scores[0][found]
        if weight <= 0 or not tokens:
            return Candidates(ids, dense, dense)
        lexical_scores = lexical.scores(tokens)
        lexical_top = np.argpartition(-lexical_scores, pool - 1)[:pool]
        lexical_top = lexical_top[lexical_scores[lexical_top] > 0]
        if not lexical_top.size:
            return Candidates(ids, dense, dense)
        best_lexical = float(lexical_scores[lexical_top].max())  # the corpus's best: it is a top
        unseen = np.setdiff1d(lexical_top, ids, assume_unique=True)
        if unseen.size:
            unseen_dense = vectors.reconstruct_batch(unseen.astype(np.int64)) @ query_vector
            ids = np.concatenate([ids, unseen.astype(np.int64)])
            dense = np.concatenate([dense, unseen_dense.astype(np.float32)])
        fused = dense + weight * (lexical_scores[ids] / best_lexical)
        return Candidates(ids, dense, fused)

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


# Cards looked at beyond the closest: one of them may quote the passage retrieval ranks first.
CARD_RIVALS = 5


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


def _in_script(hit: Hit, script: ChineseScript) -> Hit:
    """A hit whose Chinese text, as shown, is in `script` (its original text is kept)."""
    if hit.kind == "resource":
        return replace(hit, text=in_script(hit.text, script))
    if hit.language_shown != "zh":
        return hit
    return replace(
        hit,
        title_shown=in_script(hit.shown_title, script),
        heading_path_shown=tuple(in_script(h, script) for h in hit.shown_heading_path),
        text_shown=in_script(hit.shown_text, script),
    )


@dataclass(frozen=True)
class _Lead:
    passage_id: str | None
    original: str
    shown: str
