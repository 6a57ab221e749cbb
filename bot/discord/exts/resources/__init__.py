"""`/resources [topic] [level] [cost]`: browse the learning-resource catalogue, paginated."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.discord.exts.resources._cog import Resources
from bot.discord.exts.resources._views import ResourcesPageButton

if TYPE_CHECKING:
    from bot.discord.app import CareerBot


async def setup(bot: CareerBot) -> None:
    """discord.py extension entry point."""
    bot.add_dynamic_items(ResourcesPageButton)
    await bot.add_cog(Resources(bot))
