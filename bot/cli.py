"""The `careerbot` command line: ask, search, index, corpus, eval."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic import Field as PydanticField
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bot.config import ConfigError, Settings
from bot.i18n import t
from corpus.loader import CorpusError, Problem, load_questions
from index.embedders import Embedder, EmbedderError, LazyEmbedder, make_embedder
from index.query import InvalidQuestion, detect_language, normalize_question
from index.retriever import Retriever
from index.store import (
    BuildReport,
    IndexMissing,
    IndexStoreError,
    PublishRefused,
    build_index,
    current_generation_dir,
    list_generations,
    verify_generation,
)

if TYPE_CHECKING:
    from bot.db.database import Database

app = typer.Typer(
    help="careerbot: answers machine-learning career questions from a curated corpus.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
index_app = typer.Typer(help="Build, inspect and verify the search index.", no_args_is_help=True)
corpus_app = typer.Typer(help="Check the corpus files and start new ones.", no_args_is_help=True)
pins_app = typer.Typer(
    help="Pinned answers: export to and import from YAML (for version control).",
    no_args_is_help=True,
)
app.add_typer(index_app, name="index")
app.add_typer(corpus_app, name="corpus")
app.add_typer(pins_app, name="pins")

out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)  # file:line paths stay whole


class _State:
    config_file: Path | None = None


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="YAML configuration file (default: $CAREERBOT_CONFIG, else ./careerbot.yaml if present).",
        show_default=False,
    ),
]


@app.callback()
def _main(config: ConfigOption = None) -> None:
    _State.config_file = config


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/bold red] {escape(message)}")
    return typer.Exit(code)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn expected failures into one clear message and a non-zero exit."""
    try:
        yield
    except ConfigError as exc:
        raise _fail(str(exc), 2) from None
    except CorpusError as exc:
        err.print(f"[bold red]error:[/bold red] the corpus has {len(exc.problems)} problem(s):")
        for problem in exc.problems:
            err.print(f"  {escape(str(problem))}")
        raise typer.Exit(1) from None
    except (IndexStoreError, EmbedderError) as exc:
        raise _fail(str(exc)) from None
    except KeyboardInterrupt:
        raise _fail("interrupted", 130) from None


def _settings() -> Settings:
    return Settings.load(_State.config_file)


def _build(
    settings: Settings,
    embedder: Embedder | None = None,
    force: bool = False,
    gate: bool = False,
) -> BuildReport:
    """Build with a progress bar on stderr; with `gate`, the quality gate decides publishing."""
    corpus = settings.load_corpus()
    embedder = embedder or LazyEmbedder(settings.embedder)
    quality_gate = None
    if gate and not settings.questions_file.exists():
        err.print(
            f"[yellow]warning:[/yellow] no labelled questions at {settings.questions_file}: "
            "the quality gate cannot run (set eval.questions_file)"
        )
    elif gate:
        from index.gate import quality_gate as make_gate

        questions = load_questions(settings.questions_file, corpus)
        quality_gate = make_gate(
            questions,
            embedder,
            settings.retrieval,
            settings.index.max_mrr_drop,
            settings.index.max_unanswerable_rise,
        )
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("checking", total=None)

        def on_progress(stage: str, done: int, total: int) -> None:
            progress.update(task, description=stage, completed=done, total=total)

        return build_index(
            corpus,
            settings.embedder,
            settings.index_root,
            embedder=embedder,
            force=force,
            progress=on_progress,
            keep_generations=settings.index.keep_generations,
            gate=quality_gate,
            vector_index=settings.index.vectors,
        )


def _open_retriever(settings: Settings) -> Retriever:
    """Load embedder and index, building the index first if there is none yet."""
    embedder = make_embedder(settings.embedder)
    try:
        return Retriever.open(settings.index_root, embedder, settings.retrieval)
    except IndexMissing:
        err.print("No index yet: building it from the corpus (first use only)…")
        report = _build(settings, embedder=embedder)
        err.print(
            f"Index built: {report.manifest.passage_count} passages in {report.seconds:.1f}s."
        )
        return Retriever.open(settings.index_root, embedder, settings.retrieval)


