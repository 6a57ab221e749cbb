"""`/settings` as embeds: the current settings and their history."""

from __future__ import annotations

from typing import Any

import discord

from bot.config import GuildSettings
from bot.discord.embeds import FIELD_NAME, FIELD_VALUE, fit_total
from bot.formatting import clip
from bot.i18n import Language, t
from bot.services.setting_records import DEFAULT, SETTING_NAMES, SettingHistory

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
    fit_total(embed)
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
    fit_total(embed)
    return embed
