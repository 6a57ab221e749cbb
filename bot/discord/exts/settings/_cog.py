"""`/settings`: a server's managers change the bot's settings for their server from Discord.

A thin adapter over `bot.services.settings.ServerSettings`: it parses the options, checks (once,
for the whole group, on every use) that the member has Manage Server, calls the service and
replies ephemerally in the member's language. What a value may be is the service's rule.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import Choice, locale_str
from discord.ext import commands

from bot.discord.checks import require_server_manager
from bot.discord.exts.settings._render import (
    setting_item_text,
    setting_value_text,
    settings_embed,
    settings_history_embed,
)
from bot.discord.reply import careerbot_of, language_of, respond
from bot.i18n import Language, t
from bot.services.setting_records import (
    CHANNEL_LISTS,
    MAX_COOLDOWN_SECONDS,
    SETTING_NAMES,
    Channel,
    SettingChange,
    SettingError,
)
from bot.services.settings import ServerSettings

if TYPE_CHECKING:
    from bot.discord.app import CareerBot


def _localized(key: str) -> locale_str:
    """A command's text for Discord: the English string of `key` as sent, the key for the
    Chinese translation (`bot.discord.app.StringsTranslator`)."""
    return locale_str(t(key, "en"), key=key)


HISTORY_SHOWN = 15  # changes per /settings history: the recent ones are what a manager looks for

_KIND_CHOICES = [
    Choice(name=_localized(f"choice.kind.{kind}"), value=kind)
    for kind in ("enabled", "thread", "forum")
]
_LANGUAGE_CHOICES = [
    Choice(name=_localized(f"choice.language.{value}"), value=value)
    for value in ("zh", "en", "auto")
]
_UNSURE_CHOICES = [
    Choice(name=_localized(f"choice.unsure.{value}"), value=value) for value in ("silent", "say")
]
_SETTING_CHOICES = [
    Choice(name=_localized(f"settings.name.{name}"), value=name) for name in SETTING_NAMES
]


def _service(interaction: discord.Interaction) -> ServerSettings:
    return careerbot_of(interaction).server_settings


def _guild_id(interaction: discord.Interaction) -> int:
    # the group is guild-only and its check refuses interactions without a guild
    assert interaction.guild_id is not None
    return interaction.guild_id


def _channel_list(kind: str) -> str:
    """The setting the `kind` option names. Choices are not enforced on arrival: another
    value goes to the service as it is, which refuses it as an unknown setting."""
    return CHANNEL_LISTS.get(kind, kind)  # type: ignore[call-overload]


def _channel(channel: discord.abc.GuildChannel) -> Channel:
    """The channel as the service sees it: id and Discord type name ("text", "forum", …)."""
    return Channel(channel.id, str(channel.type))


def error_text(error: SettingError, language: Language) -> str:
    """The refusal of a change, in the member's language."""
    values = dict(error.values)
    if "setting" in values:
        values["setting"] = t(f"settings.name.{values['setting']}", language)
    if "channel_id" in values:
        values["channel"] = f"<#{values.pop('channel_id')}>"
    return t(f"settings.error.{error.key}", language, **values)


def change_text(change: SettingChange, language: Language, item_id: int | None = None) -> str:
    """What a change did: the old and new values, or that nothing changed (for a list, that
    the channel or role `item_id` was already in it, or was not in it)."""
    label = t(f"settings.name.{change.name}", language)
    new = setting_value_text(change.name, change.new, language)
    if change.changed:
        old = setting_value_text(change.name, change.old, language)
        return t("settings.changed", language, setting=label, old=old, new=new)
    if item_id is not None:
        key = "settings.already_listed" if item_id in change.new else "settings.not_listed"
        return t(key, language, item=setting_item_text(change.name, item_id), setting=label)
    return t("settings.unchanged", language, setting=label, value=new)


