"""`/settings` through the real bot and the Discord emulator: changes apply at once, survive a
restart, are audited, refused values are explained, and only Manage Server may change them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from discord_emulator import DiscordEmulator

from bot.db.settings_store import SettingsStore
from bot.discord.app import CareerBot
from tests.helpers import (
    EPHEMERAL,
    TIMEOUT,
    ask,
    bot_settings,
    command,
    is_answer_to,
    message_of,
    run_with_bot,
    running_bot,
)

MANAGE_MESSAGES = 1 << 13
EVERYONE = 0x8000C4C40  # what the emulator's @everyone role allows (no Manage Server)
REFUSED = "Only members with Manage Server"


@pytest.fixture(scope="module")
def index_root(shipped_index_root: Path) -> Path:
    return shipped_index_root


@dataclass(frozen=True)
class ChannelOption:
    """A channel option's value: Discord sends its id and the channel in `resolved`."""

    id: int


@dataclass(frozen=True)
class RoleOption:
    """A role option's value: Discord sends its id and the role in `resolved`."""

    id: int


def send_command(
    emulator: DiscordEmulator,
    name: str,
    options: dict[str, Any],
    *,
    user: dict[str, Any] | None = None,
    locale: str = "en-US",
    permissions: int | None = None,
) -> dict[str, Any]:
    """A slash command whose channel and role options arrive resolved, as Discord sends them
    (the emulator's `send_slash_command` sends plain values only)."""
    plain: dict[str, Any] = {}
    types: dict[str, int] = {}
    resolved: dict[str, dict[str, Any]] = {"channels": {}, "roles": {}}
    for key, value in options.items():
        if isinstance(value, ChannelOption):
            channel = emulator.channels[value.id]
            resolved["channels"][str(value.id)] = {**channel, "permissions": str(1 << 40)}
            plain[key], types[key] = str(value.id), 7
        elif isinstance(value, RoleOption):
            role = next(role for role in emulator.roles if int(role["id"]) == value.id)
            resolved["roles"][str(value.id)] = role
            plain[key], types[key] = str(value.id), 8
        else:
            plain[key] = value
    data = emulator._command_data(name, plain, types)
    data["resolved"] = resolved
    return emulator._new_interaction(
        2,
        data,
        user=user,
        channel="general",
        guild=True,
        locale=locale,
        permissions=permissions,
    )


async def reply(emulator: DiscordEmulator, name: str, options: dict[str, Any], **kwargs: Any):
    """The bot's (ephemeral) reply to `send_command`."""
    interaction = send_command(emulator, name, options, **kwargs)
    message = message_of(await emulator.wait_for_request(is_answer_to(interaction), TIMEOUT))
    assert message["flags"] & EPHEMERAL
    return message


def add_forum(emulator: DiscordEmulator, name: str) -> int:
    """A forum channel (type 15) in the emulator's guild, before the bot connects."""
    channel_id = emulator.add_text_channel(name)
    emulator.channels[channel_id].update(
        type=15, available_tags=[], default_reaction_emoji=None, default_forum_layout=0
    )
    return channel_id


def add_role(emulator: DiscordEmulator, name: str, *members: dict[str, Any]) -> int:
    """A role with no permissions of its own, given to `members`, before the bot connects."""
    role_id = emulator._snowflake()
    emulator.roles.append(emulator._role(role_id, name, 0, position=len(emulator.roles)))
    for member in members:
        emulator._member_roles[int(member["id"])].append(role_id)
    return role_id


def field(message: dict[str, Any], name: str) -> str:
    return next(f["value"] for f in message["embeds"][0]["fields"] if f["name"] == name)


