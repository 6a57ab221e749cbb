"""The real discord.py client against the emulator: gateway, REST, interactions, faults."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable

import discord
import pytest
from discord import app_commands

from tests.discord_emulator import DiscordEmulator, discord_endpoints, running_client

INTENTS = discord.Intents(guilds=True, guild_messages=True)


def make_client(**kwargs: object) -> discord.Client:
    # guild_ready_timeout: on_ready otherwise waits 2 s for more GUILD_CREATEs
    return discord.Client(intents=INTENTS, guild_ready_timeout=0.05, **kwargs)  # type: ignore[arg-type]


def run(coro_fn: Callable[[DiscordEmulator], Awaitable[None]]) -> None:
    """Run an async scenario with a fresh emulator pointed at by discord.py."""

    async def main() -> None:
        async with DiscordEmulator(heartbeat_interval_ms=300) as emu:
            with discord_endpoints(emu):
                await coro_fn(emu)

    asyncio.run(main())


def test_connects_and_caches_the_guild() -> None:
    async def scenario(emu: DiscordEmulator) -> None:
        client = make_client()
        ready_calls: list[int] = []

        @client.event
        async def on_ready() -> None:
            ready_calls.append(1)

        async with running_client(client, emu):
            await emu.wait_ready()
            guild = client.get_guild(emu.guild_id)
            assert guild is not None and guild.name == "Career Lab"
            assert {c.name for c in guild.text_channels} == {"general", "career-help"}
            general = guild.get_channel(emu.channel_ids["general"])
            assert isinstance(general, discord.TextChannel)
            thread = guild.get_thread(emu.thread_id)
            assert thread is not None and thread.parent_id == emu.channel_ids["career-help"]
            assert guild.me is not None and guild.me.id == emu.application_id
            assert client.user is not None and client.user.id == emu.application_id
            assert client.application_id == emu.application_id
            await emu.wait_for_gateway_op(1, count=2)  # the immediate beat plus one timed beat
            assert emu.heartbeats_received >= 2
            assert any(p.get("op") == 11 for p in emu.gateway_events_sent)
            assert emu.identify_count == 1
            assert emu.identify_payloads[0]["intents"] == INTENTS.value
            assert ready_calls == [1]
        assert emu.find_requests("GET", "/users/@me")
        assert emu.unknown_requests == []

    run(scenario)


def test_channel_send_is_recorded() -> None:
    async def scenario(emu: DiscordEmulator) -> None:
        async with running_client(make_client(), emu) as client:
            channel = client.get_channel(emu.channel_ids["general"])
            assert isinstance(channel, discord.TextChannel)
            sent = await channel.send("hi", embed=discord.Embed(title="t"))
            rec = await emu.wait_for_request(("POST", r"/channels/\d+/messages"))
            assert rec.path == f"/channels/{emu.channel_ids['general']}/messages"
            assert rec.json["content"] == "hi"
            assert rec.json["embeds"][0]["title"] == "t"
            assert sent.id in emu.messages
            assert sent.author.id == emu.application_id
            assert sent.embeds[0].title == "t"

            # files go multipart with payload_json; a reply is type 19
            reply = await sent.reply("see file", file=discord.File(io.BytesIO(b"abc"), "a.txt"))
            rec = await emu.wait_for_request(("POST", r"/channels/\d+/messages"))
            assert rec.files[0]["filename"] == "a.txt" and rec.files[0]["data"] == b"abc"
            assert rec.json["message_reference"]["message_id"] == sent.id
            assert reply.type is discord.MessageType.reply
            assert reply.attachments[0].filename == "a.txt"

            fetched = await channel.fetch_message(sent.id)
            assert fetched.content == "hi"
            await fetched.edit(content="edited")
            assert emu.messages[sent.id]["content"] == "edited"
            await fetched.pin()
            assert [m.id async for m in channel.pins()] == [sent.id]
            thread = await fetched.create_thread(name="follow-up")
            assert thread.id == sent.id and thread.parent_id == channel.id
            await emu.wait_for_dispatch_sent("THREAD_CREATE")
            await asyncio.sleep(0.05)
            assert channel.guild.get_thread(thread.id) is not None
            async with channel.typing():
                pass
            await fetched.delete()
            assert sent.id in emu.deleted_message_ids
            with pytest.raises(discord.HTTPException):
                await channel.send("x" * 2001)
            assert emu.unknown_requests == []

    run(scenario)


def test_slash_commands_respond_and_follow_up() -> None:
    async def scenario(emu: DiscordEmulator) -> None:
        client = make_client()
        tree = app_commands.CommandTree(client)
        done = asyncio.Event()

        @tree.command(name="ping", description="ping")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pong")

        @tree.command(name="slow", description="defers")
        async def slow(interaction: discord.Interaction, question: str) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send(f"answer to {question}")
            await interaction.followup.send("and one more")
            await interaction.edit_original_response(content="edited answer")
            fetched = await interaction.original_response()
            assert fetched.content == "edited answer"
            done.set()

        async with running_client(client, emu):
            synced = await tree.sync()
            assert {c.name for c in synced} == {"ping", "slow"}
            assert all(c.id for c in synced)

            sent = emu.send_slash_command("ping", {})
            assert sent["data"]["id"] == str(
                synced[0].id if synced[0].name == "ping" else synced[1].id
            )
            rec = await emu.wait_for_request(("POST", r"/interactions/\d+/[^/]+/callback"))
            assert rec.path == f"/interactions/{sent['id']}/{sent['token']}/callback"
            assert rec.json["type"] == 4
            assert rec.json["data"]["content"] == "pong"
            answer = emu.last_message()
            assert answer is not None and answer["content"] == "pong"

            sent = emu.send_slash_command("slow", {"question": "why"})
            rec = await emu.wait_for_request(("POST", r"/interactions/\d+/[^/]+/callback"))
            assert rec.json["type"] == 5
            followup = await emu.wait_for_request(("POST", r"/webhooks/\d+/[^/]+"))
            assert followup.path == f"/webhooks/{emu.application_id}/{sent['token']}"
            assert followup.json["content"] == "answer to why"
            await asyncio.wait_for(done.wait(), 5)
            record = emu.interaction_record(sent)
            original = emu.messages[record["original_message_id"]]
            # the first followup fills in the deferred "thinking" message
            assert original["content"] == "edited answer" and not original["flags"] & 128
            patch = emu.find_requests("PATCH", rf"/webhooks/\d+/{sent['token']}/messages/@original")
            assert patch[0].json["content"] == "edited answer"
            assert len(record["followup_ids"]) == 1
            assert emu.unknown_requests == []

    run(scenario)


def test_persistent_button_click() -> None:
    async def scenario(emu: DiscordEmulator) -> None:
        clicked = asyncio.Event()

        class Persistent(discord.ui.View):
            def __init__(self) -> None:
                super().__init__(timeout=None)

            @discord.ui.button(label="Go", custom_id="t:btn")
            async def go(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
                await interaction.response.edit_message(content="clicked", view=None)
                clicked.set()

        async with running_client(make_client(), emu) as client:
            client.add_view(Persistent())
            channel = client.get_channel(emu.channel_ids["career-help"])
            assert isinstance(channel, discord.TextChannel)
            msg = await channel.send("press", view=Persistent())
            stored = emu.messages[msg.id]
            assert stored["components"][0]["components"][0]["custom_id"] == "t:btn"

            emu.click_button(stored, "t:btn")
            rec = await emu.wait_for_request(("POST", r"/interactions/\d+/[^/]+/callback"))
            assert rec.json["type"] == 7
            await asyncio.wait_for(clicked.wait(), 5)
            assert emu.messages[msg.id]["content"] == "clicked"
            assert emu.messages[msg.id]["components"] == []

    run(scenario)


def test_rate_limited_send_is_retried_once() -> None:
    async def scenario(emu: DiscordEmulator) -> None:
        async with running_client(make_client(), emu) as client:
            cid = emu.channel_ids["general"]
            emu.fail_next("POST", rf"/channels/{cid}/messages", 429, retry_after=0.05)
            channel = client.get_channel(cid)
            assert isinstance(channel, discord.TextChannel)
            sent = await channel.send("after a 429")
            attempts = emu.find_requests("POST", rf"/channels/{cid}/messages")
            assert [a.injected_status for a in attempts] == [429, None]
            assert [a.status for a in attempts] == [429, 200]
            assert attempts[1].time - attempts[0].time >= 0.05
            assert list(emu.messages) == [sent.id]

    run(scenario)


def test_dropped_gateway_resumes_without_losing_events() -> None:
    async def scenario(emu: DiscordEmulator) -> None:
        client = make_client()
        seen: list[int] = []
        resumed = asyncio.Event()

        @client.event
        async def on_message(message: discord.Message) -> None:
            seen.append(message.id)

        @client.event
        async def on_resumed() -> None:
            resumed.set()

        async with running_client(client, emu):
            before = emu.send_message("before the drop")
            await emu.drop_gateway(4000, keep_down=True)
            during = emu.send_message("while down", mentions_bot=True)
            await asyncio.sleep(0.1)
            assert emu.resume_count == 0 and not emu.gateway_connected
            emu.allow_reconnect()
            await asyncio.wait_for(resumed.wait(), 5)
            await asyncio.sleep(0.1)
            assert emu.resume_count == 1
            assert emu.identify_count == 1
            assert seen == [int(before["id"]), int(during["id"])]
            # the session still works after the resume
            after = emu.send_message("after")
            await emu.wait_for_dispatch_sent("MESSAGE_CREATE", count=3)
            await asyncio.sleep(0.05)
            assert seen[-1] == int(after["id"]) and len(seen) == 3

            # op 7 RECONNECT also ends in a RESUME of the same session
            resumed.clear()
            emu.send_reconnect()
            await asyncio.wait_for(resumed.wait(), 5)
            assert (emu.resume_count, emu.identify_count) == (2, 1)

    run(scenario)


def test_wrong_token_is_a_login_failure() -> None:
    async def scenario(emu: DiscordEmulator) -> None:
        client = make_client()
        try:
            with pytest.raises(discord.LoginFailure):
                await client.login("not-the-token")
        finally:
            await client.close()
        rec = emu.find_requests("GET", "/users/@me")
        assert [r.status for r in rec] == [401]

    run(scenario)


def test_guild_commands_autocomplete_modal_and_ephemeral() -> None:
    async def scenario(emu: DiscordEmulator) -> None:
        client = make_client()
        tree = app_commands.CommandTree(client)
        guild = discord.Object(id=emu.guild_id)
        submitted: asyncio.Queue[str] = asyncio.Queue()

        class Ask(discord.ui.Modal, title="Ask"):
            question: discord.ui.TextInput = discord.ui.TextInput(label="Q", custom_id="q")

            async def on_submit(self, interaction: discord.Interaction) -> None:
                await interaction.response.send_message(
                    f"got {self.question.value}", ephemeral=True
                )
                submitted.put_nowait(self.question.value)

        @tree.command(name="career", description="career help", guild=guild)
        async def career(interaction: discord.Interaction, topic: str) -> None:
            await interaction.response.send_modal(Ask())

        @career.autocomplete("topic")
        async def topic_choices(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=f"{current}-cv", value="cv")]

        @tree.command(name="twice", description="answers twice", guild=guild)
        async def twice(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("one", ephemeral=True)
            await interaction.followup.send("two")

        async with running_client(client, emu):
            await tree.sync(guild=guild)
            assert {c["name"] for c in emu.guild_commands[emu.guild_id]} == {"career", "twice"}
            assert emu.find_requests("PUT", rf"/applications/\d+/guilds/{emu.guild_id}/commands")

            emu.send_autocomplete("career", {"topic": "ml"}, focused="topic")
            rec = await emu.wait_for_request(("POST", r"/interactions/\d+/[^/]+/callback"))
            assert rec.json == {"type": 8, "data": {"choices": [{"name": "ml-cv", "value": "cv"}]}}

            emu.send_slash_command("career", {"topic": "cv"})
            rec = await emu.wait_for_request(("POST", r"/interactions/\d+/[^/]+/callback"))
            assert rec.json["type"] == 9
            modal = emu.modals[-1]
            emu.submit_modal(modal["custom_id"], {"q": "how do I start?"})
            assert await asyncio.wait_for(submitted.get(), 5) == "how do I start?"
            answer = emu.last_message()
            assert answer is not None and answer["content"] == "got how do I start?"
            assert answer["flags"] & 64  # ephemeral

            emu.send_slash_command("twice", {})
            await emu.wait_for_request(("POST", r"/webhooks/\d+/[^/]+"))
            await asyncio.sleep(0.1)
            one, two = list(emu.messages.values())[-2:]
            assert (one["content"], two["content"]) == ("one", "two")
            assert one["flags"] & 64 and not two["flags"] & 64

    run(scenario)


def test_events_before_connect_and_second_acknowledgement() -> None:
    async def scenario(emu: DiscordEmulator) -> None:
        client = make_client()
        seen: list[tuple[str, str]] = []
        failures: list[int] = []

        @client.event
        async def on_message(message: discord.Message) -> None:
            seen.append((message.channel.name, message.content))  # type: ignore[union-attr]

        tree = app_commands.CommandTree(client)

        @tree.command(name="dup", description="responds twice")
        async def dup(interaction: discord.Interaction) -> None:
            await interaction.response.defer()
            adapter = discord.webhook.async_.async_context.get()
            params = discord.webhook.async_.interaction_response_params(
                type=4, data={"content": "x"}
            )
            try:
                await adapter.create_interaction_response(
                    interaction.id, interaction.token, session=interaction._session, params=params
                )
            except discord.HTTPException as exc:
                failures.append(exc.code)

        # queued before any client connects, delivered right after READY + GUILD_CREATE
        emu.send_message("early", in_thread=True)
        emu.send_message("hello bot", mentions_bot=True)
        async with running_client(client, emu):
            await emu.wait_for_dispatch_sent("MESSAGE_CREATE", count=2)
            await asyncio.sleep(0.05)
            # without the message_content intent only mentions keep their text
            mention = f"<@{emu.application_id}> hello bot"
            assert seen == [("resume-review", ""), ("general", mention)]

            emu.send_slash_command("dup", {})
            await emu.wait_for_request(lambda r: r.status == 400)
            await asyncio.sleep(0.05)
            assert failures == [40060]

    run(scenario)
