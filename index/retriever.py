"""`Retriever.search`: dense (embedder + FAISS) and lexical (BM25) search fused, with a threshold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from index.embedders import Embedder
from index.lexical import GlossaryExpander, LexicalIndex, tokenize
from index.pins import PinIndex, PinMatch
from index.query import MAX_QUESTION_CHARS, QuestionLanguage, detect_language, normalize_question
from index.store import LoadedIndex, load_index


class RetrieverConfig(BaseModel):
    """Tunables of the search. Defaults were chosen on the shipped question set (`careerbot eval`)."""

    model_config = ConfigDict(extra="forbid")

    k: int = Field(5, ge=1, le=50, description="passages returned")
    k_resources: int = Field(3, ge=0, le=50, description="resources returned")
    # Cosines of multilingual-e5 are compressed and run higher for Chinese questions (the corpus
    # language), so each language has its own floor. Set on the shipped questions plus off-topic
    # ones (weather, films, recipes); another embedder needs its own values (see `careerbot eval`).
    min_relevance_zh: float = Field(
        0.88, description="best passage cosine below which a Chinese question gets no answer"
    )
    min_relevance_en: float = Field(
        0.785, description="best passage cosine below which an English question gets no answer"
    )
    # English questions meet Chinese text: the glossary-expanded BM25 carries them (dense alone
    # MRR@10 0.34, fused 0.82), while for Chinese a light touch helps (0.70 -> 0.74) and more
    # hurts, because paraphrased questions share few bigrams with the answer.
    lexical_weight_zh: float = Field(0.02, ge=0, description="BM25 share for Chinese questions")
    lexical_weight_en: float = Field(0.08, ge=0, description="BM25 share for English questions")
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
    max_question_chars: int = Field(MAX_QUESTION_CHARS, ge=10)


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
    extra: dict[str, Any] = field(default_factory=dict)

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
        data.update(self.extra)
        return data


@dataclass(frozen=True)
class SearchResult:
    """Passages and resources for one question, and whether they are good enough to show."""

    question: str
    language: QuestionLanguage
    passages: list[Hit]
    resources: list[Hit]
    answered: bool  # False: nothing relevant enough; `passages` is then empty
    relevance: float  # cosine of the best passage
    lead: str | None = None  # the best passage's sentence(s) closest to the question
    pin: PinMatch | None = None  # a moderator's pinned answer for this question, shown first

    @property
    def hits(self) -> list[Hit]:
        """Passages first, then resources."""
        return [*self.passages, *self.resources]


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

    def boosted(self, boost: np.ndarray) -> Candidates:
        """The same candidates with `boost[position]` added to their fused scores."""
        return Candidates(self.ids, self.dense, self.fused + boost[self.ids])


# A lead sentence shorter than this ("It depends.") says little alone: its best neighbour joins it.
LEAD_MIN_CHARS = 40


class Retriever:
    """Searches one loaded index with one embedder. Not thread-safe: give it one worker."""

    def __init__(
        self, index: LoadedIndex, embedder: Embedder, config: RetrieverConfig | None = None
    ):
        self.index = index
        self.embedder = embedder
        self.config = config or RetrieverConfig()
        # moderators' pinned answers (the bot attaches them; the CLI searches without)
        self.pins: PinIndex | None = None
        self._expander = GlossaryExpander(index.glossary)
        self._resource_mentions = [set(r.get("mentioned_in", [])) for r in index.resources]
        # Sentence rows of each passage: spans are written passage by passage, so contiguous.
        self._sentence_rows: dict[int, tuple[int, int]] = {}
        for row, (position, _, _) in enumerate(index.sentence_spans):
            first, _ = self._sentence_rows.get(position, (row, row))
            self._sentence_rows[position] = (first, row + 1)

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
        guild_id: int | None = None,
    ) -> SearchResult:
        """Rank passages and resources for `question` (InvalidQuestion for unusable input).

        With `guild_id` and pins attached (`self.pins`), a pin of that guild whose question is
        close enough comes back as `result.pin`.

        Below the language's `min_relevance_*` the result is marked unanswered and carries no passages, unless
        `apply_threshold` is False (evaluation looks at the ranking either way).
        """
        config = self.config
        k = config.k if k is None else k
        k_resources = config.k_resources if k_resources is None else k_resources
        text = normalize_question(question, config.max_question_chars)
        language = detect_language(text)
        query_vector = self.embedder.embed_queries([text])[0]

        tokens = tokenize(text)
        if language == "en" and config.glossary_expansion:
            tokens += tokenize(" ".join(self._expander.chinese_terms(text)))
        weight = config.lexical_weight_zh if language == "zh" else config.lexical_weight_en

        passage_candidates = self.candidates(
            query_vector, self.index.passage_index, self.index.passage_lexical, tokens, weight
        )
        passage_best = passage_candidates.best(k)
        relevance = passage_candidates.relevance
        floor = config.min_relevance_zh if language == "zh" else config.min_relevance_en
        answered = relevance >= floor

        resource_candidates = self.candidates(
            query_vector, self.index.resource_index, self.index.resource_lexical, tokens, weight
        )
        if answered and config.resource_article_boost:
            top_articles = {self.index.passages[i]["article_id"] for i, _ in passage_best[:3]}
            boost = np.array(
                [bool(mentions & top_articles) for mentions in self._resource_mentions], dtype=float
            )
            resource_candidates = resource_candidates.boosted(config.resource_article_boost * boost)

        passages = (
            [self._passage_hit(i, score) for i, score in passage_best]
            if answered or not apply_threshold
            else []
        )
        resources = [
            self._resource_hit(i, score, language)
            for i, score in resource_candidates.best(k_resources)
        ]
        lead = self._lead(query_vector, passage_best[0][0]) if answered and passage_best else None
        pin = None
        if self.pins is not None and guild_id is not None:
            pin = self.pins.best(
                query_vector,
                language,
                guild_id,
                config.pin_threshold_same_language,
                config.pin_threshold_cross_language,
            )
        return SearchResult(text, language, passages, resources, answered, relevance, lead, pin)

    def embed_questions(self, questions: Sequence[str]) -> np.ndarray:
        """Query vectors of `questions` as `search` computes them (for pin questions).

        InvalidQuestion if one of them cannot be searched."""
        texts = [normalize_question(q, self.config.max_question_chars) for q in questions]
        return self.embedder.embed_queries(texts)

    def _lead(self, query_vector: np.ndarray, position: int) -> str | None:
        """The sentence of passage `position` closest to the question, with its closer
        neighbour when it is very short; None when the index has no sentence vectors for it."""
        rows = self._sentence_rows.get(position)
        if rows is None:
            return None
        first, last = rows
        scores = self.index.sentence_vectors[first:last] @ query_vector
        best = int(np.argmax(scores))
        chosen = [best]
        spans = self.index.sentence_spans[first:last]
        if spans[best][2] - spans[best][1] < LEAD_MIN_CHARS and len(spans) > 1:
            neighbours = [i for i in (best - 1, best + 1) if 0 <= i < len(spans)]
            chosen.append(max(neighbours, key=lambda i: scores[i]))
        text = self.index.passages[position]["text"]
        start = spans[min(chosen)][1]
        end = spans[max(chosen)][2]
        return text[start:end]

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

    def _passage_hit(self, position: int, score: float) -> Hit:
        record = self.index.passages[position]
        return Hit(
            kind="passage",
            id=record["id"],
            score=score,
            title=record["title"],
            text=record["text"],
            url=record["url"],
            source=record["article_id"],
            heading_path=tuple(record["heading_path"]),
            extra={"start": record["start"], "end": record["end"]},
        )

    def _resource_hit(self, position: int, score: float, language: QuestionLanguage) -> Hit:
        record = self.index.resources[position]
        return Hit(
            kind="resource",
            id=record["id"],
            score=score,
            title=record["name"],
            text=record["description_zh" if language == "zh" else "description_en"],
            url=record["url"],
            source=record["id"],
            extra={
                "resource_kind": record["kind"],
                "provider": record["provider"],
                "level": record["level"],
                "cost": record["cost"],
                "topics": record["topics"],
            },
        )
