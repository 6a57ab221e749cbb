"""A plan's components and replies: the menu that marks stages done (its custom_id carries the
plan and the server it was made in, so it keeps working after a restart and is refused in
another server), the "All sources" button, and the reply that `/path` and "Make me a plan"
share."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import discord

from bot.discord.exts.paths._render import LEARN_CHARS, plan_embed, sources_embed
from bot.discord.reply import careerbot_of, respond
from bot.formatting import clip
from bot.i18n import Language, t
from bot.services.path_plan import LearningPlan, PlanInputError
from bot.services.path_progress import markable
from index.query import ChineseScript, in_script

if TYPE_CHECKING:
    from bot.services.path_planner import PathPlanner
    from bot.services.path_progress import PathProgress

SELECT_LABEL = 100  # Discord's limit for a select option's label and description
SELECT_PLACEHOLDER = 150  # Discord's limit for a select menu's placeholder
SHOWN = ("zh", "zh-hant", "en")  # how a plan is shown: Chinese (Simplified, Traditional), English
_ID = r"[a-z0-9]+(?:-[a-z0-9]+)*"  # a goal's or starting point's id (corpus.schema slugs)


@dataclass(frozen=True)
class PlanKey:
    """Everything that makes a plan, as its components carry it: the server it was made in (None
    in a DM), goal, starting point, hours a week, free only, the resources' language and how it
    is shown."""

    guild_id: int | None
    goal: str
    start: str
    hours: float
    free: bool = False
    resources: str | None = None  # "zh", "en" or None (any)
    shown: str = "en"  # one of SHOWN

    @property
    def language(self) -> Language:
        return "zh" if self.shown.startswith("zh") else "en"

    @property
    def script(self) -> ChineseScript:
        return "traditional" if self.shown == "zh-hant" else "simplified"

    def select_id(self) -> str:
        """The marking menu's custom_id (at most about 80 characters of Discord's 100)."""
        return (
            f"careerbot:path:{self.guild_id or 0}:{self.goal}:{self.start}:{self.hours:g}:"
            f"{int(self.free)}:{self.resources or ''}:{self.shown}"
        )

    def sources_id(self) -> str:
        return f"careerbot:path-sources:{self.goal}:{self.start}:{self.shown}"


async def _planner(interaction: discord.Interaction, key: PlanKey) -> PathPlanner | None:
    """The bot's learning paths; None, with the member told, when its corpus has none."""
    planner = careerbot_of(interaction).path_planner
    if planner is None:
        await respond(interaction, in_script(t("path.unavailable", key.language), key.script))
    return planner


def _progress(interaction: discord.Interaction) -> PathProgress:
    progress = careerbot_of(interaction).path_progress
    if progress is None:
        raise RuntimeError("the bot has not been set up")
    return progress


class PathProgressSelect(
    discord.ui.DynamicItem[discord.ui.Select],
    template=(
        rf"careerbot:path:(?P<guild>\d+):(?P<goal>{_ID}):(?P<start>{_ID}):"
        r"(?P<hours>\d+(?:\.\d+)?):(?P<free>[01]):(?P<resources>zh|en|):(?P<shown>zh|zh-hant|en)"
    ),
):
    """The menu under a plan: the member picks the stages they have done (every pick replaces
    the last), kept for them in this server; the plan is shown again with the next stage
    first. Refused in a server other than the plan's."""

    def __init__(self, key: PlanKey, select: discord.ui.Select | None = None):
        super().__init__(select or discord.ui.Select(custom_id=key.select_id()))
        self.key = key

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Select, match: re.Match[str]
    ) -> PathProgressSelect:
        key = PlanKey(
            guild_id=int(match["guild"]) or None,
            goal=match["goal"],
            start=match["start"],
            hours=float(match["hours"]),
            free=match["free"] == "1",
            resources=match["resources"] or None,
            shown=match["shown"],
        )
        return cls(key, item)

    async def callback(self, interaction: discord.Interaction) -> None:
        key = self.key
        guild_id = interaction.guild_id
        if guild_id is None or guild_id != key.guild_id:
            message = in_script(t("path.other_server", key.language), key.script)
            await respond(interaction, message)
            return
        planner = await _planner(interaction, key)
        if planner is None:
            return
        try:
            plan = _plan(planner, key)
        except PlanInputError as exc:  # the corpus changed since the plan was sent
            await respond(interaction, in_script(exc.message(key.language), key.script))
            return
        done = await _progress(interaction).mark(
            guild_id, interaction.user.id, plan, self.item.values
        )
        embed, view = await asyncio.to_thread(_rendered, plan, planner, key, done)
        await interaction.response.edit_message(embed=embed, view=view)


class PathSourcesButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=rf"careerbot:path-sources:(?P<goal>{_ID}):(?P<start>{_ID}):(?P<shown>zh|zh-hant|en)",
):
    """ "All sources" under a plan: every article sentence behind it, ephemeral."""

    def __init__(self, key: PlanKey):
        super().__init__(
            discord.ui.Button(
                emoji="📖",
                label=in_script(t("button.path_sources", key.language), key.script),
                style=discord.ButtonStyle.secondary,
                custom_id=key.sources_id(),
            )
        )
        self.key = key

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> PathSourcesButton:
        return cls(PlanKey(None, match["goal"], match["start"], 10.0, shown=match["shown"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        key = self.key
        planner = await _planner(interaction, key)
        if planner is None:
            return
        try:
            plan = planner.plan(key.start, key.goal)  # the sentences do not depend on the rest
        except PlanInputError as exc:
            await respond(interaction, in_script(exc.message(key.language), key.script))
            return
        embed = await asyncio.to_thread(sources_embed, plan, planner, key.language, key.script)
        await respond(interaction, embed=embed)


def _plan(planner: PathPlanner, key: PlanKey) -> LearningPlan:
    return planner.plan(key.start, key.goal, key.hours, key.free, key.resources)


def plan_view(plan: LearningPlan, key: PlanKey, done: frozenset[str] | None) -> discord.ui.View:
    """The menu marking stages done (in a server), with the stages done so far selected, and
    "All sources"."""
    view = discord.ui.View(timeout=None)
    stages = markable(plan)
    if key.guild_id is not None and stages:
        numbers = {stage.id: number for number, stage in enumerate(plan.stages, 1)}
        language, script = key.language, key.script
        select = discord.ui.Select(
            custom_id=key.select_id(),
            placeholder=clip(in_script(t("path.select", language), script), SELECT_PLACEHOLDER),
            min_values=0,
            max_values=len(stages),
            options=[
                discord.SelectOption(
                    label=clip(
                        in_script(f"{numbers[s.id]}. {s.title(language)}", script), SELECT_LABEL
                    ),
                    value=s.id,
                    description=clip(
                        in_script(s.learn_zh if language == "zh" else s.learn_en, script),
                        min(SELECT_LABEL, LEARN_CHARS),
                    ),
                    default=s.id in (done or ()),
                )
                for s in stages
            ],
        )
        view.add_item(PathProgressSelect(key, select))
    view.add_item(PathSourcesButton(key))
    return view


def _rendered(
    plan: LearningPlan, planner: PathPlanner, key: PlanKey, done: frozenset[str] | None
) -> tuple[discord.Embed, discord.ui.View]:
    """The plan's embed and components (in a thread: Traditional conversion may load
    OpenCC)."""
    embed = plan_embed(plan, planner, key.language, key.script, done)
    return embed, plan_view(plan, key, done)


async def send_plan(interaction: discord.Interaction, key: PlanKey) -> None:
    """Reply with the plan `key` describes, ephemeral, the member's progress in this server
    marked; a plan that cannot be made (unknown starting point or goal, hours a week out of
    range) is explained instead."""
    planner = await _planner(interaction, key)
    if planner is None:
        return
    key = replace(key, guild_id=interaction.guild_id)
    try:
        plan = _plan(planner, key)
    except PlanInputError as exc:
        await respond(interaction, in_script(exc.message(key.language), key.script))
        return
    done = None
    if key.guild_id is not None:
        done = await _progress(interaction).done(key.guild_id, interaction.user.id)
    embed, view = await asyncio.to_thread(_rendered, plan, planner, key, done)
    await respond(interaction, embed=embed, view=view)
