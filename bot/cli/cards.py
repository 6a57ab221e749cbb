"""`careerbot cards suggest`: the answer cards worth writing next, from what members asked."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
import yaml

from bot.cli._common import cards_app, err, expected_errors, fail, load_settings


@cards_app.command("suggest")
def cards_suggest(
    days: Annotated[
        int, typer.Option("--days", min=1, max=3650, help="Look at this many days back.")
    ] = 30,
    guild: Annotated[int | None, typer.Option("--guild", help="Only this guild.")] = None,
    min_count: Annotated[
        int, typer.Option("--min-count", min=1, help="Only groups asked at least this often.")
    ] = 1,
) -> None:
    """Print YAML skeletons of the answer cards to write next, the most asked first.

    The unanswered questions and the 👎-voted answers are grouped by meaning; each group is a
    card skeleton for corpus/cards/, with its counts."""
    import asyncio
    from datetime import UTC, datetime, timedelta

    from bot.cli.curation import _open_database
    from bot.services.card_suggestions import DownVote, distinct_questions, suggest_cards
    from index.embedders import make_embedder

    with expected_errors():
        settings = load_settings()
        since = datetime.now(UTC) - timedelta(days=days)

        async def read() -> tuple[list[str], list[DownVote]]:
            database = await _open_database(settings)
            try:
                unanswered = await database.answer_log.unanswered_questions(guild, since)
                votes = await database.answer_log.down_votes(guild, since)
                return unanswered, [DownVote(v.question, v.hit_ids) for v in votes]
            finally:
                await database.close()

        unanswered, down_votes = asyncio.run(read())
        questions = distinct_questions(unanswered, down_votes)
        if not questions:
            err.print(f"Nothing to suggest: no unanswered or 👎-voted question in {days} days.")
            return
        vectors = make_embedder(settings.embedder).embed_queries(questions)
        suggestions = [
            s for s in suggest_cards(unanswered, down_votes, vectors) if s.total >= min_count
        ]
        if not suggestions:
            raise fail(f"no group was asked {min_count} times or more in {days} days", 1)
        for suggestion in suggestions:
            cards = ", ".join(suggestion.down_voted_cards) or "-"
            sys.stdout.write(
                f"# asked {suggestion.total}×: {suggestion.unanswered} unanswered, "
                f"{suggestion.down_votes} 👎 (cards voted down: {cards})\n"
            )
            sys.stdout.write(
                yaml.safe_dump([suggestion.skeleton()], allow_unicode=True, sort_keys=False)
            )
            sys.stdout.write("\n")
        err.print(
            f"{len(suggestions)} card(s) to consider, from {len(unanswered)} unanswered "
            f"question(s) and {len(down_votes)} 👎 since {since:%Y-%m-%d}."
        )
