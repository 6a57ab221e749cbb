"""Moderator curation through the real bot and the Discord emulator: pins, votes, stats."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml
from discord_emulator import DiscordEmulator

from bot.discord.app import CareerBot
from tests.helpers import (
    EPHEMERAL,
    PINNED_LABEL,
    ask,
    bot_settings,
    click,
    command,
    custom_ids,
    is_answer_to,
    message_of,
    run_with_bot,
    running_bot,
)

MODAL = 9


@pytest.fixture(scope="module")
def index_root(shipped_index_root: Path) -> Path:
    return shipped_index_root


def test_moderator_pins_an_answer_and_a_paraphrase_gets_it_first(index_root, tmp_path):
    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        moderator = emulator.make_user(name="mod", admin=True)
        answer = await ask(emulator, "should I learn software engineering first?")
        assert "careerbot:pin" in custom_ids(answer)

        # a member may see the button but not use it: refused, nothing stored, nothing pinned
        refusal = await click(emulator, answer, "careerbot:pin")
        assert refusal["flags"] & EPHEMERAL and "Only moderators" in refusal["content"]
        assert (await bot.curation.database.pins.list_pins(emulator.guild_id))[1] == 0
        assert not emulator.find_requests("PUT", r"/channels/\d+/(messages/)?pins/\d+")

        done = await click(emulator, answer, "careerbot:pin", user=moderator)
        assert "Pinned as answer #1" in done["content"]
        await emulator.wait_for_request(("PUT", r"/channels/\d+/(messages/)?pins/\d+"))
        pins, total = await bot.curation.database.pins.list_pins(emulator.guild_id)
        assert total == 1 and pins[0].questions == ["should I learn software engineering first?"]
        assert pins[0].created_by == int(moderator["id"])

        paraphrase = await ask(emulator, "Is it better to learn software engineering before ML?")
        embed = paraphrase["embeds"][0]
        assert embed["description"].startswith(f"**{PINNED_LABEL}**")
        assert embed["fields"][0]["name"].startswith("1. ")  # the usual passages follow
        assert "Pinned answer #1" in embed["footer"]["text"]

        unrelated = await ask(emulator, "how much math do I need?")
        assert PINNED_LABEL not in unrelated["embeds"][0].get("description", "")

        listing = await command(emulator, "pins list", {}, user=moderator)
        assert listing["flags"] & EPHEMERAL
        assert listing["embeds"][0]["fields"][0]["name"].startswith("#1 · should I learn")
        assert "used 1 times" in listing["embeds"][0]["fields"][0]["value"]
        member_listing = await command(emulator, "pins list", {})
        assert "Only moderators" in member_listing["content"]

        removed = await command(emulator, "pins remove", {"id": 1}, user=moderator)
        assert "Removed pinned answer #1" in removed["content"]
        again = await ask(emulator, "Is it better to learn software engineering before ML?")
        assert PINNED_LABEL not in again["embeds"][0].get("description", "")
        events = await bot.curation.database.pins.pin_events(1)
        assert [event.action for event in events] == ["created", "removed"]

    run_with_bot(index_root, tmp_path, scenario)


def test_pin_a_members_message_with_the_questions_it_answers(index_root, tmp_path):
    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        moderator = emulator.make_user(name="mod", admin=True)
        reply = emulator.send_message(
            "Start with Python: you need it from day one, math can come along the way.",
            channel="career-help",
        )
        stored = reply
        member_try = emulator.send_message_command("Pin as answer", stored)
        refusal = message_of(await emulator.wait_for_request(is_answer_to(member_try)))
        assert "Only moderators" in refusal["content"]

        invoked = emulator.send_message_command("Pin as answer", stored, user=moderator)
        modal = await emulator.wait_for_request(_is_answer_to_modal(invoked))
        data = modal.json["data"]
        inputs = [row["components"][0] for row in data["components"]]
        assert inputs[1]["value"].startswith("Start with Python")  # the message, editable
        submitted = emulator.submit_modal(
            data["custom_id"],
            {
                inputs[0][
                    "custom_id"
                ]: "Should I learn Python or math first?\n先学Python还是数学？",
                inputs[1]["custom_id"]: inputs[1]["value"],
            },
            user=moderator,
            channel="career-help",
        )
        done = message_of(await emulator.wait_for_request(is_answer_to(submitted)))
        assert "Pinned as answer #1" in done["content"]
        assert int(stored["id"]) in emulator.pins[int(stored["channel_id"])]

        answer = await ask(emulator, "先学数学还是先学Python？")
        embed = answer["embeds"][0]
        assert embed["description"].startswith("**📌 管理员置顶的答案**")
        assert "Start with Python" in embed["description"]

        too_long = emulator.submit_modal(
            data["custom_id"],
            {inputs[0]["custom_id"]: " ", inputs[1]["custom_id"]: "x"},
            user=moderator,
        )
        await asyncio.sleep(0.2)  # a modal that expired or is empty stores nothing
        assert too_long and (await bot.curation.database.pins.list_pins(emulator.guild_id))[1] == 1

    run_with_bot(index_root, tmp_path, scenario)


def test_pins_survive_a_restart(index_root, tmp_path):
    async def main() -> None:
        async with DiscordEmulator() as emulator:
            settings = bot_settings(index_root, tmp_path)
            moderator = emulator.make_user(name="mod", admin=True)
            async with running_bot(emulator, settings):
                answer = await ask(emulator, "which deep learning course should I take?")
                done = await click(emulator, answer, "careerbot:pin", user=moderator)
                assert "#1" in done["content"]
            async with running_bot(emulator, settings):  # a new process: same data directory
                answer = await ask(emulator, "Which deep learning course should a beginner take?")
                assert answer["embeds"][0]["description"].startswith(f"**{PINNED_LABEL}**")

    asyncio.run(asyncio.wait_for(main(), 120))


def test_votes_questions_and_stats_are_recorded(index_root, tmp_path):
    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        moderator = emulator.make_user(name="mod", admin=True)
        answer = await ask(emulator, "what projects should I build for my portfolio?")
        await click(emulator, answer, "careerbot:feedback:down")
        await click(emulator, answer, "careerbot:feedback:up")  # changes the vote
        await click(emulator, answer, "careerbot:feedback:up", user=moderator)
        await ask(emulator, "what is the best pizza topping?")  # unanswered
        await ask(emulator, "what is the best pizza topping?")

        stats = await command(emulator, "stats", {}, user=moderator)
        embed = stats["embeds"][0]
        assert "3 questions" in embed["description"] and "67%" in embed["description"]
        assert "2 votes, 100% 👍" in embed["description"]
        assert "2× what is the best pizza topping?" in embed["fields"][1]["value"]
        refused = await command(emulator, "stats", {})
        assert "Only moderators" in refused["content"]

    run_with_bot(index_root, tmp_path, scenario)


def _is_answer_to_modal(interaction: dict[str, Any]):
    token = interaction["token"]
    return lambda r: token in r.path and r.path.endswith("/callback") and r.json["type"] == MODAL


def test_pins_edit_show_export_and_bad_input_write_nothing(index_root, tmp_path):
    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        moderator = emulator.make_user(name="mod", admin=True)
        database = bot.curation.database

        # a message deleted before the form is sent: a clear error, nothing stored or pinned
        gone = emulator.send_message("Docker first, then Kubernetes.", channel="career-help")
        invoked = emulator.send_message_command("Pin as answer", gone, user=moderator)
        modal = (await emulator.wait_for_request(_is_answer_to_modal(invoked))).json["data"]
        inputs = [row["components"][0]["custom_id"] for row in modal["components"]]
        emulator.delete_message(gone)
        submitted = emulator.submit_modal(
            modal["custom_id"],
            {inputs[0]: "Do I need Docker?", inputs[1]: "Docker first, then Kubernetes."},
            user=moderator,
            channel="career-help",
        )
        refusal = message_of(await emulator.wait_for_request(is_answer_to(submitted)))
        assert refusal["flags"] & EPHEMERAL and "deleted" in refusal["content"]
        assert (await database.pins.list_pins(emulator.guild_id))[1] == 0

        # a question of 10,000 characters: refused before anything is pinned or stored
        kept = emulator.send_message("Learn SQL early.", channel="career-help")
        invoked = emulator.send_message_command("Pin as answer", kept, user=moderator)
        modal = (await emulator.wait_for_request(_is_answer_to_modal(invoked))).json["data"]
        inputs = [row["components"][0]["custom_id"] for row in modal["components"]]
        submitted = emulator.submit_modal(
            modal["custom_id"],
            {inputs[0]: "why? " * 2000, inputs[1]: "Learn SQL early."},
            user=moderator,
            channel="career-help",
        )
        refusal = message_of(await emulator.wait_for_request(is_answer_to(submitted)))
        assert "Not pinned" in refusal["content"] and "limit is 500" in refusal["content"]
        assert (await database.pins.list_pins(emulator.guild_id))[1] == 0
        assert int(kept["id"]) not in emulator.pins.get(int(kept["channel_id"]), [])

        answer = await ask(emulator, "do I need to learn SQL?")
        await click(emulator, answer, "careerbot:pin", user=moderator)

        opened = emulator.send_slash_command("pins edit", {"id": 1}, user=moderator)
        modal = (await emulator.wait_for_request(_is_answer_to_modal(opened))).json["data"]
        fields = [row["components"][0] for row in modal["components"]]
        assert fields[0]["value"] == "do I need to learn SQL?"
        edited = emulator.submit_modal(
            modal["custom_id"],
            {
                fields[0]["custom_id"]: "do I need to learn SQL?\nIs SQL useful for ML jobs?",
                fields[1]["custom_id"]: "Yes: SQL is how you get at the data.",
            },
            user=moderator,
        )
        done = message_of(await emulator.wait_for_request(is_answer_to(edited)))
        assert "Updated pinned answer #1" in done["content"]
        shown = await command(emulator, "pins show", {"id": 1}, user=moderator)
        embed = shown["embeds"][0]
        assert embed["description"] == "Yes: SQL is how you get at the data."
        assert "• Is SQL useful for ML jobs?" in embed["fields"][0]["value"]
        asked = await ask(emulator, "Is SQL useful for machine learning jobs?")
        assert "SQL is how you get at the data" in asked["embeds"][0]["description"]
        assert [e.action for e in await database.pins.pin_events(1)] == ["created", "edited"]

        missing = await command(emulator, "pins show", {"id": 99}, user=moderator)
        assert "no pinned answer #99" in missing["content"]

        interaction = emulator.send_slash_command("pins export", {}, user=moderator)
        request = await emulator.wait_for_request(is_answer_to(interaction))
        exported = yaml.safe_load(request.files[0]["data"].decode("utf-8"))
        assert exported[0]["answer"] == "Yes: SQL is how you get at the data."
        assert request.files[0]["filename"] == "pins.yaml"

    run_with_bot(index_root, tmp_path, scenario)
