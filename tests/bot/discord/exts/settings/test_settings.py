"""`/settings` and `/forget-me` without Discord: every command string is translated, replies
read well in both languages, and the embeds stay within Discord's limits at their largest."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.config import GuildSettings
from bot.discord.app import StringsTranslator
from bot.discord.exts.members._cog import Members
from bot.discord.exts.settings._cog import SettingsGroup, change_text, error_text
from bot.discord.exts.settings._render import (
    setting_value_text,
    settings_embed,
    settings_history_embed,
)
from bot.services.setting_records import (
    DEFAULT,
    MAX_LIST_ITEMS,
    SETTING_NAMES,
    SettingChange,
    SettingError,
    SettingEvent,
    SettingHistory,
)
from tests.helpers import check_discord_limits

CHANNEL = 423456789012345678
ROLE = 723456789012345678


def _untranslated(payload: dict[str, Any], path: str = "") -> list[str]:
    """Where a command payload lacks its Chinese description or choice name."""
    where = f"{path} {payload['name']}".strip()
    missing = [] if "zh-CN" in payload.get("description_localizations", {}) else [where]
    for choice in payload.get("choices", []):
        if "zh-CN" not in choice.get("name_localizations", {}):
            missing.append(f"{where}: {choice['value']}")
    for option in payload.get("options", []):
        missing.extend(_untranslated(option, where))
    return missing


def test_every_command_option_and_choice_is_translated():
    async def payloads() -> list[dict[str, Any]]:
        tree = app_commands.CommandTree(discord.Client(intents=discord.Intents.none()))
        translator = StringsTranslator()
        return [
            await SettingsGroup().get_translated_payload(tree, translator),
            await Members.forget_me.get_translated_payload(tree, translator),
        ]

    settings, forget_me = asyncio.run(payloads())
    assert _untranslated(settings) == [] and _untranslated(forget_me) == []
    assert [option["name"] for option in settings["options"]] == [
        "channels",
        "moderator-role",
        "show",
        "solved-tag",
        "review-channel",
        "cooldown",
        "language",
        "when-unsure",
        "reset",
        "history",
    ]
    # only Manage Server sees it in Discord's clients (the bot checks on every use anyway)
    assert (
        int(settings["default_member_permissions"]) == discord.Permissions(manage_guild=True).value
    )
    assert settings["dm_permission"] is False and forget_me["dm_permission"] is False


def test_every_setting_renders_in_both_languages():
    for language in ("zh", "en"):
        for name in SETTING_NAMES:
            value = getattr(GuildSettings(), name)
            assert setting_value_text(name, value, language)
            assert setting_value_text(name, DEFAULT, language) in ("default", "默认值")
    assert setting_value_text("enabled_channels", [], "en") == "all channels"
    assert setting_value_text("forum_channels", [], "zh") == "无"
    assert setting_value_text("moderator_role_ids", [ROLE], "en") == f"<@&{ROLE}>"
    assert setting_value_text("cooldown_seconds", 2.5, "en") == "2.5 s"
    assert setting_value_text("language", None, "zh") == "自动"
    assert setting_value_text("solved_tag", "*done*", "en") == r"\*done\*"


@pytest.mark.parametrize(
    ("error", "en", "zh"),
    [
        (
            SettingError("channel_not_forum", setting="forum_channels", channel_id=CHANNEL),
            f"<#{CHANNEL}> is not a forum channel: Help forums takes forum channels only.",
            f"<#{CHANNEL}> 不是论坛频道：求助论坛只能是论坛频道。",
        ),
        (
            SettingError("too_many", setting="moderator_role_ids", limit=25),
            "Moderator roles can hold at most 25 entries.",
            "管理员身份组最多只能有 25 项。",
        ),
        (
            SettingError("unknown", name="colour"),
            "There is no setting colour.",
            "没有这项设置：colour。",
        ),
    ],
)
def test_refusals_name_the_setting_in_the_members_language(error, en, zh):
    assert error_text(error, "en") == en
    assert error_text(error, "zh") == zh


def test_change_replies_say_what_changed_or_why_nothing_did():
    guild = 1
    changed = SettingChange(guild, "cooldown_seconds", 10.0, 30.0, changed=True)
    assert change_text(changed, "en") == "✅ Cooldown: 10 s → 30 s"
    assert change_text(changed, "zh") == "✅ 提问冷却时间：10 秒 → 30 秒"
    same = SettingChange(guild, "reply_when_unsure", False, False, changed=False)
    assert change_text(same, "en") == "When unsure is already stay silent: nothing changed."
    listed = SettingChange(guild, "forum_channels", [CHANNEL], [CHANNEL], changed=False)
    assert change_text(listed, "en", CHANNEL) == (
        f"<#{CHANNEL}> is already in Help forums: nothing changed."
    )
    assert change_text(listed, "en", CHANNEL + 1) == (
        f"<#{CHANNEL + 1}> is not in Help forums: nothing changed."
    )


def test_the_settings_embeds_fit_discord_at_their_largest():
    full = list(range(CHANNEL, CHANNEL + MAX_LIST_ITEMS))
    current = GuildSettings(
        enabled_channels=full,
        thread_channels=full,
        forum_channels=full,
        moderator_role_ids=full,
        solved_tag="x" * 20,
        review_channel=CHANNEL,
    )
    for language in ("zh", "en"):
        embed = settings_embed(current, frozenset(SETTING_NAMES), language)
        assert len(embed.fields) == len(SETTING_NAMES)
        check_discord_limits({"embeds": [embed.to_dict()]})

    at = datetime(2026, 12, 1, tzinfo=UTC)
    events = [SettingEvent(1, "enabled_channels", full, full[1:], ROLE, at) for _ in range(15)]
    events.append(SettingEvent(1, "a_setting_since_removed", DEFAULT, 3, None, at))
    history = settings_history_embed(SettingHistory(events, total=40), "en")
    check_discord_limits({"embeds": [history.to_dict()]})
    assert history.footer.text == "The latest 16 of 40 changes"
    assert history.fields[-1].name == "a_setting_since_removed"
    assert history.fields[-1].value.endswith("default → 3")
    empty = settings_history_embed(SettingHistory([], 0), "zh")
    assert empty.description == "还没有人用 /settings 修改过设置。"
