"""A page of `/resources` as an embed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.formatting import clip
from bot.i18n import Language, t

if TYPE_CHECKING:
    from index.records import ResourceRecord
from bot.discord.answering.render import COLOR_ANSWER
from bot.discord.embeds import EMBED_TITLE, FIELD_NAME, FIELD_VALUE, fit_total, link


def resources_embed(
    resources: list[ResourceRecord],
    page: int,
    page_count: int,
    language: Language,
    filters: str,
) -> discord.Embed:
    """One page of the catalogue: name linked, level, cost, provider and description."""
    title = t("resources.title", language) + (f" · {filters}" if filters else "")
    embed = discord.Embed(title=clip(title, EMBED_TITLE), colour=COLOR_ANSWER)
    if not resources:
        embed.description = t("resources.none", language)
        return embed
    for resource in resources:
        level = t(f"level.{resource.level}", language)
        cost = t(f"cost.{resource.cost}", language)
        head = f"{link(resource.name, resource.url)} · {level} · {cost} · {resource.provider}\n"
        description = resource.description(language)
        embed.add_field(
            name=clip(resource.name, FIELD_NAME),
            value=head + clip(description, FIELD_VALUE - len(head)),
            inline=False,
        )
    embed.set_footer(text=t("page", language, page=page + 1, pages=page_count))
    fit_total(embed)
    return embed
