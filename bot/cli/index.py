"""`careerbot index build|rollback|status|verify`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from bot.services.corpus import load_configured_corpus
from index.generations import current_generation_dir, list_generations, verify_generation
from index.manifest import IndexStoreError, PublishRefused

if TYPE_CHECKING:
    from bot.config import Settings
    from index.quality import GateReport
from bot.cli._common import (
    build_with_progress,
    expected_errors,
    index_app,
    load_settings,
    out,
)
from bot.services import reindex


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
    with expected_errors():
        settings = load_settings()
        try:
            report = build_with_progress(
                settings, force=force, gate=settings.index.quality_gate and not force
            )
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


def _print_gate_changes(quality: GateReport | None) -> None:
    """The questions whose right passage moved down, if any."""
    for change in quality.worse if quality is not None else []:
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
    with expected_errors():
        settings = load_settings()
        name = reindex.rollback(settings)
        out.print(f"Now serving generation {name}.")


@index_app.command("status")
def index_status() -> None:
    """Show what the served index contains and whether it matches corpus and configuration."""
    with expected_errors():
        settings = load_settings()
        from rich.table import Table

        from index.ann import planned_vector_index
        from index.build_inputs import corpus_fingerprint
        from index.manifest import check_compatible

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
        if corpus_fingerprint(load_configured_corpus(settings)) != manifest.corpus_hash:
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
    from index.generations import GENERATIONS, published_generations

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
    with expected_errors():
        settings = load_settings()
        from index.store import load_index

        loaded = load_index(settings.index_root, settings.embedder.embedder_id())
        out.print(
            f"OK: generation {loaded.directory.name}, {len(loaded.manifest.files)} files, "
            f"{loaded.manifest.passage_count} passages, {loaded.manifest.resource_count} resources."
        )
