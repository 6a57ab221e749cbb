"""`/path` through the real bot and the Discord emulator: the plan with its options, the menu
that marks stages done, progress that survives a restart and goes with `/forget-me`, bad input,
a plan from another server, and "Make me a plan" under an `/ask` answer."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from discord_emulator import DiscordEmulator

from bot.discord.app import CareerBot
from bot.discord.exts.paths._views import PlanKey, plan_view
from bot.services.feedback import hash_user_id
from tests.helpers import (
    EPHEMERAL,
    TIMEOUT,
    ask,
    bot_settings,
    check_discord_limits,
    click,
    custom_ids,
    is_answer_to,
    run_with_bot,
    running_bot,
)

OTHER_GUILD = 987654321098765432
STRING_SELECT = 3


@pytest.fixture(scope="module")
def index_root(shipped_index_root: Path) -> Path:
    return shipped_index_root


async def replied(emulator: DiscordEmulator, interaction: dict[str, Any]) -> dict[str, Any]:
    """The interaction's reply as the emulator stored it (with its id, to click)."""
    await emulator.wait_for_request(is_answer_to(interaction), TIMEOUT)
    record = emulator.interaction_record(interaction)
    return emulator.messages[record["original_message_id"]]


async def path(emulator: DiscordEmulator, options: dict[str, Any], **kwargs) -> dict[str, Any]:
    return await replied(emulator, emulator.send_slash_command("path", options, **kwargs))


async def mark(emulator: DiscordEmulator, plan: dict[str, Any], values: list[str], **kwargs):
    """Pick `values` in the plan's menu; the plan as the bot redraws it."""
    (menu,) = [i for i in custom_ids(plan) if i.startswith("careerbot:path:")]
    return await click(emulator, plan, menu, component_type=STRING_SELECT, values=values, **kwargs)


def menu_of(message: dict[str, Any]) -> dict[str, Any]:
    (menu,) = [
        item
        for row in message["components"]
        for item in row["components"]
        if item["type"] == STRING_SELECT
    ]
    return menu


def test_marked_stages_survive_a_restart_and_forget_me_deletes_them(index_root, tmp_path):
    async def main() -> None:
        async with DiscordEmulator() as emulator:
            settings = bot_settings(index_root, tmp_path)
            member = int(emulator.member_user["id"])
            guild = emulator.guild_id
            async with running_bot(emulator, settings) as bot:
                options = {"from": "developer", "hours-per-week": 5.0, "free": True}
                plan = await path(emulator, {**options, "language": "en"})
                assert plan["flags"] & EPHEMERAL
                check_discord_limits(plan)
                embed = plan["embeds"][0]
                assert embed["title"] == (
                    "Learning plan: Software developer → Machine learning engineer"
                )
                assert "⏱ About **12 months** at 5 hours a week" in embed["description"]
                assert "“After work, you can spend about six months" in embed["description"]
                assert (
                    "**Next: 3. Learn shallow (classical) machine learning**"
                    in (embed["description"])
                )
                assert "0 of 6 stages done" in embed["description"]
                assert embed["fields"][0]["name"].startswith("➡️ 3. Learn shallow")
                assert "https://" in embed["fields"][0]["value"]  # resources, linked
                menu = menu_of(plan)
                assert menu["custom_id"] == (
                    f"careerbot:path:{guild}:ml-engineer:developer:5:1:en:en"
                )
                assert (menu["min_values"], menu["max_values"]) == (0, 6)
                assert (
                    menu["options"][0]["label"] == "3. Learn shallow (classical) machine learning"
                )

                marked = await mark(emulator, plan, ["shallow-ml", "math"])
                assert "**Next: 5. Learn deep learning**" in marked["embeds"][0]["description"]
                assert "2 of 6 stages done" in marked["embeds"][0]["description"]
                defaults = [o.get("default", False) for o in menu_of(marked)["options"]]
                assert defaults == [True, True, False, False, False, False]
                assert await bot.path_progress.store.done(guild, hash_user_id(member)) == {
                    "shallow-ml",
                    "math",
                }
                # kept per member: another member's plan starts at the beginning
                other = await path(emulator, {"from": "developer"}, user=emulator.make_user())
                assert "0 of 6 stages done" in other["embeds"][0]["description"]

            # the bot restarts on the same database: the menu still works, the marks are there
            async with running_bot(emulator, settings) as bot:
                marked = await mark(emulator, plan, ["shallow-ml", "math", "deep-learning"])
                assert "3 of 6 stages done" in marked["embeds"][0]["description"]
                again = await path(emulator, {"from": "developer"})
                fields = again["embeds"][0]["fields"]
                assert fields[0]["name"] == "➡️ 6. Pick a domain and dig in"  # next, first
                assert "~~5. Learn deep learning~~ (done)" in fields[-2]["value"]
                # the data scientist's plan shares the stages: deep learning is done there too
                scientist = await path(emulator, {"from": "data-scientist"})
                assert (
                    "~~5. Learn deep learning~~ (done)"
                    in (scientist["embeds"][0]["fields"][-2]["value"])
                )

                prompt = await replied(emulator, emulator.send_slash_command("forget-me", {}))
                assert "3 learning-path stages marked done" in prompt["content"]
                done = await click(emulator, prompt, f"careerbot:forget-me:{member}")
                assert "3 learning-path stages marked done" in done["content"]
                assert await bot.path_progress.done(guild, member) == frozenset()

    asyncio.run(asyncio.wait_for(main(), 180))


