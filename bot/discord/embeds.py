"""Discord's message limits and the embed helpers every feature's rendering shares."""

from __future__ import annotations

import discord

from bot.formatting import clip

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)
EMBED_TOTAL = 6000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER_TEXT = 2048
MAX_FIELDS = 25
MODAL_TEXT_CHARS = 4000  # Discord's limit for a modal's text input
BUTTON_LABEL = 80  # Discord's limit for a button's label


def link(label: str, url: str | None) -> str:
    """A masked link `[label](url)`, or the bare label when there is no URL."""
    # Square brackets inside a masked link's label would end it early.
    safe = label.replace("[", "(").replace("]", ")")
    return f"[{safe}]({url})" if url else safe


def fit_total(embed: discord.Embed) -> None:
    """Shorten field values, longest first, until the embed is within EMBED_TOTAL."""
    while len(embed) > EMBED_TOTAL and embed.fields:
        index, field = max(enumerate(embed.fields), key=lambda item: len(item[1].value or ""))
        excess = len(embed) - EMBED_TOTAL
        value = field.value or ""
        embed.set_field_at(
            index,
            name=field.name or "",
            value=clip(value, max(1, len(value) - excess)),
            inline=False,
        )
        if len(value) <= 1:  # nothing left to shorten
            break
