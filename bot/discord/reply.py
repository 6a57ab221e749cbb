"""What every Discord feature needs to reply: the bot behind an interaction, the reply language,
and one way to reply (first response or follow-up)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.i18n import Language, language_of_locale
from index.query import detect_language

if TYPE_CHECKING:
    from bot.discord.app import CareerBot


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