def test_settings_changed_from_discord_apply_at_once_survive_a_restart_and_are_audited(
    index_root, tmp_path
):
    async def main() -> None:
        async with DiscordEmulator() as emulator:
            manager = emulator.make_user(name="manager", admin=True)
            mentor = emulator.make_user(name="mentor")
            mentors = add_role(emulator, "Mentors", mentor)
            forum = add_forum(emulator, "help-forum")
            settings = bot_settings(index_root, tmp_path)
            async with running_bot(emulator, settings) as bot:
                guild = emulator.guild_id
                assert bot.server_settings.for_guild(guild).cooldown_seconds == 0

                done = await reply(emulator, "settings cooldown", {"seconds": 60}, user=manager)
                assert done["content"] == "✅ Cooldown: 0 s → 60 s"
                await ask(emulator, "which deep learning course should I take?")
                second = await command(emulator, "ask", {"question": "how much math?"})
                assert "please wait" in second["content"]  # at once, no restart

                refused = await command(emulator, "pins list", {}, user=mentor)
                assert "Only moderators" in refused["content"]
                done = await reply(
                    emulator,
                    "settings moderator-role add",
                    {"role": RoleOption(mentors)},
                    user=manager,
                )
                assert done["content"] == f"✅ Moderator roles: none → <@&{mentors}>"
                listing = await command(emulator, "pins list", {}, user=mentor)
                assert listing["embeds"][0]["title"] == "Pinned answers"

                done = await reply(
                    emulator,
                    "settings channels add",
                    {"kind": "forum", "channel": ChannelOption(forum)},
                    user=manager,
                )
                first_line, note = done["content"].split("\n")
                assert first_line == f"✅ Help forums: none → <#{forum}>"
                # the bot started without the Message Content intent: it says so
                assert "Message Content intent" in note and "restart" in note
                assert bot.server_settings.any_forum_channels()

                done = await reply(
                    emulator, "settings language", {"value": "zh"}, user=manager, locale="zh-CN"
                )
                assert done["content"] == "✅ 默认回复语言：自动 → 中文"

                shown = await reply(emulator, "settings show", {}, user=manager)
                assert field(shown, "Cooldown") == "60 s\n*set with /settings*"
                assert field(shown, "Solved tag") == "Solved\n*configured default*"
                assert field(shown, "Enabled channels") == "all channels\n*configured default*"

            async with running_bot(emulator, settings) as bot:  # a new process, same database
                current = bot.server_settings.for_guild(emulator.guild_id)
                assert current.cooldown_seconds == 60 and current.language == "zh"
                assert current.forum_channels == [forum]
                assert current.moderator_role_ids == [mentors]
                listing = await command(emulator, "pins list", {}, user=mentor)
                assert listing["embeds"][0]["title"] == "Pinned answers"

                history = await reply(emulator, "settings history", {}, user=manager)
                embed = history["embeds"][0]
                assert [f["name"] for f in embed["fields"]] == [
                    "Reply language",
                    "Help forums",
                    "Moderator roles",
                    "Cooldown",
                ]
                cooldown = embed["fields"][-1]["value"]
                assert f"<@{manager['id']}>" in cooldown and cooldown.endswith("default → 60 s")
                assert embed["footer"]["text"] == "The latest 4 of 4 changes"

                done = await reply(
                    emulator, "settings reset", {"setting": "cooldown_seconds"}, user=manager
                )
                assert done["content"] == "✅ Cooldown is back to its default: 0 s"
                assert bot.server_settings.for_guild(emulator.guild_id).cooldown_seconds == 0
                again = await reply(
                    emulator, "settings reset", {"setting": "cooldown_seconds"}, user=manager
                )
                assert "already has its default value" in again["content"]
                history = await reply(emulator, "settings history", {}, user=manager)
                assert history["embeds"][0]["fields"][0]["value"].endswith("60 s → default")

    asyncio.run(asyncio.wait_for(main(), 120))


