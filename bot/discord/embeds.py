"""Discord's message limits and the embed helpers every feature's rendering shares."""

from __future__ import annotations

import discord

from bot.formatting import clip
from index.query import ChineseScript, in_script

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


def in_script_embed(embed: discord.Embed, script: ChineseScript) -> discord.Embed:
    """The embed's Chinese (title, description, fields, footer, author) in the reader's
    script: the corpus and the strings are written in Simplified."""
    if script == "simplified":
        return embed
    data = embed.to_dict()
    for key in ("title", "description"):
        if key in data:
            data[key] = in_script(data[key], script)  # type: ignore[literal-required]
    for field in data.get("fields", []):
        field["name"] = in_script(field["name"], script)
        field["value"] = in_script(field["value"], script)
    for key in ("footer", "author"):
        part = data.get(key)
        if part and "text" in part:
            part["text"] = in_script(part["text"], script)  # type: ignore[typeddict-item]
        if part and "name" in part:
            part["name"] = in_script(part["name"], script)  # type: ignore[typeddict-item]
    return discord.Embed.from_dict(data)
