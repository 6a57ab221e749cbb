"""Moderator curation on Discord: the 📌 Pin button, "Pin as answer", `/pins`, `/stats`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.discord.exts.pins._cog import CurationCog
from bot.discord.exts.pins._views import PinsPageButton

if TYPE_CHECKING:
    from bot.discord.app import CareerBot


async def setup(bot: CareerBot) -> None:
    """discord.py extension entry point."""
    bot.add_dynamic_items(PinsPageButton)
    await bot.add_cog(CurationCog(bot))
