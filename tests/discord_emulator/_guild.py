"""The fake guild: its users and members, text and DM channels, and GUILD_CREATE.

Also the REST routes about identity (the bot user, the application, users, DMs), the guild
(channels, members) and channels themselves (get, edit, delete; a thread's edit is in
`_threads`).
"""

from __future__ import annotations

import copy
import secrets
from typing import Any

from discord_emulator._constants import (
    _FORUM_TYPES,
    _GUILD_CHANNEL_TYPES,
    _P_MANAGE_CHANNELS,
    _P_MANAGE_THREADS,
    _THREAD_TYPES,
    ALL_PERMISSIONS,
    BOT_PERMISSIONS,
    EVERYONE_PERMISSIONS,
    MAX_AVAILABLE_TAGS,
)
from discord_emulator._state import (
    EmulatorState,
    RecordedRequest,
    _ApiError,
    _invalid_form,
    _now_iso,
)


class GuildMixin(EmulatorState):
    """The guild's world (users, members, channels) and its identity, guild and channel routes."""

    def _build_world(self) -> None:
        self.application_id = self._snowflake()
        self.bot_user: dict[str, Any] = {
            "id": str(self.application_id),
            "username": "careerbot",
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "bot": True,
            "system": False,
            "flags": 0,
            "public_flags": 0,
            "verified": True,
            "mfa_enabled": False,
            "email": None,
            "locale": "en-US",
            "premium_type": 0,
        }
        self.guild_id = self._snowflake()
        self.owner_user = self._user_payload(self._snowflake(), "guildowner", bot=False)
        # what GET /oauth2/applications/@me reports (a sharding decision may depend on it)
        self.approximate_guild_count = 1
        self.bot_role_id = self._snowflake()
        self.admin_role_id = self._snowflake()
        self.roles: list[dict[str, Any]] = [
            self._role(self.guild_id, "@everyone", EVERYONE_PERMISSIONS, position=0),
            self._role(self.admin_role_id, "Admin", ALL_PERMISSIONS, position=1),
            self._role(
                self.bot_role_id,
                "careerbot",
                BOT_PERMISSIONS,
                position=2,
                managed=True,
                tags={"bot_id": str(self.application_id)},
            ),
        ]
        self.users: dict[int, dict[str, Any]] = {}
        self._member_roles: dict[int, list[int]] = {}
        self._member_joined: dict[int, str] = {}
        self._register_user(self.bot_user, [self.bot_role_id])
        self._register_user(self.owner_user, [self.admin_role_id])
        self.member_user = self.make_user(name="alice")

        self.channels: dict[int, dict[str, Any]] = {}
        self.channel_ids: dict[str, int] = {}
        for position, name in enumerate(("general", "career-help")):
            self.add_text_channel(name, position=position)
        self.thread_id = self._snowflake()
        self._store_thread(
            self._thread_payload(
                self.thread_id,
                parent_id=self.channel_ids["career-help"],
                name="resume-review",
                owner_id=int(self.owner_user["id"]),
            )
        )

    def _user_payload(self, user_id: int, name: str, *, bot: bool) -> dict[str, Any]:
        return {
            "id": str(user_id),
            "username": name,
            "discriminator": "0",
            "global_name": name.title(),
            "avatar": None,
            "bot": bot,
            "public_flags": 0,
        }

    def _register_user(self, user: dict[str, Any], roles: list[int]) -> None:
        uid = int(user["id"])
        self.users[uid] = user
        self._member_roles[uid] = roles
        self._member_joined[uid] = _now_iso()

    def make_user(
        self, id: int | None = None, name: str = "user", bot: bool = False, *, admin: bool = False
    ) -> dict[str, Any]:
        """Create a guild member and return its user object.

        `admin=True` gives the member the Admin role (all permissions). Members created before
        the client connects appear in GUILD_CREATE; later ones are only known to interactions
        and messages that carry them.
        """
        user = self._user_payload(id or self._snowflake(), name, bot=bot)
        self._register_user(user, [self.admin_role_id] if admin else [])
        return user

    def _member_payload(self, user: dict[str, Any], *, with_user: bool = True) -> dict[str, Any]:
        uid = int(user["id"])
        member: dict[str, Any] = {
            "roles": [str(r) for r in self._member_roles.get(uid, [])],
            "joined_at": self._member_joined.get(uid, _now_iso()),
            "nick": None,
            "avatar": None,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            member["user"] = user
        return member

    def add_text_channel(self, name: str, *, position: int | None = None) -> int:
        """Add a text channel (type 0); dispatches CHANNEL_CREATE if a session is live."""
        cid = self._snowflake()
        channel = {
            "id": str(cid),
            "type": 0,
            "guild_id": str(self.guild_id),
            "name": name,
            "position": len(self.channel_ids) if position is None else position,
            "permission_overwrites": [],
            "parent_id": None,
            "topic": None,
            "nsfw": False,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "default_auto_archive_duration": 1440,
            "flags": 0,
        }
        self.channels[cid] = channel
        self.channel_ids[name] = cid
        if self._session_id is not None:
            self.dispatch("CHANNEL_CREATE", copy.deepcopy(channel))
        return cid

    def dm_channel_id(self, user: dict[str, Any] | None = None) -> int:
        """The id of the DM channel between the bot and `user` (created on first use)."""
        user = user or self.member_user
        for cid, channel in self.channels.items():
            if channel["type"] == 1 and channel["recipients"][0]["id"] == user["id"]:
                return cid
        cid = self._snowflake()
        self.channels[cid] = {
            "id": str(cid),
            "type": 1,
            "recipients": [user],
            "last_message_id": None,
        }
        return cid

    def guild_payload(self) -> dict[str, Any]:
        """The full GUILD_CREATE payload for the fake guild."""
        text_channels = [c for c in self.channels.values() if c["type"] in _GUILD_CHANNEL_TYPES]
        # only active threads the bot can see; archived ones are not synced up front
        threads = [
            c
            for c in self.channels.values()
            if c["type"] in _THREAD_TYPES
            and not c["thread_metadata"]["archived"]
            and self._bot_can_view(c)
        ]
        members = [self._member_payload(u) for u in self.users.values()]
        return copy.deepcopy(
            {
                "id": str(self.guild_id),
                "name": "Career Lab",
                "icon": None,
                "splash": None,
                "discovery_splash": None,
                "banner": None,
                "description": None,
                "owner_id": self.owner_user["id"],
                "region": "us-west",
                "afk_channel_id": None,
                "afk_timeout": 300,
                "verification_level": 1,
                "default_message_notifications": 1,
                "explicit_content_filter": 0,
                "roles": self.roles,
                "emojis": [],
                "stickers": [],
                "features": [],
                "mfa_level": 0,
                "application_id": None,
                "system_channel_id": str(self.channel_ids["general"]),
                "system_channel_flags": 0,
                "rules_channel_id": None,
                "public_updates_channel_id": None,
                "safety_alerts_channel_id": None,
                "vanity_url_code": None,
                "premium_tier": 0,
                "premium_subscription_count": 0,
                "premium_progress_bar_enabled": False,
                "preferred_locale": "en-US",
                "nsfw_level": 0,
                "max_members": 500000,
                "max_video_channel_users": 25,
                "max_stage_video_channel_users": 50,
                "joined_at": self._member_joined[self.application_id],
                "large": False,
                "unavailable": False,
                "member_count": len(members),
                "voice_states": [],
                "members": members,
                "channels": text_channels,
                "threads": threads,
                "presences": [],
                "stage_instances": [],
                "guild_scheduled_events": [],
                "soundboard_sounds": [],
                "lazy": True,
            }
        )

    def _get_me(self, rec: RecordedRequest) -> tuple[int, Any]:
        return 200, self.bot_user

    def _get_app_info(self, rec: RecordedRequest) -> tuple[int, Any]:
        return 200, {
            "id": str(self.application_id),
            "name": "careerbot",
            "icon": None,
            "description": "Emulated application",
            "rpc_origins": [],
            "bot_public": True,
            "bot_require_code_grant": False,
            "bot": self.bot_user,
            "owner": self.owner_user,
            "team": None,
            "summary": "",
            "verify_key": secrets.token_hex(32),
            "flags": 0,
            "tags": [],
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "approximate_guild_count": self.approximate_guild_count,
        }

    def _get_user(self, rec: RecordedRequest, user_id: str) -> tuple[int, Any]:
        user = self.users.get(int(user_id))
        if user is None:
            raise _ApiError(404, 10013, "Unknown User")
        return 200, user

    def _create_dm(self, rec: RecordedRequest) -> tuple[int, Any]:
        recipient = int((rec.json or {}).get("recipient_id", 0))
        user = self.users.get(recipient)
        if user is None:
            raise _ApiError(404, 10013, "Unknown User")
        return 200, self.channels[self.dm_channel_id(user)]
        cid = self._snowflake()
        channel = {"id": str(cid), "type": 1, "recipients": [user], "last_message_id": None}
        self.channels[cid] = channel
        return 200, channel

    def _guild_or_404(self, guild_id: str) -> None:
        if int(guild_id) != self.guild_id:
            raise _ApiError(404, 10004, "Unknown Guild")

    def _guild_channels(self, rec: RecordedRequest, guild_id: str) -> tuple[int, Any]:
        self._guild_or_404(guild_id)
        return 200, [c for c in self.channels.values() if c["type"] in _GUILD_CHANNEL_TYPES]

    def _guild_member(self, rec: RecordedRequest, guild_id: str, user_id: str):
        self._guild_or_404(guild_id)
        user = self.users.get(int(user_id))
        if user is None:
            raise _ApiError(404, 10007, "Unknown Member")
        return 200, self._member_payload(user)

    def _get_channel(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        channel = self._channel(channel_id)
        if "guild_id" in channel and not self.channel_permissions(self.bot_user, channel):
            raise _ApiError(403, 50001, "Missing Access")
        return 200, channel

    def _edit_channel(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        channel = self._channel(channel_id)
        body = rec.json if isinstance(rec.json, dict) else {}
        if channel["type"] in _THREAD_TYPES:
            self._edit_thread(channel, body)
            self.dispatch("THREAD_UPDATE", copy.deepcopy(channel))
            return 200, channel
        # guild channels: "Requires the MANAGE_CHANNELS permission"
        self._bot_needs(channel, _P_MANAGE_CHANNELS)
        for key, value in body.items():
            if key in ("name", "topic", "rate_limit_per_user", "nsfw", "position", "flags"):
                channel[key] = value
            elif key == "available_tags" and channel["type"] in _FORUM_TYPES:
                if len(value) > MAX_AVAILABLE_TAGS:
                    raise _invalid_form(
                        {
                            "available_tags": (
                                "BASE_TYPE_MAX_LENGTH",
                                "Must be 20 or fewer in length.",
                            )
                        }
                    )
                known = {t["id"] for t in channel["available_tags"]}
                # tags that keep their id are edited; others are created with a new id
                channel["available_tags"] = [
                    self._forum_tag({**t, "id": t["id"] if str(t.get("id")) in known else None})
                    for t in value
                ]
        self.dispatch("CHANNEL_UPDATE", copy.deepcopy(channel))
        return 200, channel

    def _delete_channel(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        channel = self._channel(channel_id)
        if channel["type"] in _THREAD_TYPES:
            # "Deleting a thread requires the MANAGE_THREADS permission"
            self._bot_needs(channel, _P_MANAGE_THREADS)
            return 200, self._remove_thread(channel)
        if "guild_id" not in channel:
            return 200, channel  # closing a DM
        self._bot_needs(channel, _P_MANAGE_CHANNELS)
        del self.channels[int(channel_id)]
        # its threads go with it; discord.py drops them on CHANNEL_DELETE by itself
        for thread in [c for c in self.channels.values() if c.get("parent_id") == channel_id]:
            if thread["type"] in _THREAD_TYPES:
                del self.channels[int(thread["id"])]
        self.channel_ids = {n: c for n, c in self.channel_ids.items() if c != int(channel_id)}
        self.dispatch("CHANNEL_DELETE", copy.deepcopy(channel))
        return 200, channel
