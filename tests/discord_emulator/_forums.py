"""Forum channels (type 15): their tags and their posts.

A post is a public thread whose starter message has the thread's id. The bot starts posts
over REST; members open and edit them (`member_create_post`, `member_edit_post`), and
`seed_forum_posts` creates history. `applied_tags` are checked against the forum's tags.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterable
from typing import Any

from discord_emulator._constants import (
    _CHANNEL_FLAG_REQUIRE_TAG,
    _FORUM_TYPES,
    _P_MANAGE_THREADS,
    _P_SEND_MESSAGES,
    MAX_APPLIED_TAGS,
    MAX_AVAILABLE_TAGS,
    Overlong,
)
from discord_emulator._state import (
    EmulatorState,
    _ApiError,
    _invalid_form,
    _iso_from_ms,
    _missing_permissions,
)


class ForumsMixin(EmulatorState):
    """Forum channels, their tags, and posts opened by the bot or by members."""

    def add_forum_channel(
        self,
        name: str,
        tags: Iterable[str | dict[str, Any]] = ("Solved", "Question"),
        *,
        require_tag: bool = False,
        topic: str | None = None,
        position: int | None = None,
        default_auto_archive_duration: int = 1440,
        default_thread_rate_limit_per_user: int = 0,
    ) -> int:
        """Add a forum channel (type 15) and return its id; CHANNEL_CREATE if a session is live.

        Each tag is a name or a dict with `name` and optionally `moderated` (only members with
        MANAGE_THREADS may add or remove it), `emoji_name` (a unicode emoji) or `emoji_id`.
        Tags get ids like on Discord; look them up with `tag_id(forum, name)`.
        `require_tag` sets the REQUIRE_TAG flag: a post must carry at least one tag.
        """
        cid = self._snowflake()
        available = [self._forum_tag(tag) for tag in tags]
        if len(available) > MAX_AVAILABLE_TAGS:
            raise ValueError(f"a forum has at most {MAX_AVAILABLE_TAGS} tags")
        channel: dict[str, Any] = {
            "id": str(cid),
            "type": 15,
            "guild_id": str(self.guild_id),
            "name": name,
            "position": len(self.channel_ids) if position is None else position,
            "permission_overwrites": [],
            "parent_id": None,
            "topic": topic,
            "nsfw": False,
            # on a forum, slowmode limits how often a member may open posts
            "rate_limit_per_user": 0,
            # on a forum, the id of the most recently created post
            "last_message_id": None,
            "default_auto_archive_duration": default_auto_archive_duration,
            "default_thread_rate_limit_per_user": default_thread_rate_limit_per_user,
            "flags": _CHANNEL_FLAG_REQUIRE_TAG if require_tag else 0,
            "available_tags": available,
            "default_reaction_emoji": None,
            "default_sort_order": None,
            "default_forum_layout": 0,
        }
        self.channels[cid] = channel
        self.channel_ids[name] = cid
        if self._session_id is not None:
            self.dispatch("CHANNEL_CREATE", copy.deepcopy(channel))
        return cid

    def _forum_tag(self, tag: str | dict[str, Any]) -> dict[str, Any]:
        spec = {"name": tag} if isinstance(tag, str) else dict(tag)
        if not 0 < len(spec["name"]) <= 20:
            raise ValueError(f"tag names are 1-20 characters: {spec['name']!r}")
        emoji_id = spec.get("emoji_id")
        return {
            "id": str(spec.get("id") or self._snowflake()),
            "name": spec["name"],
            "moderated": bool(spec.get("moderated", False)),
            "emoji_id": str(emoji_id) if emoji_id else None,
            "emoji_name": spec.get("emoji_name"),
        }

    def _forum(self, forum: str | int | dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(self._channel_id(forum))
        if channel["type"] not in _FORUM_TYPES:
            raise ValueError(f"channel {channel['id']} is not a forum (type {channel['type']})")
        return channel

    def tag_id(self, forum: str | int | dict[str, Any], name: str) -> int:
        """The id of the tag called `name` in `forum` (a name, id or channel dict)."""
        for tag in self._forum(forum)["available_tags"]:
            if tag["name"] == name:
                return int(tag["id"])
        raise KeyError(f"forum {forum!r} has no tag {name!r}")

    def applied_tag_names(self, thread: int | dict[str, Any]) -> list[str]:
        """Names of the tags currently applied to a forum post, in the order applied."""
        channel = self._channel(self._channel_id(thread))
        parent = self._channel(channel["parent_id"])
        names = {t["id"]: t["name"] for t in parent.get("available_tags", [])}
        return [names.get(tid, tid) for tid in channel.get("applied_tags", [])]

    def _tag_refs(self, forum: dict[str, Any], tags: Iterable[str | int]) -> list[str]:
        by_name = {t["name"]: t["id"] for t in forum["available_tags"]}
        return [by_name.get(t, str(t)) if isinstance(t, str) else str(t) for t in tags]

    def _check_applied_tags(
        self, forum: dict[str, Any], tag_ids: Any, *, old: list[str], moderator: bool
    ) -> list[str]:
        """Validate `applied_tags` against the forum as Discord does; return them as strings.

        At most 5; every id must be one of the forum's `available_tags`; adding or removing a
        moderated tag needs MANAGE_THREADS. Duplicates are kept: the API does not dedupe them
        (discord/discord-api-docs#5408).
        """
        if not isinstance(tag_ids, list):
            raise _invalid_form({"applied_tags": ("LIST_TYPE_CONVERT", "Must be an array.")})
        if len(tag_ids) > MAX_APPLIED_TAGS:
            raise _invalid_form(
                {
                    "applied_tags": (
                        "BASE_TYPE_MAX_LENGTH",
                        f"Must be {MAX_APPLIED_TAGS} or fewer in length.",
                    )
                }
            )
        available = {t["id"]: t for t in forum.get("available_tags", [])}
        unknown = {
            f"applied_tags.{i}": ("TAG_INVALID", f"Unknown tag {tag}")
            for i, tag in enumerate(tag_ids)
            if str(tag) not in available
        }
        if unknown:
            raise _invalid_form(unknown)
        new = [str(t) for t in tag_ids]
        changed = set(new) ^ set(old)
        if not moderator and any(available[t]["moderated"] for t in changed if t in available):
            raise _missing_permissions()
        return new

    def _start_forum_post(
        self, forum: dict[str, Any], body: dict[str, Any], files: list[dict[str, Any]]
    ) -> tuple[int, Any]:
        """POST /channels/{forum}/threads: "Start Thread in Forum or Media Channel".

        Needs SEND_MESSAGES only (CREATE_PUBLIC_THREADS is ignored); creates a public thread
        and its starter message with the thread's id; fires THREAD_CREATE and MESSAGE_CREATE
        (the latter only with `echo_bot_messages`, like every bot message here).
        """
        perms = self._bot_needs(forum, _P_SEND_MESSAGES)
        message = body.get("message")
        if not isinstance(message, dict):
            raise _invalid_form({"message": ("BASE_TYPE_REQUIRED", "This field is required")})
        if not (
            message.get("content")
            or message.get("embeds")
            or files
            or message.get("components")
            or message.get("sticker_ids")
        ):
            raise _ApiError(400, 50006, "Cannot send an empty message")
        self._validate_message(message, files)
        tags = self._check_applied_tags(
            forum,
            body.get("applied_tags") or [],
            old=[],
            moderator=bool(perms & _P_MANAGE_THREADS),
        )
        if not tags and forum["flags"] & _CHANNEL_FLAG_REQUIRE_TAG:
            raise _ApiError(400, 40067, "A tag is required to create a forum post in this channel")
        thread = self._create_thread(int(forum["id"]), body, None, 11, applied_tags=tags)
        tid = int(thread["id"])
        forum["last_message_id"] = str(tid)
        starter = self._build_message(
            tid, message, author=self.bot_user, files=files, message_id=tid
        )
        thread["last_message_id"] = str(tid)
        self._store_bot_message(starter)
        return 201, {**thread, "message": starter}

    def member_create_post(
        self,
        forum: str | int | dict[str, Any],
        title: str,
        content: str = "",
        *,
        author: dict[str, Any] | None = None,
        attachments: Iterable[tuple[str, bytes]] = (),
        applied_tags: Iterable[str | int] = (),
        mentions_bot: bool = False,
        nitro: bool = False,
        overlong: Overlong = "error",
        starter_delayed: bool = False,
    ) -> dict[str, Any]:
        """A member opens a post in `forum`; returns the thread with its starter as `message`.

        Dispatches, in Discord's order, THREAD_CREATE (a type 11 thread: parent_id the forum,
        owner_id the author, `newly_created: true`, `applied_tags`, message_count 0) and
        MESSAGE_CREATE of the starter message, whose id is the thread's id and whose
        channel_id is the thread. The starter's content obeys the Message Content intent like
        any message: a bot without the intent sees "" unless the post mentions it (the title,
        being the thread's name, is always visible). `applied_tags` are tag names or ids.

        Content over a member's limit (2000 characters, 4000 with `nitro`) is refused unless
        `overlong` is "file" (sent as a message.txt attachment, as Discord's client offers),
        "split" (the rest follows as replies from the author) or "allow" (the limit is
        bypassed: no real member can do this, but it tests handling of very long text).

        With `starter_delayed` only THREAD_CREATE is sent, as when the author's upload is
        still in progress: until `deliver_starter(post)` the starter is 404 (10008) and the bot
        gets 403 (40058) posting in the thread, both of which bots meet on Discord.
        """
        author = author or self.member_user
        parent = self._forum(forum)
        fid = int(parent["id"])
        if not 1 <= len(title) <= 100:
            raise ValueError("a post title is 1-100 characters")
        chunks, files = self._member_content(content, attachments, nitro=nitro, overlong=overlong)
        if not chunks[0] and not files:
            raise ValueError("a post needs content or an attachment (50006 on Discord)")
        if starter_delayed and len(chunks) > 1:
            raise ValueError("a delayed starter cannot be followed by split replies")
        moderator = bool(self.channel_permissions(author, parent) & _P_MANAGE_THREADS)
        try:
            tags = self._check_applied_tags(
                parent, self._tag_refs(parent, applied_tags), old=[], moderator=moderator
            )
        except _ApiError as err:
            raise ValueError(f"Discord would refuse these tags: {err.body}") from None
        if not tags and parent["flags"] & _CHANNEL_FLAG_REQUIRE_TAG:
            raise ValueError("this forum requires a tag (40067 on Discord)")
        tid = self._snowflake()
        thread = self._store_thread(
            self._thread_payload(tid, parent_id=fid, name=title, owner_id=int(author["id"]))
        )
        thread["applied_tags"] = tags
        thread["last_message_id"] = str(tid)
        parent["last_message_id"] = str(tid)
        self.dispatch("THREAD_CREATE", {**copy.deepcopy(thread), "newly_created": True})
        starter = self._member_message(
            tid,
            chunks[0],
            author=author,
            files=files,
            mentions_bot=mentions_bot,
            message_id=tid,
        )
        if starter_delayed:
            self._pending_starters[tid] = self._all_messages.pop(tid)
        else:
            self.dispatch("MESSAGE_CREATE", copy.deepcopy(starter))
        for chunk in chunks[1:]:
            self.send_message(chunk, channel=tid, author=author)
        return {**copy.deepcopy(thread), "message": copy.deepcopy(starter)}

    def deliver_starter(self, post: int | dict[str, Any]) -> dict[str, Any]:
        """Dispatch the MESSAGE_CREATE held back by `member_create_post(starter_delayed=True)`."""
        tid = self._channel_id(post)
        starter = self._pending_starters.pop(tid)
        self._all_messages[tid] = starter
        self.dispatch("MESSAGE_CREATE", copy.deepcopy(starter))
        return starter

    def member_edit_post(
        self,
        post: int | dict[str, Any],
        *,
        name: str | None = None,
        applied_tags: Iterable[str | int] | None = None,
        by: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The post's author (or a moderator `by`) renames it or changes its tags: THREAD_UPDATE.

        E.g. the author marks the question solved with `applied_tags=["Solved"]`.
        """
        thread = self._channel(self._channel_id(post))
        parent = self._forum(thread["parent_id"])
        by = by or self.users[int(thread["owner_id"])]
        moderator = bool(self.channel_permissions(by, thread) & _P_MANAGE_THREADS)
        if by["id"] != thread["owner_id"] and not moderator:
            raise ValueError("only the post's author or a moderator can edit it")
        if thread["thread_metadata"]["archived"]:
            raise ValueError("archived posts cannot be edited (50083 on Discord)")
        if name is not None:
            if not 1 <= len(name) <= 100:
                raise ValueError("a post title is 1-100 characters")
            thread["name"] = name
        if applied_tags is not None:
            thread["applied_tags"] = self._check_applied_tags(
                parent,
                self._tag_refs(parent, applied_tags),
                old=thread["applied_tags"],
                moderator=moderator,
            )
        self.dispatch("THREAD_UPDATE", copy.deepcopy(thread))
        return thread

    def seed_forum_posts(
        self,
        forum: str | int | dict[str, Any],
        count: int,
        *,
        archived: int = 0,
        replies: int = 0,
        author: dict[str, Any] | None = None,
        applied_tags: Iterable[str | int] = (),
        title: str = "Question {n}",
        content: str = "How do I get started with topic {n}?",
        days_ago: float = 30.0,
    ) -> list[dict[str, Any]]:
        """Create `count` posts that existed before the test, without dispatching anything.

        Posts are spread over the last `days_ago` days (ids, timestamps and
        archive_timestamps in the past, oldest first); the oldest `archived` of them are
        archived. Each has its starter (id == thread id) and `replies` replies, so GET
        /channels/{post}/messages[/{id}] work. Active ones appear in GUILD_CREATE if seeded
        before the client connects and in GET /guilds/{id}/threads/active; archived ones in
        GET /channels/{forum}/threads/archived/public. `title` and `content` may use {n}
        (1-based). Returns the threads, each with its starter as `message`, oldest first.
        """
        if not 0 <= archived <= count:
            raise ValueError("archived must be between 0 and count")
        author = author or self.member_user
        parent = self._forum(forum)
        tags = self._check_applied_tags(
            parent, self._tag_refs(parent, applied_tags), old=[], moderator=True
        )
        now_ms = int(time.time() * 1000)
        # end an hour ago so no seeded id can reach the live ids the emulator hands out
        span_ms = max(int(days_ago * 86_400_000) - 3_600_000, count)
        step = span_ms // max(count, 1)
        posts = []
        for index in range(count):
            created = now_ms - 3_600_000 - span_ms + index * step
            tid = self._snowflake_at(created)
            thread = self._store_thread(
                self._thread_payload(
                    tid,
                    parent_id=int(parent["id"]),
                    name=title.format(n=index + 1),
                    owner_id=int(author["id"]),
                    created_ms=created,
                )
            )
            thread["applied_tags"] = list(tags)
            starter = self._member_message(
                tid,
                content.format(n=index + 1),
                author=author,
                files=[],
                message_id=tid,
                created_ms=created,
            )
            last = tid
            for r in range(replies):
                reply_ms = created + (r + 1) * 60_000
                last = self._snowflake_at(reply_ms)
                self._member_message(
                    tid,
                    f"Reply {r + 1} to post {index + 1}",
                    author=author,
                    files=[],
                    message_id=last,
                    created_ms=reply_ms,
                )
            thread["last_message_id"] = str(last)
            if index < archived:
                meta = thread["thread_metadata"]
                meta["archived"] = True
                # distinct, increasing with age: pagination by archive_timestamp is stable
                meta["archive_timestamp"] = _iso_from_ms(created + step // 2)
            posts.append({**copy.deepcopy(thread), "message": copy.deepcopy(starter)})
        if posts:
            parent["last_message_id"] = posts[-1]["id"]
        return posts
