"""The Discord application object: what it logs when it is created."""

import asyncio
import logging

import discord
from discord import app_commands

from bot.config import Settings
from bot.discord.app import CareerBot, StringsTranslator


def test_no_voice_library_warnings_at_start_up(caplog, tmp_path):
    with caplog.at_level(logging.WARNING):
        CareerBot(Settings(data_dir=tmp_path), load_search=False)
    assert not [r for r in caplog.records if "voice" in r.getMessage().lower()]


def test_command_descriptions_are_traditional_for_taiwans_clients():
    string = app_commands.locale_str("Where you start from", key="command.path.from")

    async def translate(locale: discord.Locale) -> str | None:
        return await StringsTranslator().translate(string, locale, None)  # type: ignore[arg-type]

    assert asyncio.run(translate(discord.Locale.chinese)) == "你从哪里起步"
    assert asyncio.run(translate(discord.Locale.taiwan_chinese)) == "你從哪裡起步"
    assert asyncio.run(translate(discord.Locale.american_english)) is None
