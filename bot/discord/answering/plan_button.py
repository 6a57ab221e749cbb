"""The "Make me a plan" button under an answer to a plan-like question ("how do I become an ML
engineer as a developer?", "零基础转行机器学习路线？") whose starting point
`bot.services.path_requests` recognises.

A button cannot open a slash command: the click is answered with the plan for that starting
point, ephemeral, by the paths extension, which listens for the `plan_requested` event this
button dispatches (the answering package imports no extension).
"""

from __future__ import annotations

import re

import discord

from bot.discord.reply import careerbot_of
from bot.i18n import Language, t
from index.query import ChineseScript, in_script


def shown_as(language: Language, script: ChineseScript) -> str:
    """How a plan is shown, as custom_ids carry it: zh, zh-hant (Traditional) or en."""
    return "zh-hant" if language == "zh" and script == "traditional" else language


class PlanButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"careerbot:plan:(?P<goal>[a-z0-9-]+):(?P<start>[a-z0-9-]+):(?P<shown>zh|zh-hant|en)",
):
    """ "Make me a plan": dispatches `plan_requested` (interaction, goal, starting point, and
    how the answer is shown: zh, zh-hant or en) for the paths extension to reply to."""

    def __init__(
        self, goal: str, start: str, language: Language = "en", script: ChineseScript = "simplified"
    ):
        shown = shown_as(language, script)
        super().__init__(
            discord.ui.Button(
                emoji="🗺️",
                label=in_script(t("button.plan", language), script),
                style=discord.ButtonStyle.success,
                custom_id=f"careerbot:plan:{goal}:{start}:{shown}",
            )
        )
        self.goal, self.start, self.shown = goal, start, shown

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> PlanButton:
        button = cls(match["goal"], match["start"])
        button.shown = match["shown"]
        return button

    async def callback(self, interaction: discord.Interaction) -> None:
        careerbot_of(interaction).dispatch(
            "plan_requested", interaction, self.goal, self.start, self.shown
        )
