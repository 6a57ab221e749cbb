"""`/ask` and @mentions: a thin adapter from Discord to the search worker and the embed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.discord.exts.ask._cog import Ask

if TYPE_CHECKING:
    from bot.discord.app import CareerBot


async def setup(bot: CareerBot) -> None:
    """discord.py extension entry point."""
    await bot.add_cog(Ask(bot))