def _invalid_question(exc: InvalidQuestion, question: str, limit: int) -> typer.Exit:
    language = detect_language(question)
    message = t(f"error.{exc.reason}", language, length=len(question.strip()), limit=limit)
    return _fail(message)


QuestionArgument = Annotated[str, typer.Argument(help="The question, in Chinese or English.")]


@app.command()
def ask(
    question: QuestionArgument,
    k: Annotated[int, typer.Option("--k", min=1, max=10, help="Passages to show.")] = 3,
    resources: Annotated[int, typer.Option("--resources", min=0, max=10)] = 3,
) -> None:
    """Answer a question with the best passages and learning resources."""
    with _errors():
        settings = _settings()
        limit = settings.retrieval.max_question_chars
        try:  # before loading anything: a bad question should fail fast
            normalize_question(question, limit)
        except InvalidQuestion as exc:
            raise _invalid_question(exc, question, limit) from None
        retriever = _open_retriever(settings)
        result = retriever.search(question, k=k, k_resources=resources)
        from bot.terminal import render_answer

        render_answer(result, out)


@app.command()
def search(
    question: Annotated[
        str | None, typer.Argument(help="The question (or use --queries-file).")
    ] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="Passages per query.")] = 10,
    k_resources: Annotated[int, typer.Option("--k-resources", min=0, max=100)] = 5,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per query per line.")
    ] = False,
    queries_file: Annotated[
        Path | None, typer.Option("--queries-file", help="One query per line; '-' for stdin.")
    ] = None,
    no_threshold: Annotated[
        bool, typer.Option("--no-threshold", help="Return passages even below min_relevance.")
    ] = False,
) -> None:
    """Ranked hits (passages, then resources): the machine interface used by eval and bench."""
    with _errors():
        if (question is None) == (queries_file is None):
            raise _fail("give either a QUESTION or --queries-file, not both or neither", 2)
        queries = [question] if question is not None else _read_queries(queries_file)
        settings = _settings()
        retriever = _open_retriever(settings)
        failures = 0
        for query in queries:
            try:
                result = retriever.search(
                    query, k=k, k_resources=k_resources, apply_threshold=not no_threshold
                )
            except InvalidQuestion as exc:
                failures += 1
                if as_json:
                    _print_json({"query": _printable(query), "error": str(exc), "hits": []})
                else:
                    err.print(f"[red]{escape(query[:80])!r}: {escape(str(exc))}[/red]")
                continue
            if as_json:
                _print_json(
                    {
                        "query": query,
                        "language": result.language,
                        "answered": result.answered,
                        "relevance": round(result.relevance, 4),
                        "reason": result.reason,
                        "dense": round(result.dense, 4),
                        "reply_language": result.reply_language,
                        "lead": result.lead,
                        "lead_original": result.lead_original,
                        "lead_passage_id": result.lead_passage_id,
                        "hits": [hit.to_json() for hit in result.hits],
                    }
                )
            else:
                _print_hits_table(query, result)
        if failures:
            raise typer.Exit(1)


def _read_queries(path: Path | None) -> list[str]:
    """The file's (or stdin's) non-blank lines. A line that is not UTF-8 is kept with its bad
    bytes as surrogates: searching it reports that one query, the others are answered."""
    assert path is not None
    try:
        data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        raise _fail(f"cannot read queries file {path}: {exc}") from None
    text = data.decode("utf-8", "surrogateescape")
    queries = [line.strip() for line in text.splitlines() if line.strip()]
    if not queries:
        raise _fail(f"queries file {path} has no queries")
    return queries


