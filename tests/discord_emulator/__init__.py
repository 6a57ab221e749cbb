"""A loopback emulator of the Discord REST API and gateway for driving the real discord.py client."""

from discord_emulator.emulator import DiscordEmulator, RecordedRequest
from discord_emulator.helpers import discord_endpoints, running_client

__all__ = ["DiscordEmulator", "RecordedRequest", "discord_endpoints", "running_client"]
