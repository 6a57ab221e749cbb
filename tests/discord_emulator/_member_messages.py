"""What members do with messages: send, edit and delete them (tests drive this side).

Member messages obey a member's content limit (`overlong` says what to do with more) and
Discord's rules for threads: a locked one takes them from moderators only, an archived one is
unarchived by them.
"""

from __future__ import annotations

import copy
import mimetypes
from collections.abc import Iterable
from typing import Any

from discord_emulator._constants import (
    _FORUM_TYPES,
    _P_MANAGE_THREADS,
    _THREAD_TYPES,
    MEMBER_CONTENT_LIMIT,
    NITRO_CONTENT_LIMIT,
    Overlong,
)
from discord_emulator._state import EmulatorState, _now_iso


class MemberMessagesMixin(EmulatorState):
    """User activity: members' messages as MESSAGE_CREATE, MESSAGE_UPDATE, MESSAGE_DELETE."""

    def send_message(
        self,
        content: str,
        *,
        channel: str | int | dict[str, Any] = "general",
        author: dict[str, Any] | None = None,
        mentions_bot: bool = False,
        mention_user_ids: Iterable[int] = (),
        in_thread: bool = False,
        reference: dict[str, Any] | int | None = None,
        attachments: Iterable[tuple[str, bytes]] = (),
        nitro: bool = False,
        overlong: Overlong = "error",
    ) -> dict[str, Any]:
        """Dispatch MESSAGE_CREATE for a user message and return it.

        `mentions_bot` prefixes `<@bot_id>` if the content lacks it and lists the bot in
        `mentions`; `in_thread` posts in the default thread; `channel` may be any thread or
        forum post id; `reference` (a message or id) makes it a reply; `attachments` are
        (filename, bytes) pairs. Posting in an archived thread unarchives it first
        (THREAD_UPDATE), as Discord does, unless it is locked. Over-long content is handled
        as `overlong` says (see `member_create_post`); with "split" the last message is returned.
        """
        author = author or self.member_user
        cid = self.thread_id if in_thread else self._channel_id(channel)
        target = self._channel(cid)
        if target["type"] in _FORUM_TYPES:
            raise ValueError("members cannot post in a forum itself; use member_create_post")
        if target["type"] in _THREAD_TYPES:
            self._member_may_post_in_thread(target, author)
        chunks, files = self._member_content(content, attachments, nitro=nitro, overlong=overlong)
        msg: dict[str, Any] = {}
        for index, chunk in enumerate(chunks):
            msg = self._member_message(
                cid,
                chunk,
                author=author,
                files=files if index == 0 else [],
                mentions_bot=mentions_bot,
                mention_user_ids=mention_user_ids,
                reference=reference if index == 0 else None,
            )
            self.dispatch("MESSAGE_CREATE", copy.deepcopy(msg))
        return msg

    def _member_may_post_in_thread(self, thread: dict[str, Any], author: dict[str, Any]) -> None:
        meta = thread["thread_metadata"]
        moderator = bool(self.channel_permissions(author, thread) & _P_MANAGE_THREADS)
        if meta["locked"] and not moderator:
            raise ValueError(f"thread {thread['id']} is locked: only moderators can post")
        if int(thread["id"]) in self._pending_starters:
            raise ValueError("the post's starter message has not been delivered yet")
        if meta["archived"]:
            # "Sending a message will automatically unarchive the thread"
            self._set_archived(thread, False)
        self._add_thread_member(thread, int(author["id"]))

    def _member_content(
        self,
        content: str,
        attachments: Iterable[tuple[str, bytes]],
        *,
        nitro: bool,
        overlong: Overlong,
    ) -> tuple[list[str], list[dict[str, Any]]]:
        """Apply a member's content limit: the message texts to send and the files of the first."""
        files = [self._file(name, data) for name, data in attachments]
        limit = NITRO_CONTENT_LIMIT if nitro else MEMBER_CONTENT_LIMIT
        if len(content) <= limit or overlong == "allow":
            return [content], files
        if overlong == "file":
            # Discord's client offers to send an over-long message as a message.txt upload
            text = self._file("message.txt", content.encode(), "text/plain; charset=utf-8")
            return [""], [text, *files]
        if overlong == "split":
            # what a member does by hand: consecutive messages of at most `limit` characters
            return [content[i : i + limit] for i in range(0, len(content), limit)], files
        raise ValueError(
            f"{len(content)} characters is over a member's limit of {limit}; pass nitro=True "
            'or overlong="file" / "split" / "allow"'
        )

    @staticmethod
    def _file(filename: str, data: bytes, content_type: str | None = None) -> dict[str, Any]:
        guessed = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        return {
            "field": "files[0]",
            "filename": filename,
            "content_type": guessed,
            "size": len(data),
            "data": data,
        }

    def _member_message(
        self,
        channel_id: int,
        content: str,
        *,
        author: dict[str, Any],
        files: list[dict[str, Any]],
        mentions_bot: bool = False,
        mention_user_ids: Iterable[int] = (),
        reference: dict[str, Any] | int | None = None,
        message_id: int | None = None,
        created_ms: int | None = None,
    ) -> dict[str, Any]:
        bot_mention = f"<@{self.bot_user['id']}>"
        if (
            mentions_bot
            and bot_mention not in content
            and f"<@!{self.bot_user['id']}>" not in content
        ):
            content = f"{bot_mention} {content}"
        body: dict[str, Any] = {"content": content}
        if reference is not None:
            ref_id = reference["id"] if isinstance(reference, dict) else reference
            body["message_reference"] = {"message_id": str(ref_id), "channel_id": str(channel_id)}
        msg = self._build_message(
            channel_id,
            body,
            author=author,
            files=files,
            message_id=message_id,
            created_ms=created_ms,
        )
        msg.pop("nonce", None)
        mentioned = [self.bot_user] if mentions_bot else []
        mentioned += [self.users[int(u)] for u in mention_user_ids if int(u) in self.users]
        msg["mentions"] = [
            {**u, "member": self._member_payload(u, with_user=False)} for u in mentioned
        ]
        return msg

    def edit_message(
        self,
        message: int | dict[str, Any],
        content: str,
        *,
        nitro: bool = False,
    ) -> dict[str, Any]:
        """The author edits their message: MESSAGE_UPDATE with the whole edited message.

        Discord sends the full message object (with `edited_timestamp`) on an edit; its
        content obeys the Message Content intent like MESSAGE_CREATE. Messages in archived
        threads cannot be edited.
        """
        msg = self._message_or_404(message["id"] if isinstance(message, dict) else message)
        channel = self._channel(msg["channel_id"])
        if channel["type"] in _THREAD_TYPES and channel["thread_metadata"]["archived"]:
            raise ValueError("messages in archived threads cannot be edited (50083 on Discord)")
        limit = NITRO_CONTENT_LIMIT if nitro else MEMBER_CONTENT_LIMIT
        if len(content) > limit:
            raise ValueError(f"{len(content)} characters is over the limit of {limit}")
        msg["content"] = content
        msg["edited_timestamp"] = _now_iso()
        # Discord always sends tts false in message updates
        self.dispatch("MESSAGE_UPDATE", {**copy.deepcopy(msg), "tts": False})
        return msg

    def delete_message(self, message: dict[str, Any] | int) -> None:
        """A member (or moderator) deletes a message: it is gone, MESSAGE_DELETE is sent."""
        message_id = int(message["id"]) if isinstance(message, dict) else message
        stored = self._message_or_404(message_id)
        self._forget_message(message_id)
        self.dispatch(
            "MESSAGE_DELETE",
            {
                "id": str(message_id),
                "channel_id": str(stored["channel_id"]),
                "guild_id": str(self.guild_id),
            },
        )
