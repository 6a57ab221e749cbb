"""App-command checks (moderator, server manager) and the failures they raise.

Defined here, not in an extension: discord.py loads extensions as fresh module objects, so an
exception class defined in one would not be the class the error handler in `bot.discord.app`
catches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

if TYPE_CHECKING:
    pass
from bot.discord.reply import careerbot_of


class NotModerator(app_commands.CheckFailure):
    """The member may not curate; answered with a polite ephemeral refusal."""


class NotServerManager(app_commands.CheckFailure):
    """The member lacks Manage Server, which server settings need."""


def is_moderator(interaction: discord.Interaction) -> bool:
    """Whether the member may curate here (checked locally: Discord's `default_permissions`
    is only a hint to clients)."""
    user = interaction.user
    role_ids = [role.id for role in getattr(user, "roles", [])]
    return careerbot_of(interaction).curation.is_moderator(
        interaction.guild_id, user.id, role_ids, interaction.permissions.manage_messages
    )


def require_moderator(interaction: discord.Interaction) -> bool:
    """An app-command check: True, or NotModerator (answered by the error handler)."""
    if not is_moderator(interaction):
        raise NotModerator()
    return True


def require_server_manager(interaction: discord.Interaction) -> bool:
    """An app-command check for server settings: Manage Server in this server."""
    if interaction.guild_id is None or not interaction.permissions.manage_guild:
        raise NotServerManager()
    return True