def _printable(text: str) -> str:
    """`text` with bytes that were not UTF-8 shown as U+FFFD, so it can be printed."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _print_json(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


def _print_hits_table(query: str, result: Any) -> None:
    table = Table(title=escape(query), title_justify="left", show_lines=False)
    for column in ("#", "kind", "score", "title", "text"):
        table.add_column(column, overflow="fold")
    for rank, hit in enumerate(result.hits, 1):
        table.add_row(
            str(rank), hit.kind, f"{hit.score:.3f}", escape(hit.title), escape(hit.text[:120])
        )
    out.print(table)


@index_app.command("build")
def index_build(
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Rebuild even if up to date, and publish even if the quality gate refuses.",
        ),
    ] = False,
) -> None:
    """Build a new index generation (incremental), check it, and publish it if it is as good."""
    with _errors():
        settings = _settings()
        try:
            report = _build(settings, force=force, gate=settings.index.quality_gate and not force)
        except PublishRefused as refused:
            _print_gate_changes(refused.details)
            raise
        manifest = report.manifest
        if report.skipped:
            out.print(
                f"Index is up to date ({manifest.passage_count} passages, "
                f"{manifest.resource_count} resources, built {manifest.built_at})."
            )
            return
        out.print(
            f"Built generation {report.generation}: {manifest.passage_count} passages, "
            f"{manifest.resource_count} resources, embedder {manifest.embedder_id} "
            f"(dim {manifest.dim}); {report.embedded} texts embedded, {report.reused} from cache, "
            f"{report.seconds:.2f}s."
        )
        quality = report.quality
        if quality is not None:
            served = "-" if quality.served_mrr is None else f"{quality.served_mrr:.3f}"
            out.print(
                f"Quality gate passed: MRR@10 {quality.new_mrr:.3f} (served: {served}); "
                f"{quality.better} questions better, {len(quality.worse)} worse."
            )
            _print_gate_changes(quality)
        elif force:
            out.print("Published without the quality gate (--force).")


def _print_gate_changes(quality: Any) -> None:
    """The questions whose right passage moved down, if any."""
    for change in getattr(quality, "worse", []):
        before = change.served_rank or "-"
        after = change.new_rank or "out of top 10"
        out.print(
            f"  worse: [yellow]{escape(change.question_id)}[/yellow] rank {before} -> {after}: "
            f"{escape(change.question)}",
            soft_wrap=True,
        )


@index_app.command("rollback")
def index_rollback() -> None:
    """Serve the previous generation again (a running bot picks it up by itself)."""
    with _errors():
        settings = _settings()
        from index.store import rollback

        name = rollback(settings.index_root, settings.embedder.embedder_id())
        out.print(f"Now serving generation {name}.")


@index_app.command("status")
def index_status() -> None:
    """Show what the served index contains and whether it matches corpus and configuration."""
    with _errors():
        settings = _settings()
        from index.ann import planned_vector_index
        from index.store import check_compatible, corpus_fingerprint

        directory = current_generation_dir(settings.index_root)
        manifest = verify_generation(directory, checksums=False)
        table = Table(show_header=False)
        rows = [
            ("generation", directory.name),
            ("built at", manifest.built_at),
            ("embedder", f"{manifest.embedder_id} (dim {manifest.dim})"),
            ("passages", str(manifest.passage_count)),
            ("resources", str(manifest.resource_count)),
            ("vector search", manifest.vector_index),
            ("format", str(manifest.format_version)),
        ]
        problems = []
        try:
            check_compatible(manifest, settings.embedder.embedder_id())
        except IndexStoreError as exc:
            problems.append(str(exc))
        if corpus_fingerprint(settings.load_corpus()) != manifest.corpus_hash:
            problems.append("the corpus changed since this build: run `careerbot index build`")
        planned = planned_vector_index(manifest.passage_count, settings.index.vectors)
        if planned != manifest.vector_index:
            problems.append(f"index.vectors now asks for {planned}: run `careerbot index build`")
        rows.append(("status", "; ".join(problems) or "up to date"))
        for name, value in rows:
            table.add_row(name, escape(value))
        out.print(table)
        out.print("Generations kept, newest first:")
        for label in _generation_labels(settings, directory.name):
            out.print(f"  {escape(label)}")
        if problems:
            raise typer.Exit(1)


def _generation_labels(settings: Settings, served: str) -> list[str]:
    """Each kept generation, newest first, with its gate MRR when known and the served one marked."""
    from index.gate import QUALITY_FILE
    from index.store import GENERATIONS, published_generations

    labels = []
    published = published_generations(settings.index_root)
    for name in reversed(list_generations(settings.index_root)):
        label = name + (" (served)" if name == served else "")
        if name not in published and name != served:
            label += " (never published: a build stopped before publishing it; the next build removes it)"
        try:
            quality = json.loads(
                (settings.index_root / GENERATIONS / name / QUALITY_FILE).read_text("utf-8")
            )
            label += f" MRR {quality['mrr']:.3f}"
        except (OSError, ValueError, KeyError, TypeError):
            pass
        labels.append(label)
    return labels


@index_app.command("verify")
def index_verify() -> None:
    """Check every index file against the checksums in the manifest."""
    with _errors():
        settings = _settings()
        from index.store import load_index

        loaded = load_index(settings.index_root, settings.embedder.embedder_id())
        out.print(
            f"OK: generation {loaded.directory.name}, {len(loaded.manifest.files)} files, "
            f"{loaded.manifest.passage_count} passages, {loaded.manifest.resource_count} resources."
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
    """Validate articles, translations, resources, glossary and questions; print every problem
    with file and line, what cleaning removes, and how close each translated passage is."""
    from corpus.lint import TRANSLATION_SIMILARITY_FLOOR, WEAKEST_SHOWN, lint_articles

    with _errors():
        settings = _settings()
        corpus = settings.load_corpus()
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
        passages = sum(r.passages for r in reports)
        translations = sum(len(r.article.translations) for r in reports)
        questions = ""
        if settings.questions_file.exists():
            count = len(load_questions(settings.questions_file, corpus))
            questions = f", {count} labelled questions"
        out.print(
            f"OK: {len(corpus.articles)} articles ({passages} passages, {translations} "
            f"translations), {len(corpus.resources)} resources, {len(corpus.glossary)} glossary "
            f"entries{questions}."
        )


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
    author: Annotated[str | None, typer.Option("--author")] = None,
    tags: Annotated[
        str, typer.Option("--tags", help="Comma-separated topics, e.g. career,mlops.")
    ] = "",
) -> None:
    """Create corpus/articles/<id>.md with checked front matter and a writing guide."""
    from corpus.schema import ArticleMeta

    with _errors():
        settings = _settings()
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
            raise _fail(f"invalid article: {problems}") from None
        directory = settings.corpus_dir / "articles"
        if not directory.is_dir():
            raise _fail(f"{directory} does not exist: check corpus_dir")
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
            raise _fail(f"{path} already exists") from None
        out.print(f"Created {path}: write the article, then `careerbot corpus lint`.")


@app.command("eval")
def eval_command(
    questions_file: Annotated[
        Path | None, typer.Option("--questions", help="Labelled questions (default: shipped set).")
    ] = None,
    split: Annotated[
        str, typer.Option("--split", help="dev, test or all (figures per split either way).")
    ] = "all",
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List missed questions.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Figures as JSON.")] = False,
    calibrate: Annotated[
        bool,
        typer.Option(
            "--calibrate",
            help="Fit the no-good-answer model on the dev split and print it as configuration.",
        ),
    ] = False,
) -> None:
    """Score retrieval and replies on the labelled questions, per split and language: MRR@10,
    hit@1/3, refusals, leads that hold the answer, passages in the asker's language."""
    from index.evaluation import EVAL_K, RESOURCE_K, evaluate, traditional_agreement

    with _errors():
        if split not in {"dev", "test", "all"}:
            raise _fail(f"--split must be dev, test or all, not {split!r}", 2)
        settings = _settings()
        corpus = settings.load_corpus()
        questions = load_questions(questions_file or settings.questions_file, corpus)
        retriever = _open_retriever(settings)
        if calibrate:
            from index.refusal import calibrate as fit

            model = fit([q for q in questions if q.split == "dev"], retriever.features)
            sys.stdout.write(
                yaml.safe_dump({"retrieval": {"refusal": model.model_dump()}}, sort_keys=False)
            )
            return
        if split != "all":
            questions = [q for q in questions if q.split == split]
        if not questions:
            raise _fail(f"no questions in split {split!r}")

        def search(question: str):
            return retriever.search(
                question, k=EVAL_K, k_resources=RESOURCE_K, apply_threshold=False
            )

        report = evaluate(questions, search)
        traditional = traditional_agreement(questions, search)
        if as_json:
            _print_json(
                {
                    "splits": {
                        name: {lang: r.to_json() for lang, r in by_language.items()}
                        for name, by_language in report.by_split.items()
                    },
                    "traditional_same_top": traditional,
                }
            )
            return
        # a plain fixed-width table: it fits 80 columns; the README explains every column
        out.print(
            f"Retrieval and reply quality ({len(questions)} questions)\n"
            f"{'split':<5} {'lang':<4} {'n':>3} {'MRR@10':>6} {'hit@1':>5} {'hit@3':>5} "
            f"{'wrongly':>7} {'unans.':>8} {'lead':>5} {'asker':>5} {'res.':>5}\n"
            f"{'':<5} {'':<4} {'':>3} {'':>6} {'':>5} {'':>5} "
            f"{'refused':>7} {'answered':>8} {'holds':>5} {'lang.':>5} {'@5':>5}",
            markup=False,
            highlight=False,
        )
        for name, by_language in report.by_split.items():
            for language, r in by_language.items():
                out.print(
                    f"{name:<5} {language:<4} {r.questions:>3} {r.mrr:>6.3f} "
                    f"{r.hit_at.get(1, 0):>5.3f} {r.hit_at.get(3, 0):>5.3f} "
                    f"{r.wrongly_refused_share:>7.1%} "
                    f"{f'{r.unanswerable_answered}/{r.unanswerable}':>8} "
                    f"{r.lead_share:>5.0%} {r.in_language_share:>5.0%} "
                    f"{r.resource_hit_at_5:>5.2f}",
                    markup=False,
                    highlight=False,
                )
        if traditional is not None:
            out.print(
                f"Chinese questions in Traditional characters (OpenCC s2t): same top passage "
                f"for {traditional:.1%}."
            )
        if verbose:
            for outcome in report.outcomes:
                question = outcome.question
                missed = not question.unanswerable and (outcome.rank != 1 or not outcome.answered)
                if (
                    missed
                    or outcome.resource_hit is False
                    or (question.unanswerable and outcome.answered)
                ):
                    top = outcome.top_passage
                    out.print(
                        f"[yellow]{question.id}[/yellow] ({question.split}) rank={outcome.rank} "
                        f"answered={outcome.answered} p={outcome.relevance:.3f} "
                        f"resources={'ok' if outcome.resource_hit is not False else 'MISS'} "
                        f"{escape(question.question)}\n"
                        f"    top: {escape(top.source if top else '-')} "
                        f"{escape(top.text[:70] if top else '')}",
                        soft_wrap=True,
                    )