def test_the_plan_in_the_members_language_and_bad_input_refused(index_root, tmp_path):
    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        chinese = await path(emulator, {"from": "student"}, locale="zh-CN")
        embed = chinese["embeds"][0]
        assert embed["title"] == "学习计划：定量学科的在校学生 → 机器学习工程师"
        assert "已完成 0/7 个阶段" in embed["description"]
        assert menu_of(chinese)["placeholder"] == "标记你已完成的阶段"
        traditional = await path(emulator, {"from": "zero"}, locale="zh-TW")
        assert traditional["embeds"][0]["title"] == "學習計劃：從零開始 → 機器學習工程師"
        marked = await mark(emulator, traditional, ["learn-to-code"], locale="zh-TW")
        assert "已完成 1/8 個階段" in marked["embeds"][0]["description"]

        for hours in (0.0, 1000.0):
            refused = await path(emulator, {"from": "developer", "hours-per-week": hours})
            assert refused["flags"] & EPHEMERAL and not refused["embeds"]
            assert refused["content"] == f"Hours per week must be between 1 and 80 (got {hours})"
        refused = await path(emulator, {"from": "developer", "hours-per-week": 0.0}, locale="zh-CN")
        assert refused["content"] == "每周学习小时数必须在 1 到 80 之间（收到 0.0）"
        # a registration older than the paths (the choices Discord shows come from it)
        refused = await path(emulator, {"from": "astronaut"})
        assert refused["content"].startswith("Unknown starting point 'astronaut'")
        assert "developer (Software developer)" in refused["content"]
        refused = await path(emulator, {"from": "developer", "goal": "ceo"})
        assert refused["content"].startswith("Unknown goal 'ceo'")

    run_with_bot(index_root, tmp_path, scenario)


def test_a_plan_from_another_server_cannot_be_marked_here(index_root, tmp_path):
    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        # a plan made in another server (its menu names that server), in front of a member here
        assert bot.path_planner is not None
        key = PlanKey(OTHER_GUILD, "ml-engineer", "developer", 10.0)
        view = plan_view(bot.path_planner.plan("developer"), key, frozenset())
        channel = bot.get_channel(emulator.channel_ids["general"])
        sent = await channel.send("a plan from elsewhere", view=view)  # type: ignore[union-attr]
        refused = await mark(emulator, emulator.messages[sent.id], ["math"])
        assert refused["content"] == (
            "This plan comes from another server and cannot be marked here: use /path here."
        )
        member = int(emulator.member_user["id"])
        assert await bot.path_progress.done(emulator.guild_id, member) == frozenset()
        assert await bot.path_progress.done(OTHER_GUILD, member) == frozenset()

    run_with_bot(index_root, tmp_path, scenario)


def test_make_me_a_plan_under_answers_to_plan_like_questions(index_root, tmp_path):
    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        answer = await ask(
            emulator, "I'm a backend developer. How do I become an ML engineer, is there a roadmap?"
        )
        button = "careerbot:plan:ml-engineer:developer:en"
        assert button in custom_ids(answer)
        (label,) = [
            c["label"] for row in answer["components"] for c in row["components"]
            if c.get("custom_id") == button
        ]  # fmt: skip
        assert label == "Make me a plan"
        plan = await replied(emulator, emulator.click_button(answer, button))
        assert plan["flags"] & EPHEMERAL  # only the member who asked for it sees it
        assert plan["embeds"][0]["title"] == (
            "Learning plan: Software developer → Machine learning engineer"
        )
        marked = await mark(emulator, plan, ["shallow-ml"])
        assert "1 of 6 stages done" in marked["embeds"][0]["description"]

        # no button where the question asks no path, or does not say where it starts
        for question in (
            "which deep learning course should I take?",
            "What's the roadmap to become a machine learning engineer?",
        ):
            answer = await ask(emulator, question)
            assert not [i for i in custom_ids(answer) if i.startswith("careerbot:plan:")]

        # in the answer's language and script, whoever clicks
        answer = await ask(emulator, "我是程序员，转行做机器学习工程师的学习路线是什么？")
        assert "careerbot:plan:ml-engineer:developer:zh" in custom_ids(answer)
        plan = await replied(
            emulator, emulator.click_button(answer, "careerbot:plan:ml-engineer:developer:zh")
        )
        assert plan["embeds"][0]["title"] == "学习计划：软件开发者 → 机器学习工程师"
        answer = await ask(emulator, "我是後端開發，怎麼轉行成為機器學習工程師？路線？")
        button = "careerbot:plan:ml-engineer:developer:zh-hant"
        assert button in custom_ids(answer)
        plan = await replied(emulator, emulator.click_button(answer, button))
        assert plan["embeds"][0]["title"] == "學習計劃：軟件開發者 → 機器學習工程師"

    run_with_bot(index_root, tmp_path, scenario)
