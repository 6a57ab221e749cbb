"""The `/about` embed: what the bot knows, which index generation answers, how to help."""

from __future__ import annotations

import discord

from bot.discord.answering.render import COLOR_ANSWER
from bot.formatting import clip
from bot.i18n import Language, t


def about_embed(
    language: Language,
    *,
    articles: int,
    passages: int,
    resources: int,
    built_at: str,
    embedder: str,
) -> discord.Embed:
    """What the bot knows and how to ask it."""
    embed = discord.Embed(
        title=t("about.title", language),
        description=t("about.body", language),
        colour=COLOR_ANSWER,
    )
    embed.add_field(
        name=t("about.corpus", language),
        value=t(
            "about.counts", language, articles=articles, passages=passages, resources=resources
        ),
        inline=False,
    )
    embed.add_field(
        name=t("about.index", language),
        value=t("about.built", language, built_at=built_at, embedder=clip(embedder, 200)),
        inline=False,
    )
    embed.add_field(name=t("about.usage", language), value=t("about.howto", language), inline=False)
    return embed
