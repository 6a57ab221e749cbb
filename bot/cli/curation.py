"""`careerbot pins export|import` and `careerbot report`."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic import Field as PydanticField

from bot.config import Settings
from index.embedders import make_embedder
from index.query import InvalidQuestion

if TYPE_CHECKING:
    from bot.db.database import Database
    from bot.db.pin_store import ExportedPin
from bot.cli._common import (
    app,
    err,
    expected_errors,
    fail,
    load_settings,
    open_retriever,
    out,
    pins_app,
)


class _PinRecord(BaseModel):
    """One pinned answer in an export file."""

    # built on first use (`pins import`), not at every start of the CLI
    model_config = ConfigDict(extra="ignore", defer_build=True)

    guild_id: int
    answer: str = PydanticField(min_length=1)
    questions: list[str] = PydanticField(min_length=1)
    created_by: int | None = None
    source_channel_id: int | None = None
    source_message_id: int | None = None


async def _open_database(settings: Settings) -> Database:
    from bot.db.database import Database

    return await Database.open(settings.resolved_database_url)


@pins_app.command("export")
def pins_export(
    file: Annotated[Path, typer.Argument(help="YAML file to write ('-' for standard output).")],
    guild: Annotated[int | None, typer.Option("--guild", help="Only this guild's pins.")] = None,
) -> None:
    """Write the pinned answers (without vectors) to a YAML file."""
    import asyncio

    async def export() -> list[ExportedPin]:
        database = await _open_database(settings)
        try:
            return await database.pins.export_pins(guild)
        finally:
            await database.close()

    with expected_errors():
        settings = load_settings()
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

    from bot.db.pin_store import PinQuestion
    from bot.services.pin_rules import CurationError, check_pin_text

    with expected_errors():
        settings = load_settings()
        try:
            raw = yaml.safe_load(file.read_text(encoding="utf-8")) or []
        except (OSError, yaml.YAMLError) as exc:
            raise fail(f"{file}: {exc}") from None
        if not isinstance(raw, list):
            raise fail(f"{file}: expected a list of pinned answers")
        records = []
        for number, entry in enumerate(raw, 1):
            try:
                record = _PinRecord.model_validate(entry)
            except ValidationError as exc:
                problem = exc.errors()[0]
                field = ".".join(str(part) for part in problem["loc"]) or "entry"
                raise fail(f"{file}: entry {number}, {field}: {problem['msg']}") from None
            try:  # every entry is checked before the first is written
                answer, questions = check_pin_text(record.answer, record.questions)
            except CurationError as exc:
                raise fail(f"{file}: entry {number}: {exc}") from None
            records.append(record.model_copy(update={"answer": answer, "questions": questions}))
        retriever = open_retriever(settings)

        async def add_all() -> tuple[int, int]:
            database = await _open_database(settings)
            added = skipped = 0
            try:
                existing = {
                    (record["guild_id"], record["answer"], tuple(sorted(record["questions"])))
                    for record in await database.pins.export_pins(None)
                }
                for record in records:
                    key = (record.guild_id, record.answer, tuple(sorted(record.questions)))
                    if key in existing:
                        skipped += 1
                        continue
                    vectors = retriever.embed_questions(record.questions)
                    await database.pins.add_pin(
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
            raise fail(f"{file}: {exc}") from None
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
    """Report what was asked, what found no answer (grouped by meaning) and how answers fared."""
    import asyncio
    import csv
    from datetime import UTC, datetime, timedelta

    from index.grouping import group_questions

    with expected_errors():
        settings = load_settings()
        if since is None:
            start = datetime.now(UTC) - timedelta(days=7)
        else:
            try:
                start = datetime.strptime(since, "%Y-%m-%d").replace(tzinfo=UTC)
            except ValueError:
                raise fail(f"--since {since!r}: expected a date like 2026-11-01", 2) from None

        async def read() -> tuple[Any, list[str]]:
            database = await _open_database(settings)
            try:
                stats = await database.answer_log.stats(guild, start, top=10)
                return stats, await database.answer_log.unanswered_questions(guild, start)
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
