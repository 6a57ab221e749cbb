"""The real bot (discord.py, worker, retriever, bundled model) against the Discord emulator.

Each test starts the emulator and the bot, acts like a member (slash command, mention, button
click) and asserts on the REST payloads the bot sent.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import discord
import pytest
from discord_emulator import DiscordEmulator, RecordedRequest

from bot.config import GuildSettings
from bot.discord.app import CareerBot
from bot.discord.run import run_bot, sync_commands
from tests.helpers import (
    EPHEMERAL,
    TIMEOUT,
    answer_message,
    bot_settings,
    check_discord_limits,
    custom_ids,
    embed_fields,
    is_answer_to,
    message_of,
    run_with_bot,
)


@pytest.fixture(scope="module")
def index_root(shipped_index_root: Path) -> Path:
    return shipped_index_root


def test_slash_ask_answers_with_embed_citations_and_buttons(index_root, tmp_path):
    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        interaction = emulator.send_slash_command(
            "ask", {"question": "should I learn software engineering first?"}
        )
        request = await emulator.wait_for_request(is_answer_to(interaction), TIMEOUT)
        message = message_of(request)
        check_discord_limits(message)
        embed = message["embeds"][0]
        assert embed["title"] == "should I learn software engineering first?"
        # an English asker reads the lead and the passages in English (the corpus's translation)
        assert "software engineering" in embed["description"].lower()
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in embed["description"])
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in embed["fields"][0]["name"])
        fields = [f["name"] for f in embed["fields"]]
        assert fields[0].startswith("1. ") and any(
            n.startswith("Recommended learning resources") for n in fields
        )
        assert "https://towardsdatascience.com/" in embed["fields"][0]["value"]
        # quoted passages, or an answer card's answer written from them
        assert embed["footer"]["text"].startswith(("Quoted from", "Answer written from"))
        assert custom_ids(message) == [
            "careerbot:feedback:up",
            "careerbot:feedback:down",
            "careerbot:more:1",
            "careerbot:sources",
            "careerbot:pin",
            "careerbot:similar",
        ]
        assert message["allowed_mentions"]["parse"] == []
        assert not (message.get("flags", 0) & EPHEMERAL)

    run_with_bot(index_root, tmp_path, scenario)


def test_chinese_question_gets_chinese_labels_and_off_topic_an_honest_no(index_root, tmp_path):
    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        interaction = emulator.send_slash_command(
            "ask", {"question": "机器学习工程师要学哪些数学？"}, locale="zh-CN"
        )
        message = message_of(await emulator.wait_for_request(is_answer_to(interaction)))
        embed = message["embeds"][0]
        assert any(f["name"].startswith("推荐的学习资源") for f in embed["fields"])
        assert embed["footer"]["text"] in {
            "以上内容引自语料库中的文章与资源列表。",
            "答案依据下列文章写成，段落引自原文。",
        }

        interaction = emulator.send_slash_command(
            "ask", {"question": "How do I bake sourdough bread?"}
        )
        message = message_of(await emulator.wait_for_request(is_answer_to(interaction)))
        embed = message["embeds"][0]
        assert "don't have a good answer" in embed["description"]
        assert "footer" not in embed  # nothing is quoted
        assert all(not f["name"][0].isdigit() for f in embed.get("fields", []))  # no passages
        assert custom_ids(message) == [
            "careerbot:feedback:up",
            "careerbot:feedback:down",
            "careerbot:pin",
            "careerbot:similar",
        ]

    run_with_bot(index_root, tmp_path, scenario)


def test_bad_questions_get_ephemeral_explanations(index_root, tmp_path):
    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        cases = {
            "x" * 600: "too long",
            "🙂🙂🙂": "Mention me followed by your question",
            "   ": "Mention me followed by your question",
        }
        for question, expected in cases.items():
            interaction = emulator.send_slash_command("ask", {"question": question})
            message = message_of(await emulator.wait_for_request(is_answer_to(interaction)))
            assert expected in message["content"] and message["flags"] & EPHEMERAL

    run_with_bot(index_root, tmp_path, scenario)


def test_cooldown_refuses_a_quick_second_question(index_root, tmp_path):
    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        first = emulator.send_slash_command("ask", {"question": "which deep learning course?"})
        await emulator.wait_for_request(is_answer_to(first))
        second = emulator.send_slash_command("ask", {"question": "how much math do I need?"})
        message = message_of(await emulator.wait_for_request(is_answer_to(second)))
        assert "please wait" in message["content"] and message["flags"] & EPHEMERAL
        await _wait_for_metric(bot, "careerbot_questions_total", outcome="refused", source="slash")
        assert _metric(bot, "careerbot_questions_total", outcome="answered", source="slash") == 1
        assert _metric(bot, "careerbot_answer_seconds_count") == 1  # refusals are not timed

    run_with_bot(index_root, tmp_path, scenario, guild=GuildSettings(cooldown_seconds=60))


def _metric(bot: CareerBot, name: str, **labels: str) -> float:
    """The value of one sample of the bot's /metrics text (0 when absent)."""
    from prometheus_client.parser import text_string_to_metric_families

    text = bot.metrics.render()[0].decode()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0.0


