"""Search results rendered as a Discord embed, within Discord's limits by construction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.config import GuildSettings
from bot.formatting import clip, excerpt
from bot.i18n import Language, t
from bot.services.settings import DEFAULT, SETTING_NAMES, SettingHistory
from index.query import ChineseScript, in_script
from index.retriever import Hit, SearchResult

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.db.database import Pin, Stats
    from bot.services.forum import SimilarThread
    from index.records import ResourceRecord

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
COLOR_PINNED = discord.Colour.gold()
PINNED_CHARS = 2500  # a pinned answer shown in full up to this, then the passages follow


def _link(label: str, url: str | None) -> str:
    # Square brackets inside a masked link's label would end it early.
    safe = label.replace("[", "(").replace("]", ")")
    return f"[{safe}]({url})" if url else safe


def _passage_field(
    number: int, hit: Hit, language: Language, include: str | None = None
) -> tuple[str, str]:
    """A passage as an embed field, in the reply language when it has a translation (else the
    original with a note); `include` is a sentence the excerpt must show (the lead)."""
    section = " › ".join(hit.shown_heading_path)
    title = hit.shown_title
    name = clip(f"{number}. {title}" + (f" › {section}" if section else ""), FIELD_NAME)
    source = f"\n{t('source', language)}: {_link(title, hit.url)}" if hit.url else ""
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


def _in_script(embed: discord.Embed, script: ChineseScript) -> discord.Embed:
    """The embed's Chinese (labels included) in the asker's script."""
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


def _resource_field(hit: Hit, language: Language) -> tuple[str, str]:
    level = t(f"level.{hit.level}", language)
    cost = t(f"cost.{hit.cost}", language)
    head = f"{_link(hit.title, hit.url)} · {level} · {cost}\n"
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
    _fit_total(embed)
    return _in_script(embed, result.script)


def similar_embed(threads: Sequence[SimilarThread], language: Language) -> discord.Embed:
    """The "Similar threads" button's reply."""
    embed = discord.Embed(title=t("similar.title", language), colour=COLOR_ANSWER)
    embed.description = similar_threads_text(threads) or t("similar.none", language)
    return embed


def review_embed(
    question: str, answer: str, thread_id: int, language: Language, status: str = ""
) -> discord.Embed:
    """A solved post proposed to the moderators as a pinned answer (`status`: the decision)."""
    embed = discord.Embed(
        title=t("review.title", language),
        description=t("review.body", language, thread=f"<#{thread_id}>"),
        colour=COLOR_PINNED,
    )
    embed.add_field(
        name=t("review.question", language), value=clip(question, FIELD_VALUE), inline=False
    )
    embed.add_field(
        name=t("review.answer", language), value=clip(answer, FIELD_VALUE), inline=False
    )
    if status:
        embed.add_field(name="\u200b", value=clip(status, FIELD_VALUE), inline=False)
    _fit_total(embed)
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
    _fit_total(embed)
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
        line = f"• {_link(title, url)}"
        if cited:
            line += f" ({t('section', language)}: {'; '.join(cited)})"
        lines.append(line)
    embed.description = clip("\n".join(lines), EMBED_DESCRIPTION)
    return embed


def resources_embed(
    resources: list[ResourceRecord],
    page: int,
    page_count: int,
    language: Language,
    filters: str,
) -> discord.Embed:
    """One page of the catalogue: name linked, level, cost, provider and description."""
    title = t("resources.title", language) + (f" · {filters}" if filters else "")
    embed = discord.Embed(title=clip(title, EMBED_TITLE), colour=COLOR_ANSWER)
    if not resources:
        embed.description = t("resources.none", language)
        return embed
    for resource in resources:
        level = t(f"level.{resource.level}", language)
        cost = t(f"cost.{resource.cost}", language)
        head = f"{_link(resource.name, resource.url)} · {level} · {cost} · {resource.provider}\n"
        description = resource.description(language)
        embed.add_field(
            name=clip(resource.name, FIELD_NAME),
            value=head + clip(description, FIELD_VALUE - len(head)),
            inline=False,
        )
    embed.set_footer(text=t("page", language, page=page + 1, pages=page_count))
    _fit_total(embed)
    return embed


