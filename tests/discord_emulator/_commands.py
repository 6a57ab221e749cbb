"""Application commands: their registration over REST and members invoking them.

Slash commands (with subcommands and autocomplete) and message context-menu commands; an
invocation carries the registered command's id (and `guild_id` for a guild command), as
discord.py's CommandTree needs to find it.
"""

from __future__ import annotations

import copy
from typing import Any

from discord_emulator._state import EmulatorState, RecordedRequest, _ApiError, _invalid_form


class CommandsMixin(EmulatorState):
    """Global and guild command registration, and slash, context-menu and autocomplete use."""

    def _check_app(self, application_id: str) -> None:
        if int(application_id) != self.application_id:
            raise _ApiError(404, 10002, "Unknown Application")

    def _upsert_commands(
        self, existing: list[dict[str, Any]], body: Any, guild_id: int | None
    ) -> list[dict[str, Any]]:
        if not isinstance(body, list):
            raise _invalid_form({"": ("LIST_TYPE_CONVERT", "Must be an array.")})
        by_key = {(c["name"], c.get("type", 1)): c for c in existing}
        out = []
        for cmd in body:
            key = (cmd["name"], cmd.get("type", 1))
            old = by_key.get(key)
            stored = {
                "type": 1,
                "description": "",
                "options": [],
                "default_member_permissions": None,
                "dm_permission": True,
                "nsfw": False,
                "integration_types": [0],
                "contexts": None,
                "name_localizations": None,
                "description_localizations": None,
                **cmd,
                "id": old["id"] if old else str(self._snowflake()),
                "application_id": str(self.application_id),
                "version": str(self._snowflake()),
            }
            if guild_id is not None:
                stored["guild_id"] = str(guild_id)
            out.append(stored)
        return out

    def _get_global_commands(self, rec: RecordedRequest, application_id: str) -> tuple[int, Any]:
        self._check_app(application_id)
        return 200, self.global_commands

    def _put_global_commands(self, rec: RecordedRequest, application_id: str) -> tuple[int, Any]:
        self._check_app(application_id)
        self.global_commands = self._upsert_commands(self.global_commands, rec.json, None)
        return 200, self.global_commands

    def _post_global_command(self, rec: RecordedRequest, application_id: str) -> tuple[int, Any]:
        self._check_app(application_id)
        [cmd] = self._upsert_commands(self.global_commands, [rec.json], None)
        self.global_commands = [c for c in self.global_commands if c["id"] != cmd["id"]] + [cmd]
        return 201, cmd

    def _get_guild_commands(self, rec: RecordedRequest, application_id: str, guild_id: str):
        self._check_app(application_id)
        return 200, self.guild_commands.get(int(guild_id), [])

    def _put_guild_commands(self, rec: RecordedRequest, application_id: str, guild_id: str):
        self._check_app(application_id)
        self._guild_or_404(guild_id)
        existing = self.guild_commands.get(int(guild_id), [])
        self.guild_commands[int(guild_id)] = self._upsert_commands(
            existing, rec.json, int(guild_id)
        )
        return 200, self.guild_commands[int(guild_id)]

    @staticmethod
    def _option(name: str, value: Any, option_types: dict[str, int] | None) -> dict[str, Any]:
        if option_types and name in option_types:
            otype = option_types[name]
        elif isinstance(value, bool):
            otype = 5
        elif isinstance(value, int):
            otype = 4
        elif isinstance(value, float):
            otype = 10
        else:
            otype = 3
        return {"name": name, "type": otype, "value": value}

    def _command_data(
        self, name: str, options: dict[str, Any], option_types: dict[str, int] | None
    ) -> dict[str, Any]:
        # "group sub" / "group subgroup sub" nest the options the way Discord does
        root, *path = name.split()
        opts = [self._option(k, v, option_types) for k, v in options.items()]
        for index, part in reversed(list(enumerate(path))):
            kind = 1 if index == len(path) - 1 else 2
            opts = [{"name": part, "type": kind, "options": opts}]
        data: dict[str, Any] = {"name": root, "type": 1, "options": opts}
        registered = next(
            (c for c in self.guild_commands.get(self.guild_id, []) if c["name"] == root), None
        )
        if registered is not None:
            data["id"] = registered["id"]
            data["guild_id"] = str(self.guild_id)
        else:
            glob = next((c for c in self.global_commands if c["name"] == root), None)
            data["id"] = glob["id"] if glob else str(self._snowflake())
        return data

    def send_slash_command(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user: dict[str, Any] | None = None,
        channel: str | int = "general",
        guild: bool = True,
        locale: str = "en-US",
        option_types: dict[str, int] | None = None,
        permissions: int | None = None,
    ) -> dict[str, Any]:
        """Dispatch an APPLICATION_COMMAND interaction and return its payload.

        Option types are inferred (str 3, int 4, bool 5, float 10) unless `option_types`
        overrides them. `name` may be "group sub". If the command was synced to the guild,
        `data.guild_id` is set so discord.py's CommandTree finds the guild command.
        """
        data = self._command_data(name, options or {}, option_types)
        return self._new_interaction(
            2,
            data,
            user=user,
            channel=channel,
            guild=guild,
            locale=locale,
            permissions=permissions,
        )

    def send_message_command(
        self,
        name: str,
        message: dict[str, Any] | int,
        *,
        user: dict[str, Any] | None = None,
        locale: str = "en-US",
        permissions: int | None = None,
    ) -> dict[str, Any]:
        """Dispatch a message context-menu command (type 3) `name` on `message`.

        The interaction is in the message's channel (a thread or forum post included) and
        `data.resolved.messages` carries the message with its content, which Discord sends
        whatever the app's intents. A command synced to the guild gets its id and `guild_id`,
        which discord.py needs to find a guild context menu.
        """
        if isinstance(message, int):
            message = self._message_or_404(message)
        # the message as stored: context-menu targets carry content whatever the intents
        target = copy.deepcopy(self._all_messages.get(int(message["id"]), message))
        data: dict[str, Any] = {
            "id": str(self._snowflake()),
            "name": name,
            "type": 3,
            "target_id": str(target["id"]),
            "resolved": {"messages": {str(target["id"]): target}},
        }
        registered = next(
            (
                c
                for c in self.guild_commands.get(self.guild_id, [])
                if c["name"] == name and c.get("type") == 3
            ),
            None,
        )
        if registered is not None:
            # discord.py finds a guild context menu by (name, guild_id, type)
            data.update(id=registered["id"], guild_id=str(self.guild_id))
        else:
            glob = next(
                (c for c in self.global_commands if c["name"] == name and c.get("type") == 3),
                None,
            )
            if glob is not None:
                data["id"] = glob["id"]
        return self._new_interaction(
            2,
            data,
            user=user,
            channel=int(target["channel_id"]),
            guild=True,
            locale=locale,
            permissions=permissions,
        )

    def send_autocomplete(
        self,
        name: str,
        options: dict[str, Any],
        focused: str,
        *,
        user: dict[str, Any] | None = None,
        channel: str | int = "general",
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """Dispatch an APPLICATION_COMMAND_AUTOCOMPLETE interaction for option `focused`."""
        data = self._command_data(name, options, None)
        inner = data["options"]
        while inner and inner[0]["type"] in (1, 2):
            inner = inner[0]["options"]
        for opt in inner:
            if opt["name"] == focused:
                opt["focused"] = True
                # Discord sends the partial text of the focused option as a string
                opt["type"] = 3 if isinstance(opt["value"], str) else opt["type"]
        return self._new_interaction(4, data, user=user, channel=channel, guild=True, locale=locale)
