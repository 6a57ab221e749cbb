"""The moderators' review embed of a proposal made from a solved forum thread."""

from __future__ import annotations

import discord

from bot.discord.answering.render import COLOR_PINNED
from bot.discord.embeds import FIELD_VALUE, fit_total
from bot.formatting import clip
from bot.i18n import Language, t


def review_embed(
    question: str, answer: str, thread_id: int, language: Language, status: str = ""
) -> discord.Embed:
    """A solved post proposed to the moderators as a pinned answer (`status`: the decision)."""
    embed = discord.Embed(
        title=t("review.title", language),
        description=t("review.body", language, thread=f"<#{thread_id}>"),
        colour=COLOR_PINNED,
    )
    embed.add_field(
        name=t("review.question", language), value=clip(question, FIELD_VALUE), inline=False
    )
    embed.add_field(
        name=t("review.answer", language), value=clip(answer, FIELD_VALUE), inline=False
    )
    if status:
        embed.add_field(name="\u200b", value=clip(status, FIELD_VALUE), inline=False)
    fit_total(embed)
    return embed
