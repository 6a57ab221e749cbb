"""The records of a loaded index: passages (with their translations and how their sentences
align), catalogue resources and answer cards.

These types are the one definition of what `passages.json` and `resources.json` hold: the build
writes them (`write_records`) and loading parses the files back into them (`read_records`),
checked field by field, so nothing downstream reads an untyped dict. Records are frozen and
slotted: the records of 100k passages hold about 40% less memory than the same data as dicts.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pydantic import ConfigDict, TypeAdapter, ValidationError

from corpus.schema import Cost, Language, Level, ResourceKind
from index.generations import write_json
from index.manifest import IndexCorrupt

if TYPE_CHECKING:
    from corpus.chunk import Passage
    from corpus.schema import Resource

# The build writes every field of every record, so a file is read strictly: no missing or
# unknown keys and no coercion ("3" is not an offset). Anything else is damage or a file
# written by another program, and loading says where.
_ON_DISK = ConfigDict(extra="forbid", strict=True)

# One aligned group of sentences, as stored: `((a, b), (c, d))` says that sentences a..b-1 of
# the original say what sentences c..d-1 of the translation say (corpus.align.SentenceGroup).
# Indices count split_sentences() of each text.
AlignedGroup = tuple[tuple[int, int], tuple[int, int]]


@dataclass(frozen=True, slots=True)
class TranslationRecord:
    """A passage in another language, with its sentences aligned to the original's."""

    __pydantic_config__: ClassVar[ConfigDict] = _ON_DISK

    language: str
    title: str
    heading_path: tuple[str, ...]
    text: str
    sentence_groups: tuple[AlignedGroup, ...]


@dataclass(frozen=True, slots=True)
class PassageRecord:
    """A passage as the index serves it: where it comes from, its text in the original
    language and its translations. Field order is the on-disk key order."""

    __pydantic_config__: ClassVar[ConfigDict] = _ON_DISK

    id: str  # stable: the article id and a hash of the content
    article_id: str
    title: str
    url: str | None
    heading_path: tuple[str, ...]
    text: str
    start: int  # character offsets into the cleaned article text
    end: int
    language: str  # of the original text
    translations: tuple[TranslationRecord, ...]

    @classmethod
    def of(cls, passage: Passage) -> PassageRecord:
        """The record of a chunked passage (its sentence groups as aligned at chunking)."""
        return cls(
            id=passage.id,
            article_id=passage.article_id,
            title=passage.title,
            url=passage.url,
            heading_path=tuple(passage.heading_path),
            text=passage.text,
            start=passage.start,
            end=passage.end,
            language=passage.language,
            translations=tuple(
                TranslationRecord(
                    language=t.language,
                    title=t.title,
                    heading_path=tuple(t.heading_path),
                    text=t.text,
                    sentence_groups=tuple((g.original, g.translated) for g in t.sentence_groups),
                )
                for t in passage.translations
            ),
        )

    def texts(self) -> list[tuple[str, str]]:
        """`(language, text)` of the original, then of each translation."""
        return [(self.language, self.text), *((t.language, t.text) for t in self.translations)]

    def text_in(self, language: str) -> str:
        """The passage's text in `language` (KeyError if it has none in that language)."""
        return dict(self.texts())[language]

    def translation(self, language: str) -> TranslationRecord | None:
        """The translation into `language`, None if there is none (or it is the original's)."""
        return next((t for t in self.translations if t.language == language), None)

    def shown_language(self, wanted: str) -> str:
        """`wanted` if the passage exists in it, else the original's language."""
        if wanted == self.language or self.translation(wanted) is not None:
            return wanted
        return self.language


@dataclass(frozen=True, slots=True)
class ResourceRecord:
    """A catalogue entry as the index serves it (corpus.schema.Resource, URL as text).
    Field order is the on-disk key order."""

    __pydantic_config__: ClassVar[ConfigDict] = _ON_DISK

    id: str
    name: str
    kind: ResourceKind
    url: str
    provider: str
    level: Level
    cost: Cost
    language: Language
    topics: tuple[str, ...]
    description_zh: str
    description_en: str
    mentioned_in: tuple[str, ...]  # ids of the articles that mention it

    @classmethod
    def of(cls, resource: Resource) -> ResourceRecord:
        """The record of a validated catalogue entry."""
        return cls(
            id=resource.id,
            name=resource.name,
            kind=resource.kind,
            # as pydantic serialises an HttpUrl, so the file is what model_dump() wrote before
            url=str(resource.url),
            provider=resource.provider,
            level=resource.level,
            cost=resource.cost,
            language=resource.language,
            topics=tuple(resource.topics),
            description_zh=resource.description_zh,
            description_en=resource.description_en,
            mentioned_in=tuple(resource.mentioned_in),
        )

    def description(self, language: str) -> str:
        """The one-sentence description in `language` (English for anything but Chinese)."""
        return self.description_zh if language == "zh" else self.description_en


@dataclass(frozen=True, slots=True)
class CardSourceRecord:
    """A quote a card rests on, and the passage it lies in (None: not found when building)."""

    __pydantic_config__: ClassVar[ConfigDict] = _ON_DISK

    article_id: str
    quote: str
    passage_id: str | None


@dataclass(frozen=True, slots=True)
class CardRecord:
    """A card as the index serves it. Field order is the on-disk key order."""

    __pydantic_config__: ClassVar[ConfigDict] = _ON_DISK

    id: str
    questions: tuple[tuple[str, str], ...]  # (language, phrasing), one vector row each
    answer_zh: str
    answer_en: str
    sources: tuple[CardSourceRecord, ...]
    resources: tuple[str, ...]
    related: tuple[str, ...]

    def answer(self, language: str) -> str:
        """The answer in `language` (Chinese for "zh", English otherwise)."""
        return self.answer_zh if language == "zh" else self.answer_en

    def question(self, language: str) -> str:
        """The card's first phrasing in `language`: how the card is named to a member."""
        return next(
            (text for lang, text in self.questions if lang == language), self.questions[0][1]
        )


Record = TypeVar("Record", PassageRecord, ResourceRecord, CardRecord)


@functools.cache
def _adapter(kind: type[Any]) -> TypeAdapter[Any]:
    # Built on first use: making a validator costs milliseconds that `careerbot --help` and
    # the commands that never load an index should not pay.
    return TypeAdapter(list[kind])  # type: ignore[valid-type]


def record_data(records: Sequence[Record]) -> list[dict[str, Any]]:
    """Records as JSON-ready data (tuples become lists), keys in field order."""
    if not records:
        return []
    return _adapter(type(records[0])).dump_python(list(records), mode="json")


def write_records(path: Path, records: Sequence[Record]) -> None:
    """Write records as a JSON array (the format `read_records` reads)."""
    write_json(path, record_data(records))


def read_records(path: Path, kind: type[Record]) -> list[Record]:
    """The records of an index file, checked against `kind`.

    IndexCorrupt naming the file, the record and the field when one is malformed (or the file
    is not a JSON array); OSError when the file cannot be read.
    """
    try:
        return _adapter(kind).validate_json(path.read_bytes())
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in problem["loc"]
        ).lstrip(".")
        if where:
            found = f"holds a malformed record ({where}: {problem['msg']})"
        else:  # not JSON, or not an array
            found = f"is not a list of records ({problem['msg']})"
        raise IndexCorrupt(
            f"{path} {found}: rebuild with `careerbot index build --force`"
        ) from None
