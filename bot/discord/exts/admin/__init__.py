"""`/reindex` (bot owner only): rebuild the index from the corpus on disk and serve it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.discord.exts.admin._cog import Admin

if TYPE_CHECKING:
    from bot.discord.app import CareerBot


async def setup(bot: CareerBot) -> None:
    """discord.py extension entry point."""
    await bot.add_cog(Admin(bot))
