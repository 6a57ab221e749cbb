"""`careerbot corpus lint|new-article`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
import yaml
from pydantic import ValidationError
from rich.markup import escape

from bot.services.corpus import load_configured_corpus
from corpus.loader import load_questions
from corpus.problems import CorpusError, Problem
from index.embedders import LazyEmbedder

if TYPE_CHECKING:
    from corpus.loader import Corpus
from bot.cli._common import (
    corpus_app,
    err,
    expected_errors,
    fail,
    load_settings,
    out,
)


@corpus_app.command("lint")
def corpus_lint(
    skip_similarity: Annotated[
        bool,
        typer.Option(
            "--skip-similarity", help="Do not load the embedder to score translated passages."
        ),
    ] = False,
) -> None:
    """Validate the corpus files and print every problem with its file and line.

    Articles, translations, resources, glossary and questions are checked; the report also says
    what cleaning removes and how close each translated passage is to its original."""
    from corpus.lint import TRANSLATION_SIMILARITY_FLOOR, WEAKEST_SHOWN, lint_articles

    with expected_errors():
        settings = load_settings()
        corpus = load_configured_corpus(settings)
        embed = None if skip_similarity else LazyEmbedder(settings.embedder).embed_passages
        reports = lint_articles(corpus, embed)
        weak: list[Problem] = []
        for report in reports:
            article = report.article
            removed = report.removed
            line = f"{article.id}: {report.passages} passages"
            if article.translations:
                line += f", translations: {', '.join(sorted(article.translations))}"
            out.print(line, soft_wrap=True, markup=False)
            if removed:
                out.print(
                    f"  cleaning removes {len(removed)} block(s):", soft_wrap=True, markup=False
                )
                for block in removed:
                    out.print(
                        f"    {article.path.name}:{article.body_line + block.line - 1} "
                        f"[{block.reason}] {block.preview}",
                        soft_wrap=True,
                        markup=False,
                    )
            for language in report.missing_translations:
                err.print(
                    f"[yellow]warning:[/yellow] {escape(article.id)} has no {language} "
                    f"translation ({escape(article.id)}.{language}.md): {language} askers read "
                    "the original",
                    soft_wrap=True,
                )
            if report.pairs:
                ordered = sorted(report.pairs, key=lambda p: p.similarity)
                out.print(
                    f"  translated passages: weakest similarity {ordered[0].similarity:.3f} "
                    f"(floor {TRANSLATION_SIMILARITY_FLOOR})",
                    soft_wrap=True,
                    markup=False,
                )
                for pair in ordered[:WEAKEST_SHOWN]:
                    out.print(
                        f"    {pair.similarity:.3f} {pair.translation.name}:"
                        f"{pair.translation_line} ↔ {pair.original.name}:{pair.original_line} "
                        f"{pair.preview}",
                        soft_wrap=True,
                        markup=False,
                    )
                weak += [
                    Problem(
                        pair.translation,
                        pair.translation_line,
                        None,
                        f"translated passage is far from its original ({pair.original.name}:"
                        f"{pair.original_line}): similarity {pair.similarity:.3f} < "
                        f"{TRANSLATION_SIMILARITY_FLOOR}",
                    )
                    for pair in ordered
                    if pair.weak
                ]
        if weak:
            raise CorpusError(weak)
        _lint_cards(corpus)
        passages = sum(r.passages for r in reports)
        translations = sum(len(r.article.translations) for r in reports)
        questions = ""
        if settings.questions_file.exists():
            count = len(load_questions(settings.questions_file, corpus))
            questions = f", {count} labelled questions"
        out.print(
            f"OK: {len(corpus.articles)} articles ({passages} passages, {translations} "
            f"translations), {len(corpus.resources)} resources, {len(corpus.glossary)} glossary "
            f"entries, {len(corpus.cards)} answer cards{questions}."
        )


def _lint_cards(corpus: Corpus) -> None:
    """Card warnings, and per article the passages no card cites (where cards could follow)."""
    from corpus.cards import card_warnings, uncited_passages
    from corpus.chunk import chunk_article

    if not corpus.cards:
        return
    for finding in card_warnings(corpus.cards):
        err.print(
            f"[yellow]warning:[/yellow] card {escape(finding.card_id)}: {escape(finding.message)}",
            soft_wrap=True,
        )
    passages = [p for article in corpus.articles for p in chunk_article(article)]
    uncited = uncited_passages(corpus.cards, passages)
    out.print(f"answer cards: {len(corpus.cards)}", soft_wrap=True, markup=False)
    for article in corpus.articles:
        total = sum(1 for p in passages if p.article_id == article.id)
        missing = uncited.get(article.id, [])
        out.print(
            f"  {article.id}: {total - len(missing)} of {total} passages cited by a card",
            soft_wrap=True,
            markup=False,
        )
        for passage in missing:
            section = " › ".join(passage.heading_path) or article.meta.title
            preview = " ".join(passage.text.split())[:50]
            out.print(f"    not cited: [{section}] {preview}…", soft_wrap=True, markup=False)


_ARTICLE_TEMPLATE = """<!--
Write the article below this comment in Markdown, then delete the comment.
"## Section" headings become the heading path of each passage; paragraphs are kept whole.
Images, photo credits, link lists and "follow me" lines are removed when the index is built.
Check the file with `careerbot corpus lint`, then publish it with `careerbot index build`.
-->
"""


@corpus_app.command("new-article")
def corpus_new_article(
    article_id: Annotated[
        str, typer.Argument(help="Stable slug, also the file name, e.g. mlops-first-steps.")
    ],
    title: Annotated[str, typer.Option("--title", help="Title as written in the article.")],
    language: Annotated[str, typer.Option("--language", help="zh or en.")] = "zh",
    source_url: Annotated[
        str | None, typer.Option("--source-url", help="The original, for a translation.")
    ] = None,
    translated_from: Annotated[
        str | None, typer.Option("--translated-from", help="Language of the original (en).")
    ] = None,
    author: Annotated[
        str | None, typer.Option("--author", help="The article's author (front matter).")
    ] = None,
    tags: Annotated[
        str, typer.Option("--tags", help="Comma-separated topics, e.g. career,mlops.")
    ] = "",
) -> None:
    """Create corpus/articles/<id>.md with checked front matter and a writing guide."""
    from corpus.schema import ArticleMeta

    with expected_errors():
        settings = load_settings()
        fields: dict[str, Any] = {"id": article_id, "title": title, "language": language}
        optional = {
            "source_url": source_url,
            "translated_from": translated_from,
            "author": author,
        }
        fields.update({key: value for key, value in optional.items() if value})
        fields["tags"] = [tag.strip() for tag in tags.split(",") if tag.strip()]
        try:
            meta = ArticleMeta.model_validate(fields)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in error['loc']) or 'front matter'}: {error['msg']}"
                for error in exc.errors()
            )
            raise fail(f"invalid article: {problems}") from None
        directory = settings.corpus_dir / "articles"
        if not directory.is_dir():
            raise fail(f"{directory} does not exist: check corpus_dir")
        path = directory / f"{meta.id}.md"
        front_matter = yaml.safe_dump(
            meta.model_dump(mode="json", exclude_none=True, exclude_defaults=False),
            allow_unicode=True,
            sort_keys=False,
            width=1000,
        )
        try:
            with path.open("x", encoding="utf-8") as handle:  # never overwrite an article
                handle.write(f"---\n{front_matter}---\n\n{_ARTICLE_TEMPLATE}")
        except FileExistsError:
            raise fail(f"{path} already exists") from None
        out.print(f"Created {path}: write the article, then `careerbot corpus lint`.")
