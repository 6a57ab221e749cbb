"""`/about`: what the bot knows (articles, resources, index build) and how to use it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.discord.exts.about._cog import About

if TYPE_CHECKING:
    from bot.discord.app import CareerBot


async def setup(bot: CareerBot) -> None:
    """discord.py extension entry point."""
    await bot.add_cog(About(bot))
