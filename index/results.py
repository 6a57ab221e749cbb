"""What a search returns: `Hit` (a passage or a resource, as shown) and `SearchResult` (the
ranked hits, the lead, the card, the refusal decision), with their JSON forms."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from corpus.chunk import split_sentences
from corpus.schema import Cost, Level, ResourceKind
from index.cards import CardMatch
from index.query import (
    ChineseScript,
    QuestionLanguage,
    in_script,
)
from index.records import CardRecord


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
