"""Running the bot: wait until Discord is reachable (with back-off), start, handle signals
(SIGTERM drains, SIGHUP reloads the index), stop; and syncing the application commands."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

import aiohttp
import discord

from bot.config import Settings
from bot.discord.app import CareerBot, ShardedCareerBot, make_bot, use_endpoints
from bot.services.logs import configure_logging
from bot.services.observability import HealthServer, HealthServerError
from bot.services.settings import any_forum_channels_configured

log = logging.getLogger(__name__)


async def approximate_guild_count(settings: Settings, token: str) -> int | None:
    """How many guilds the application is in (GET /oauth2/applications/@me), or None if it
    cannot be told; LoginFailure for a refused token."""
    url = f"{settings.discord.api_base_url.rstrip('/')}/oauth2/applications/@me"
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session,
            session.get(url, headers={"Authorization": f"Bot {token}"}) as response,
        ):
            if response.status == 401:
                raise discord.LoginFailure("Improper token has been passed.")
            if response.status != 200:
                log.warning(
                    "cannot count guilds (HTTP %d): starting without sharding", response.status
                )
                return None
            count = (await response.json()).get("approximate_guild_count")
            return int(count) if count is not None else None
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        log.warning("cannot count guilds (%s): starting without sharding", type(exc).__name__)
        return None


# Retrying an unreachable Discord: the first retry after a second, then doubling up to a minute.
RETRY_FIRST_SECONDS = 1.0


RETRY_MAX_SECONDS = 60.0


class DiscordUnreachable(Exception):
    """Discord's API cannot be reached (DNS failure, connection refused, timeout)."""


def _reason(error: BaseException) -> str:
    """A short reason for a connection failure ("connection refused", "DNS lookup failed")."""
    cause = getattr(error, "os_error", None) or error
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, aiohttp.ClientConnectorDNSError) or "Name or service" in str(cause):
        return "DNS lookup failed"
    if isinstance(error, TimeoutError):
        return "timed out"
    return str(cause) or type(error).__name__


async def check_reachable(settings: Settings, token: str) -> None:
    """One request to Discord's API (any HTTP answer counts); DiscordUnreachable otherwise."""
    url = f"{settings.discord.api_base_url.rstrip('/')}/users/@me"
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session,
            session.get(url, headers={"Authorization": f"Bot {token}"}),
        ):
            return
    except (aiohttp.ClientConnectionError, TimeoutError, OSError) as exc:
        raise DiscordUnreachable(
            f"cannot reach Discord at {settings.discord.api_base_url} ({_reason(exc)})"
        ) from None


async def _wait_until_reachable(settings: Settings, token: str, bot: CareerBot) -> bool:
    """Retry with backoff until Discord answers; False when the bot was stopped meanwhile
    (SIGTERM). One log line per attempt; /healthz says 503 all along (not connected)."""
    delay = RETRY_FIRST_SECONDS
    while not bot.is_closed() and bot.accepting_questions:
        try:
            await check_reachable(settings, token)
            return True
        except DiscordUnreachable as exc:
            log.warning("%s: retrying in %.0f s", exc, delay)
        deadline = asyncio.get_running_loop().time() + delay
        while asyncio.get_running_loop().time() < deadline:
            if bot.is_closed() or not bot.accepting_questions:
                return False
            await asyncio.sleep(0.1)
        delay = min(delay * 2, RETRY_MAX_SECONDS)
    return False


async def run_bot(settings: Settings, token: str) -> int:
    """Run until closed; 0 on a clean stop, 1 when Discord refuses the login or intents."""
    configure_logging(settings.ops.log_format, settings.ops.log_level)
    use_endpoints(settings.discord.api_base_url, settings.discord.gateway_url)
    health: HealthServer | None = None
    try:
        guild_count = None
        if settings.discord.shard_count is None and settings.discord.shard_above_guilds:
            guild_count = await approximate_guild_count(settings, token)
        # intents are fixed once the client exists: forums set from Discord count too
        read_content = await any_forum_channels_configured(settings)
        bot = make_bot(settings, guild_count, read_message_content=read_content)
        if isinstance(bot, ShardedCareerBot):
            log.info(
                "sharding: %s shards, running %s",
                bot.shard_count or "recommended",
                bot.shard_ids or "all",
            )
        signal_tasks = _handle_signals(bot, settings.ops.shutdown_grace_seconds)
        if settings.ops.health_port:
            # up before the gateway: /healthz says 503 while the bot is starting
            health = HealthServer(
                settings.ops.health_host, settings.ops.health_port, bot.health_status, bot.metrics
            )
            await health.start()
        if await _wait_until_reachable(settings, token, bot):
            async with bot:
                await bot.login(token)
                # A task of its own: a stop while discord.py waits to reconnect (its backoff
                # reaches minutes) cancels it rather than waiting it out.
                bot.connection_task = asyncio.ensure_future(bot.connect(reconnect=True))
                with contextlib.suppress(asyncio.CancelledError):
                    await bot.connection_task
        else:
            await bot.close()
        await asyncio.gather(*signal_tasks, return_exceptions=True)
    except HealthServerError as exc:
        log.error("%s", exc)
        return 1
    except discord.LoginFailure:
        log.error("Discord refused the token: check CAREERBOT_DISCORD__TOKEN")
        return 1
    except discord.PrivilegedIntentsRequired:
        log.error(
            "Discord refused the Message Content intent, which reading help-forum posts needs "
            "(forum_channels is set): enable it in the developer portal (Applications > your "
            "bot > Bot > Privileged Gateway Intents > Message Content Intent) or remove "
            "forum_channels from the configuration"
        )
        return 1
    finally:
        if health is not None:
            await health.stop()
    return 0


def _handle_signals(bot: CareerBot, grace_seconds: float) -> set[asyncio.Task[Any]]:
    """SIGTERM/SIGINT: stop gracefully; SIGHUP: serve a newly published index generation.

    Returns the set of tasks the signals start, to be awaited before the loop ends.
    """
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[Any]] = set()  # keep references until done

    def spawn(coroutine: Any) -> None:
        task = loop.create_task(coroutine)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    def reload() -> None:
        if bot._reloader is not None:
            log.info("SIGHUP: checking for a new index generation")
            spawn(bot._reloader.check())

    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop_signal, lambda: spawn(bot.shutdown(grace_seconds)))
    loop.add_signal_handler(signal.SIGHUP, reload)
    return tasks


async def sync_commands(settings: Settings, token: str, guild_id: int | None) -> list[str]:
    """Register the slash commands, globally or for one guild; returns their names."""
    use_endpoints(settings.discord.api_base_url, settings.discord.gateway_url)
    async with CareerBot(settings, load_search=False) as bot:
        await bot.login(token)
        guild = discord.Object(guild_id) if guild_id else None
        if guild is not None:
            bot.tree.copy_global_to(guild=guild)
        synced = await bot.tree.sync(guild=guild)
    return [command.name for command in synced]
