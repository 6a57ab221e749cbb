"""Message components as Discord checks them (select menus and their options, rows, custom_ids)
and the clicks a member's client can send, through the real discord.py client."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

import discord
import pytest
from discord_emulator import DiscordEmulator, discord_endpoints, running_client


def _client() -> discord.Client:
    intents = discord.Intents(guilds=True, guild_messages=True)
    return discord.Client(intents=intents, guild_ready_timeout=0.05)


def _run(scenario: Callable[[DiscordEmulator, discord.Client], Awaitable[None]]) -> None:
    async def main() -> None:
        async with DiscordEmulator() as emu:
            with discord_endpoints(emu):
                async with running_client(_client(), emu) as client:
                    await scenario(emu, client)

    asyncio.run(asyncio.wait_for(main(), 30))


def _select(**overrides: Any) -> dict[str, Any]:
    select = {
        "type": 3,
        "custom_id": "t:menu",
        "min_values": 0,
        "max_values": 2,
        "options": [{"label": "One", "value": "1"}, {"label": "Two", "value": "2"}],
    }
    return {**select, **overrides}


def _row(*items: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(items)}


BUTTON = {"type": 2, "style": 2, "label": "Go", "custom_id": "t:go"}
MENU = "components.0.components.0"  # where the first row's first item is reported


def _options(*options: dict[str, str]) -> list[dict[str, Any]]:
    return [_row(_select(options=list(options), max_values=1))]


REFUSED = [
    ("26 options", [_row(_select(options=[{"label": f"{i}", "value": f"{i}"} for i in range(26)]))], f"{MENU}.options"),
    ("no option", _options(), f"{MENU}.options"),
    ("a label of 101", _options({"label": "x" * 101, "value": "1"}), f"{MENU}.options.0.label"),
    ("a value of 101", _options({"label": "x", "value": "v" * 101}), f"{MENU}.options.0.value"),
    ("a description of 101", _options({"label": "x", "value": "1", "description": "d" * 101}), f"{MENU}.options.0.description"),
    ("a value twice", _options({"label": "a", "value": "1"}, {"label": "b", "value": "1"}), f"{MENU}.options.1.value"),
    ("a custom_id of 101", [_row(_select(custom_id="c" * 101))], f"{MENU}.custom_id"),
    ("a placeholder of 151", [_row(_select(placeholder="p" * 151))], f"{MENU}.placeholder"),
    ("max_values above the options", [_row(_select(max_values=3))], f"{MENU}.max_values"),
    ("max_values 0", [_row(_select(max_values=0))], f"{MENU}.max_values"),
    ("min_values 26", [_row(_select(min_values=26, max_values=25))], f"{MENU}.min_values"),
    ("min_values above max_values", [_row(_select(min_values=2, max_values=1))], f"{MENU}.min_values"),
    ("a select beside a button", [_row(_select(), BUTTON)], "components.0.components"),
    ("six buttons in a row", [_row(*({**BUTTON, "custom_id": f"t:{i}"} for i in range(6)))], "components.0.components"),
    ("six rows", [_row({**BUTTON, "custom_id": f"t:{i}"}) for i in range(6)], "components"),
    ("a custom_id twice", [_row(BUTTON), _row(BUTTON)], "components.1.components.0.custom_id"),
    ("a button label of 81", [_row({**BUTTON, "label": "l" * 81})], f"{MENU}.label"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "components", "where"), REFUSED, ids=[c[0] for c in REFUSED])
def test_components_discord_refuses_get_400_50035(case, components, where) -> None:
    async def scenario(emu: DiscordEmulator, client: discord.Client) -> None:
        channel_id = emu.channel_ids["general"]
        with pytest.raises(discord.HTTPException) as info:
            await client.http.send_message(
                channel_id,
                params=discord.http.MultipartParameters(
                    payload={"content": "menu", "components": components},
                    multipart=None,
                    files=None,
                ),
            )
        assert info.value.status == 400 and info.value.code == 50035
        assert f"In {where}" in str(info.value)
        # the same limits on an edit
        sent = await client.http.send_message(
            channel_id,
            params=discord.http.MultipartParameters(
                payload={"content": "fine"}, multipart=None, files=None
            ),
        )
        with pytest.raises(discord.HTTPException):
            await client.http.edit_message(
                channel_id,
                sent["id"],
                params=discord.http.MultipartParameters(
                    payload={"components": components}, multipart=None, files=None
                ),
            )

    _run(scenario)


class Menu(discord.ui.DynamicItem[discord.ui.Select], template=r"t:menu:(?P<n>\d+)"):
    """A persistent select whose custom_id carries state, as the bot's menus do."""

    picked: asyncio.Queue[tuple[int, list[str]]]

    def __init__(self, n: int, select: discord.ui.Select | None = None):
        super().__init__(
            select
            or discord.ui.Select(
                custom_id=f"t:menu:{n}",
                min_values=0,
                max_values=2,
                options=[
                    discord.SelectOption(label="One", value="1"),
                    discord.SelectOption(label="Two", value="2", default=True),
                    discord.SelectOption(label="Three", value="3"),
                ],
            )
        )
        self.n = n

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Select, match: re.Match[str]
    ) -> Menu:
        return cls(int(match["n"]), item)

    async def callback(self, interaction: discord.Interaction) -> None:
        Menu.picked.put_nowait((self.n, list(self.item.values)))
        await interaction.response.edit_message(content=f"picked {self.item.values}")


def test_a_dynamic_select_gets_the_values_picked_and_only_pickable_values_are_sent() -> None:
    async def scenario(emu: DiscordEmulator, client: discord.Client) -> None:
        Menu.picked = asyncio.Queue()
        client.add_dynamic_items(Menu)  # as the bot registers its persistent items
        channel = client.get_channel(emu.channel_ids["general"])
        assert isinstance(channel, discord.TextChannel)
        view = discord.ui.View(timeout=None)
        view.add_item(Menu(7))
        sent = await channel.send("pick", view=view)
        stored = emu.messages[sent.id]
        (select,) = stored["components"][0]["components"]
        assert (select["type"], select["min_values"], select["max_values"]) == (3, 0, 2)
        assert [o.get("default", False) for o in select["options"]] == [False, True, False]

        emu.click_button(stored, "t:menu:7", component_type=3, values=["1", "3"])
        assert await asyncio.wait_for(Menu.picked.get(), 5) == (7, ["1", "3"])
        await emu.wait_for_request(("POST", r"/interactions/\d+/[^/]+/callback"))
        assert emu.messages[sent.id]["content"] == "picked ['1', '3']"
        emu.click_button(sent.id, "t:menu:7", component_type=3, values=[])  # min_values 0
        assert await asyncio.wait_for(Menu.picked.get(), 5) == (7, [])

        for values, reason in [
            (["1", "2", "3"], "takes 0 to 2 values, not 3"),
            (["4"], "offers no option ['4']"),
            (["1", "1"], "chosen once"),
        ]:
            with pytest.raises(ValueError, match=re.escape(reason)):
                emu.click_button(stored, "t:menu:7", component_type=3, values=values)
        with pytest.raises(ValueError, match="no component 't:menu:8'"):
            emu.click_button(stored, "t:menu:8", component_type=3, values=["1"])
        with pytest.raises(ValueError, match="type 3, not 2"):
            emu.click_button(stored, "t:menu:7")
        await sent.edit(view=None)
        with pytest.raises(ValueError, match="no component"):  # the message as it is now
            emu.click_button(stored, "t:menu:7", component_type=3, values=["1"])

    _run(scenario)
