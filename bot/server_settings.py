"""Each server's settings as the bot applies them: the YAML values (`discord.default_guild`,
`discord.guilds.<id>`) overlaid with what the server's managers changed from Discord.

A service: the Discord `/settings` extension and the CLI call it; the database stores the
changes and their audit trail. Reading is synchronous and cheap (a dict lookup), so every
message handler can ask for the current values; a change takes effect at once.
"""

from __future__ import annotations

from bot.config import GuildSettings, Settings


class ServerSettings:
    """The effective `GuildSettings` of every server."""

    def __init__(self, settings: Settings):
        self.settings = settings

    def for_guild(self, guild_id: int | None) -> GuildSettings:
        """The settings that apply in `guild_id` now (the YAML defaults for a DM)."""
        return self.settings.discord.guild(guild_id)

    def any_forum_channels(self) -> bool:
        """Whether some server has a help forum configured (then the bot needs the privileged
        Message Content intent to read new posts)."""
        discord_settings = self.settings.discord
        guilds = [discord_settings.default_guild, *discord_settings.guilds.values()]
        return any(guild.forum_channels for guild in guilds)
