"""The help-forum assistant through the real bot and the Discord emulator: new posts answered in
their thread, similar threads linked, "Mark as solution", review → pin, backfill, bad input."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord
import pytest
from discord_emulator import DiscordEmulator, RecordedRequest

from bot.config import GuildSettings
from bot.discord.app import CareerBot
from bot.discord.run import run_bot
from tests.helpers import (
    EPHEMERAL,
    PINNED_LABEL,
    TIMEOUT,
    ask,
    bot_settings,
    click,
    custom_ids,
    delivered,
    is_answer_to,
    message_of,
    running_bot,
)

MARK_AS_SOLUTION = "Mark as solution"
SUGGESTION = "Suggested answer"


@pytest.fixture(scope="module")
def index_root(shipped_index_root: Path) -> Path:
    return shipped_index_root


@contextlib.asynccontextmanager
async def forum_bot(
    index_root: Path, tmp_path: Path, **guild_options: Any
) -> AsyncIterator[tuple[DiscordEmulator, CareerBot, int, int]]:
    """The emulator with a help forum (tags Solved, Question) and a review channel, and the
    bot configured to answer in that forum."""
    async with DiscordEmulator() as emulator:
        forum = emulator.add_forum_channel("career-advice")
        review = emulator.add_text_channel("mod-review")
        guild = GuildSettings(
            cooldown_seconds=0, forum_channels=[forum], review_channel=review, **guild_options
        )
        async with running_bot(emulator, bot_settings(index_root, tmp_path, guild=guild)) as bot:
            yield emulator, bot, forum, review


def _run(coroutine: Any) -> None:
    asyncio.run(asyncio.wait_for(coroutine, 180))


def _posted_in(channel_id: int | str):
    path = f"/channels/{channel_id}/messages"

    def match(request: RecordedRequest) -> bool:
        return request.method == "POST" and request.path.endswith(path)

    return match


async def _answer_in(emulator: DiscordEmulator, thread_id: int | str) -> dict[str, Any]:
    request = await emulator.wait_for_request(_posted_in(thread_id), TIMEOUT)
    return request.json


async def _logged_questions(bot: CareerBot, count: int) -> None:
    """Wait until `count` questions are in the question log (the bot logs every post)."""
    for _ in range(int(TIMEOUT / 0.05)):
        stats = await bot.curation.database.answer_log.stats(None, _long_ago())
        if stats.questions >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {count} questions logged")


async def _eventually(check: Any, timeout: float = TIMEOUT) -> None:
    """Wait until the coroutine function `check` returns True (the bot writes its records just
    after Discord has its message, so the test may see the message first)."""
    for _ in range(int(timeout / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{check} never held")


async def _answered(bot: CareerBot, thread_id: int | str) -> bool:
    post = await bot.forum.store.get(int(thread_id))
    return post is not None and post.answered


def _long_ago():
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC) - timedelta(days=1)


def test_a_new_post_gets_a_cited_suggestion_and_an_off_topic_post_silence(index_root, tmp_path):
    async def main() -> None:
        async with forum_bot(index_root, tmp_path) as (emulator, bot, forum, _):
            identify = await emulator.wait_for_gateway_op(2, TIMEOUT)
            assert discord.Intents._from_value(identify["d"]["intents"]).message_content
            post = emulator.member_create_post(
                forum,
                "Should I learn software engineering first?",
                "I am a student and want to become a machine learning engineer.",
            )
            answer = await _answer_in(emulator, post["id"])
            embed = answer["embeds"][0]
            assert SUGGESTION in embed["author"]["name"]
            assert embed["fields"][0]["name"].startswith("1. ")  # cited: article › section
            assert "careerbot:feedback:up" in custom_ids(answer)
            await _eventually(lambda: _answered(bot, post["id"]))

            off_topic = emulator.member_create_post(
                forum, "Best pizza in town?", "Pepperoni or margherita?"
            )
            await _logged_questions(bot, 2)
            await asyncio.sleep(0.3)
            assert emulator.find_requests("POST", rf"/channels/{off_topic['id']}/messages") == []
            stats = await bot.curation.database.answer_log.stats(None, _long_ago())
            assert stats.unanswered == 1  # logged as unanswered, no confident answer

            # a reply in the thread is not answered again; a mention is
            emulator.send_message("thanks, any course?", channel=post["id"])
            await asyncio.sleep(0.3)
            assert len(emulator.find_requests("POST", rf"/channels/{post['id']}/messages")) == 1

    _run(main())


def test_a_paraphrase_in_the_other_language_links_the_first_post(index_root, tmp_path):
    async def main() -> None:
        async with forum_bot(index_root, tmp_path) as (emulator, bot, forum, _):
            first = emulator.member_create_post(
                forum, "Should I learn software engineering before machine learning?", "Thanks!"
            )
            await _answer_in(emulator, first["id"])
            second = emulator.member_create_post(forum, "应该先学软件工程再学机器学习吗？", "谢谢")
            answer = await _answer_in(emulator, second["id"])
            fields = answer["embeds"][0]["fields"]
            similar = [f for f in fields if f["name"] == "相似的帖子"]
            assert similar and f"<#{first['id']}>" in similar[0]["value"]
            # /ask lists it too, and the button does the same
            reply = await ask(emulator, "should I learn software engineering first?")
            assert any(f"<#{first['id']}>" in f["value"] for f in reply["embeds"][0]["fields"])
            await delivered(bot, reply)
            listed = await click(emulator, reply, "careerbot:similar")
            assert (
                listed["flags"] & EPHEMERAL
                and f"<#{first['id']}>" in listed["embeds"][0]["description"]
            )

    _run(main())


def test_mark_as_solution_tags_the_post_and_an_approved_proposal_answers_the_next_asker(
    index_root, tmp_path
):
    async def main() -> None:
        async with forum_bot(index_root, tmp_path) as (emulator, bot, forum, review):
            author = emulator.member_user
            helper = emulator.make_user(name="helper")
            stranger = emulator.make_user(name="stranger")
            moderator = emulator.make_user(name="mod", admin=True)
            post = emulator.member_create_post(
                forum, "How many hours a week should I study ML?", "I work full time."
            )
            await asyncio.sleep(0.5)  # answered or not: the post is recorded
            solution = emulator.send_message(
                "Ten focused hours a week, with one small project a month.",
                channel=post["id"],
                author=helper,
            )

            refused = emulator.send_message_command(MARK_AS_SOLUTION, solution, user=stranger)
            refusal = message_of(await emulator.wait_for_request(is_answer_to(refused), TIMEOUT))
            assert refusal["flags"] & EPHEMERAL and "author" in refusal["content"]
            assert emulator.find_requests("PATCH", rf"/channels/{post['id']}$") == []

            marked = emulator.send_message_command(MARK_AS_SOLUTION, solution, user=author)
            patch = await emulator.wait_for_request(
                lambda r: r.method == "PATCH" and r.path.endswith(f"/channels/{post['id']}"),
                TIMEOUT,
            )
            assert patch.json["applied_tags"] == [str(emulator.tag_id(forum, "Solved"))]
            thanks = await emulator.wait_for_request(is_answer_to(marked), TIMEOUT)
            assert "thank you" in (message_of(thanks).get("content") or "")
            assert emulator.applied_tag_names(post["id"]) == ["Solved"]
            stored = await bot.forum.store.get(int(post["id"]))
            assert stored is not None and stored.solution_message_id == int(solution["id"])

            proposal = await emulator.wait_for_request(_posted_in(review), TIMEOUT)
            review_message = emulator.last_message(review)
            assert "careerbot:proposal:approve:1" in custom_ids(proposal.json)
            refused_click = await click(emulator, review_message, "careerbot:proposal:approve:1")
            assert refused_click["flags"] & EPHEMERAL  # a member may not approve
            assert await bot.curation.database.pins.get_pin(1, emulator.guild_id) is None
            await click(emulator, review_message, "careerbot:proposal:approve:1", user=moderator)
            pin = await bot.curation.database.pins.get_pin(1, emulator.guild_id)
            assert pin is not None and pin.answer.startswith("Ten focused hours")

            answer = await ask(emulator, "How many hours per week should I study machine learning?")
            assert PINNED_LABEL in answer["embeds"][0]["description"]

    _run(main())


def test_a_50_post_backfill_is_read_without_answering(index_root, tmp_path):
    async def main() -> None:
        async with DiscordEmulator() as emulator:
            forum = emulator.add_forum_channel("career-advice")
            emulator.seed_forum_posts(forum, 50, archived=20, applied_tags=())
            guild = GuildSettings(cooldown_seconds=0, forum_channels=[forum])
            settings = bot_settings(index_root, tmp_path, guild=guild)
            async with running_bot(emulator, settings) as bot:
                for _ in range(int(60 / 0.1)):
                    if len(await bot.forum.store.all()) == 50:
                        break
                    await asyncio.sleep(0.1)
                assert len(await bot.forum.store.all()) == 50
                assert len(bot.forum.index) == 50
                assert not any(post.answered for post in await bot.forum.store.all())
                assert emulator.find_requests("POST", r"/channels/\d+/messages") == []

    _run(main())


def test_bad_posts_and_missing_permissions_end_in_a_clear_line(index_root, tmp_path, caplog):
    caplog.set_level(logging.INFO)

    async def main() -> None:
        async with forum_bot(index_root, tmp_path, reply_when_unsure=True) as (
            emulator,
            bot,
            forum,
            _,
        ):
            image = emulator.member_create_post(
                forum, "What do you think of my ML roadmap?", "", attachments=[("plan.png", b"png")]
            )
            await _answer_in(emulator, image["id"])  # answered from its title
            long = emulator.member_create_post(
                forum, "Should I learn math first?", "word " * 2000, overlong="allow"
            )
            await _answer_in(emulator, long["id"])
            gone = emulator.member_create_post(
                forum, "Which deep learning course?", "Any advice?", starter_delayed=True
            )
            emulator.delete_thread(gone)
            await asyncio.sleep(0.3)
            emulator.set_permission_overwrite(
                forum, None, deny=discord.Permissions(send_messages_in_threads=True).value
            )
            mute = emulator.member_create_post(
                forum, "Do I need a PhD for ML engineering?", "I have a master's degree."
            )
            await _logged_questions(bot, 3)
            await asyncio.sleep(0.3)
            attempts = emulator.find_requests("POST", rf"/channels/{mute['id']}/messages")
            assert [r.status for r in attempts] == [403]  # refused by Discord, nothing sent

            # the solved tag does not exist; then the bot may not manage threads
            bot.server_settings.settings.discord.default_guild.solved_tag = "Answered"
            reply = emulator.send_message("Take the fast.ai course.", channel=image["id"])
            marked = emulator.send_message_command(MARK_AS_SOLUTION, reply)
            no_tag = await emulator.wait_for_request(is_answer_to(marked), TIMEOUT)
            assert "Answered" in message_of(no_tag)["content"]
            assert emulator.find_requests("PATCH", rf"/channels/{image['id']}$") == []
            assert (await bot.forum.store.get(int(image["id"]))).solution is None

        text = caplog.text
        assert "Traceback" not in text
        assert "no permission to send messages in threads" in text

    _run(main())


def test_a_missing_message_content_intent_stops_start_up_with_one_line(
    index_root, tmp_path, caplog
):
    async def main() -> int:
        # the Developer Portal switch is off, and a help forum is configured
        async with DiscordEmulator(message_content_intent_enabled=False) as emulator:
            forum = emulator.add_forum_channel("career-advice")
            settings = bot_settings(
                index_root,
                tmp_path,
                api_base_url=emulator.api_base_url,
                gateway_url=emulator.gateway_url,
                guild=GuildSettings(cooldown_seconds=0, forum_channels=[forum]),
            )
            saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
            try:
                return await run_bot(settings, emulator.token)
            finally:
                discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved

    assert asyncio.run(asyncio.wait_for(main(), 60)) == 1
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and not errors[0].exc_info
    assert "Message Content Intent" in errors[0].getMessage()
    assert "forum_channels" in errors[0].getMessage()


def test_without_manage_threads_the_member_is_told_and_nothing_is_recorded(index_root, tmp_path):
    async def main() -> None:
        async with forum_bot(index_root, tmp_path) as (emulator, bot, forum, review):
            emulator.set_permission_overwrite(
                forum, None, deny=discord.Permissions(manage_threads=True).value
            )
            post = emulator.member_create_post(forum, "Which deep learning course?", "Any?")
            await _eventually(lambda: _stored(bot, post["id"]))
            reply = emulator.send_message("fast.ai, then the d2l book.", channel=post["id"])
            marked = emulator.send_message_command(MARK_AS_SOLUTION, reply)
            told = message_of(await emulator.wait_for_request(is_answer_to(marked), TIMEOUT))
            assert told["flags"] & EPHEMERAL and "Manage Threads" in told["content"]
            assert [
                r.status for r in emulator.find_requests("PATCH", rf"/channels/{post['id']}$")
            ] == [403]
            assert emulator.applied_tag_names(post["id"]) == []
            assert (await bot.forum.store.get(int(post["id"]))).solution is None
            assert emulator.find_requests("POST", rf"/channels/{review}/messages") == []

    _run(main())


async def _stored(bot: CareerBot, thread_id: int | str) -> bool:
    return await bot.forum.store.get(int(thread_id)) is not None


async def _suggestion_in(
    emulator: DiscordEmulator, bot: CareerBot, forum: int, title: str, content: str
) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """A member's new post, the bot's suggested answer in it (as stored) and its record."""
    post = emulator.member_create_post(forum, title, content)
    await _answer_in(emulator, post["id"])
    answer = emulator.last_message(post["id"])
    assert answer is not None and answer["embeds"][0]["author"]["name"].startswith("💡")
    return post, answer, await delivered(bot, answer)


async def _marked_solved(
    emulator: DiscordEmulator, bot: CareerBot, post: dict[str, Any], message: dict[str, Any]
) -> Any:
    """The post's author marks `message` as the solution: tagged, thanked; the stored post."""
    marked = emulator.send_message_command(MARK_AS_SOLUTION, message, user=emulator.member_user)
    thanks = message_of(await emulator.wait_for_request(is_answer_to(marked), TIMEOUT))
    assert "thank you" in (thanks.get("content") or ""), thanks
    assert emulator.applied_tag_names(post["id"]) == ["Solved"]
    stored = await bot.forum.store.get(int(post["id"]))
    assert stored is not None and stored.solution_message_id == int(message["id"])
    return stored


