"""Messages over REST: building and validating them, the bot's messages, pins, reactions.

`_build_message` makes every message, whoever sends it (the bot over REST, an interaction
response, a member in `_member_messages`); `_validate_message` applies Discord's limits on
content, embeds and components (400, 50035; components in `_components`).
"""

from __future__ import annotations

import copy
from typing import Any

from discord_emulator._components import component_errors
from discord_emulator._constants import (
    _FLAG_EPHEMERAL,
    _FLAG_LOADING,
    _FORUM_TYPES,
    _P_ATTACH_FILES,
    _P_MANAGE_MESSAGES,
    _P_MANAGE_THREADS,
    _P_READ_MESSAGE_HISTORY,
    _P_SEND_MESSAGES,
    _P_SEND_MESSAGES_IN_THREADS,
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
)


class MessagesMixin(EmulatorState):
    """Channel messages over REST: create, list, get, edit, delete; pins, reactions, typing."""

    def _validate_message(self, body: dict[str, Any], files: list[dict[str, Any]]) -> None:
        errors: dict[str, tuple[str, str]] = {}

        def too_long(limit: int) -> tuple[str, str]:
            return ("BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

        content = body.get("content") or ""
        embeds = body.get("embeds") or []
        if len(content) > 2000:
            errors["content"] = too_long(2000)
        if len(embeds) > 10:
            errors["embeds"] = too_long(10)
        total = 0
        limits = {"title": 256, "description": 4096}
        for i, embed in enumerate(embeds):
            for key, limit in limits.items():
                value = embed.get(key) or ""
                total += len(value)
                if len(value) > limit:
                    errors[f"embeds.{i}.{key}"] = too_long(limit)
            fields = embed.get("fields") or []
            if len(fields) > 25:
                errors[f"embeds.{i}.fields"] = too_long(25)
            for j, fld in enumerate(fields):
                total += len(fld.get("name") or "") + len(fld.get("value") or "")
                if len(fld.get("name") or "") > 256:
                    errors[f"embeds.{i}.fields.{j}.name"] = too_long(256)
                if len(fld.get("value") or "") > 1024:
                    errors[f"embeds.{i}.fields.{j}.value"] = too_long(1024)
            total += len((embed.get("footer") or {}).get("text") or "")
            total += len((embed.get("author") or {}).get("name") or "")
        if total > 6000:
            errors["embeds"] = (
                "MAX_EMBED_SIZE_EXCEEDED",
                "Embed size exceeds maximum size of 6000",
            )
        components = body.get("components") or []
        is_v2 = bool((body.get("flags") or 0) & (1 << 15))
        if not is_v2:
            errors.update(component_errors(components))
        if errors:
            raise _invalid_form(errors)

    def _attachment_url(self, channel_id: int, attachment_id: int, filename: str) -> str:
        # served by the emulator itself once it listens, so Attachment.read() works offline
        base = self.base_url if self.port is not None else "https://cdn.discordapp.com"
        return f"{base}/attachments/{channel_id}/{attachment_id}/{filename}"

    def _attachments(self, channel_id: int, files: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for f in files:
            aid = self._snowflake()
            url = self._attachment_url(channel_id, aid, f["filename"])
            if "data" in f:
                self._attachment_data[aid] = f["data"]
            out.append(
                {
                    "id": str(aid),
                    "filename": f["filename"],
                    "size": f["size"],
                    "url": url,
                    "proxy_url": url,
                    "content_type": f["content_type"],
                }
            )
        return out

    def _build_message(
        self,
        channel_id: int,
        body: dict[str, Any],
        *,
        author: dict[str, Any],
        files: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
        message_id: int | None = None,
        created_ms: int | None = None,
    ) -> dict[str, Any]:
        channel = self._channel(channel_id)
        mid = message_id or self._snowflake()
        msg: dict[str, Any] = {
            "id": str(mid),
            "type": 0,
            "channel_id": str(channel_id),
            "author": author,
            "content": body.get("content") or "",
            "timestamp": _now_iso() if created_ms is None else _iso_from_ms(created_ms),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self._attachments(channel_id, files or []),
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "flags": body.get("flags") or 0,
            "nonce": body.get("nonce"),
        }
        if "guild_id" in channel:
            msg["guild_id"] = str(self.guild_id)
            msg["member"] = self._member_payload(author, with_user=False)
        ref = body.get("message_reference")
        if ref:
            msg["type"] = 19
            ref_id = ref.get("message_id")
            msg["message_reference"] = {
                "type": ref.get("type", 0),
                "message_id": str(ref_id) if ref_id else None,
                "channel_id": str(ref.get("channel_id") or channel_id),
                "guild_id": msg.get("guild_id"),
            }
            if ref_id and int(ref_id) in self._all_messages:
                referenced = copy.deepcopy(self._all_messages[int(ref_id)])
                referenced.pop("referenced_message", None)
                msg["referenced_message"] = referenced
            elif ref.get("fail_if_not_exists", True) and ref_id:
                raise _invalid_form(
                    {"message_reference": ("MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")}
                )
        if extra:
            msg.update(extra)
        if channel["type"] in _THREAD_TYPES:
            if mid == int(channel["id"]):
                # a forum post's starter: not counted in message_count (Discord docs)
                msg["position"] = 0
            else:
                channel["message_count"] += 1
                channel["total_message_sent"] += 1
                msg["position"] = channel["total_message_sent"]
        channel["last_message_id"] = str(mid)
        self._all_messages[mid] = msg
        return msg

    def _store_bot_message(self, msg: dict[str, Any]) -> dict[str, Any]:
        self.messages[int(msg["id"])] = msg
        if self.echo_bot_messages and not (msg["flags"] & _FLAG_EPHEMERAL):
            self.dispatch("MESSAGE_CREATE", copy.deepcopy(msg))
        return msg

    def _apply_edit(self, msg: dict[str, Any], body: dict[str, Any], files: list[dict[str, Any]]):
        for key in ("content", "embeds", "components"):
            if key in body:
                msg[key] = body[key] if body[key] is not None else ("" if key == "content" else [])
        if "flags" in body and body["flags"] is not None:
            msg["flags"] = (msg["flags"] & _FLAG_EPHEMERAL) | body["flags"]
        if "attachments" in body:
            kept_ids = {str(a.get("id")) for a in body["attachments"] or []}
            kept = [a for a in msg["attachments"] if a["id"] in kept_ids]
            msg["attachments"] = kept + self._attachments(int(msg["channel_id"]), files)
        elif files:
            msg["attachments"] = msg["attachments"] + self._attachments(
                int(msg["channel_id"]), files
            )
        msg["flags"] &= ~_FLAG_LOADING
        msg["edited_timestamp"] = _now_iso()

    def _create_message(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        body = rec.json if isinstance(rec.json, dict) else {}
        channel = self._channel(channel_id)
        if "guild_id" in channel:
            self._bot_may_send(channel, body, rec.files)
        if not (
            body.get("content")
            or body.get("embeds")
            or rec.files
            or body.get("components")
            or body.get("sticker_ids")
            or body.get("poll")
        ):
            raise _ApiError(400, 50006, "Cannot send an empty message")
        self._validate_message(body, rec.files)
        if channel["type"] in _THREAD_TYPES:
            if channel["thread_metadata"]["archived"]:
                self._set_archived(channel, False)
            # "The API will helpfully automatically add users to a thread when sending"
            self._add_thread_member(channel, self.application_id)
        msg = self._build_message(int(channel_id), body, author=self.bot_user, files=rec.files)
        return 200, self._store_bot_message(msg)

    def _bot_may_send(
        self, channel: dict[str, Any], body: dict[str, Any], files: list[dict[str, Any]]
    ) -> None:
        """Discord's checks before the bot posts in a guild channel or thread."""
        if channel["type"] in _FORUM_TYPES:
            raise _ApiError(400, 40058, "Cannot send a message in a forum channel")
        if channel["type"] not in _THREAD_TYPES:
            perms = self._bot_needs(channel, _P_SEND_MESSAGES)
        else:
            # SEND_MESSAGES is not inherited by threads; SEND_MESSAGES_IN_THREADS is needed
            perms = self._bot_needs(channel, _P_SEND_MESSAGES_IN_THREADS)
            if int(channel["id"]) in self._pending_starters:
                # seen on Discord when a bot answers a new post before its upload finished
                raise _ApiError(
                    403,
                    40058,
                    "Cannot message this thread until after the post author has sent an "
                    "initial message.",
                )
            if channel["thread_metadata"]["locked"] and not perms & _P_MANAGE_THREADS:
                raise _ApiError(403, 160005, "Thread is locked")
        if files and not perms & _P_ATTACH_FILES:
            raise _missing_permissions()
        if body.get("message_reference") and not perms & _P_READ_MESSAGE_HISTORY:
            raise _ApiError(403, 160002, "Cannot reply without permission to read message history")

    def _bot_may_read(self, channel: dict[str, Any]) -> None:
        if "guild_id" in channel:
            self._bot_needs(channel, _P_READ_MESSAGE_HISTORY)

    def _list_messages(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        self._bot_may_read(self._channel(channel_id))
        limit = int(rec.query.get("limit", 50))
        msgs = [m for m in self._all_messages.values() if m["channel_id"] == channel_id]
        if "before" in rec.query:
            msgs = [m for m in msgs if int(m["id"]) < int(rec.query["before"])]
        if "after" in rec.query:
            msgs = [m for m in msgs if int(m["id"]) > int(rec.query["after"])]
        msgs.sort(key=lambda m: int(m["id"]), reverse=True)
        return 200, [self._rest_message(m) for m in msgs[:limit]]

    def _get_message(self, rec: RecordedRequest, channel_id: str, message_id: str) -> tuple:
        self._bot_may_read(self._channel(channel_id))
        msg = self._message_or_404(message_id)
        if msg["channel_id"] != channel_id:
            raise _ApiError(404, 10008, "Unknown Message")
        return 200, self._rest_message(msg)

    def _refuse_in_archived_thread(self, channel_id: str | int) -> None:
        channel = self._channel(channel_id)
        if channel["type"] in _THREAD_TYPES and channel["thread_metadata"]["archived"]:
            raise _ApiError(400, 50083, "Thread is archived")

    def _edit_message(self, rec: RecordedRequest, channel_id: str, message_id: str) -> tuple:
        msg = self._message_or_404(message_id)
        if msg["author"]["id"] != self.bot_user["id"] and set(rec.json or {}) - {"flags"}:
            raise _ApiError(403, 50005, "Cannot edit a message authored by another user")
        # "Users cannot edit messages, add reactions ... in archived threads"
        self._refuse_in_archived_thread(channel_id)
        body = rec.json if isinstance(rec.json, dict) else {}
        self._validate_message({**msg, **body}, rec.files)
        self._apply_edit(msg, body, rec.files)
        if self.echo_bot_messages and not msg["flags"] & _FLAG_EPHEMERAL:
            self.dispatch("MESSAGE_UPDATE", {**copy.deepcopy(msg), "tts": False})
        return 200, msg

    def _delete_message(self, rec: RecordedRequest, channel_id: str, message_id: str) -> tuple:
        msg = self._message_or_404(message_id)
        channel = self._channel(channel_id)
        if msg["author"]["id"] != self.bot_user["id"] and "guild_id" in channel:
            # deleting someone else's message takes MANAGE_MESSAGES
            self._bot_needs(channel, _P_MANAGE_MESSAGES)
        self._forget_message(int(message_id))
        self.dispatch(
            "MESSAGE_DELETE",
            {"id": message_id, "channel_id": channel_id, "guild_id": str(self.guild_id)},
        )
        return 204, None

    def _forget_message(self, message_id: int) -> None:
        msg = self._all_messages.pop(message_id, None)
        self.messages.pop(message_id, None)
        self.deleted_message_ids.append(message_id)
        channel = self.channels.get(int(msg["channel_id"])) if msg is not None else None
        # message_count drops on a delete, total_message_sent does not; a post's starter
        # was never counted, and deleting it leaves the post in place
        if (
            channel is not None
            and channel["type"] in _THREAD_TYPES
            and message_id != int(channel["id"])
        ):
            channel["message_count"] = max(0, channel["message_count"] - 1)

    def _pin(self, rec: RecordedRequest, channel_id: str, message_id: str) -> tuple[int, Any]:
        msg = self._message_or_404(message_id)
        pins = self.pins.setdefault(int(channel_id), [])
        if int(message_id) not in pins:
            pins.insert(0, int(message_id))
        msg["pinned"] = True
        return 204, None

    def _unpin(self, rec: RecordedRequest, channel_id: str, message_id: str) -> tuple[int, Any]:
        msg = self._message_or_404(message_id)
        pins = self.pins.setdefault(int(channel_id), [])
        if int(message_id) in pins:
            pins.remove(int(message_id))
        msg["pinned"] = False
        return 204, None

    def _pinned_messages(self, channel_id: str) -> list[dict[str, Any]]:
        self._channel(channel_id)
        ids = self.pins.get(int(channel_id), [])
        return [self._rest_message(self._all_messages[i]) for i in ids if i in self._all_messages]

    def _list_pins_new(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        items = [{"pinned_at": _now_iso(), "message": m} for m in self._pinned_messages(channel_id)]
        return 200, {"items": items, "has_more": False}

    def _list_pins_legacy(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        return 200, self._pinned_messages(channel_id)

    def _add_reaction(self, rec: RecordedRequest, channel_id: str, message_id: str, emoji: str):
        self._message_or_404(message_id)
        self._refuse_in_archived_thread(channel_id)
        self.reactions.append({"message_id": int(message_id), "emoji": emoji, "added": True})
        return 204, None

    def _remove_reaction(self, rec: RecordedRequest, channel_id: str, message_id: str, emoji, _u):
        self._message_or_404(message_id)
        self.reactions.append({"message_id": int(message_id), "emoji": emoji, "added": False})
        return 204, None

    def _typing(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        self._channel(channel_id)
        return 204, None
