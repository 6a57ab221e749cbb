"""`careerbot run` and `careerbot sync`: the Discord bot."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli._common import (
    app,
    discord_token,
    expected_errors,
    fail,
    load_settings,
    out,
)
from index.generations import current_generation_dir, verify_generation


@app.command()
def run(
    check: Annotated[
        bool,
        typer.Option("--check", help="Validate configuration, token and index; don't connect."),
    ] = False,
) -> None:
    """Start the Discord bot (Ctrl-C or SIGTERM to stop)."""
    with expected_errors():
        settings = load_settings()
        token = discord_token(settings)
        from index.manifest import check_compatible

        manifest = verify_generation(current_generation_dir(settings.index_root))
        check_compatible(manifest, settings.embedder.embedder_id())
        if check:
            out.print(
                f"OK: configuration valid, token present, index {manifest.passage_count} passages "
                f"/ {manifest.resource_count} resources built {manifest.built_at} "
                f"with {manifest.embedder_id}."
            )
            return
        import asyncio

        from bot.discord.run import run_bot

        # `main()` freezes the collector once this returns: the interpreter's last collections
        # took 1-2 s on a busy machine, past `docker stop`'s wait.
        raise typer.Exit(asyncio.run(run_bot(settings, token)))


@app.command()
def sync(
    guild: Annotated[
        int | None, typer.Option("--guild", help="Sync to one guild (instant) instead of globally.")
    ] = None,
) -> None:
    """Register the slash commands with Discord (run after adding or changing commands)."""
    with expected_errors():
        settings = load_settings()
        token = discord_token(settings)
        import asyncio

        from bot.discord.run import DiscordUnreachable, check_reachable, sync_commands

        async def reach_and_sync() -> list[str]:
            await check_reachable(settings, token)
            return await sync_commands(settings, token, guild)

        try:
            names = asyncio.run(reach_and_sync())
        except DiscordUnreachable as exc:
            raise fail(str(exc)) from None
        except OSError as exc:  # aiohttp's connection errors are OSErrors too
            raise fail(f"cannot reach Discord ({exc})") from None
        where = f"guild {guild}" if guild else "all guilds (may take up to an hour to appear)"
        out.print(f"Synced {len(names)} command(s) to {where}: {', '.join(names)}")
