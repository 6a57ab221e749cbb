"""Answer cards (`corpus/cards/*.yaml`): their schema (pydantic), loading with cross-checks against the articles and the
catalogue, where each quote lies among the passages, and the findings `careerbot corpus lint`
shows (phrasings shared by two cards, passages no card cites)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from corpus.chunk import Passage
from corpus.clean import clean_markdown
from corpus.loader import Article
from corpus.problems import CorpusError, Problem
from corpus.schema import Language, Resource, _check_slug, _Strict
from corpus.yaml_files import load_yaml_items, yaml_line

# A card's phrasing is matched like a member's question, so it obeys the bot's question limit;
# its answer is the reply's first lines, short enough to read at a glance.
MAX_CARD_QUESTION_CHARS = 300
MAX_CARD_ANSWER_CHARS = 400
MIN_CARD_PHRASINGS = 6  # per language: fewer leave a card unfindable for most wordings
MAX_CARD_ID_CHARS = 60


class CardQuestions(_Strict):
    """The ways members ask a card's question, in each language."""

    zh: list[str] = Field(min_length=MIN_CARD_PHRASINGS)
    en: list[str] = Field(min_length=MIN_CARD_PHRASINGS)

    @field_validator("zh", "en")
    @classmethod
    def _phrasings(cls, values: list[str]) -> list[str]:
        cleaned = [" ".join(v.split()) for v in values]
        for value in cleaned:
            if not value:
                raise ValueError("a phrasing is blank")
            if len(value) > MAX_CARD_QUESTION_CHARS:
                raise ValueError(
                    f"a phrasing is {len(value)} characters long (limit "
                    f"{MAX_CARD_QUESTION_CHARS}): {value[:40]!r}…"
                )
        return cleaned

    def all(self) -> list[tuple[Language, str]]:
        """Every phrasing with its language, Chinese first."""
        return [("zh", q) for q in self.zh] + [("en", q) for q in self.en]


class CardAnswer(_Strict):
    """A card's answer: 1–3 sentences that answer directly and stand alone, in both languages."""

    zh: str = Field(min_length=1, max_length=MAX_CARD_ANSWER_CHARS)
    en: str = Field(min_length=1, max_length=MAX_CARD_ANSWER_CHARS)

    def in_language(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


class CardSource(_Strict):
    """What a card's answer rests on: sentences quoted verbatim from an article's original."""

    article: str
    quote: str = Field(min_length=4)

    _slug = field_validator("article")(_check_slug)


class AnswerCard(_Strict):
    """One curated answer (`corpus/cards/*.yaml`): a question a member could bring to the
    articles, its phrasings, the answer and the article sentences behind it."""

    id: str
    questions: CardQuestions
    answer: CardAnswer
    sources: list[CardSource] = Field(min_length=1)
    resources: list[str] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list)

    _slug = field_validator("id")(_check_slug)

    @field_validator("id")
    @classmethod
    def _short_id(cls, value: str) -> str:
        # "careerbot:card:<id>" is a Discord button's custom_id, at most 100 characters
        if len(value) > MAX_CARD_ID_CHARS:
            raise ValueError(f"a card id has at most {MAX_CARD_ID_CHARS} characters")
        return value


def load_cards(
    directory: Path, articles: Sequence[Article], resources: Sequence[Resource]
) -> list[AnswerCard]:
    """Every card of every `*.yaml` file of `directory` (none when it does not exist), checked:
    quotes verbatim in a paragraph of their article's cleaned original, known article, resource and card ids,
    ids unique across files. CorpusError lists every problem with file, line and field."""
    if not directory.is_dir():
        return []
    originals = {
        article.id: [b.text for b in clean_markdown(article.body).blocks if b.kind == "paragraph"]
        for article in articles
    }
    resource_ids = {resource.id for resource in resources}
    problems: list[Problem] = []
    loaded: list[tuple[Path, Any, int, AnswerCard]] = []  # (file, node, index, card)
    for path in sorted(directory.glob("*.yaml")):
        try:
            cards, node = load_yaml_items(path, AnswerCard, "answer cards")
        except CorpusError as exc:
            problems += exc.problems
            continue
        loaded += [(path, node, index, card) for index, card in enumerate(cards)]
    first_file: dict[str, Path] = {}
    for path, _, _, card in loaded:
        first_file.setdefault(card.id, path)
    card_ids = set(first_file)
    for path, node, index, card in loaded:
        problems += _card_problems(
            card, _Where(path, node, index), originals, resource_ids, card_ids, first_file
        )
    if problems:
        raise CorpusError(problems)
    return [card for _, _, _, card in loaded]