async def _wait_for_metric(bot: CareerBot, name: str, value: float = 1, **labels: str) -> None:
    """Metrics are counted once the bot has Discord's response to its reply: wait briefly."""
    for _ in range(50):
        if _metric(bot, name, **labels) == value:
            return
        await asyncio.sleep(0.05)
    assert _metric(bot, name, **labels) == value


def test_mention_is_answered_by_reply_and_pings_nobody(index_root, tmp_path):
    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        sent = emulator.send_message(
            "@everyone <@&123> which deep learning course should I take?",
            mentions_bot=True,
        )
        request = await emulator.wait_for_request(
            lambda r: r.method == "POST" and r.path.endswith("/messages") and "embeds" in r.json
        )
        assert request.path == f"/channels/{sent['channel_id']}/messages"
        assert int(request.json["message_reference"]["message_id"]) == int(sent["id"])
        assert request.json["allowed_mentions"] == {"parse": [], "replied_user": False}
        embed = request.json["embeds"][0]
        assert "@everyone" in embed["title"]  # echoed, but allowed_mentions blocks the ping
        check_discord_limits(request.json)

        emulator.send_message("🙂", mentions_bot=True)
        usage = await emulator.wait_for_request(
            lambda r: r.method == "POST" and "Mention me" in (r.json or {}).get("content", "")
        )
        assert usage.json["allowed_mentions"]["parse"] == []

    run_with_bot(index_root, tmp_path, scenario)


def test_mention_in_a_thread_channel_opens_a_thread(index_root, tmp_path):
    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        channel_id = emulator.channel_ids["career-help"]
        sent = emulator.send_message("需要学Docker吗？", mentions_bot=True, channel=channel_id)
        created = await emulator.wait_for_request(
            lambda r: r.method == "POST" and r.path.endswith("/threads")
        )
        assert created.path == f"/channels/{channel_id}/messages/{sent['id']}/threads"
        assert created.json["name"] == "需要学Docker吗？"
        answer = await emulator.wait_for_request(
            lambda r: r.method == "POST" and r.path.endswith("/messages") and "embeds" in r.json
        )
        assert answer.path != f"/channels/{channel_id}/messages"  # posted inside the thread
        assert "Docker" in answer.json["embeds"][0]["description"]

    career_help = GuildSettings(cooldown_seconds=0)
    run_with_bot(index_root, tmp_path, _with_thread_channel(scenario), guild=career_help)


def _with_thread_channel(
    scenario: Callable[[DiscordEmulator, CareerBot], Awaitable[None]],
) -> Callable[[DiscordEmulator, CareerBot], Awaitable[None]]:
    async def wrapped(emulator: DiscordEmulator, bot: CareerBot) -> None:
        # The channel id is only known once the emulator runs: configure it on the live bot.
        guild = bot.settings.discord.default_guild
        guild.thread_channels.append(emulator.channel_ids["career-help"])
        await scenario(emulator, bot)

    return wrapped