def _token(settings: Settings) -> str:
    token = settings.discord.resolve_token()
    if not token:
        raise _fail(
            "no Discord token: set CAREERBOT_DISCORD__TOKEN (or discord.token_file in the "
            "configuration)",
            2,
        )
    return token


@app.command()
def run(
    check: Annotated[
        bool,
        typer.Option("--check", help="Validate configuration, token and index; don't connect."),
    ] = False,
) -> None:
    """Start the Discord bot (Ctrl-C or SIGTERM to stop)."""
    with _errors():
        settings = _settings()
        token = _token(settings)
        from index.store import check_compatible

        manifest = verify_generation(current_generation_dir(settings.index_root))
        check_compatible(manifest, settings.embedder.embedder_id())
        if check:
            out.print(
                f"OK: configuration valid, token present, index {manifest.passage_count} passages "
                f"/ {manifest.resource_count} resources built {manifest.built_at} "
                f"with {manifest.embedder_id}."
            )
            return
        import asyncio

        from bot.app import run_bot

        raise typer.Exit(asyncio.run(run_bot(settings, token)))


@app.command()
def sync(
    guild: Annotated[
        int | None, typer.Option("--guild", help="Sync to one guild (instant) instead of globally.")
    ] = None,
) -> None:
    """Register the slash commands with Discord (run after adding or changing commands)."""
    with _errors():
        settings = _settings()
        token = _token(settings)
        import asyncio

        from bot.app import DiscordUnreachable, check_reachable, sync_commands

        async def reach_and_sync() -> list[str]:
            await check_reachable(settings, token)
            return await sync_commands(settings, token, guild)

        try:
            names = asyncio.run(reach_and_sync())
        except DiscordUnreachable as exc:
            raise _fail(str(exc)) from None
        except OSError as exc:  # aiohttp's connection errors are OSErrors too
            raise _fail(f"cannot reach Discord ({exc})") from None
        where = f"guild {guild}" if guild else "all guilds (may take up to an hour to appear)"
        out.print(f"Synced {len(names)} command(s) to {where}: {', '.join(names)}")


