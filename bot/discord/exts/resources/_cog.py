"""`/resources [topic] [level] [cost]`: browse the learning-resource catalogue, paginated."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from bot.i18n import language_of_locale, t
from corpus.schema import TOPICS, Cost, Level

if TYPE_CHECKING:
    from bot.discord.app import CareerBot
from bot.discord.exts.resources._views import resources_page

AUTOCOMPLETE_LIMIT = 25  # Discord shows at most 25 choices


def topic_choices(current: str) -> list[str]:
    """Topics containing what the user typed so far, best (prefix) matches first."""
    typed = current.strip().lower()
    matches = sorted(t for t in TOPICS if typed in t)
    matches.sort(key=lambda topic: not topic.startswith(typed))
    return matches[:AUTOCOMPLETE_LIMIT]


class Resources(commands.Cog):
    """Browsing the learning-resource catalogue."""

    def __init__(self, bot: CareerBot):
        self.bot = bot

    @app_commands.command(
        name="resources",
        description=locale_str(
            "Browse the learning resources by topic, level and cost", key="command.resources"
        ),
    )
    @app_commands.describe(
        topic=locale_str("Topic, e.g. math", key="command.resources.topic"),
        level=locale_str("Level", key="command.resources.level"),
        cost=locale_str("Cost", key="command.resources.cost"),
    )
    async def resources(
        self,
        interaction: discord.Interaction,
        topic: str | None = None,
        level: Level | None = None,
        cost: Cost | None = None,
    ) -> None:
        """An ephemeral, paginated list of the resources matching the filters."""
        language = language_of_locale(interaction.locale)
        if topic is not None:
            topic = topic.strip().lower() or None
        if topic is not None and topic not in TOPICS:
            message = t(
                "error.unknown_topic", language, topic=topic, topics=", ".join(sorted(TOPICS))
            )
            await interaction.response.send_message(message, ephemeral=True)
            return
        embed, view = resources_page(
            self.bot.worker.retriever.index.resources, language, 0, topic, level, cost
        )
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @resources.autocomplete("topic")
    async def _topic_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=topic, value=topic) for topic in topic_choices(current)]
