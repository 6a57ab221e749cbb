"""`careerbot ask`, `search` and `eval`: questions against the served index."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
import yaml
from rich.markup import escape

from bot.services.corpus import load_configured_corpus
from corpus.loader import load_questions
from index.query import InvalidQuestion, normalize_question

if TYPE_CHECKING:
    from index.results import SearchResult
from bot.cli._common import (
    app,
    err,
    expected_errors,
    fail,
    invalid_question,
    load_settings,
    open_retriever,
    out,
    print_json,
    printable,
)

QuestionArgument = Annotated[
    str,
    typer.Argument(help="The question, in Chinese or English; '-' reads it from standard input."),
]


@app.command()
def ask(
    question: QuestionArgument,
    k: Annotated[int, typer.Option("--k", min=1, max=10, help="Passages to show.")] = 3,
    resources: Annotated[
        int, typer.Option("--resources", min=0, max=10, help="Learning resources to show.")
    ] = 3,
) -> None:
    """Answer a question with the best passages and learning resources."""
    with expected_errors():
        if question == "-":
            question = _read_question()
        settings = load_settings()
        limit = settings.retrieval.max_question_chars
        try:  # before loading anything: a bad question should fail fast
            normalize_question(question, limit)
        except InvalidQuestion as exc:
            raise invalid_question(exc, question, limit) from None
        retriever = open_retriever(settings)
        from bot.cli._terminal import render_answer
        from bot.services.answers import answer_once

        render_answer(answer_once(retriever, question, k=k, k_resources=resources).result, out)


@app.command()
def search(
    question: Annotated[
        str | None, typer.Argument(help="The question (or use --queries-file).")
    ] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="Passages per query.")] = 10,
    k_resources: Annotated[
        int, typer.Option("--k-resources", min=0, max=100, help="Learning resources per query.")
    ] = 5,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per query per line.")
    ] = False,
    queries_file: Annotated[
        Path | None, typer.Option("--queries-file", help="One query per line; '-' for stdin.")
    ] = None,
    no_threshold: Annotated[
        bool,
        typer.Option(
            "--no-threshold",
            help="List passages, a lead and resources even when the no-good-answer model "
            "(retrieval.refusal) refuses the question; it stays unanswered.",
        ),
    ] = False,
) -> None:
    """Print the ranked hits (passages, then resources): the machine interface of eval and bench."""
    with expected_errors():
        if (question is None) == (queries_file is None):
            raise fail("give either a QUESTION or --queries-file, not both or neither", 2)
        queries = [question] if question is not None else _read_queries(queries_file)
        settings = load_settings()
        retriever = open_retriever(settings)
        from bot.services.answers import answer_once

        failures = 0
        for query in queries:
            try:
                answer = answer_once(
                    retriever, query, k=k, k_resources=k_resources, apply_threshold=not no_threshold
                )
            except InvalidQuestion as exc:
                failures += 1
                if as_json:
                    print_json({"query": printable(query), "error": str(exc), "hits": []})
                else:
                    err.print(f"[red]{escape(query[:80])!r}: {escape(str(exc))}[/red]")
                continue
            if as_json:
                print_json(answer.to_json(query))
            else:
                _print_hits_table(query, answer.result)
        if failures:
            raise typer.Exit(1)


def _read_question() -> str:
    """The question on standard input, whole (bytes that are not UTF-8 kept as surrogates, as
    in an argument, so the question check reports them)."""
    try:
        data = sys.stdin.buffer.read()
    except OSError as exc:
        raise fail(f"cannot read the question from standard input: {exc}") from None
    return data.decode("utf-8", "surrogateescape").strip()


def _read_queries(path: Path | None) -> list[str]:
    """The file's (or stdin's) non-blank lines. A line that is not UTF-8 is kept with its bad
    bytes as surrogates: searching it reports that one query, the others are answered."""
    assert path is not None
    try:
        data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read queries file {path}: {exc}") from None
    text = data.decode("utf-8", "surrogateescape")
    queries = [line.strip() for line in text.splitlines() if line.strip()]
    if not queries:
        raise fail(f"queries file {path} has no queries")
    return queries


def _print_hits_table(query: str, result: SearchResult) -> None:
    from rich.table import Table

    table = Table(title=escape(query), title_justify="left", show_lines=False)
    for column in ("#", "kind", "score", "title", "text"):
        table.add_column(column, overflow="fold")
    for rank, hit in enumerate(result.hits, 1):
        table.add_row(
            str(rank), hit.kind, f"{hit.score:.3f}", escape(hit.title), escape(hit.text[:120])
        )
    out.print(table)


class EvalSplit(StrEnum):
    dev = "dev"
    test = "test"
    all = "all"


@app.command("eval")
def eval_command(
    questions_file: Annotated[
        Path | None, typer.Option("--questions", help="Labelled questions (default: shipped set).")
    ] = None,
    split: Annotated[
        EvalSplit, typer.Option("--split", help="Which questions (figures per split either way).")
    ] = EvalSplit.all,
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
    """Score retrieval and replies on the labelled questions, per split and language.

    The figures: MRR@10, hit@1/3, refusals, leads that hold the answer, passages in the asker's
    language."""
    from index.evaluation import EVAL_K, RESOURCE_K, evaluate, traditional_agreement

    with expected_errors():
        settings = load_settings()
        corpus = load_configured_corpus(settings)
        questions = load_questions(questions_file or settings.questions_file, corpus)
        retriever = open_retriever(settings)
        if calibrate:
            from index.evaluation import calibrate_cards, card_cites_label
            from index.refusal import calibrate as fit

            dev = [q for q in questions if q.split == "dev"]
            model = fit(dev, retriever.features)
            cards = calibrate_cards(
                dev,
                retriever.card_evidence,
                lambda card, question: card_cites_label(retriever.card_cites(card), question),
            )
            sys.stdout.write(
                yaml.safe_dump(
                    {
                        "retrieval": {
                            "refusal": model.model_dump(),
                            "card_threshold_zh": cards.thresholds.get("zh", 1.0),
                            "card_threshold_en": cards.thresholds.get("en", 1.0),
                            "card_lexical_weight": cards.lexical_weight,
                            "card_agreement_margin": cards.agreement_margin,
                        }
                    },
                    sort_keys=False,
                )
            )
            sys.stderr.write(
                "dev questions answered by a card: "
                + ", ".join(
                    f"{lang} {cards.right[lang]} right, {cards.wrong[lang]} wrong"
                    for lang in cards.right
                )
                + "\n"
            )
            return
        if split is not EvalSplit.all:
            questions = [q for q in questions if q.split == split]
        if not questions:
            raise fail(f"no questions in split {split!r}")

        from bot.services.answers import answer_once

        def search(question: str):  # as served: what answers, in order (bot.answers)
            return answer_once(
                retriever, question, k=EVAL_K, k_resources=RESOURCE_K, apply_threshold=False
            ).result

        report = evaluate(questions, search)
        traditional = traditional_agreement(questions, search)
        if as_json:
            print_json(
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
            f"{'wrongly':>7} {'unans.':>8} {'lead':>5} {'asker':>5} {'res.':>5} {'by':>5}\n"
            f"{'':<5} {'':<4} {'':>3} {'':>6} {'':>5} {'':>5} "
            f"{'refused':>7} {'answered':>8} {'holds':>5} {'lang.':>5} {'@5':>5} {'card':>5}",
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
                    f"{r.resource_hit_at_5:>5.2f} {r.by_card_share:>5.0%}",
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
