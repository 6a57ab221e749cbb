"""Threads: creating, editing, archiving, deleting and listing them.

The bot creates threads over REST (from a message or without one); tests archive and delete
them as a moderator would. Editing follows Discord's rules for owners and MANAGE_THREADS.
Membership is in `_thread_members`, forum posts in `_forums`.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from discord_emulator._constants import (
    _AUTO_ARCHIVE_DURATIONS,
    _CHANNEL_FLAG_PINNED,
    _FORUM_TYPES,
    _P_CREATE_PRIVATE_THREADS,
    _P_CREATE_PUBLIC_THREADS,
    _P_MANAGE_THREADS,
    _P_READ_MESSAGE_HISTORY,
    _P_VIEW_CHANNEL,
    _THREAD_TYPES,
)
from discord_emulator._state import (
    EmulatorState,
    RecordedRequest,
    _ApiError,
    _invalid_form,
    _iso_from_ms,
    _missing_permissions,
    _now_iso,
    _parse_time,
)


class ThreadsMixin(EmulatorState):
    """Thread objects and the REST routes that create, edit and list them."""

    def _thread_payload(
        self,
        thread_id: int,
        *,
        parent_id: int,
        name: str,
        owner_id: int,
        thread_type: int = 11,
        created_ms: int | None = None,
    ) -> dict[str, Any]:
        now = _now_iso() if created_ms is None else _iso_from_ms(created_ms)
        parent = self.channels.get(parent_id) or {}
        thread: dict[str, Any] = {
            "id": str(thread_id),
            "type": thread_type,
            "guild_id": str(self.guild_id),
            "parent_id": str(parent_id),
            "owner_id": str(owner_id),
            "name": name,
            "last_message_id": None,
            # message_count leaves out a forum post's starter message (Discord docs)
            "message_count": 0,
            "member_count": 0,
            "total_message_sent": 0,
            "rate_limit_per_user": parent.get("default_thread_rate_limit_per_user", 0),
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": parent.get("default_auto_archive_duration", 1440),
                "archive_timestamp": now,
                "locked": False,
                "invitable": True,
                "create_timestamp": now,
            },
        }
        if parent.get("type") in _FORUM_TYPES:
            # discord.py's Thread._update resets applied_tags to [] when the key is missing
            thread["applied_tags"] = []
        return thread

    def _store_thread(self, thread: dict[str, Any]) -> dict[str, Any]:
        tid = int(thread["id"])
        self.channels[tid] = thread
        self._thread_members.setdefault(tid, {})
        self._add_thread_member(
            thread,
            int(thread["owner_id"]),
            notify=False,
            when=thread["thread_metadata"]["create_timestamp"],
        )
        return thread

    def _create_thread(
        self,
        parent_id: int,
        body: dict[str, Any],
        thread_id: int | None,
        thread_type: int,
        *,
        applied_tags: list[str] | None = None,
    ) -> dict[str, Any]:
        """A thread the bot creates: stored, the bot its owner and member, THREAD_CREATE sent."""
        name = body.get("name") or ""
        if not 1 <= len(name) <= 100:
            raise _invalid_form(
                {"name": ("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")}
            )
        duration = body.get("auto_archive_duration")
        if duration is not None and duration not in _AUTO_ARCHIVE_DURATIONS:
            raise _invalid_form(
                {
                    "auto_archive_duration": (
                        "BASE_TYPE_CHOICES",
                        "Value must be one of (60, 1440, 4320, 10080).",
                    )
                }
            )
        tid = thread_id or self._snowflake()
        if tid in self.channels:
            raise _ApiError(400, 160004, "A thread has already been created for this message")
        thread = self._thread_payload(
            tid,
            parent_id=parent_id,
            name=name,
            owner_id=self.application_id,
            thread_type=thread_type,
        )
        if duration:
            thread["thread_metadata"]["auto_archive_duration"] = duration
        if body.get("rate_limit_per_user"):
            thread["rate_limit_per_user"] = body["rate_limit_per_user"]
        if applied_tags is not None:
            thread["applied_tags"] = applied_tags
        self._store_thread(thread)
        self.dispatch("THREAD_CREATE", {**copy.deepcopy(thread), "newly_created": True})
        return thread

    def _thread_from_message(self, rec: RecordedRequest, channel_id: str, message_id: str):
        msg = self._message_or_404(message_id)
        parent = self._channel(channel_id)
        if parent["type"] not in (0, 5):
            # "Does not work on a GUILD_FORUM or a GUILD_MEDIA channel"
            raise _ApiError(400, 50024, "Cannot execute action on this channel type")
        self._bot_needs(parent, _P_CREATE_PUBLIC_THREADS)
        body = rec.json if isinstance(rec.json, dict) else {}
        # Discord gives a thread started from a message the message's id
        thread = self._create_thread(int(channel_id), body, int(message_id), 11)
        msg["thread"] = copy.deepcopy(thread)
        msg["flags"] = msg.get("flags", 0) | (1 << 5)
        return 201, thread

    def _thread_without_message(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        body = rec.json if isinstance(rec.json, dict) else {}
        parent = self._channel(channel_id)
        if parent["type"] in _FORUM_TYPES:
            return self._start_forum_post(parent, body, rec.files)
        if parent["type"] not in (0, 5):
            raise _ApiError(400, 50024, "Cannot execute action on this channel type")
        thread_type = int(body.get("type") or 12)  # Discord still defaults to PRIVATE_THREAD
        needed = _P_CREATE_PUBLIC_THREADS if thread_type != 12 else _P_CREATE_PRIVATE_THREADS
        self._bot_needs(parent, needed)
        return 201, self._create_thread(int(channel_id), body, None, thread_type)

    def _edit_thread(self, thread: dict[str, Any], body: dict[str, Any]) -> None:
        """PATCH /channels/{thread}: Discord's permission rules, validation, then the change.

        name, archived, auto_archive_duration and applied_tags: the thread's owner or
        MANAGE_THREADS; locked, rate_limit_per_user and flags: MANAGE_THREADS; unarchiving
        an unlocked thread: anyone who can see it. An archived thread only accepts a request
        that unarchives it; a locked one only a moderator's.
        """
        perms = self.channel_permissions(self.bot_user, thread)
        if not perms & _P_VIEW_CHANNEL:
            raise _ApiError(403, 50001, "Missing Access")
        moderator = bool(perms & _P_MANAGE_THREADS)
        owner = int(thread["owner_id"]) == self.application_id
        meta = thread["thread_metadata"]
        if meta["archived"] and body.get("archived") is not False:
            raise _ApiError(400, 50083, "Thread is archived")
        if meta["locked"] and not moderator:
            raise _ApiError(403, 160005, "Thread is locked")
        owner_or_moderator = {"name", "auto_archive_duration", "applied_tags"}
        if body.get("archived") is True:
            owner_or_moderator.add("archived")
        if set(body) & {"locked", "rate_limit_per_user", "flags", "invitable"} and not moderator:
            raise _missing_permissions()
        if set(body) & owner_or_moderator and not (owner or moderator):
            raise _missing_permissions()
        errors: dict[str, tuple[str, str]] = {}
        if "name" in body and not 1 <= len(body["name"] or "") <= 100:
            errors["name"] = ("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        duration = body.get("auto_archive_duration")
        if duration is not None and duration not in _AUTO_ARCHIVE_DURATIONS:
            errors["auto_archive_duration"] = (
                "BASE_TYPE_CHOICES",
                "Value must be one of (60, 1440, 4320, 10080).",
            )
        if errors:
            raise _invalid_form(errors)
        tags: list[str] | None = None
        if "applied_tags" in body:
            parent = self._channel(thread["parent_id"])
            if parent["type"] not in _FORUM_TYPES:
                raise _ApiError(400, 50024, "Cannot execute action on this channel type")
            tags = self._check_applied_tags(
                parent, body["applied_tags"], old=thread["applied_tags"], moderator=moderator
            )
        if "name" in body:
            thread["name"] = body["name"]
        if tags is not None:
            thread["applied_tags"] = tags
        if "rate_limit_per_user" in body:
            thread["rate_limit_per_user"] = body["rate_limit_per_user"] or 0
        if "flags" in body:
            thread["flags"] = int(body["flags"])
        for key in ("locked", "invitable"):
            if key in body:
                meta[key] = bool(body[key])
        if duration is not None:
            meta["auto_archive_duration"] = duration
            meta["archive_timestamp"] = _now_iso()
        if "archived" in body and bool(body["archived"]) != meta["archived"]:
            meta["archived"] = bool(body["archived"])
            meta["archive_timestamp"] = _now_iso()
            if meta["archived"]:
                thread["flags"] &= ~_CHANNEL_FLAG_PINNED

    def archive_thread(self, thread: int | dict[str, Any], *, locked: bool = False) -> None:
        """Archive a thread (a moderator, its owner, or inactivity did it): THREAD_UPDATE.

        Archiving unpins a pinned post. discord.py drops archived threads from its cache.
        A member's message (`send_message`) unarchives it again unless it is `locked`.
        """
        channel = self._channel(self._channel_id(thread))
        channel["thread_metadata"]["locked"] = locked
        self._set_archived(channel, True)

    def _set_archived(self, thread: dict[str, Any], archived: bool) -> None:
        meta = thread["thread_metadata"]
        meta["archived"] = archived
        # "archive_timestamp is changed when creating, archiving, or unarchiving a thread"
        meta["archive_timestamp"] = _now_iso()
        if archived:
            thread["flags"] &= ~_CHANNEL_FLAG_PINNED
        self.dispatch("THREAD_UPDATE", copy.deepcopy(thread))

    def delete_thread(self, thread: int | dict[str, Any]) -> None:
        """A moderator deletes a thread or post: THREAD_DELETE (id, guild_id, parent_id, type).

        Its messages go with it; Discord sends no MESSAGE_DELETE for them.
        """
        self._remove_thread(self._channel(self._channel_id(thread)))

    def _remove_thread(self, thread: dict[str, Any]) -> dict[str, Any]:
        tid = int(thread["id"])
        del self.channels[tid]
        self._thread_members.pop(tid, None)
        self._pending_starters.pop(tid, None)
        for mid in [m for m, msg in self._all_messages.items() if int(msg["channel_id"]) == tid]:
            self._all_messages.pop(mid, None)
            self.messages.pop(mid, None)
        self.dispatch(
            "THREAD_DELETE",
            {
                "id": str(tid),
                "guild_id": str(self.guild_id),
                "parent_id": thread["parent_id"],
                "type": thread["type"],
            },
        )
        return thread

    def _thread_list(self, threads: list[dict[str, Any]]) -> dict[str, Any]:
        members = [
            self._thread_member_object(int(t["id"]), self.application_id)
            for t in threads
            if self._bot_is_member(t)
        ]
        return {"threads": threads, "members": members}

    def _active_threads(self, rec: RecordedRequest, guild_id: str) -> tuple[int, Any]:
        """GET /guilds/{id}/threads/active: every active thread the bot can see, newest first."""
        self._guild_or_404(guild_id)
        threads = [
            c
            for c in self.channels.values()
            if c["type"] in _THREAD_TYPES
            and not c["thread_metadata"]["archived"]
            and self._bot_can_view(c)
        ]
        threads.sort(key=lambda t: int(t["id"]), reverse=True)
        return 200, self._thread_list(threads)

    def _archived_public(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        return self._archived_threads(rec, channel_id, private=False, joined_only=False)

    def _archived_private(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        return self._archived_threads(rec, channel_id, private=True, joined_only=False)

    def _archived_joined(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        return self._archived_threads(rec, channel_id, private=True, joined_only=True)

    def _archived_threads(
        self, rec: RecordedRequest, channel_id: str, *, private: bool, joined_only: bool
    ) -> tuple[int, Any]:
        """The archived-thread listings: newest archive_timestamp first, `before` exclusive.

        Public: READ_MESSAGE_HISTORY; private: also MANAGE_THREADS unless only the bot's
        own (joined) threads are asked for. `before` is an ISO8601 timestamp (a snowflake
        for the joined listing, which is ordered by id); `limit` 2-100, default 50.
        """
        parent = self._channel(channel_id)
        if parent["type"] not in (0, 5, *_FORUM_TYPES) or (private and parent["type"] != 0):
            raise _ApiError(400, 50024, "Cannot execute action on this channel type")
        needed = _P_READ_MESSAGE_HISTORY
        if private and not joined_only:
            needed |= _P_MANAGE_THREADS
        self._bot_needs(parent, needed)
        try:
            limit = int(rec.query.get("limit", 50))
        except ValueError:
            limit = -1
        if not 2 <= limit <= 100:
            # discord.py: "Currently the API doesn't let you request less than 2 threads"
            raise _invalid_form(
                {"limit": ("NUMBER_TYPE_MIN", "int value should be between 2 and 100.")}
            )
        threads = [
            c
            for c in self.channels.values()
            if c["type"] in _THREAD_TYPES
            and c.get("parent_id") == channel_id
            and c["thread_metadata"]["archived"]
            and (c["type"] == 12) == private
            and (not joined_only or self._bot_is_member(c))
        ]
        before = rec.query.get("before")
        if joined_only:
            threads.sort(key=lambda t: int(t["id"]), reverse=True)
            if before:
                threads = [t for t in threads if int(t["id"]) < int(before)]
        else:

            def archived_at(thread: dict[str, Any]) -> datetime:
                return _parse_time(thread["thread_metadata"]["archive_timestamp"])

            threads.sort(key=archived_at, reverse=True)
            if before:
                try:
                    cutoff = _parse_time(before)
                except ValueError:
                    raise _invalid_form(
                        {"before": ("DATE_TYPE_PARSE", "Could not parse the timestamp.")}
                    ) from None
                threads = [t for t in threads if archived_at(t) < cutoff]
        page = threads[:limit]
        return 200, {**self._thread_list(page), "has_more": len(threads) > limit}
