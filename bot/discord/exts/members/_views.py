"""The `/forget-me` confirmation buttons and the counts they report."""

from __future__ import annotations

import re

import discord

from bot.discord.reply import careerbot_of, language_of, respond
from bot.i18n import Language, t
from bot.services.members import MemberData, MemberDataCounts


class ForgetConfirmButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"careerbot:forget-me:(?P<user_id>\d+)"
):
    """ "Delete my data" under the /forget-me confirmation. Persistent, and it names the member
    who asked: only they can confirm (the message is ephemeral, this is belt and braces)."""

    def __init__(self, user_id: int, label: str = ""):
        super().__init__(
            discord.ui.Button(
                label=label or "Delete my data",
                style=discord.ButtonStyle.danger,
                custom_id=f"careerbot:forget-me:{user_id}",
            )
        )
        self.user_id = user_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> ForgetConfirmButton:
        return cls(int(match["user_id"]), item.label or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        language = language_of(interaction)
        if interaction.user.id != self.user_id or interaction.guild_id is None:
            await respond(interaction, t("members.not_yours", language))
            return
        deleted = await _members(interaction).forget(interaction.guild_id, interaction.user.id)
        await interaction.response.edit_message(
            content=_counts("members.deleted", deleted, language), view=None
        )


class ForgetCancelButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"careerbot:forget-me:cancel"
):
    """ "Cancel" under the /forget-me confirmation: nothing is deleted."""

    def __init__(self, label: str = ""):
        super().__init__(
            discord.ui.Button(
                label=label or "Cancel",
                style=discord.ButtonStyle.secondary,
                custom_id="careerbot:forget-me:cancel",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> ForgetCancelButton:
        return cls(item.label or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        language = language_of(interaction)
        await interaction.response.edit_message(content=t("members.cancelled", language), view=None)


def _members(interaction: discord.Interaction) -> MemberData:
    members = careerbot_of(interaction).members
    if members is None:
        raise RuntimeError("the bot has not been set up")
    return members


def _counts(key: str, counts: MemberDataCounts, language: Language) -> str:
    return t(
        key,
        language,
        questions=counts.questions,
        votes=counts.votes,
        answers=counts.answers,
        forum_posts=counts.forum_posts,
        path_stages=counts.path_stages,
    )
