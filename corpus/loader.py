"""Loading and validation of the corpus files, with errors that name file, line, field and reason."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from corpus.clean import HTML_COMMENT
from corpus.schema import (
    ArticleMeta,
    GlossaryEntry,
    LabelledQuestion,
    Resource,
    TranslationMeta,
)

SHIPPED_CORPUS_DIR = Path(__file__).resolve().parent
FRONT_MATTER_FENCE = "---"
# libyaml's loader parses the catalogue ten times faster than the pure-Python one; same rules.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

if TYPE_CHECKING:
    from corpus.cards import AnswerCard
    from corpus.paths import LearningPaths

Model = TypeVar("Model", bound=BaseModel)
# The largest article file accepted: the shipped articles are 5-14 KB, so a megabyte is a book
# or a paste by mistake, whose build would hold the index lock for a long time.
MAX_ARTICLE_BYTES = 1_000_000


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a corpus file."""

    path: Path
    line: int | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        what = f" {self.field}:" if self.field else ""
        return f"{where}:{what} {self.reason}"


class CorpusError(Exception):
    """The corpus files are invalid; `problems` lists every problem found, not just the first."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


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


def _parse_yaml(text: str, path: Path, first_line: int) -> tuple[Any, yaml.Node | None]:
    """Parse YAML safely, keeping the node tree so errors can point at lines."""
    loader = _YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise CorpusError([Problem(path, line, None, f"invalid YAML: {reason}")]) from None
    finally:
        loader.dispose()
    return data, node


def _line_of(node: yaml.Node | None, loc: Iterable[int | str], first_line: int) -> int | None:
    """The file line of the YAML node at pydantic error location `loc` (deepest node found)."""
    if node is None:
        return None
    best = node
    for key in loc:
        child = None
        if isinstance(best, yaml.SequenceNode) and isinstance(key, int) and key < len(best.value):
            child = best.value[key]
        elif isinstance(best, yaml.MappingNode):
            for key_node, value_node in best.value:
                if key_node.value == key:
                    child = value_node
                    break
        if child is None:
            break
        best = child
    return first_line + best.start_mark.line


def _problems_from(
    exc: ValidationError, path: Path, node: yaml.Node | None, first_line: int, prefix: tuple = ()
) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = prefix + tuple(error["loc"])
        field_name = ".".join(str(p) for p in error["loc"]) or None
        reason = error["msg"].removeprefix("Value error, ")
        problems.append(Problem(path, _line_of(node, loc, first_line), field_name, reason))
    return problems


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CorpusError([Problem(path, None, None, "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise CorpusError([Problem(path, None, None, f"not UTF-8 text ({exc.reason})")]) from None


def _load_yaml_list(path: Path, model: type[Model], what: str) -> list[Model]:
    """Load a YAML file whose top level is a list of `model` items, collecting every problem."""
    return load_yaml_items(path, model, what)[0]


def load_yaml_items(
    path: Path, model: type[Model], what: str
) -> tuple[list[Model], yaml.Node | None]:
    """The `model` items of a YAML file whose top level is a list, and its node tree (for the
    lines of later findings); CorpusError listing every problem."""
    data, node = _parse_yaml(_read_text(path), path, first_line=1)
    if not isinstance(data, list):
        raise CorpusError([Problem(path, 1, None, f"expected a list of {what} at the top level")])
    items: list[Model] = []
    problems: list[Problem] = []
    for index, raw in enumerate(data):
        try:
            items.append(model.model_validate(raw))
        except ValidationError as exc:
            for problem in _problems_from(exc, path, node, 1, prefix=(index,)):
                problems.append(
                    Problem(
                        problem.path, problem.line, f"[{index}].{problem.field}", problem.reason
                    )
                )
    problems += _duplicate_ids(path, node, data)
    if problems:
        raise CorpusError(problems)
    return items, node


def yaml_line(node: yaml.Node | None, loc: Iterable[int | str]) -> int | None:
    """The line of the item at `loc` (list index, then keys) in a file read by load_yaml_items."""
    return _line_of(node, loc, 1)


def _duplicate_ids(path: Path, node: yaml.Node | None, raw_items: Sequence[Any]) -> list[Problem]:
    """Duplicate `id`s among the raw items, valid or not (a typo elsewhere must not hide one)."""
    seen: dict[str, int] = {}
    problems = []
    for index, raw in enumerate(raw_items):
        item_id = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(item_id, str):
            continue
        if item_id in seen:
            problems.append(
                Problem(
                    path,
                    _line_of(node, (index, "id"), 1),
                    "id",
                    f"duplicate id {item_id!r} (first used by item {seen[item_id]})",
                )
            )
        else:
            seen[item_id] = index
    return problems


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
    data, node = _parse_yaml("\n".join(lines[1:end]), path, first_line=2)
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
    text = _read_text(path) if text is None else text
    data, node, body, body_line = _split_front_matter(path, text)
    try:
        return model.model_validate(data), node, body, body_line
    except ValidationError as exc:
        raise CorpusError(_problems_from(exc, path, node, first_line=2)) from None


def parse_article(path: Path, text: str | None = None) -> Article:
    """Parse one Markdown article with YAML front matter."""
    meta, node, body, body_line = _front_matter(path, text, ArticleMeta)
    problems = []
    if path.suffix == ".md" and path.stem != meta.id:
        problems.append(
            Problem(
                path, _line_of(node, ("id",), 2), "id", f"must match the file name {path.stem!r}"
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
                    _line_of(node, ("translation_of",), 2),
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
    return _load_yaml_list(path, Resource, "resources")


def load_glossary(path: Path) -> list[GlossaryEntry]:
    """Load the bilingual glossary (an empty list if the file does not exist)."""
    if not path.exists():
        return []
    return _load_yaml_list(path, GlossaryEntry, "glossary entries")


def load_questions(path: Path, corpus: Corpus | None = None) -> list[LabelledQuestion]:
    """Load the labelled question set; with `corpus`, also check every label refers to it."""
    questions = _load_yaml_list(path, LabelledQuestion, "questions")
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
