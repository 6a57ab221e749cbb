"""What every Discord extension needs: the bot behind an interaction, the reply language, one
way to reply (first response or follow-up) and the moderator check.

Defined here, not in an extension: discord.py loads extensions as fresh module objects, so an
exception class defined in one would not be the class the error handler in `bot.discord.app` catches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.i18n import Language, language_of_locale
from index.query import detect_language

if TYPE_CHECKING:
    from bot.discord.app import CareerBot


class NotModerator(app_commands.CheckFailure):
    """The member may not curate; answered with a polite ephemeral refusal."""


class NotServerManager(app_commands.CheckFailure):
    """The member lacks Manage Server, which server settings need."""


def careerbot_of(interaction: discord.Interaction) -> CareerBot:
    """The bot that received the interaction."""
    return interaction.client  # type: ignore[return-value]


def language_of(interaction: discord.Interaction, text: str | None = None) -> Language:
    """The reply language: that of `text` when given, else the member's Discord locale."""
    return detect_language(text) if text else language_of_locale(interaction.locale)


async def respond(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    ephemeral: bool = True,
    **options: Any,
) -> discord.Message | None:
    """Reply to an interaction whether or not it was answered (or deferred) already: Discord
    takes one response per interaction, then follow-ups. Returns the message sent, when Discord
    says which."""
    if interaction.response.is_done():
        return await interaction.followup.send(content, ephemeral=ephemeral, wait=True, **options)
    callback = await interaction.response.send_message(content, ephemeral=ephemeral, **options)
    resource = callback.resource
    return resource if isinstance(resource, discord.Message) else None


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
