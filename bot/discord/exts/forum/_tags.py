"""The Solved tag of a help-forum post: found by name in the forum, applied within Discord's
limit on tags per post, and what to tell the member when it cannot be."""

from __future__ import annotations

import logging

import discord

from bot.i18n import Language, t

log = logging.getLogger(__name__)

MAX_APPLIED_TAGS = 5  # Discord's limit of tags on a forum post


def _solved_tag(forum: discord.ForumChannel, name: str) -> discord.ForumTag | None:
    wanted = name.casefold()
    return next((tag for tag in forum.available_tags if tag.name.casefold() == wanted), None)


async def apply_solved_tag(thread: discord.Thread, name: str, language: Language) -> str | None:
    """Apply the solved tag; None when done, else what to tell the member (nothing
    changed then)."""
    forum = thread.parent
    tag = _solved_tag(forum, name) if isinstance(forum, discord.ForumChannel) else None
    if tag is None:
        log.warning("forum %s has no tag named %r (solved_tag)", thread.parent_id, name)
        return t("solution.no_tag", language, tag=name)
    tags = thread.applied_tags
    if tag in tags:
        return None
    if len(tags) >= MAX_APPLIED_TAGS:
        return t("solution.too_many_tags", language, tag=name)
    try:
        await thread.edit(applied_tags=[*tags, tag], reason="careerbot: marked as solved")
    except discord.Forbidden:
        log.warning("cannot tag post %s: missing Manage Threads in forum %s", thread.id, forum)
        return t("solution.forbidden", language)
    except discord.HTTPException as exc:
        log.warning("cannot tag post %s: %s", thread.id, exc)
        return t("error.unexpected", language)
    return None