def test_buttons_feedback_more_and_sources(index_root, tmp_path):
    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        interaction = emulator.send_slash_command(
            "ask", {"question": "what projects should I build for my portfolio?"}
        )
        request = await emulator.wait_for_request(is_answer_to(interaction))
        answer = answer_message(emulator, request)

        click = emulator.click_button(answer, "careerbot:feedback:down")
        thanks = message_of(await emulator.wait_for_request(is_answer_to(click)))
        assert thanks["flags"] & EPHEMERAL and "Thanks" in thanks["content"]
        records = await bot.curation.database.answer_log.votes(int(answer["id"]))
        assert [r.vote for r in records] == ["down"]
        assert _metric(bot, "careerbot_feedback_total", vote="down") == 1
        assert _metric(bot, "careerbot_feedback_total", vote="up") == 0
        assert records[0].question == "what projects should I build for my portfolio?"
        assert len(records[0].hit_ids) >= 3 and str(emulator.member_user["id"]) not in str(
            records[0]
        )

        click = emulator.click_button(answer, "careerbot:more:1")
        more = message_of(await emulator.wait_for_request(is_answer_to(click)))
        assert more["flags"] & EPHEMERAL
        assert [f["name"][:2] for f in more["embeds"][0]["fields"]] == ["4.", "5.", "6."]
        assert "careerbot:more:2" in custom_ids(more)

        click = emulator.click_button(answer, "careerbot:sources")
        sources = message_of(await emulator.wait_for_request(is_answer_to(click)))
        assert sources["flags"] & EPHEMERAL
        lines = sources["embeds"][0]["description"].splitlines()
        passages = json.dumps(embed_fields(answer), ensure_ascii=False)
        assert lines and all(line.startswith("• ") for line in lines)
        for line in lines:  # one line per article the answer quotes, with its sections
            title = re.match(r"• \[?([^\]]+?)(\]|\s\()", line).group(1)
            assert title in passages

    run_with_bot(index_root, tmp_path, scenario)


def test_resources_browse_autocomplete_and_about(index_root, tmp_path):
    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        interaction = emulator.send_autocomplete("resources", {"topic": "ma"}, focused="topic")
        choices = await emulator.wait_for_request(is_answer_to(interaction))
        names = [c["value"] for c in choices.json["data"]["choices"]]
        assert names[0] in {"machine-learning", "math"} and "mlops" not in names

        interaction = emulator.send_slash_command("resources", {})
        listing = message_of(await emulator.wait_for_request(is_answer_to(interaction)))
        assert listing["flags"] & EPHEMERAL and len(listing["embeds"][0]["fields"]) == 5
        assert listing["embeds"][0]["footer"]["text"].startswith("Page 1/")
        next_id = custom_ids(listing)[1]
        listing_id = emulator.interaction_record(interaction)["original_message_id"]
        click = emulator.click_button(listing_id, next_id)
        updated = await emulator.wait_for_request(is_answer_to(click))
        assert updated.json["type"] == 7  # the same message, edited to page 2
        assert updated.json["data"]["embeds"][0]["footer"]["text"].startswith("Page 2/")

        interaction = emulator.send_slash_command("resources", {"topic": "math", "cost": "free"})
        listing = message_of(await emulator.wait_for_request(is_answer_to(interaction)))
        assert "math · free" in listing["embeds"][0]["title"]

        interaction = emulator.send_slash_command("resources", {"topic": "cooking"})
        refusal = message_of(await emulator.wait_for_request(is_answer_to(interaction)))
        assert "Unknown topic cooking" in refusal["content"]

        interaction = emulator.send_slash_command("about", {}, locale="zh-CN")
        about = message_of(await emulator.wait_for_request(is_answer_to(interaction)))
        assert "5 篇文章" in about["embeds"][0]["fields"][0]["value"]

    run_with_bot(index_root, tmp_path, scenario)


