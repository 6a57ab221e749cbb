"""The answer message as a Discord embed (lead, passages, resources, the card or pin, the
"no good answer" reply), within Discord's limits by construction, in the asker's script."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.formatting import clip, excerpt
from bot.i18n import Language, t
from index.results import Hit, SearchResult

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.db.pin_store import Pin
    from bot.services.forum import SimilarThread
from bot.discord.embeds import (
    EMBED_DESCRIPTION,
    EMBED_TITLE,
    FIELD_NAME,
    FIELD_VALUE,
    FOOTER_TEXT,
    MAX_FIELDS,
    fit_total,
    in_script_embed,
    link,
)

MAX_PASSAGES_SHOWN = 3


MAX_RESOURCES_SHOWN = 3


LEAD_CHARS = 300  # the one-line lead: a sentence or two


PASSAGE_EXCERPT_CHARS = 300


RESOURCE_WHY_CHARS = 200


COLOR_ANSWER = discord.Colour.blurple()


COLOR_NO_ANSWER = discord.Colour.light_grey()


COLOR_PINNED = discord.Colour.gold()


PINNED_CHARS = 2500  # a pinned answer shown in full up to this, then the passages follow


def _passage_field(
    number: int, hit: Hit, language: Language, include: str | None = None
) -> tuple[str, str]:
    """A passage as an embed field, in the reply language when it has a translation (else the
    original with a note); `include` is a sentence the excerpt must show (the lead)."""
    section = " › ".join(hit.shown_heading_path)
    title = hit.shown_title
    name = clip(f"{number}. {title}" + (f" › {section}" if section else ""), FIELD_NAME)
    source = f"\n{t('source', language)}: {link(title, hit.url)}" if hit.url else ""
    note = ""
    if hit.language_shown and hit.language_shown != language:
        note = f"*{t('untranslated', language)}*\n"
    body = note + excerpt(hit.shown_text, PASSAGE_EXCERPT_CHARS, include=include)
    return name, clip(body, FIELD_VALUE - len(source)) + source


def _passage_fields(result: SearchResult, language: Language) -> list[tuple[str, str]]:
    return [
        _passage_field(i, hit, language, result.excerpt_anchor(hit))
        for i, hit in enumerate(result.passages[:MAX_PASSAGES_SHOWN], 1)
    ]


def _resource_field(hit: Hit, language: Language) -> tuple[str, str]:
    level = t(f"level.{hit.level}", language)
    cost = t(f"cost.{hit.cost}", language)
    head = f"{link(hit.title, hit.url)} · {level} · {cost}\n"
    return clip(hit.title, FIELD_NAME), head + clip(
        hit.text, min(RESOURCE_WHY_CHARS, FIELD_VALUE - len(head))
    )


def similar_threads_text(threads: Sequence[SimilarThread]) -> str:
    """Earlier posts as thread links, solved ones marked ✅ (Discord shows a `<#id>` mention as
    the thread's name, linked)."""
    return "\n".join(
        f"{'✅' if thread.solved else '•'} <#{thread.thread_id}>" for thread in threads
    )


def answer_embed(
    result: SearchResult,
    pinned: Pin | None = None,
    *,
    similar: Sequence[SimilarThread] = (),
    suggestion: bool = False,
) -> discord.Embed:
    """The answer embed: lead, up to 3 passages, up to 3 resources, similar threads, footer.

    `suggestion` marks an unrequested answer (a reply to a forum post) as such, above the lead.

    The lead is an answer card's answer, whole, else the retriever's lead (`result.lead`, as shown), else the best passage's
    opening. A moderator's `pinned` answer comes first, marked as such, in place of the lead. The title is the question: the buttons under
    the answer read it back after a restart. Passages, titles and labels are in the reply's
    language (`result.reply_language`) where a translation exists.
    """
    language = result.reply_language
    fields = _passage_fields(result, language)
    resources_label = t("resources", language)
    colour = COLOR_ANSWER
    if pinned is not None:
        description = f"**{t('pinned', language)}**\n{excerpt(pinned.answer, PINNED_CHARS)}"
        colour = COLOR_PINNED
    elif result.answered and result.card is not None and result.lead:
        # a card's answer is written to be read whole (at most MAX_CARD_ANSWER_CHARS); a related
        # card is offered by a button under it, never in the text a pin copies
        description = result.lead
    elif result.answered and result.passages:
        description = excerpt(result.lead or result.passages[0].shown_text, LEAD_CHARS)
    else:
        description = f"{t('no_answer', language)}\n{t('rephrase_hint', language)}"
        if not result.resources:
            description += f"\n{t('ask_moderators', language)}"
        fields, colour = [], COLOR_NO_ANSWER
        resources_label = t("closest_resources", language)
    embed = discord.Embed(
        title=clip(result.question, EMBED_TITLE),
        description=clip(description, EMBED_DESCRIPTION),
        colour=colour,
    )
    resources = [_resource_field(hit, language) for hit in result.resources[:MAX_RESOURCES_SHOWN]]
    if resources:
        # The first resource field carries the section label so the reader sees where they start.
        first_name, first_value = resources[0]
        resources[0] = (clip(f"{resources_label}: {first_name}", FIELD_NAME), first_value)
    threads = [(t("similar.title", language), similar_threads_text(similar))] if similar else []
    for name, value in (fields + resources + threads)[:MAX_FIELDS]:
        embed.add_field(name=name, value=clip(value, FIELD_VALUE), inline=False)
    if suggestion:
        embed.set_author(name=clip(t("forum.suggestion", language), FIELD_NAME))
    footer = ""
    if result.answered or pinned is not None:  # a refusal quotes nothing
        footer = t("footer.card" if result.card is not None else "footer", language)
    if pinned is not None:
        footer = f"{t('pinned.by', language, id=pinned.id)} · {t('footer', language)}"
    if footer:
        embed.set_footer(text=clip(footer, FOOTER_TEXT))
    fit_total(embed)
    return in_script_embed(embed, result.script)


def similar_embed(threads: Sequence[SimilarThread], language: Language) -> discord.Embed:
    """The "Similar threads" button's reply."""
    embed = discord.Embed(title=t("similar.title", language), colour=COLOR_ANSWER)
    embed.description = similar_threads_text(threads) or t("similar.none", language)
    return embed


def shown_hits(result: SearchResult, pinned: Pin | None = None) -> list[Hit]:
    """The hits `answer_embed` shows, in order: passages (when it shows any), then resources."""
    passages = result.passages[:MAX_PASSAGES_SHOWN] if pinned or result.answered else []
    return [*passages, *result.resources[:MAX_RESOURCES_SHOWN]]


def answer_text_of(message: discord.Message) -> str:
    """The answer a bot message shows (lead and passages, links kept), to store as a pin."""
    if not message.embeds:
        return message.content.strip()
    embed = message.embeds[0]
    parts = [embed.description or ""]
    for field in embed.fields:
        if field.name and field.name[:1].isdigit():  # passages, not resources
            parts.append(f"**{field.name}**\n{field.value}")
    return "\n\n".join(part for part in parts if part).strip()


def more_embed(result: SearchResult, page: int) -> discord.Embed:
    """Passages `page` (1-based pages after the answer's own) of `result`, for the "More" button."""
    language = result.reply_language
    first = page * MAX_PASSAGES_SHOWN
    shown = result.passages[first : first + MAX_PASSAGES_SHOWN]
    embed = discord.Embed(title=clip(result.question, EMBED_TITLE), colour=COLOR_ANSWER)
    if not shown:
        embed.description = t("no_more", language)
        return embed
    for number, hit in enumerate(shown, first + 1):
        name, value = _passage_field(number, hit, language)
        embed.add_field(name=name, value=value, inline=False)
    fit_total(embed)
    return embed


def sources_embed(result: SearchResult) -> discord.Embed:
    """Every article the answer quotes, linked, with the sections quoted."""
    language = result.reply_language
    sections: dict[tuple[str, str | None], list[str]] = {}
    for hit in result.passages[:MAX_PASSAGES_SHOWN]:
        cited = sections.setdefault((hit.shown_title, hit.url), [])
        section = " › ".join(hit.shown_heading_path)
        if section and section not in cited:
            cited.append(section)
    embed = discord.Embed(title=clip(t("sources", language), EMBED_TITLE), colour=COLOR_ANSWER)
    if not sections:
        embed.description = t("no_sources", language)
        return embed
    lines = []
    for (title, url), cited in sections.items():
        line = f"• {link(title, url)}"
        if cited:
            line += f" ({t('section', language)}: {'; '.join(cited)})"
        lines.append(line)
    embed.description = clip("\n".join(lines), EMBED_DESCRIPTION)
    return embed