def test_members_without_manage_server_are_refused_and_nothing_changes(index_root, tmp_path):
    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        moderator = emulator.make_user(name="moderator")
        before = bot.server_settings.for_guild(emulator.guild_id)
        attempts: list[tuple[str, dict[str, Any]]] = [
            ("settings show", {}),
            ("settings history", {}),
            ("settings cooldown", {"seconds": 5}),
            ("settings solved-tag", {"name": "Done"}),
            ("settings when-unsure", {"reply": "say"}),
            ("settings reset", {"setting": "cooldown_seconds"}),
            (
                "settings channels add",
                {"kind": "enabled", "channel": ChannelOption(emulator.channel_ids["career-help"])},
            ),
            ("settings moderator-role add", {"role": RoleOption(emulator.admin_role_id)}),
        ]
        for name, options in attempts:
            # a plain member, and a moderator who may manage messages but not the server
            for kwargs in ({}, {"user": moderator, "permissions": EVERYONE | MANAGE_MESSAGES}):
                refusal = await reply(emulator, name, options, **kwargs)
                assert refusal["content"].startswith(REFUSED), (name, refusal)
                assert "embeds" not in refusal or not refusal["embeds"]
        chinese = await reply(emulator, "settings cooldown", {"seconds": 5}, locale="zh-CN")
        assert chinese["content"].startswith("只有拥有“管理服务器”权限的成员")

        assert bot.server_settings.for_guild(emulator.guild_id) == before
        store = SettingsStore(bot.curation.database.engine)
        assert await store.all() == []
        assert (await store.events(emulator.guild_id))[1] == 0

    run_with_bot(index_root, tmp_path, scenario)


def test_refused_values_are_explained_in_the_members_language(index_root, tmp_path):
    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        manager = emulator.make_user(name="manager", admin=True)
        general = emulator.channel_ids["general"]
        career = emulator.channel_ids["career-help"]

        refused = await reply(
            emulator,
            "settings channels add",
            {"kind": "forum", "channel": ChannelOption(general)},
            user=manager,
            locale="zh-CN",
        )
        assert refused["content"] == f"<#{general}> 不是论坛频道：求助论坛只能是论坛频道。"
        refused = await reply(emulator, "settings cooldown", {"seconds": 99999}, user=manager)
        assert refused["content"] == "The cooldown must be between 0 and 3600 seconds."
        refused = await reply(emulator, "settings solved-tag", {"name": "x" * 30}, user=manager)
        assert refused["content"] == "A tag name has 1 to 20 characters."
        everyone = RoleOption(emulator.guild_id)  # @everyone has the server's id
        refused = await reply(
            emulator, "settings moderator-role add", {"role": everyone}, user=manager
        )
        assert refused["content"].startswith("@everyone cannot be a moderator role")
        refused = await reply(
            emulator,
            "settings channels add",
            {"kind": "sideways", "channel": ChannelOption(career)},
            user=manager,
        )
        assert refused["content"] == "There is no setting sideways."
        assert await SettingsStore(bot.curation.database.engine).all() == []

        added = await reply(
            emulator,
            "settings channels add",
            {"kind": "enabled", "channel": ChannelOption(career)},
            user=manager,
        )
        assert added["content"] == f"✅ Enabled channels: all channels → <#{career}>"
        again = await reply(
            emulator,
            "settings channels add",
            {"kind": "enabled", "channel": ChannelOption(career)},
            user=manager,
        )
        assert again["content"] == f"<#{career}> is already in Enabled channels: nothing changed."
        absent = await reply(
            emulator,
            "settings channels remove",
            {"kind": "thread", "channel": ChannelOption(career)},
            user=manager,
        )
        assert absent["content"] == f"<#{career}> is not in Thread channels: nothing changed."
        same = await reply(emulator, "settings when-unsure", {"reply": "silent"}, user=manager)
        assert same["content"] == "When unsure is already stay silent: nothing changed."
        review = await reply(
            emulator, "settings review-channel", {"channel": ChannelOption(career)}, user=manager
        )
        assert review["content"] == f"✅ Review channel: none → <#{career}>"
        assert bot.server_settings.for_guild(emulator.guild_id).review_channel == career
        cleared = await reply(emulator, "settings review-channel", {}, user=manager)
        assert cleared["content"] == f"✅ Review channel: <#{career}> → none"

    run_with_bot(index_root, tmp_path, scenario)