def passage_of_quote(article_id: str, quote: str, passages: Sequence[Passage]) -> str | None:
    """The id of the passage of `article_id` a quote lies in: the one holding it whole, else
    the one it starts in (a quote may run over the cut between two passages); None if none."""
    ours = [p for p in passages if p.article_id == article_id]
    for passage in ours:
        if quote in passage.text:
            return passage.id
    for passage in ours:
        for cut in range(len(quote) - 1, 3, -1):
            if passage.text.endswith(quote[:cut]):
                return passage.id
    return None


@dataclass(frozen=True)
class _Where:
    """Where a card was read: its file, the file's YAML nodes and the card's position."""

    path: Path
    node: Any
    index: int

    def problem(self, card: AnswerCard, loc: tuple[int | str, ...], reason: str) -> Problem:
        field = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")
        return Problem(
            self.path, yaml_line(self.node, (self.index, *loc)), f"{card.id}.{field}", reason
        )


def _card_problems(
    card: AnswerCard,
    where: _Where,
    originals: dict[str, list[str]],
    resource_ids: set[str],
    card_ids: set[str],
    first_file: dict[str, Path],
) -> list[Problem]:
    """What is wrong with one card beyond its schema: ids and quotes checked against the rest."""
    problems = []
    if first_file[card.id] != where.path:
        problems.append(
            where.problem(card, ("id",), f"duplicate card id (also in {first_file[card.id].name})")
        )
    for number, source in enumerate(card.sources):
        paragraphs = originals.get(source.article)
        if paragraphs is None:
            problems.append(
                where.problem(
                    card, ("sources", number, "article"), f"unknown article id {source.article!r}"
                )
            )
        elif not any(source.quote in paragraph for paragraph in paragraphs):
            # within one paragraph: a heading or a dropped block is never shown as a passage
            problems.append(
                where.problem(
                    card,
                    ("sources", number, "quote"),
                    f"quote not found verbatim in a paragraph of {source.article} (cleaned "
                    f"text, headings excluded; see `careerbot corpus lint`): {source.quote!r}",
                )
            )
    for number, resource_id in enumerate(card.resources):
        if resource_id not in resource_ids:
            problems.append(
                where.problem(card, ("resources", number), f"unknown resource id {resource_id!r}")
            )
    for number, related in enumerate(card.related):
        if related == card.id:
            problems.append(
                where.problem(card, ("related", number), "a card cannot be related to itself")
            )
        elif related not in card_ids:
            problems.append(
                where.problem(card, ("related", number), f"unknown card id {related!r}")
            )
    return problems


def cited_passage_ids(card: AnswerCard, passages: Sequence[Passage]) -> list[str]:
    """The passages the card's quotes lie in, in the card's order, without repeats."""
    found: list[str] = []
    for source in card.sources:
        passage_id = passage_of_quote(source.article, source.quote, passages)
        if passage_id is not None and passage_id not in found:
            found.append(passage_id)
    return found


@dataclass(frozen=True)
class CardFinding:
    """A warning about the cards (they still load): for `careerbot corpus lint`."""

    card_id: str
    message: str


def card_warnings(cards: Sequence[AnswerCard]) -> list[CardFinding]:
    """Phrasings shared by two cards, or repeated in one (compared case- and space-insensitively,
    Traditional characters read as Simplified, as the matcher reads them): the matcher cannot
    tell such cards apart, and a repeat counts twice among a card's two best phrasings."""
    import opencc  # only when linting

    to_simplified = opencc.OpenCC("t2s.json")
    owner: dict[str, str] = {}
    findings = []
    for card in cards:
        own: set[str] = set()
        for _, phrasing in card.questions.all():
            key = "".join(to_simplified.convert(phrasing).lower().split())
            other = owner.setdefault(key, card.id)
            if other != card.id:
                message = f"phrasing {phrasing!r} is also a phrasing of {other}"
                findings.append(CardFinding(card.id, message))
            elif key in own:
                findings.append(CardFinding(card.id, f"phrasing {phrasing!r} is repeated"))
            own.add(key)
    return findings


def uncited_passages(
    cards: Sequence[AnswerCard], passages: Sequence[Passage]
) -> dict[str, list[Passage]]:
    """Per article, the passages no card quotes (where a card could still be written)."""
    cited = {pid for card in cards for pid in cited_passage_ids(card, passages)}
    uncited: dict[str, list[Passage]] = {}
    for passage in passages:
        if passage.id not in cited:
            uncited.setdefault(passage.article_id, []).append(passage)
    return uncited