class _PinRecord(BaseModel):
    """One pinned answer in an export file."""

    model_config = ConfigDict(extra="ignore")

    guild_id: int
    answer: str = PydanticField(min_length=1)
    questions: list[str] = PydanticField(min_length=1)
    created_by: int | None = None
    source_channel_id: int | None = None
    source_message_id: int | None = None


async def _open_database(settings: Settings) -> Database:
    from bot.db.database import Database  # SQLAlchemy loads only for the commands that use it

    return await Database.open(settings.resolved_database_url)


@pins_app.command("export")
def pins_export(
    file: Annotated[Path, typer.Argument(help="YAML file to write ('-' for standard output).")],
    guild: Annotated[int | None, typer.Option("--guild", help="Only this guild's pins.")] = None,
) -> None:
    """Write the pinned answers (without vectors) to a YAML file."""
    import asyncio

    import yaml

    async def export() -> list[dict[str, Any]]:
        database = await _open_database(settings)
        try:
            return await database.export_pins(guild)
        finally:
            await database.close()

    with _errors():
        settings = _settings()
        records = asyncio.run(export())
        text = yaml.safe_dump(records, allow_unicode=True, sort_keys=False)
        if str(file) == "-":
            sys.stdout.write(text)
        else:
            file.write_text(text, encoding="utf-8")
            err.print(f"Exported {len(records)} pinned answer(s) to {file}.")


