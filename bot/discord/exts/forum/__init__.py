"""Help forums: answer a new post in its thread, keep the server's posts for similar threads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.discord.exts.forum._cog import ForumAssistant
from bot.discord.exts.forum._views import REVIEW_BUTTONS

if TYPE_CHECKING:
    from bot.discord.app import CareerBot


async def setup(bot: CareerBot) -> None:
    """discord.py extension entry point."""
    bot.add_dynamic_items(*REVIEW_BUTTONS)
    await bot.add_cog(ForumAssistant(bot))