def about_embed(
    language: Language,
    *,
    articles: int,
    passages: int,
    resources: int,
    built_at: str,
    embedder: str,
) -> discord.Embed:
    """What the bot knows and how to ask it."""
    embed = discord.Embed(
        title=t("about.title", language),
        description=t("about.body", language),
        colour=COLOR_ANSWER,
    )
    embed.add_field(
        name=t("about.corpus", language),
        value=t(
            "about.counts", language, articles=articles, passages=passages, resources=resources
        ),
        inline=False,
    )
    embed.add_field(
        name=t("about.index", language),
        value=t("about.built", language, built_at=built_at, embedder=clip(embedder, 200)),
        inline=False,
    )
    embed.add_field(name=t("about.usage", language), value=t("about.howto", language), inline=False)
    return embed


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


# --- server settings (/settings) -----------------------------------------------------------

_CHANNEL_LIST_SETTINGS = ("enabled_channels", "thread_channels", "forum_channels")
SETTING_VALUE_CHARS = 300  # one value in /settings history (a list of 25 channels is longer)
HISTORY_COLOR = discord.Colour.dark_teal()


def setting_item_text(name: str, item_id: int) -> str:
    """A channel or role of a list setting, as a mention (never pings: the client sends
    `AllowedMentions.none()`, and the replies are ephemeral)."""
    return f"<@&{item_id}>" if name == "moderator_role_ids" else f"<#{item_id}>"


def setting_value_text(name: str, value: Any, language: Language) -> str:
    """A setting's value as a member reads it: channels and roles as mentions, empty lists and
    unset values spelt out; `DEFAULT` (from the audit trail) as "default"."""
    if value is DEFAULT:
        return t("settings.value.default", language)
    if name in (*_CHANNEL_LIST_SETTINGS, "moderator_role_ids"):
        if not value:
            empty = (
                "settings.value.all_channels"
                if name == "enabled_channels"
                else "settings.value.none"
            )
            return t(empty, language)
        return ", ".join(setting_item_text(name, item) for item in value)
    if name == "review_channel":
        return f"<#{value}>" if value is not None else t("settings.value.none", language)
    if name == "cooldown_seconds":
        return t("settings.value.seconds", language, seconds=f"{float(value):g}")
    if name == "language":
        return t(f"settings.value.language.{value or 'auto'}", language)
    if name == "reply_when_unsure":
        return t("settings.value.unsure.say" if value else "settings.value.unsure.silent", language)
    return discord.utils.escape_markdown(str(value))


def settings_embed(
    current: GuildSettings, changed: frozenset[str], language: Language
) -> discord.Embed:
    """`/settings show`: every setting with its value and whether it was set from Discord or
    is the configured default."""
    embed = discord.Embed(title=t("settings.title", language), colour=HISTORY_COLOR)
    for name in SETTING_NAMES:
        origin = "settings.from_server" if name in changed else "settings.from_default"
        value = clip(setting_value_text(name, getattr(current, name), language), FIELD_VALUE - 60)
        embed.add_field(
            name=t(f"settings.name.{name}", language),
            value=f"{value}\n*{t(origin, language)}*",
            inline=name not in (*_CHANNEL_LIST_SETTINGS, "moderator_role_ids"),
        )
    embed.set_footer(text=t("settings.footer", language))
    _fit_total(embed)
    return embed


def settings_history_embed(history: SettingHistory, language: Language) -> discord.Embed:
    """`/settings history`: the latest changes, newest first: what, who, when, from and to."""
    embed = discord.Embed(title=t("settings.history_title", language), colour=HISTORY_COLOR)
    if not history.events:
        embed.description = t("settings.history_none", language)
        return embed
    for event in history.events:
        old = clip(setting_value_text(event.name, event.old, language), SETTING_VALUE_CHARS)
        new = clip(setting_value_text(event.name, event.new, language), SETTING_VALUE_CHARS)
        who = f"<@{event.actor_id}>" if event.actor_id is not None else "—"
        # a setting the code no longer has keeps its stored name
        known = event.name in SETTING_NAMES
        label = t(f"settings.name.{event.name}", language) if known else event.name
        embed.add_field(
            name=clip(label, FIELD_NAME),
            value=clip(
                f"{discord.utils.format_dt(event.at, 'f')} · {who}\n{old} → {new}", FIELD_VALUE
            ),
            inline=False,
        )
    embed.set_footer(
        text=t("settings.history_footer", language, shown=len(history.events), total=history.total)
    )
    _fit_total(embed)
    return embed