@pins_app.command("import")
def pins_import(
    file: Annotated[Path, typer.Argument(help="YAML file written by `careerbot pins export`.")],
) -> None:
    """Add the pinned answers of a YAML file; pins already present are skipped."""
    import asyncio

    import yaml

    from bot.db.database import CurationError, PinQuestion

    with _errors():
        settings = _settings()
        try:
            raw = yaml.safe_load(file.read_text(encoding="utf-8")) or []
        except (OSError, yaml.YAMLError) as exc:
            raise _fail(f"{file}: {exc}") from None
        if not isinstance(raw, list):
            raise _fail(f"{file}: expected a list of pinned answers")
        records = []
        for number, entry in enumerate(raw, 1):
            try:
                records.append(_PinRecord.model_validate(entry))
            except ValidationError as exc:
                problem = exc.errors()[0]
                field = ".".join(str(part) for part in problem["loc"]) or "entry"
                raise _fail(f"{file}: entry {number}, {field}: {problem['msg']}") from None
        retriever = _open_retriever(settings)

        async def add_all() -> tuple[int, int]:
            database = await _open_database(settings)
            added = skipped = 0
            try:
                existing = {
                    (record["guild_id"], record["answer"], tuple(sorted(record["questions"])))
                    for record in await database.export_pins(None)
                }
                for record in records:
                    key = (record.guild_id, record.answer, tuple(sorted(record.questions)))
                    if key in existing:
                        skipped += 1
                        continue
                    vectors = retriever.embed_questions(record.questions)
                    await database.add_pin(
                        record.guild_id,
                        record.answer,
                        [PinQuestion(q, v) for q, v in zip(record.questions, vectors, strict=True)],
                        retriever.embedder.id,
                        record.created_by,
                        source_channel_id=record.source_channel_id,
                        source_message_id=record.source_message_id,
                        action="imported",
                    )
                    existing.add(key)
                    added += 1
            finally:
                await database.close()
            return added, skipped

        try:
            added, skipped = asyncio.run(add_all())
        except (CurationError, InvalidQuestion) as exc:
            raise _fail(f"{file}: {exc}") from None
        out.print(f"Imported {added} pinned answer(s); {skipped} already present.")


