"""Pydantic models of the corpus data files: article front matter, resources, glossary, questions."""

from __future__ import annotations

import re
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

# The closed tag vocabulary shared by article tags and resource topics. A typo in a tag would
# silently split a topic in `/resources` browsing, so unknown tags are errors, not new tags.
TOPICS: frozenset[str] = frozenset(
    {
        "python",
        "math",
        "statistics",
        "machine-learning",
        "deep-learning",
        "nlp",
        "computer-vision",
        "data-science",
        "data-engineering",
        "sql",
        "mlops",
        "cloud",
        "docker",
        "kubernetes",
        "software-engineering",
        "algorithms",
        "git",
        "linux",
        "testing",
        "career",
        "research",
        "interview",
        "community",
        "llm",
        "product",
        "job-market",
    }
)

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

ResourceKind = Literal[
    "course",
    "book",
    "tool",
    "library",
    "podcast",
    "website",
    "community",
    "paper",
    "article",
    "video",
    "newsletter",
]
Level = Literal["beginner", "intermediate", "advanced"]
Cost = Literal["free", "paid", "mixed"]
Language = Literal["zh", "en"]


def _check_slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(f"{value!r} is not a lowercase kebab-case slug (like 'fast-ai-course')")
    return value


def _check_topics(values: list[str]) -> list[str]:
    unknown = [v for v in values if v not in TOPICS]
    if unknown:
        raise ValueError(
            f"unknown topic(s) {', '.join(unknown)}; allowed: {', '.join(sorted(TOPICS))}"
        )
    return values


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ArticleMeta(_Strict):
    """Front matter of one article file in `corpus/articles/`."""

    id: str
    title: str = Field(min_length=1)
    title_en: str | None = None
    language: Language
    source_url: HttpUrl | None = None
    translated_from: Language | None = None
    author: str | None = None
    tags: list[str] = Field(default_factory=list)

    _slug = field_validator("id")(_check_slug)
    _tags = field_validator("tags")(_check_topics)

    @model_validator(mode="after")
    def _translation_needs_source(self) -> ArticleMeta:
        if self.translated_from and not self.source_url:
            raise ValueError("translated_from is set but source_url (the original) is missing")
        return self


class TranslationMeta(_Strict):
    """Front matter of a translation `corpus/articles/<id>.<lang>.md` of article `<id>`."""

    translation_of: str
    language: Language
    title: str = Field(min_length=1)

    _slug = field_validator("translation_of")(_check_slug)


class Resource(_Strict):
    """One entry of the curated learning-resource catalogue (`corpus/resources.yaml`)."""

    id: str
    name: str = Field(min_length=1)
    kind: ResourceKind
    url: HttpUrl
    provider: str = Field(min_length=1)
    level: Level
    cost: Cost
    language: Language
    topics: list[str] = Field(min_length=1)
    description_zh: str = Field(min_length=1)
    description_en: str = Field(min_length=1)
    mentioned_in: list[str] = Field(default_factory=list)
    # What a learning plan needs (corpus/paths.yaml, checked there): the stage the resource
    # serves, its rough effort when the article or its well-known size gives one, and the
    # resources or stages to have done first. Optional, so catalogues without them stay valid.
    stage: str | None = None
    hours: float | None = Field(default=None, gt=0)
    prerequisites: list[str] = Field(default_factory=list)
    # The index neither embeds nor serves them: its hash and records leave them out, so editing
    # a plan field rebuilds nothing.
    PLAN_FIELDS: ClassVar[frozenset[str]] = frozenset({"stage", "hours", "prerequisites"})

    _slug = field_validator("id")(_check_slug)
    _topics = field_validator("topics")(_check_topics)

    @field_validator("stage")
    @classmethod
    def _stage_slug(cls, value: str | None) -> str | None:
        return None if value is None else _check_slug(value)

    @field_validator("prerequisites")
    @classmethod
    def _prerequisite_slugs(cls, values: list[str]) -> list[str]:
        for value in values:
            _check_slug(value)
        if len(set(values)) != len(values):
            raise ValueError("a prerequisite is listed twice")
        return values

    def embedding_text(self) -> str:
        """Text the embedder sees for this resource: name, both descriptions and topics."""
        return (
            f"{self.name} ({self.provider}). {self.description_en} {self.description_zh} "
            f"Topics: {', '.join(self.topics)}"
        )


class GlossaryEntry(_Strict):
    """English terms and the Chinese terms the corpus uses for the same idea."""

    en: list[str] = Field(min_length=1)
    zh: list[str] = Field(min_length=1)

    @field_validator("en")
    @classmethod
    def _lowercase(cls, values: list[str]) -> list[str]:
        return [v.lower() for v in values]


class ExpectedPassage(_Strict):
    """A label: a retrieved passage is right if it is from `article` and contains `contains`."""

    article: str
    contains: str = Field(min_length=2)


Split = Literal["dev", "test"]
QuestionKind = Literal["answerable", "chitchat", "offtopic", "neartopic"]


class LabelledQuestion(_Strict):
    """One question of the shipped evaluation set (`corpus/eval/questions.yaml`)."""

    id: str
    split: Split = "dev"  # dev: tuned on; test: reported, never tuned on
    kind: QuestionKind | None = None  # None: "answerable" unless `unanswerable`
    language: Language
    question: str = Field(min_length=1)
    expected_passages: list[ExpectedPassage] = Field(default_factory=list)
    expected_resources: list[str] = Field(default_factory=list)
    unanswerable: bool = False

    @model_validator(mode="after")
    def _labels_present(self) -> LabelledQuestion:
        if not self.unanswerable and not self.expected_passages:
            raise ValueError("expected_passages is empty but the question is not unanswerable")
        if self.kind is not None and (self.kind == "answerable") == self.unanswerable:
            raise ValueError(f"kind {self.kind!r} contradicts unanswerable: {self.unanswerable}")
        return self

    @property
    def question_kind(self) -> QuestionKind:
        """The kind, defaulting to answerable or (for an unanswerable question) neartopic."""
        if self.kind is not None:
            return self.kind
        return "neartopic" if self.unanswerable else "answerable"