def test_rate_limit_server_error_and_resume_lose_nothing(index_root, tmp_path):
    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        emulator.fail_next("POST", r"/interactions/\d+/[^/]+/callback", 429, retry_after=0.2)
        interaction = emulator.send_slash_command(
            "ask", {"question": "which deep learning course?"}
        )
        await emulator.wait_for_request(is_answer_to(interaction))
        callbacks = [r for r in emulator.requests if interaction["token"] in r.path]
        assert [r.injected_status for r in callbacks] == [429, None]

        emulator.fail_next("POST", r"/channels/\d+/messages", 500)
        emulator.send_message("how much math do I need?", mentions_bot=True)
        await emulator.wait_for_request(
            lambda r: r.method == "POST" and r.path.endswith("/messages") and "embeds" in r.json
        )

        await emulator.drop_gateway()
        emulator.send_message("需要学Docker吗？", mentions_bot=True)  # sent while disconnected
        reply = await emulator.wait_for_request(
            lambda r: (
                r.method == "POST"
                and r.path.endswith("/messages")
                and "Docker" in str(r.json.get("embeds"))
            )
        )
        assert emulator.resume_count == 1 and emulator.identify_count == 1
        await asyncio.sleep(0.5)  # a duplicate would arrive by now
        posts = [
            r
            for r in emulator.requests
            if r.method == "POST" and r.path.endswith("/messages") and not r.injected_status
        ]
        assert sum("Docker" in str(r.json.get("embeds")) for r in posts) == 1
        assert sum("how much math" in str(r.json.get("embeds")) for r in posts) == 1
        assert reply.json["embeds"]

    run_with_bot(index_root, tmp_path, scenario)


def test_token_never_appears_in_logs(index_root, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)

    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        interaction = emulator.send_slash_command(
            "ask", {"question": "which deep learning course?"}
        )
        await emulator.wait_for_request(is_answer_to(interaction))

    tokens: list[str] = []

    async def remember_token(emulator: DiscordEmulator, bot: CareerBot) -> None:
        tokens.append(emulator.token)
        await scenario(emulator, bot)

    run_with_bot(index_root, tmp_path, remember_token)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "logged in" in logged.lower() or "connected" in logged.lower()  # logs were captured
    assert tokens and tokens[0] not in logged


def test_bad_token_ends_start_up_with_one_clear_line(index_root, tmp_path, caplog):
    async def main() -> int:
        async with DiscordEmulator() as emulator:
            settings = bot_settings(
                index_root,
                tmp_path,
                api_base_url=emulator.api_base_url,
                gateway_url=emulator.gateway_url,
            )
            saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
            try:
                return await run_bot(settings, "not-the-token")
            finally:
                discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved

    assert asyncio.run(asyncio.wait_for(main(), 60)) == 1
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "refused the token" in errors[0].getMessage()
    assert not any(r.exc_info for r in errors)
    assert all("not-the-token" not in r.getMessage() for r in caplog.records)


def test_sync_registers_commands_with_chinese_localisations(index_root, tmp_path):
    async def main() -> tuple[list[str], RecordedRequest, int]:
        async with DiscordEmulator() as emulator:
            settings = bot_settings(
                index_root,
                tmp_path,
                api_base_url=emulator.api_base_url,
                gateway_url=emulator.gateway_url,
            )
            saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
            try:
                names = await sync_commands(settings, emulator.token, emulator.guild_id)
            finally:
                discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved
            request = await emulator.wait_for_request(
                ("PUT", r"/applications/\d+/guilds/\d+/commands")
            )
            return names, request, emulator.guild_id

    names, request, guild_id = asyncio.run(asyncio.wait_for(main(), 60))
    assert sorted(names) == [
        "Mark as solution",
        "Pin as answer",
        "about",
        "ask",
        "forget-me",
        "path",
        "pins",
        "reindex",
        "resources",
        "settings",
        "stats",
    ]
    assert f"/guilds/{guild_id}/commands" in request.path
    ask = next(command for command in request.json if command["name"] == "ask")
    assert ask["description_localizations"]["zh-CN"]
    question = ask["options"][0]
    assert question["name"] == "question" and question["required"] is True
    assert question["description_localizations"]["zh-CN"] != question["description"]
    menus = {c["name"]: c for c in request.json if c["type"] == 3}
    assert menus["Pin as answer"]["name_localizations"]["zh-CN"] == "置顶为答案"
    assert menus["Mark as solution"]["name_localizations"]["zh-CN"] == "标记为解决方案"
    pins = next(command for command in request.json if command["name"] == "pins")
    assert {option["name"] for option in pins["options"]} == {
        "list",
        "show",
        "edit",
        "remove",
        "export",
    }
