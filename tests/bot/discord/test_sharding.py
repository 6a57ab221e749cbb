"""Sharding: which client the configuration gives, and a sharded bot answering for real."""

from __future__ import annotations

import asyncio
from pathlib import Path

import discord
import pytest
from discord_emulator import DiscordEmulator, running_client

from bot.config import DiscordSettings, GuildSettings, Settings
from bot.discord.app import CareerBot, ShardedCareerBot, make_bot, use_endpoints
from bot.discord.run import approximate_guild_count
from tests.helpers import TIMEOUT, answer_message, is_answer_to


def bot_settings(**discord_options: object) -> Settings:
    return Settings(discord=DiscordSettings(**discord_options))


def test_configuration_chooses_the_client():
    explicit = make_bot(bot_settings(shard_count=4, shard_ids=[2, 3]))
    assert isinstance(explicit, ShardedCareerBot)
    assert explicit.shard_count == 4 and explicit.shard_ids == [2, 3]
    assert isinstance(explicit, commands_bot_base())  # still a commands.Bot with our cogs

    automatic = make_bot(bot_settings(shard_above_guilds=1000), guild_count=1500)
    assert isinstance(automatic, ShardedCareerBot) and automatic.shard_count is None
    for count in (None, 10, 1000):
        plain = make_bot(bot_settings(shard_above_guilds=1000), guild_count=count)
        assert type(plain) is CareerBot
    assert type(make_bot(bot_settings(shard_above_guilds=0), guild_count=10**6)) is CareerBot


def commands_bot_base() -> type:
    from discord.ext.commands.bot import BotBase

    return BotBase


def test_guild_count_comes_from_the_application_and_a_bad_token_is_refused():
    async def main() -> None:
        async with DiscordEmulator() as emulator:
            settings = Settings(discord=DiscordSettings(api_base_url=emulator.api_base_url))
            emulator.approximate_guild_count = 4321
            assert await approximate_guild_count(settings, emulator.token) == 4321
            with pytest.raises(discord.LoginFailure):
                await approximate_guild_count(settings, "not-the-token")
        unreachable = Settings(discord=DiscordSettings(api_base_url="http://127.0.0.1:9/api"))
        assert await approximate_guild_count(unreachable, "token") is None

    asyncio.run(main())


def test_a_sharded_bot_identifies_with_its_shard_and_answers(shipped_index_root, tmp_path: Path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "index").symlink_to(shipped_index_root, target_is_directory=True)
    settings = Settings(
        data_dir=data_dir,
        discord=DiscordSettings(
            shard_count=1, shard_ids=[0], default_guild=GuildSettings(cooldown_seconds=0)
        ),
    )

    async def main() -> None:
        saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
        async with DiscordEmulator() as emulator:
            use_endpoints(emulator.api_base_url, emulator.gateway_url)
            try:
                bot = make_bot(settings, guild_ready_timeout=0.05)
                assert isinstance(bot, ShardedCareerBot)
                async with running_client(bot, emulator, timeout=TIMEOUT):
                    assert emulator.identify_payloads[-1]["shard"] == [0, 1]
                    interaction = emulator.send_slash_command(
                        "ask", {"question": "should I learn software engineering first?"}
                    )
                    request = await emulator.wait_for_request(is_answer_to(interaction), TIMEOUT)
                    assert answer_message(emulator, request)["embeds"][0]["fields"]
            finally:
                discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved

    asyncio.run(asyncio.wait_for(main(), 120))
