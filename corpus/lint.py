"""What `careerbot corpus lint` reports beyond schema errors: translations (missing, and how
close in meaning every aligned passage pair is) and what cleaning removes from each article."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corpus.chunk import Passage, chunk_article
from corpus.clean import CleanedArticle, RemovedBlock, clean_markdown
from corpus.loader import Article, Corpus
from corpus.problems import CorpusError, Problem

# Cosine of the bundled multilingual embedder between a passage and its translation: faithful
# pairs of the shipped corpus score 0.86-0.95, while a passage and an unrelated passage of the
# other language score about 0.75-0.83. Below this a pair is worth a translator's look.
TRANSLATION_SIMILARITY_FLOOR = 0.84
WEAKEST_SHOWN = 5  # weakest pairs listed per article even when all pass

EmbedPassages = Callable[[Sequence[str]], np.ndarray]  # L2-normalised rows


@dataclass(frozen=True)
class PairScore:
    """An aligned passage pair and the cosine between its two languages."""

    article_id: str
    language: str
    similarity: float
    original: Path
    original_line: int
    translation: Path
    translation_line: int
    preview: str

    @property
    def weak(self) -> bool:
        return self.similarity < TRANSLATION_SIMILARITY_FLOOR


@dataclass(frozen=True)
class ArticleLint:
    """Lint findings for one article."""

    article: Article
    passages: int
    removed: list[RemovedBlock]
    missing_translations: list[str]  # languages with no translation
    pairs: list[PairScore]


def _line_of(cleaned: CleanedArticle, offset: int, body_line: int) -> int:
    block = next((b for b in cleaned.blocks if b.start <= offset < b.end + 2), None)
    return body_line + (block.line if block else 1) - 1


def lint_articles(
    corpus: Corpus, embed: EmbedPassages | None, languages: Sequence[str] = ("zh", "en")
) -> list[ArticleLint]:
    """Chunk every article (CorpusError lists every translation whose structure departs from
    its original, with file and line) and score each aligned passage pair with `embed`."""
    problems: list[Problem] = []
    chunked: list[tuple[Article, CleanedArticle, list[Passage]]] = []
    for article in corpus.articles:
        cleaned = clean_markdown(article.body)
        try:
            chunked.append((article, cleaned, chunk_article(article, cleaned)))
        except CorpusError as exc:
            problems += exc.problems
    if problems:
        raise CorpusError(problems)
    reports = []
    for article, cleaned, passages in chunked:
        pairs: list[PairScore] = []
        if embed is not None:
            for language, translation in sorted(article.translations.items()):
                translated = clean_markdown(translation.body)
                texts = [
                    (p, next(t for t in p.translations if t.language == language)) for p in passages
                ]
                originals = embed([p.embedding_text() for p, _ in texts])
                others = embed([t.embedding_text() for _, t in texts])
                for (passage, passage_translation), a, b in zip(
                    texts, originals, others, strict=True
                ):
                    block_index = next(
                        i for i, b_ in enumerate(cleaned.blocks) if b_.end >= passage.start
                    )
                    pairs.append(
                        PairScore(
                            article.id,
                            language,
                            float(a @ b),
                            article.path,
                            _line_of(cleaned, passage.start, article.body_line),
                            translation.path,
                            translation.body_line + translated.blocks[block_index].line - 1,
                            " ".join(passage_translation.text.split())[:40],
                        )
                    )
        missing = [
            language
            for language in languages
            if language != article.meta.language and language not in article.translations
        ]
        reports.append(ArticleLint(article, len(passages), cleaned.removed, missing, pairs))
    return reports


def lint_paths(corpus: Corpus) -> list[str]:
    """Warnings about the learning paths (their errors already stop `load_corpus`): the stages
    where a plan has to fall back, for lack of resources, of free ones or of one language."""
    from corpus.path_resources import path_warnings  # only when linting

    return path_warnings(corpus.paths, corpus.resources) if corpus.paths else []
