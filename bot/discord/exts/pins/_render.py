"""Pins and statistics as embeds: one pin, a page of `/pins list`, `/stats`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.formatting import clip, excerpt
from bot.i18n import Language, t

if TYPE_CHECKING:
    from bot.db.answer_log_store import Stats
    from bot.db.pin_store import Pin
from bot.discord.embeds import EMBED_DESCRIPTION, FIELD_VALUE


def pin_embed(pin: Pin, language: Language) -> discord.Embed:
    """One pinned answer: the answer, its questions, who pinned it and how often it served."""
    embed = discord.Embed(
        title=f"📌 #{pin.id}",
        description=clip(pin.answer, EMBED_DESCRIPTION),
        colour=discord.Colour.gold(),
    )
    questions = "\n".join(f"• {question}" for question in pin.questions)
    embed.add_field(name=t("pins.questions", language), value=clip(questions, FIELD_VALUE))
    embed.set_footer(text=pin_line(pin, language))
    return embed


def pin_line(pin: Pin, language: Language) -> str:
    """Who pinned it, when, and how many times it was served."""
    return t(
        "pins.entry",
        language,
        by=f"<@{pin.created_by}>",
        at=pin.created_at.strftime("%Y-%m-%d"),
        uses=pin.uses,
    )


def pins_page_embed(pins: list[Pin], page: int, pages: int, language: Language) -> discord.Embed:
    """One page of `/pins list`."""
    embed = discord.Embed(title=t("pins.title", language), colour=discord.Colour.gold())
    if not pins:
        embed.description = t("pins.none", language)
    for pin in pins:
        questions = " / ".join(pin.questions)
        embed.add_field(
            name=clip(f"#{pin.id} · {questions}", 256),
            value=clip(f"{pin_line(pin, language)}\n{excerpt(pin.answer, 200)}", FIELD_VALUE),
            inline=False,
        )
    embed.set_footer(text=t("page", language, page=page + 1, pages=max(pages, 1)))
    return embed


def _share(part: float) -> str:
    return f"{part:.0%}"


def stats_embed(stats: Stats, days: int, language: Language) -> discord.Embed:
    """`/stats`: questions, unanswered share, 👍 share, top and top unanswered questions."""
    embed = discord.Embed(title=t("stats.title", language, days=days), colour=discord.Colour.teal())
    embed.description = t(
        "stats.summary",
        language,
        questions=stats.questions,
        unanswered_share=_share(stats.unanswered_share),
        votes=stats.votes_up + stats.votes_down,
        up_share=_share(stats.up_share),
    )
    for key, rows in (
        ("stats.top", stats.top_questions),
        ("stats.top_unanswered", stats.top_unanswered),
    ):
        lines = "\n".join(f"{count}× {clip(question, 150)}" for question, count in rows)
        embed.add_field(
            name=t(key, language), value=clip(lines or t("stats.nothing", language), FIELD_VALUE)
        )
    return embed
