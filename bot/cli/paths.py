"""`careerbot path`: a learning plan from a starting point to a goal.

From the corpus alone (`corpus/paths.yaml`, the catalogue, the articles' titles): no model and
no index is loaded, so a plan prints in about the time the CLI takes to start."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli._common import app, expected_errors, fail, load_settings, out, print_json


@app.command("path")
def path(
    start: Annotated[
        str,
        typer.Option(
            "--from",
            help="Where you start from, e.g. developer (an unknown one lists the choices).",
            show_default=False,
        ),
    ],
    goal: Annotated[str, typer.Option("--goal", help="The role to reach.")] = "ml-engineer",
    hours_per_week: Annotated[
        float, typer.Option("--hours-per-week", help="Hours a week you can study (1-80).")
    ] = 10.0,
    free: Annotated[
        bool, typer.Option("--free", help="Free resources only, where the catalogue has one.")
    ] = False,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            help="zh or en: the plan's language, and resources in it where the catalogue "
            "has them (default: English, resources in any language).",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="The plan as one JSON object (a stable interface).")
    ] = False,
) -> None:
    """Make a learning plan from your starting point to the goal.

    The stages in order (those your starting point covers marked so), 1-3 resources for each,
    the time it takes at your hours a week with the sentence it comes from, and the article
    sentences behind every stage."""
    from bot.services.path_plan import PlanInputError
    from bot.services.path_planner import PathPlanner

    with expected_errors():
        settings = load_settings()
        planner = PathPlanner.load(settings.corpus_dir, settings.max_article_bytes)
        try:
            plan = planner.plan(start, goal, hours_per_week, free, language)
        except PlanInputError as exc:  # a usage error, as typer reports its own
            raise fail(exc.message("zh" if language == "zh" else "en"), 2) from None
        if as_json:
            print_json(plan.to_json(language))
            return
        from bot.cli._terminal import render_plan

        render_plan(plan, planner, "zh" if language == "zh" else "en", out)
