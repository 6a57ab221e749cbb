"""Loading and validation of the corpus files, with errors that name file, line, field and reason."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from corpus.clean import HTML_COMMENT
from corpus.problems import CorpusError, Problem
from corpus.schema import (
    ArticleMeta,
    GlossaryEntry,
    LabelledQuestion,
    Resource,
    TranslationMeta,
)
from corpus.yaml_files import (
    Model,
    line_of,
    load_yaml_list,
    parse_yaml,
    problems_from,
    read_text,
)

SHIPPED_CORPUS_DIR = Path(__file__).resolve().parent
FRONT_MATTER_FENCE = "---"

if TYPE_CHECKING:
    from corpus.cards import AnswerCard
    from corpus.paths import LearningPaths

# The largest article file accepted: the shipped articles are 5-14 KB, so a megabyte is a book
# or a paste by mistake, whose build would hold the index lock for a long time.
MAX_ARTICLE_BYTES = 1_000_000


@dataclass(frozen=True)
class Translation:
    """A translation of an article (`<id>.<lang>.md`): same sections, in another language."""

    meta: TranslationMeta
    body: str
    path: Path
    body_line: int

    @property
    def language(self) -> str:
        return self.meta.language


@dataclass(frozen=True)
class Article:
    """An article: validated front matter plus the raw Markdown body (cleaned later), and its
    translations by language."""

    meta: ArticleMeta
    body: str
    path: Path
    body_line: int  # 1-based line of the file where the body starts
    translations: dict[str, Translation] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.meta.id

    def title_in(self, language: str) -> str:
        """The title in `language`: the translation's, else `title_en` for English, else the
        original title."""
        if language == self.meta.language:
            return self.meta.title
        if language in self.translations:
            return self.translations[language].meta.title
        if language == "en" and self.meta.title_en:
            return self.meta.title_en
        return self.meta.title


@dataclass(frozen=True)
class Corpus:
    """Everything the index is built from."""

    articles: list[Article]
    resources: list[Resource]
    glossary: list[GlossaryEntry] = field(default_factory=list)
    cards: list[AnswerCard] = field(default_factory=list)
    paths: LearningPaths | None = None  # corpus/paths.yaml; None without one

    def content_hash(self) -> str:
        """A hash of every input that changes what the index contains."""
        digest = hashlib.sha256()
        for article in sorted(self.articles, key=lambda a: a.id):
            digest.update(article.meta.model_dump_json().encode())
            digest.update(article.body.encode())
            for language in sorted(article.translations):
                translation = article.translations[language]
                digest.update(translation.meta.model_dump_json().encode())
                digest.update(translation.body.encode())
        for resource in sorted(self.resources, key=lambda r: r.id):
            digest.update(resource.model_dump_json(exclude=set(Resource.PLAN_FIELDS)).encode())
        for entry in self.glossary:
            digest.update(entry.model_dump_json().encode())
        for card in self.cards:
            digest.update(card.model_dump_json().encode())
        return digest.hexdigest()


# --- YAML with line numbers -------------------------------------------------------------------


# --- articles ---------------------------------------------------------------------------------


def _split_front_matter(path: Path, text: str) -> tuple[dict[str, Any], yaml.Node | None, str, int]:
    """(front matter, its YAML node, body, 1-based line where the body starts)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise CorpusError([Problem(path, 1, None, "missing YAML front matter (first line '---')")])
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FRONT_MATTER_FENCE)
    except StopIteration:
        raise CorpusError(
            [Problem(path, 1, None, "front matter is not closed by a '---' line")]
        ) from None
    data, node = parse_yaml("\n".join(lines[1:end]), path, first_line=2)
    if not isinstance(data, dict):
        raise CorpusError([Problem(path, 2, None, "front matter must be a YAML mapping")])
    body = "\n".join(lines[end + 1 :])
    if not HTML_COMMENT.sub("", body).strip():
        raise CorpusError([Problem(path, end + 2, None, "the article has no body text")])
    return data, node, body, end + 2


def _front_matter(
    path: Path, text: str | None, model: type[Model]
) -> tuple[Model, yaml.Node | None, str, int]:
    """The validated front matter of a Markdown file, its YAML node, body and body line."""
    text = read_text(path) if text is None else text
    data, node, body, body_line = _split_front_matter(path, text)
    try:
        return model.model_validate(data), node, body, body_line
    except ValidationError as exc:
        raise CorpusError(problems_from(exc, path, node, first_line=2)) from None


def parse_article(path: Path, text: str | None = None) -> Article:
    """Parse one Markdown article with YAML front matter."""
    meta, node, body, body_line = _front_matter(path, text, ArticleMeta)
    problems = []
    if path.suffix == ".md" and path.stem != meta.id:
        problems.append(
            Problem(
                path, line_of(node, ("id",), 2), "id", f"must match the file name {path.stem!r}"
            )
        )
    if problems:
        raise CorpusError(problems)
    return Article(meta=meta, body=body, path=path, body_line=body_line)


