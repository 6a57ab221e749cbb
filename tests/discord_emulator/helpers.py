"""Glue for running a real discord.py client against a `DiscordEmulator`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import TypeVar

import discord
import discord.gateway
import discord.http
import yarl
from discord_emulator.emulator import DiscordEmulator

ClientT = TypeVar("ClientT", bound=discord.Client)


@contextlib.contextmanager
def discord_endpoints(emu: DiscordEmulator) -> Iterator[None]:
    """Point discord.py's REST base and default gateway at `emu`; restore them on exit.

    These are process-wide class attributes, so emulators must not run concurrently in one
    process with different endpoints.
    """
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = emu.api_base_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emu.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


@contextlib.asynccontextmanager
async def running_client(
    client: ClientT, emu: DiscordEmulator, *, timeout: float = 5.0
) -> AsyncIterator[ClientT]:
    """Start `client` with the emulator's token, yield once it is ready, close it on exit.

    Build the client with a small `guild_ready_timeout` (e.g. 0.05): discord.py otherwise
    waits 2 s after the last GUILD_CREATE before firing on_ready. A client that dies during
    startup re-raises its error here instead of timing out; one that dies later re-raises
    on exit.
    """
    runner = asyncio.create_task(client.start(emu.token))
    try:
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait(
            {ready, runner}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            ready.cancel()
            if runner in done:
                runner.result()
            raise TimeoutError(f"client not ready within {timeout}s")
        yield client
    finally:
        await client.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(runner, 5.0)
