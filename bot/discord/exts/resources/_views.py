"""A `/resources` page (filtered catalogue, embed and Previous/Next buttons whose custom_id
carries the filters, so paging survives a restart)."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

import discord

from bot.discord.exts.resources._render import resources_embed
from bot.i18n import Language, language_of_locale, t

if TYPE_CHECKING:
    from bot.discord.app import CareerBot
    from index.records import ResourceRecord


class ResourcesPageButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"careerbot:resources:(?P<page>-?\d+):(?P<topic>[a-z-]*):(?P<level>[a-z]*):(?P<cost>[a-z]*)",
):
    """Previous/Next: the filters and the target page live in the custom_id (restart-proof)."""

    def __init__(self, page: int, topic: str, level: str, cost: str, *, label: str = "›"):
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"careerbot:resources:{page}:{topic}:{level}:{cost}",
            )
        )
        self.page, self.topic, self.level, self.cost = page, topic, level, cost

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> ResourcesPageButton:
        return cls(int(match["page"]), match["topic"], match["level"], match["cost"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot: CareerBot = interaction.client  # type: ignore[assignment]
        embed, view = resources_page(
            bot.worker.retriever.index.resources,
            language_of_locale(interaction.locale),
            self.page,
            self.topic or None,
            self.level or None,
            self.cost or None,
        )
        await interaction.response.edit_message(embed=embed, view=view)


PAGE_SIZE = 5  # five resources with their descriptions fit an embed and a phone screen


def filter_resources(
    resources: list[ResourceRecord], topic: str | None, level: str | None, cost: str | None
) -> list[ResourceRecord]:
    """Catalogue entries matching every given filter, in catalogue order."""
    return [
        resource
        for resource in resources
        if (not topic or topic in resource.topics)
        and (not level or resource.level == level)
        and (not cost or resource.cost == cost)
    ]


def resources_page(
    catalogue: list[ResourceRecord],
    language: Language,
    page: int,
    topic: str | None,
    level: str | None,
    cost: str | None,
) -> tuple[discord.Embed, discord.ui.View]:
    """The embed and the Previous/Next buttons of one page (clamped into range)."""
    matching = filter_resources(catalogue, topic, level, cost)
    pages = max(1, math.ceil(len(matching) / PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    filters = " · ".join(value for value in (topic, level, cost) if value)
    shown = matching[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    embed = resources_embed(shown, page, pages, language, filters)
    view = discord.ui.View(timeout=None)
    if pages > 1:
        state = (topic or "", level or "", cost or "")
        view.add_item(ResourcesPageButton(page - 1, *state, label=t("button.previous", language)))
        view.add_item(ResourcesPageButton(page + 1, *state, label=t("button.next", language)))
        view.children[0].disabled = page == 0  # type: ignore[attr-defined]
        view.children[1].disabled = page == pages - 1  # type: ignore[attr-defined]
    return embed, view
