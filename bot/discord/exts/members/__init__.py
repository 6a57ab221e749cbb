"""Members' data on Discord: `/forget-me` (after a confirmation) and the retention schedule."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.discord.exts.members._cog import Members
from bot.discord.exts.members._views import ForgetCancelButton, ForgetConfirmButton

if TYPE_CHECKING:
    from bot.discord.app import CareerBot


async def setup(bot: CareerBot) -> None:
    """discord.py extension entry point."""
    bot.add_dynamic_items(ForgetConfirmButton, ForgetCancelButton)
    await bot.add_cog(Members(bot))