def parse_translation(path: Path, text: str | None = None) -> Translation:
    """Parse one translation file `<id>.<lang>.md` (front matter: translation_of, language,
    title); its name must agree with its front matter."""
    meta, node, body, body_line = _front_matter(path, text, TranslationMeta)
    expected = f"{meta.translation_of}.{meta.language}.md"
    if path.name != expected:
        raise CorpusError(
            [
                Problem(
                    path,
                    line_of(node, ("translation_of",), 2),
                    "translation_of",
                    f"a translation of {meta.translation_of!r} into {meta.language!r} must be "
                    f"named {expected!r}",
                )
            ]
        )
    return Translation(meta=meta, body=body, path=path, body_line=body_line)


def _is_translation_file(path: Path) -> bool:
    return "." in path.stem  # <id>.<lang>.md; article ids are slugs without dots


def load_articles(directory: Path, max_article_bytes: int = MAX_ARTICLE_BYTES) -> list[Article]:
    """Load every `*.md` article of a directory with its translations, sorted by id; files
    above `max_article_bytes` are refused."""
    if not directory.is_dir():
        raise CorpusError([Problem(directory, None, None, "articles directory not found")])
    articles: dict[str, Article] = {}
    translations: list[Translation] = []
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.md")):
        size = path.stat().st_size
        if size > max_article_bytes:
            problems.append(
                Problem(
                    path,
                    None,
                    None,
                    f"the file is {size:,} bytes, above the limit of {max_article_bytes:,} "
                    "(setting max_article_bytes): split it into several articles",
                )
            )
            continue
        try:
            if _is_translation_file(path):
                translations.append(parse_translation(path))
            else:
                article = parse_article(path)
                articles[article.id] = article
        except CorpusError as exc:
            problems += exc.problems
    for translation in translations:
        original = articles.get(translation.meta.translation_of)
        if original is None:
            problems.append(
                Problem(
                    translation.path,
                    2,
                    "translation_of",
                    f"no article {translation.meta.translation_of!r} to be a translation of",
                )
            )
        elif translation.language == original.meta.language:
            problems.append(
                Problem(
                    translation.path,
                    2,
                    "language",
                    f"the original is already in {original.meta.language!r}",
                )
            )
        else:
            original.translations[translation.language] = translation
    if not articles and not problems:
        problems.append(Problem(directory, None, None, "no articles (*.md) found"))
    if problems:
        raise CorpusError(problems)
    return sorted(articles.values(), key=lambda a: a.id)


def load_resources(path: Path) -> list[Resource]:
    """Load and validate the resource catalogue."""
    return load_yaml_list(path, Resource, "resources")


def load_glossary(path: Path) -> list[GlossaryEntry]:
    """Load the bilingual glossary (an empty list if the file does not exist)."""
    if not path.exists():
        return []
    return load_yaml_list(path, GlossaryEntry, "glossary entries")


def load_questions(path: Path, corpus: Corpus | None = None) -> list[LabelledQuestion]:
    """Load the labelled question set; with `corpus`, also check every label refers to it."""
    questions = load_yaml_list(path, LabelledQuestion, "questions")
    if corpus is None:
        return questions
    article_ids = {a.id for a in corpus.articles}
    resource_ids = {r.id for r in corpus.resources}
    problems = []
    for question in questions:
        for label in question.expected_passages:
            if label.article not in article_ids:
                problems.append(
                    Problem(path, None, question.id, f"unknown article {label.article!r}")
                )
        for resource_id in question.expected_resources:
            if resource_id not in resource_ids:
                problems.append(
                    Problem(path, None, question.id, f"unknown resource {resource_id!r}")
                )
    if problems:
        raise CorpusError(problems)
    return questions


def load_corpus(
    directory: Path = SHIPPED_CORPUS_DIR, max_article_bytes: int = MAX_ARTICLE_BYTES
) -> Corpus:
    """Load articles, resources and glossary of a corpus directory, checking cross-references
    (articles above `max_article_bytes` are refused)."""
    problems: list[Problem] = []
    articles: list[Article] = []
    resources: list[Resource] = []
    glossary: list[GlossaryEntry] = []
    cards: list[AnswerCard] = []
    try:
        articles = load_articles(directory / "articles", max_article_bytes)
    except CorpusError as exc:
        problems += exc.problems
    try:
        resources = load_resources(directory / "resources.yaml")
    except CorpusError as exc:
        problems += exc.problems
    try:
        glossary = load_glossary(directory / "glossary.yaml")
    except CorpusError as exc:
        problems += exc.problems
    # Article ids are unique by construction: each must equal its file name.
    seen_articles = {a.id for a in articles}
    if articles:
        for resource in resources:
            for article_id in resource.mentioned_in:
                if article_id not in seen_articles:
                    problems.append(
                        Problem(
                            directory / "resources.yaml",
                            None,
                            f"{resource.id}.mentioned_in",
                            f"unknown article id {article_id!r}",
                        )
                    )
    paths = None
    if articles and not problems:
        from corpus.cards import load_cards  # cards are checked against the articles
        from corpus.path_checks import load_checked_paths  # against articles and catalogue

        try:
            cards = load_cards(directory / "cards", articles, resources)
        except CorpusError as exc:
            problems += exc.problems
        try:
            paths = load_checked_paths(
                directory / "paths.yaml", articles, resources, directory / "resources.yaml"
            )
        except CorpusError as exc:
            problems += exc.problems
    if problems:
        raise CorpusError(problems)
    return Corpus(
        articles=articles, resources=resources, glossary=glossary, cards=cards, paths=paths
    )
