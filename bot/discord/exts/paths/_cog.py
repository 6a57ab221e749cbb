"""`/path [from] [goal] [hours-per-week] [free] [language]`, and the plan an answer's "Make me a
plan" button asks for (the answering package's button dispatches `plan_requested`: a button
cannot open a slash command, so the plan comes as an ephemeral reply)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import Choice, locale_str
from discord.ext import commands

from bot.discord.answering.plan_button import shown_as
from bot.discord.exts.paths._views import SHOWN, PlanKey, send_plan
from bot.i18n import language_of_locale, t, traditional_locale
from bot.services.paths import (
    DEFAULT_GOAL,
    DEFAULT_HOURS_PER_WEEK,
    MAX_HOURS_PER_WEEK,
    MIN_HOURS_PER_WEEK,
)

if TYPE_CHECKING:
    from bot.discord.app import CareerBot

# The choices Discord shows (registered with the command, so fixed when the module loads);
# a test checks them against corpus/paths.yaml.
STARTING_POINTS = ("zero", "student", "developer", "data-scientist", "other-field")
GOALS = ("ml-engineer",)
RESOURCE_LANGUAGES = ("zh", "en")


def _localized(key: str) -> locale_str:
    """A command's text for Discord: the English string of `key` as sent, the key for the
    Chinese translation (`bot.discord.app.StringsTranslator`)."""
    return locale_str(t(key, "en"), key=key)


def _choices(prefix: str, values: tuple[str, ...]) -> list[Choice[str]]:
    return [Choice(name=_localized(f"{prefix}.{value}"), value=value) for value in values]


def _shown(locale: discord.Locale) -> str:
    """How to show a plan to a member with this Discord locale (zh-TW: Traditional)."""
    language = language_of_locale(locale)
    return shown_as(language, "traditional" if traditional_locale(locale) else "simplified")


class Paths(commands.Cog):
    """Learning plans, and the progress members keep in them."""

    def __init__(self, bot: CareerBot):
        self.bot = bot

    @app_commands.command(name="path", description=_localized("command.path"))
    @app_commands.rename(start="from", hours_per_week="hours-per-week")
    @app_commands.describe(
        start=_localized("command.path.from"),
        goal=_localized("command.path.goal"),
        hours_per_week=_localized("command.path.hours"),
        free=_localized("command.path.free"),
        language=_localized("command.path.language"),
    )
    @app_commands.choices(
        start=_choices("path.start", STARTING_POINTS),
        goal=_choices("path.goal", GOALS),
        language=_choices("path.language", RESOURCE_LANGUAGES),
    )
    async def path(
        self,
        interaction: discord.Interaction,
        start: str,
        goal: str = DEFAULT_GOAL,
        # Discord's client keeps to the range; discord.py does not check it, the planner
        # does (a registration older than the range) and explains a refusal
        hours_per_week: app_commands.Range[float, MIN_HOURS_PER_WEEK, MAX_HOURS_PER_WEEK] = (
            DEFAULT_HOURS_PER_WEEK
        ),
        free: bool = False,
        language: str | None = None,
    ) -> None:
        """The member's plan, ephemeral, in their language, their progress here marked."""
        key = PlanKey(
            guild_id=interaction.guild_id,
            goal=goal,
            start=start,
            hours=hours_per_week,
            free=free,
            resources=language,
            shown=_shown(interaction.locale),
        )
        await send_plan(interaction, key)

    @commands.Cog.listener()
    async def on_plan_requested(
        self, interaction: discord.Interaction, goal: str, start: str, shown: str
    ) -> None:
        """ "Make me a plan" under an answer: the plan for the starting point the question
        named, in the answer's language and script, with the marking menu."""
        if shown not in SHOWN:
            shown = _shown(interaction.locale)
        await send_plan(
            interaction,
            PlanKey(interaction.guild_id, goal, start, DEFAULT_HOURS_PER_WEEK, shown=shown),
        )