class ReportFormat(StrEnum):
    md = "md"
    csv = "csv"


@app.command()
def report(
    since: Annotated[
        str | None, typer.Option("--since", help="Start date, YYYY-MM-DD (default: 7 days ago).")
    ] = None,
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="Markdown or CSV.")
    ] = ReportFormat.md,
    guild: Annotated[int | None, typer.Option("--guild", help="Only this guild.")] = None,
) -> None:
    """What was asked, what found no answer (grouped by meaning) and how answers were rated."""
    import asyncio
    import csv
    from datetime import UTC, datetime, timedelta

    from index.grouping import group_questions

    with _errors():
        settings = _settings()
        if since is None:
            start = datetime.now(UTC) - timedelta(days=7)
        else:
            try:
                start = datetime.strptime(since, "%Y-%m-%d").replace(tzinfo=UTC)
            except ValueError:
                raise _fail(f"--since {since!r}: expected a date like 2026-11-01", 2) from None

        async def read() -> tuple[Any, list[str]]:
            database = await _open_database(settings)
            try:
                stats = await database.stats(guild, start, top=10)
                return stats, await database.unanswered_questions(guild, start)
            finally:
                await database.close()

        stats, unanswered = asyncio.run(read())
        groups = []
        if unanswered:
            embedder = make_embedder(settings.embedder)
            distinct = list(dict.fromkeys(unanswered))
            groups = group_questions(unanswered, embedder.embed_queries(distinct))
        if output_format is ReportFormat.csv:
            writer = csv.writer(sys.stdout)
            writer.writerow(["section", "group", "question", "count"])
            for question, count in stats.top_questions:
                writer.writerow(["top", "", question, count])
            for number, group in enumerate(groups, 1):
                for question, count in group.questions:
                    writer.writerow(["unanswered", number, question, count])
            return
        lines = [
            f"# careerbot report since {start:%Y-%m-%d}",
            "",
            f"- questions: {stats.questions}",
            f"- without an answer: {stats.unanswered} ({stats.unanswered_share:.0%})",
            f"- votes: {stats.votes_up} 👍, {stats.votes_down} 👎 ({stats.up_share:.0%} 👍)",
            "",
            "## Asked most",
            "",
            *[f"- {count}× {question}" for question, count in stats.top_questions],
            "",
            "## Not answered, grouped by meaning (one article or pin can close a group)",
            "",
        ]
        for number, group in enumerate(groups, 1):
            lines.append(f"{number}. {group.total} question(s)")
            lines += [f"   - {count}× {question}" for question, count in group.questions]
        if not groups:
            lines.append("(none)")
        out.print("\n".join(lines), markup=False)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
