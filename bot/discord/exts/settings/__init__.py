"""`/settings`: a server's managers change the bot's settings for their server from Discord."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.discord.exts.settings._cog import Settings

if TYPE_CHECKING:
    from bot.discord.app import CareerBot


async def setup(bot: CareerBot) -> None:
    """discord.py extension entry point."""
    await bot.add_cog(Settings(bot))