def test_marking_the_bots_own_answer_uses_the_answer_it_gave(index_root, tmp_path):
    """The bot's suggestion is the most common solution: a card's or a pin's answer is curated
    already (solved, no proposal); a passages answer is proposed with the text shown."""

    async def main() -> None:
        async with forum_bot(index_root, tmp_path) as (emulator, bot, forum, review):

            def proposals() -> list[RecordedRequest]:
                return emulator.find_requests("POST", rf"/channels/{review}/messages")

            post, answer, record = await _suggestion_in(
                emulator,
                bot,
                forum,
                "Should I learn software engineering first?",
                "I am a student and want to become a machine learning engineer.",
            )
            assert record.hit_ids[0].startswith("card:")
            stored = await _marked_solved(emulator, bot, post, answer)
            card_answer = answer["embeds"][0]["description"]
            assert stored.solution == card_answer and card_answer.startswith("Software")

            pin = await bot.curation.pin(
                emulator.guild_id,
                ["How many hours a week should I study ML?"],
                "Ten focused hours a week, with one small project a month.",
                1,
            )
            post, answer, record = await _suggestion_in(
                emulator, bot, forum, "How many hours a week should I study ML?", "Thanks!"
            )
            assert record.pin_id == pin.id
            stored = await _marked_solved(emulator, bot, post, answer)
            assert stored.solution == pin.answer
            await asyncio.sleep(0.3)
            assert proposals() == []  # a card and a pin need no moderator

            post, answer, record = await _suggestion_in(
                emulator, bot, forum, "数据科学家每天做什么？", "求解答"
            )
            assert record.answered and record.pin_id is None
            assert not record.hit_ids[0].startswith("card:")
            stored = await _marked_solved(emulator, bot, post, answer)
            embed = answer["embeds"][0]
            assert stored.solution.startswith(embed["description"])
            assert embed["fields"][0]["value"].split("\n")[0][:20] in stored.solution
            proposal = await emulator.wait_for_request(_posted_in(review), TIMEOUT)
            assert embed["description"][:40] in str(proposal.json["embeds"][0])
            assert len(proposals()) == 1

    _run(main())


def test_the_bots_no_good_answer_reply_cannot_be_the_solution(index_root, tmp_path):
    async def main() -> None:
        async with forum_bot(index_root, tmp_path, reply_when_unsure=True) as (
            emulator,
            bot,
            forum,
            _,
        ):
            post, answer, record = await _suggestion_in(
                emulator, bot, forum, "Best pizza in town?", "Pepperoni or margherita?"
            )
            assert not record.answered
            marked = emulator.send_message_command(MARK_AS_SOLUTION, answer)
            told = message_of(await emulator.wait_for_request(is_answer_to(marked), TIMEOUT))
            assert told["flags"] & EPHEMERAL and "no good answer" in told["content"]
            assert emulator.find_requests("PATCH", rf"/channels/{post['id']}$") == []
            assert (await bot.forum.store.get(int(post["id"]))).solution is None

    _run(main())
