"""Who is in a thread: members, the bot's own membership, joining and leaving.

`member_count` stops counting at 50; the bot's membership is also the thread's `member`
field and is announced with THREAD_MEMBERS_UPDATE.
"""

from __future__ import annotations

import copy
from typing import Any

from discord_emulator._constants import (
    _P_MANAGE_THREADS,
    _P_SEND_MESSAGES_IN_THREADS,
    _THREAD_TYPES,
)
from discord_emulator._state import EmulatorState, RecordedRequest, _ApiError, _now_iso


class ThreadMembersMixin(EmulatorState):
    """Thread membership and the thread-members REST routes."""

    def _add_thread_member(
        self, thread: dict[str, Any], user_id: int, *, notify: bool = True, when: str | None = None
    ) -> bool:
        """Record `user_id` as a member of `thread`; True if it was not one already.

        The bot's own membership is also kept as the channel's `member` field (what GET
        /channels/{id} and GUILD_CREATE carry) and, with `notify`, announced with
        THREAD_MEMBERS_UPDATE, which Discord always sends when the current user is added.
        """
        tid = int(thread["id"])
        members = self._thread_members.setdefault(tid, {})
        if user_id in members:
            return False
        members[user_id] = when or _now_iso()
        # member_count "stops counting at 50"
        thread["member_count"] = min(50, len(members))
        if user_id == self.application_id:
            thread["member"] = self._thread_member_object(tid, user_id)
            if notify:
                self.dispatch(
                    "THREAD_MEMBERS_UPDATE",
                    {
                        "id": str(tid),
                        "guild_id": str(self.guild_id),
                        "member_count": thread["member_count"],
                        "added_members": [thread["member"]],
                        "removed_member_ids": [],
                    },
                )
        return True

    def _thread_member_object(self, thread_id: int, user_id: int) -> dict[str, Any]:
        return {
            "id": str(thread_id),
            "user_id": str(user_id),
            "join_timestamp": self._thread_members[thread_id][user_id],
            "flags": 0,
        }

    def _bot_is_member(self, thread: dict[str, Any]) -> bool:
        return self.application_id in self._thread_members.get(int(thread["id"]), {})

    def _join_thread(self, rec: RecordedRequest, channel_id: str, user: str) -> tuple[int, Any]:
        thread = self._channel(channel_id)
        if thread["type"] not in _THREAD_TYPES:
            raise _ApiError(400, 50024, "Cannot execute action on this channel type")
        self._refuse_in_archived_thread(channel_id)
        if user != "@me":
            self._bot_needs(thread, _P_SEND_MESSAGES_IN_THREADS)
            self._add_thread_member(thread, int(user))
            return 204, None
        if not self._bot_can_view(thread):
            raise _ApiError(403, 50001, "Missing Access")
        if not self._bot_is_member(thread):
            self._add_thread_member(thread, self.application_id, notify=False)
            # "Fires a Thread Members Update and a Thread Create Gateway event"
            self.dispatch("THREAD_CREATE", copy.deepcopy(thread))
            self.dispatch(
                "THREAD_MEMBERS_UPDATE",
                {
                    "id": channel_id,
                    "guild_id": str(self.guild_id),
                    "member_count": thread["member_count"],
                    "added_members": [thread["member"]],
                    "removed_member_ids": [],
                },
            )
        return 204, None

    def _leave_thread(self, rec: RecordedRequest, channel_id: str, user: str) -> tuple[int, Any]:
        thread = self._channel(channel_id)
        self._refuse_in_archived_thread(channel_id)
        uid = self.application_id if user == "@me" else int(user)
        if uid != self.application_id:
            self._bot_needs(thread, _P_MANAGE_THREADS)
        if self._thread_members.get(int(channel_id), {}).pop(uid, None) is None:
            return 204, None
        thread["member_count"] = min(50, len(self._thread_members[int(channel_id)]))
        if uid == self.application_id:
            thread.pop("member", None)
            self.dispatch(
                "THREAD_MEMBERS_UPDATE",
                {
                    "id": channel_id,
                    "guild_id": str(self.guild_id),
                    "member_count": thread["member_count"],
                    "added_members": [],
                    "removed_member_ids": [str(uid)],
                },
            )
        return 204, None
