"""`/path` without the search index: the command as Discord registers it (options, choices,
Chinese localisations), and the plan's embed and components within Discord's limits."""

from __future__ import annotations

import asyncio
import re

import discord
import pytest
from discord_emulator import DiscordEmulator

from bot.config import DiscordSettings, Settings
from bot.discord.embeds import BUTTON_LABEL
from bot.discord.exts.paths._cog import GOALS, STARTING_POINTS
from bot.discord.exts.paths._render import plan_embed, sources_embed
from bot.discord.exts.paths._views import (
    PathProgressSelect,
    PathSourcesButton,
    PlanKey,
    plan_view,
)
from bot.discord.run import sync_commands
from bot.services.path_planner import PathPlanner
from corpus.loader import SHIPPED_CORPUS_DIR
from tests.helpers import check_discord_limits

PLANNER = PathPlanner.load(SHIPPED_CORPUS_DIR)
GUILD = 123456789012345678


def test_path_is_registered_with_choices_a_range_and_chinese_localisations(tmp_path):
    async def main() -> list[dict]:
        async with DiscordEmulator() as emulator:
            settings = Settings(
                data_dir=tmp_path,
                discord=DiscordSettings(
                    api_base_url=emulator.api_base_url, gateway_url=emulator.gateway_url
                ),
            )
            saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
            try:
                names = await sync_commands(settings, emulator.token, emulator.guild_id)
            finally:
                discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved
            assert "path" in names
            return emulator.guild_commands[emulator.guild_id]

    commands = asyncio.run(asyncio.wait_for(main(), 60))
    path = next(command for command in commands if command["name"] == "path")
    assert path["description_localizations"]["zh-CN"].startswith("生成成为机器学习工程师")
    options = {option["name"]: option for option in path["options"]}
    assert list(options) == ["from", "goal", "hours-per-week", "free", "language"]
    start = options["from"]
    assert start["required"] is True and start["type"] == 3
    assert [c["value"] for c in start["choices"]] == list(STARTING_POINTS)
    developer = next(c for c in start["choices"] if c["value"] == "developer")
    assert developer["name"] == "Software developer"
    assert developer["name_localizations"]["zh-CN"] == "软件开发者"
    assert start["description_localizations"]["zh-CN"] == "你从哪里起步"
    assert [c["value"] for c in options["goal"]["choices"]] == ["ml-engineer"]
    hours = options["hours-per-week"]
    assert (hours["type"], hours["min_value"], hours["max_value"]) == (10, 1, 80)
    assert options["free"]["type"] == 5
    assert [c["value"] for c in options["language"]["choices"]] == ["zh", "en"]


def test_the_commands_choices_are_the_shipped_paths():
    # Discord's choices are fixed at registration: a starting point or goal added to
    # corpus/paths.yaml must be added to the command too
    assert list(STARTING_POINTS) == [s.id for s in PLANNER.starting_points()]
    assert list(GOALS) == [g.id for g in PLANNER.goals()]


@pytest.mark.parametrize("start", STARTING_POINTS)
@pytest.mark.parametrize("shown", ["en", "zh", "zh-hant"])
def test_every_plan_fits_discords_limits_whatever_the_progress(start, shown):
    key = PlanKey(GUILD, "ml-engineer", start, 7.5, shown=shown)
    for free, resources in [(False, None), (True, "zh")]:
        plan = PLANNER.plan(start, hours_per_week=7.5, free_only=free, language=resources)
        everything = frozenset(stage.id for stage in plan.stages)
        for done in (None, frozenset(), frozenset(list(everything)[:3]), everything):
            embed = plan_embed(plan, PLANNER, key.language, key.script, done)
            check_discord_limits({"embeds": [embed.to_dict()]})
            check_discord_limits(
                {"embeds": [sources_embed(plan, PLANNER, key.language, key.script).to_dict()]}
            )
            view = plan_view(plan, key, done)
            for row in view.to_components():
                for item in row["components"]:
                    assert len(item["custom_id"]) <= 100
                    assert len(item.get("label", "")) <= BUTTON_LABEL
                    for option in item.get("options", []):
                        assert len(option["label"]) <= 100 and len(option["value"]) <= 100
                        assert len(option.get("description", "")) <= 100


def test_the_next_stage_comes_first_and_done_stages_last():
    plan = PLANNER.plan("developer")
    embed = plan_embed(plan, PLANNER, "en", "simplified", frozenset({"shallow-ml", "math"}))
    names = [field.name for field in embed.fields]
    assert names[:2] == ["➡️ 5. Learn deep learning", "6. Pick a domain and dig in"]
    assert names[-2:] == ["✅ Done or already covered", "Notes"]
    assert "~~3. Learn shallow (classical) machine learning~~ (done)" in embed.fields[-2].value
    assert "~~1. Learn to code~~ (your starting point covers it)" in embed.fields[-2].value
    assert "2 of 6 stages done" in (embed.description or "")
    # outside a server nothing is kept: no progress line, a footer that says where it is
    dm = plan_embed(plan, PLANNER, "en", "simplified", None)
    assert "stages done" not in (dm.description or "")
    assert "use /path in a server" in (dm.footer.text or "")


def test_traditional_chinese_for_a_zh_tw_member():
    plan = PLANNER.plan("zero")
    embed = plan_embed(plan, PLANNER, "zh", "traditional", frozenset())
    assert embed.title == "學習計劃：從零開始 → 機器學習工程師"
    key = PlanKey(GUILD, "ml-engineer", "zero", 10, shown="zh-hant")
    (select,) = plan_view(plan, key, frozenset()).to_components()[0]["components"]
    assert select["placeholder"] == "標記你已完成的階段"


def test_the_menus_custom_id_carries_the_plan_and_its_server():
    key = PlanKey(GUILD, "ml-engineer", "data-scientist", 12.5, True, "zh", "zh-hant")
    assert key.select_id() == (
        f"careerbot:path:{GUILD}:ml-engineer:data-scientist:12.5:1:zh:zh-hant"
    )
    match = PathProgressSelect.__discord_ui_compiled_template__.fullmatch(key.select_id())
    assert match is not None and match["guild"] == str(GUILD)
    assert PathSourcesButton.__discord_ui_compiled_template__.fullmatch(key.sources_id())
    plan = PLANNER.plan("data-scientist", hours_per_week=12.5, free_only=True, language="zh")
    rows = plan_view(plan, key, frozenset({"deep-learning"})).to_components()
    (select,) = rows[0]["components"]
    assert [o["value"] for o in select["options"]] == [
        "software-engineering",
        "deep-learning",
        "domain",
        "projects",
        "mlops",
    ]
    assert (select["min_values"], select["max_values"]) == (0, 5)
    assert [o.get("default", False) for o in select["options"]] == [
        False,
        True,
        False,
        False,
        False,
    ]
    assert re.fullmatch(r"\d\. .+", select["options"][0]["label"])
    # in a DM there is no server to keep progress in: no menu, the sources only
    dm = plan_view(plan, PlanKey(None, "ml-engineer", "data-scientist", 12.5), None)
    assert [c["type"] for row in dm.to_components() for c in row["components"]] == [2]
