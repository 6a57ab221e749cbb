"""Roles and permissions: guild and channel permissions as Discord computes them.

Guild permissions come from @everyone and the member's roles (Administrator and the owner
have all); a channel's overwrites apply on top, and threads use their parent's. The bot's
REST calls are checked against its permissions in the channel with `_bot_needs`.
"""

from __future__ import annotations

import copy
from typing import Any

from discord_emulator._constants import (
    _P_ADMINISTRATOR,
    _P_MANAGE_THREADS,
    _P_VIEW_CHANNEL,
    _THREAD_TYPES,
    ALL_PERMISSIONS,
    EVERYONE_PERMISSIONS,
)
from discord_emulator._state import EmulatorState, _ApiError, _missing_permissions


class PermissionsMixin(EmulatorState):
    """Roles, permission computation, overwrites and the bot's permission checks."""

    def _role(
        self,
        role_id: int,
        name: str,
        permissions: int,
        *,
        position: int,
        managed: bool = False,
        tags: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        role: dict[str, Any] = {
            "id": str(role_id),
            "name": name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": position,
            "permissions": str(permissions),
            "managed": managed,
            "mentionable": False,
            "flags": 0,
        }
        if tags is not None:
            role["tags"] = tags
        return role

    def permissions_for(self, user: dict[str, Any]) -> int:
        """Guild-level permissions of a member: @everyone plus its roles (Admin means all)."""
        uid = int(user["id"])
        if uid == int(self.owner_user["id"]):
            return ALL_PERMISSIONS
        perms = EVERYONE_PERMISSIONS
        for role in self.roles:
            if int(role["id"]) in self._member_roles.get(uid, []):
                perms |= int(role["permissions"])
        if perms & _P_ADMINISTRATOR:  # ADMINISTRATOR implies everything
            return ALL_PERMISSIONS
        return perms

    def channel_permissions(self, user: dict[str, Any], channel: str | int | dict[str, Any]) -> int:
        """A member's permissions in a channel, computed the way Discord documents it.

        Guild permissions, then the channel's overwrites: @everyone deny/allow, the member's
        roles' deny/allow, the member's own deny/allow. A thread uses its parent's overwrites
        (threads inherit permissions). Without VIEW_CHANNEL nothing else applies.
        """
        target = self._channel(self._channel_id(channel))
        if "guild_id" not in target:
            return ALL_PERMISSIONS  # DMs have no permission overwrites
        base = self.permissions_for(user)
        if base == ALL_PERMISSIONS:
            return ALL_PERMISSIONS
        if target["type"] in _THREAD_TYPES:
            target = self._channel(target["parent_id"])
        overwrites = {int(o["id"]): o for o in target.get("permission_overwrites") or []}
        perms = base
        everyone = overwrites.get(self.guild_id)
        if everyone is not None:
            perms = (perms & ~int(everyone["deny"])) | int(everyone["allow"])
        allow = deny = 0
        for role_id in self._member_roles.get(int(user["id"]), []):
            role_overwrite = overwrites.get(role_id)
            if role_overwrite is not None:
                allow |= int(role_overwrite["allow"])
                deny |= int(role_overwrite["deny"])
        perms = (perms & ~deny) | allow
        own = overwrites.get(int(user["id"]))
        if own is not None:
            perms = (perms & ~int(own["deny"])) | int(own["allow"])
        if not perms & _P_VIEW_CHANNEL:
            return 0
        return perms

    def set_permission_overwrite(
        self,
        channel: str | int | dict[str, Any],
        target: int | dict[str, Any] | None = None,
        *,
        allow: int = 0,
        deny: int = 0,
    ) -> None:
        """Set a permission overwrite on a channel (dispatches CHANNEL_UPDATE if live).

        `target` is a role id, a user (dict or id) or None for the bot's own member. Bits are
        Discord's, e.g. `discord.Permissions(send_messages_in_threads=True).value`. Put
        overwrites on a forum to restrict its posts: threads inherit their parent's. A thread
        itself has no overwrites, as on Discord.
        """
        cid = self._channel_id(channel)
        ch = self._channel(cid)
        if ch["type"] in _THREAD_TYPES:
            raise ValueError("threads have no permission overwrites; set them on the parent")
        if target is None:
            target_id = self.application_id
        else:
            target_id = int(target["id"]) if isinstance(target, dict) else int(target)
        is_role = any(int(r["id"]) == target_id for r in self.roles)
        kept = [o for o in ch["permission_overwrites"] if int(o["id"]) != target_id]
        if allow or deny:
            kept.append(
                {
                    "id": str(target_id),
                    "type": 0 if is_role else 1,
                    "allow": str(allow),
                    "deny": str(deny),
                }
            )
        ch["permission_overwrites"] = kept
        if self._session_id is not None:
            self.dispatch("CHANNEL_UPDATE", copy.deepcopy(ch))

    def _bot_needs(self, channel: dict[str, Any], needed: int) -> int:
        """Raise Discord's 403 unless the bot holds `needed` in `channel`; return its perms."""
        perms = self.channel_permissions(self.bot_user, channel)
        if not perms & _P_VIEW_CHANNEL:
            raise _ApiError(403, 50001, "Missing Access")
        if perms & needed != needed:
            raise _missing_permissions()
        return perms

    def _bot_can_view(self, thread: dict[str, Any]) -> bool:
        perms = self.channel_permissions(self.bot_user, thread)
        if not perms & _P_VIEW_CHANNEL:
            return False
        # private threads are seen by their members and by moderators only
        return (
            thread["type"] != 12 or self._bot_is_member(thread) or bool(perms & _P_MANAGE_THREADS)
        )
