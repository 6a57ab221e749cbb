"""`/about`: what the bot knows (articles, resources, index build) and how to use it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from bot.discord.exts.about._render import about_embed
from bot.i18n import language_of_locale

if TYPE_CHECKING:
    from bot.discord.app import CareerBot


class About(commands.Cog):
    """Describes the corpus and the index the bot serves."""

    def __init__(self, bot: CareerBot):
        self.bot = bot

    @app_commands.command(
        name="about",
        description=locale_str("What the bot knows and how to use it", key="command.about"),
    )
    async def about(self, interaction: discord.Interaction) -> None:
        """An ephemeral summary of the corpus and index."""
        index = self.bot.worker.retriever.index
        embed = about_embed(
            language_of_locale(interaction.locale),
            articles=len({p.article_id for p in index.passages}),
            passages=len(index.passages),
            resources=len(index.resources),
            built_at=index.manifest.built_at,
            embedder=index.manifest.embedder_id,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)
