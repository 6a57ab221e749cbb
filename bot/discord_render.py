"""Search results rendered as a Discord embed, within Discord's limits by construction."""

from __future__ import annotations

import discord

from bot.formatting import clip, excerpt
from bot.i18n import Language, t
from index.retriever import Hit, SearchResult

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)
EMBED_TOTAL = 6000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER_TEXT = 2048
MAX_FIELDS = 25

MAX_PASSAGES_SHOWN = 3
MAX_RESOURCES_SHOWN = 3
LEAD_CHARS = 300  # the one-line lead: a sentence or two
PASSAGE_EXCERPT_CHARS = 300
RESOURCE_WHY_CHARS = 200
COLOR_ANSWER = discord.Colour.blurple()
COLOR_NO_ANSWER = discord.Colour.light_grey()


def _link(label: str, url: str | None) -> str:
    # Square brackets inside a masked link's label would end it early.
    safe = label.replace("[", "(").replace("]", ")")
    return f"[{safe}]({url})" if url else safe


def _passage_field(number: int, hit: Hit, language: Language) -> tuple[str, str]:
    section = " › ".join(hit.heading_path)
    name = clip(f"{number}. {hit.title}" + (f" › {section}" if section else ""), FIELD_NAME)
    source = f"\n{t('source', language)}: {_link(hit.title, hit.url)}" if hit.url else ""
    body = excerpt(hit.text, PASSAGE_EXCERPT_CHARS)
    return name, clip(body, FIELD_VALUE - len(source)) + source


def _resource_field(hit: Hit, language: Language) -> tuple[str, str]:
    level = t(f"level.{hit.extra['level']}", language)
    cost = t(f"cost.{hit.extra['cost']}", language)
    head = f"{_link(hit.title, hit.url)} · {level} · {cost}\n"
    return clip(hit.title, FIELD_NAME), head + clip(
        hit.text, min(RESOURCE_WHY_CHARS, FIELD_VALUE - len(head))
    )


def answer_embed(result: SearchResult, lead: str | None = None) -> discord.Embed:
    """The answer embed: lead, up to 3 passages, up to 3 resources, footer.

    `lead` is the best passage's most relevant sentence(s); without it the passage's opening
    sentences are used. Labels follow the question's language.
    """
    language = result.language
    if result.answered and result.passages:
        best = result.passages[0]
        description = excerpt(lead or best.text, LEAD_CHARS)
        embed = discord.Embed(
            title=clip(result.question, EMBED_TITLE), description=description, colour=COLOR_ANSWER
        )
        fields = [
            _passage_field(i, hit, language)
            for i, hit in enumerate(result.passages[:MAX_PASSAGES_SHOWN], 1)
        ]
        resources_label = t("resources", language)
    else:
        text = f"{t('no_answer', language)}\n{t('rephrase_hint', language)}"
        embed = discord.Embed(
            title=clip(result.question, EMBED_TITLE), description=text, colour=COLOR_NO_ANSWER
        )
        fields = []
        resources_label = t("closest_resources", language)
    resources = [_resource_field(hit, language) for hit in result.resources[:MAX_RESOURCES_SHOWN]]
    if resources:
        # The first resource field carries the section label so the reader sees where they start.
        first_name, first_value = resources[0]
        resources[0] = (clip(f"{resources_label}: {first_name}", FIELD_NAME), first_value)
    for name, value in (fields + resources)[:MAX_FIELDS]:
        embed.add_field(name=name, value=value, inline=False)
    embed.set_footer(text=clip(t("footer", language), FOOTER_TEXT))
    _fit_total(embed)
    return embed


def _fit_total(embed: discord.Embed) -> None:
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