async def _attempt(
    interaction: discord.Interaction, pending: Awaitable[SettingChange]
) -> SettingChange | None:
    """The service's change, or None after telling the member why it was refused.

    Caught here, not in the group's `on_error`: discord.py runs the tree's error handler after
    the group's, and the tree's would add an apology for an expected refusal.
    """
    try:
        return await pending
    except SettingError as exc:
        await respond(interaction, error_text(exc, language_of(interaction)))
        return None


async def _change(
    interaction: discord.Interaction,
    pending: Awaitable[SettingChange],
    item_id: int | None = None,
) -> None:
    """Run a change and reply with what it did."""
    change = await _attempt(interaction, pending)
    if change is not None:
        await respond(interaction, change_text(change, language_of(interaction), item_id))


class SettingsGroup(app_commands.Group):
    """`/settings …`: every subcommand needs Manage Server, checked once here."""

    def __init__(self) -> None:
        super().__init__(
            name="settings",
            description=_localized("command.settings"),
            guild_only=True,
            # a hint for Discord's clients (who sees the command); the check below decides
            default_permissions=discord.Permissions(manage_guild=True),
        )

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return require_server_manager(interaction)

    channels = app_commands.Group(
        name="channels", description=_localized("command.settings.channels")
    )
    moderator_role = app_commands.Group(
        name="moderator-role", description=_localized("command.settings.moderator_role")
    )

    @app_commands.command(name="show", description=_localized("command.settings.show"))
    async def show(self, interaction: discord.Interaction) -> None:
        guild_id = _guild_id(interaction)
        service = _service(interaction)
        embed = settings_embed(
            service.for_guild(guild_id), service.changed_names(guild_id), language_of(interaction)
        )
        await respond(interaction, embed=embed)

    @channels.command(name="add", description=_localized("command.settings.channels.add"))
    @app_commands.describe(
        kind=_localized("command.settings.channels.kind"),
        channel=_localized("command.settings.channels.channel"),
    )
    @app_commands.choices(kind=_KIND_CHOICES)
    async def channels_add(
        self,
        interaction: discord.Interaction,
        kind: str,
        channel: discord.TextChannel | discord.ForumChannel,
    ) -> None:
        language = language_of(interaction)
        change = await _attempt(
            interaction,
            _service(interaction).add(
                _guild_id(interaction),
                _channel_list(kind),
                _channel(channel),
                interaction.user.id,
            ),
        )
        if change is None:
            return
        text = change_text(change, language, channel.id)
        if (
            change.changed
            and change.name == "forum_channels"
            and not interaction.client.intents.message_content
        ):
            # the intents are chosen when the bot connects: without Message Content it cannot
            # read the posts of the forum until it starts again
            text += "\n" + t("settings.forum_needs_restart", language)
        await respond(interaction, text)

    @channels.command(name="remove", description=_localized("command.settings.channels.remove"))
    @app_commands.describe(
        kind=_localized("command.settings.channels.kind"),
        channel=_localized("command.settings.channels.channel"),
    )
    @app_commands.choices(kind=_KIND_CHOICES)
    async def channels_remove(
        self,
        interaction: discord.Interaction,
        kind: str,
        channel: discord.TextChannel | discord.ForumChannel,
    ) -> None:
        pending = _service(interaction).remove(
            _guild_id(interaction), _channel_list(kind), channel.id, interaction.user.id
        )
        await _change(interaction, pending, channel.id)

    @app_commands.command(name="solved-tag", description=_localized("command.settings.solved_tag"))
    @app_commands.describe(name=_localized("command.settings.solved_tag.name"))
    async def solved_tag(self, interaction: discord.Interaction, name: str) -> None:
        pending = _service(interaction).change(
            _guild_id(interaction), "solved_tag", name, interaction.user.id
        )
        await _change(interaction, pending)

    @app_commands.command(
        name="review-channel", description=_localized("command.settings.review_channel")
    )
    @app_commands.describe(channel=_localized("command.settings.review_channel.channel"))
    async def review_channel(
        self, interaction: discord.Interaction, channel: discord.TextChannel | None = None
    ) -> None:
        value = _channel(channel) if channel is not None else None
        pending = _service(interaction).change(
            _guild_id(interaction), "review_channel", value, interaction.user.id
        )
        await _change(interaction, pending)

    @app_commands.command(name="cooldown", description=_localized("command.settings.cooldown"))
    @app_commands.describe(seconds=_localized("command.settings.cooldown.seconds"))
    async def cooldown(
        self,
        interaction: discord.Interaction,
        seconds: app_commands.Range[int, 0, MAX_COOLDOWN_SECONDS],
    ) -> None:
        # Range is a hint to Discord's clients, not enforced on arrival: the service checks
        pending = _service(interaction).change(
            _guild_id(interaction), "cooldown_seconds", seconds, interaction.user.id
        )
        await _change(interaction, pending)

    @app_commands.command(name="language", description=_localized("command.settings.language"))
    @app_commands.describe(value=_localized("command.settings.language.value"))
    @app_commands.choices(value=_LANGUAGE_CHOICES)
    async def language(self, interaction: discord.Interaction, value: str) -> None:
        language = None if value == "auto" else value
        pending = _service(interaction).change(
            _guild_id(interaction), "language", language, interaction.user.id
        )
        await _change(interaction, pending)

    @moderator_role.command(
        name="add", description=_localized("command.settings.moderator_role.add")
    )
    @app_commands.describe(role=_localized("command.settings.moderator_role.role"))
    async def moderator_role_add(
        self, interaction: discord.Interaction, role: discord.Role
    ) -> None:
        pending = _service(interaction).add(
            _guild_id(interaction), "moderator_role_ids", role.id, interaction.user.id
        )
        await _change(interaction, pending, role.id)

    @moderator_role.command(
        name="remove", description=_localized("command.settings.moderator_role.remove")
    )
    @app_commands.describe(role=_localized("command.settings.moderator_role.role"))
    async def moderator_role_remove(
        self, interaction: discord.Interaction, role: discord.Role
    ) -> None:
        pending = _service(interaction).remove(
            _guild_id(interaction), "moderator_role_ids", role.id, interaction.user.id
        )
        await _change(interaction, pending, role.id)

    @app_commands.command(
        name="when-unsure", description=_localized("command.settings.when_unsure")
    )
    @app_commands.describe(reply=_localized("command.settings.when_unsure.reply"))
    @app_commands.choices(reply=_UNSURE_CHOICES)
    async def when_unsure(self, interaction: discord.Interaction, reply: str) -> None:
        # choices are not enforced on arrival: anything but "say" keeps the bot silent
        pending = _service(interaction).change(
            _guild_id(interaction), "reply_when_unsure", reply == "say", interaction.user.id
        )
        await _change(interaction, pending)

    @app_commands.command(name="reset", description=_localized("command.settings.reset"))
    @app_commands.describe(setting=_localized("command.settings.reset.setting"))
    @app_commands.choices(setting=_SETTING_CHOICES)
    async def reset(self, interaction: discord.Interaction, setting: str) -> None:
        language = language_of(interaction)
        change = await _attempt(
            interaction,
            _service(interaction).reset(_guild_id(interaction), setting, interaction.user.id),
        )
        if change is None:
            return
        label = t(f"settings.name.{change.name}", language)
        value = setting_value_text(change.name, change.new, language)
        key = "settings.reset_done" if change.changed else "settings.reset_nothing"
        await respond(interaction, t(key, language, setting=label, value=value))

    @app_commands.command(name="history", description=_localized("command.settings.history"))
    async def history(self, interaction: discord.Interaction) -> None:
        history = await _service(interaction).history(_guild_id(interaction), HISTORY_SHOWN)
        await respond(interaction, embed=settings_history_embed(history, language_of(interaction)))


class Settings(commands.Cog):
    """Registers `/settings`."""

    def __init__(self, bot: CareerBot):
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.tree.add_command(SettingsGroup())

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command("settings")
