"""`/path`: a learning plan for the member, the stages they have done marked from a menu under
it (kept per server), and the plan an answer's "Make me a plan" button asks for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.discord.exts.paths._cog import Paths
from bot.discord.exts.paths._views import PathProgressSelect, PathSourcesButton

if TYPE_CHECKING:
    from bot.discord.app import CareerBot


async def setup(bot: CareerBot) -> None:
    """discord.py extension entry point."""
    bot.add_dynamic_items(PathProgressSelect, PathSourcesButton)
    await bot.add_cog(Paths(bot))
