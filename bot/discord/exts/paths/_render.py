"""A learning plan as Discord embeds: the plan (the next stage first, then the stages still to
learn, then those done or covered) and all the article sentences behind it, in the member's
language and script, within Discord's limits."""

from __future__ import annotations

from collections.abc import Collection

import discord

from bot.discord.embeds import (
    EMBED_DESCRIPTION,
    EMBED_TITLE,
    FIELD_NAME,
    FIELD_VALUE,
    FOOTER_TEXT,
    fit_total,
    in_script_embed,
    link,
)
from bot.formatting import clip, excerpt
from bot.i18n import Language, t
from bot.services.path_plan import LearningPlan, PlanSource, PlanStage
from bot.services.path_planner import PathPlanner
from bot.services.paths import next_stage
from index.query import ChineseScript

COLOR_PLAN = discord.Colour.green()
LEARN_CHARS = 160  # what a stage teaches: a sentence, the rest is in the resources
QUOTE_CHARS = 110  # the first sentence behind a stage, in the plan (all of them: "All sources")
ARTICLE_LINK_CHARS = 80  # an article's title as a link's text (the longest is 72)


def route_title(plan: LearningPlan, planner: PathPlanner, language: Language) -> str:
    """ "Software developer → Machine learning engineer"."""
    start, goal = planner.starting_point(plan.start), planner.goal(plan.goal)
    return (
        f"{start.title(language) if start else plan.start} → "
        f"{goal.title(language) if goal else plan.goal}"
    )


def _article_link(source: PlanSource, planner: PathPlanner, language: Language) -> str:
    article = planner.article(source.article_id)
    return link(clip(article.title(language), ARTICLE_LINK_CHARS), article.url)


def _stage_value(stage: PlanStage, planner: PathPlanner, language: Language) -> str:
    """What a stage to learn shows: what it teaches, its resources, the first sentence behind
    it and its article."""
    learn = excerpt(stage.learn_zh if language == "zh" else stage.learn_en, LEARN_CHARS)
    lines = [learn]
    for resource in stage.resources:
        level = t(f"level.{resource.level}", language)
        cost = t(f"cost.{resource.cost}", language)
        lines.append(f"• {link(resource.name, resource.url)} · {level} · {cost}")
    if not stage.resources:
        lines.append(f"*{t('path.no_resources', language)}*")
    if stage.sources:
        first = stage.sources[0]
        quote = clip(first.text(language), QUOTE_CHARS)
        lines.append(f"📖 “{quote}” — {_article_link(first, planner, language)}")
    return "\n".join(lines)


def plan_embed(
    plan: LearningPlan,
    planner: PathPlanner,
    language: Language,
    script: ChineseScript = "simplified",
    done: Collection[str] | None = None,
) -> discord.Embed:
    """The plan: the estimate at the member's hours a week with the sentence it comes from,
    the next stage first, then the others still to learn (in order, each with its resources
    and the first sentence behind it), those done or covered, the notes. `done`: the stages
    the member marked done in this server (None outside a server: no progress is kept)."""
    marked = set(done or ())
    upcoming = next_stage(plan, marked)
    estimate = plan.estimate
    months, hours = f"{estimate.months:g}", f"{estimate.hours_per_week:g}"
    source = estimate.source
    lines = [
        t("path.estimate", language, months=months, hours=hours),
        f"> “{source.text(language)}” — {_article_link(source, planner, language)}",
        "",
    ]
    if upcoming is None:
        lines.append(f"**{t('path.all_done', language)}**")
    else:
        number = plan.stages.index(upcoming) + 1
        stage = f"{number}. {upcoming.title(language)}"
        lines.append(f"➡️ **{t('path.next', language, stage=stage)}**")
    learnable = [s for s in plan.stages if not s.covered]
    if done is not None and learnable:
        count = sum(1 for s in learnable if s.id in marked)
        lines.append(t("path.progress", language, done=count, total=len(learnable)))
    embed = discord.Embed(
        title=clip(
            t("path.plan", language, route=route_title(plan, planner, language)), EMBED_TITLE
        ),
        description=clip("\n".join(lines), EMBED_DESCRIPTION),
        colour=COLOR_PLAN,
    )
    finished: list[str] = []
    for number, stage in enumerate(plan.stages, 1):
        title = f"{number}. {stage.title(language)}"
        if stage.covered or stage.id in marked:
            state = t("path.covered" if stage.covered else "path.done", language)
            finished.append(
                f"~~{title}~~（{state}）" if language == "zh" else f"~~{title}~~ ({state})"
            )
            continue
        name = f"➡️ {title}" if stage is upcoming else title
        embed.add_field(
            name=clip(name, FIELD_NAME),
            value=clip(_stage_value(stage, planner, language), FIELD_VALUE),
            inline=False,
        )
    if finished:
        embed.add_field(
            name=t("path.done_title", language),
            value=clip("\n".join(finished), FIELD_VALUE),
            inline=False,
        )
    if plan.notes:
        notes = "\n".join(f"• {note.text(language)}" for note in plan.notes)
        embed.add_field(
            name=t("path.notes", language), value=clip(notes, FIELD_VALUE), inline=False
        )
    footer = t("path.footer" if done is not None else "path.footer_dm", language)
    embed.set_footer(text=clip(footer, FOOTER_TEXT))
    fit_total(embed)
    return in_script_embed(embed, script)


def sources_embed(
    plan: LearningPlan,
    planner: PathPlanner,
    language: Language,
    script: ChineseScript = "simplified",
) -> discord.Embed:
    """Every article sentence behind the plan, per stage (the estimate's first), numbered by
    article; the articles, linked, in the description."""
    articles: list[str] = []

    def quote(source: PlanSource) -> str:
        if source.article_id not in articles:
            articles.append(source.article_id)
        return f"“{source.text(language)}” [{articles.index(source.article_id) + 1}]"

    fields = [
        (
            t(
                "path.estimate_plain",
                language,
                months=f"{plan.estimate.months:g}",
                hours=f"{plan.estimate.hours_per_week:g}",
            ),
            quote(plan.estimate.source),
        )
    ]
    for number, stage in enumerate(plan.stages, 1):
        quotes = "\n".join(f"• {quote(source)}" for source in stage.sources)
        fields.append((f"{number}. {stage.title(language)}", quotes))
    listed = []
    for number, article_id in enumerate(articles, 1):
        article = planner.article(article_id)
        listed.append(f"[{number}] {link(article.title(language), article.url)}")
    embed = discord.Embed(
        title=clip(
            f"{t('path.sources', language)} · {route_title(plan, planner, language)}", EMBED_TITLE
        ),
        description=clip("\n".join(listed), EMBED_DESCRIPTION),
        colour=COLOR_PLAN,
    )
    for name, value in fields:
        embed.add_field(name=clip(name, FIELD_NAME), value=clip(value, FIELD_VALUE), inline=False)
    fit_total(embed)
    return in_script_embed(embed, script)
