"""The real discord.py client against the emulator: gateway, REST, interactions, faults."""

from __future__ import annotations

import asyncio
import datetime
import io
from collections.abc import Awaitable, Callable

import discord
import pytest
from discord import app_commands
from discord_emulator import DiscordEmulator, discord_endpoints, running_client

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


# --------------------------------------------------------------------------- forum channels

CONTENT_INTENTS = discord.Intents(guilds=True, guild_messages=True, message_content=True)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def content_client(**kwargs: object) -> discord.Client:
    return discord.Client(intents=CONTENT_INTENTS, guild_ready_timeout=0.05, **kwargs)  # type: ignore[arg-type]


async def until(check: Callable[[], object], timeout: float = 5.0) -> None:
    """Poll until `check()` is truthy: client-side effects follow the emulator's writes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.01)


def forum_of(client: discord.Client, forum_id: int) -> discord.ForumChannel:
    forum = client.get_channel(forum_id)
    assert isinstance(forum, discord.ForumChannel)
    return forum


def test_forum_with_tags_in_guild_create_and_channel_list() -> None:
    async def scenario(emu: DiscordEmulator) -> None:
        forum_id = emu.add_forum_channel(
            "help-forum",
            tags=("Solved", {"name": "Staff pick", "moderated": True, "emoji_name": "⭐"}),
            require_tag=True,
            topic="Ask one question per post",
        )
        async with running_client(make_client(), emu) as client:
            forum = forum_of(client, forum_id)
            assert forum.topic == "Ask one question per post"
            assert [t.name for t in forum.available_tags] == ["Solved", "Staff pick"]
            staff = forum.get_tag(emu.tag_id(forum_id, "Staff pick"))
            assert staff is not None and staff.moderated and str(staff.emoji) == "⭐"
            solved = forum.get_tag(emu.tag_id("help-forum", "Solved"))
            assert solved is not None and not solved.moderated and solved.emoji is None
            assert forum.flags.require_tag
            fetched = await client.guilds[0].fetch_channels()
            assert any(isinstance(c, discord.ForumChannel) and c.id == forum_id for c in fetched)
            # a forum added while connected arrives as CHANNEL_CREATE
            later = emu.add_forum_channel("later-forum", tags=())
            await until(lambda: client.get_channel(later) is not None)
            with pytest.raises(KeyError):
                emu.tag_id(forum_id, "Nope")

    run(scenario)


def test_member_post_is_thread_create_then_starter_message() -> None:
    async def scenario(emu: DiscordEmulator) -> None:
        forum_id = emu.add_forum_channel("help-forum")
        client = make_client()  # no message_content intent
        events: list[tuple[str, int]] = []
        seen: dict[int, discord.Message] = {}

        @client.event
        async def on_thread_create(thread: discord.Thread) -> None:
            events.append(("thread_create", thread.id))

        @client.event
        async def on_message(message: discord.Message) -> None:
            events.append(("message", message.id))
            seen[message.id] = message

        async with running_client(client, emu):
            post = emu.member_create_post(
                forum_id, "How to start in ML?", "Any course tips?", applied_tags=["Question"]
            )
            tid = int(post["id"])
            await until(lambda: len(events) == 2)
            assert events == [("thread_create", tid), ("message", tid)]
            thread = client.get_channel(tid)
            assert isinstance(thread, discord.Thread)
            assert thread.parent_id == forum_id and thread.type is discord.ChannelType.public_thread
            assert thread.owner_id == int(emu.member_user["id"])
            assert thread.name == "How to start in ML?"
            assert [t.name for t in thread.applied_tags] == ["Question"]
            assert thread.message_count == 0  # the starter is not counted
            assert forum_of(client, forum_id).last_message_id == tid
            starter = seen[tid]
            assert starter.channel.id == tid and thread.starter_message is starter
            # without the intent a post's text is hidden unless it mentions the bot
            assert starter.content == ""
            assert post["message"]["content"] == "Any course tips?"
            sent = [e for e in emu.gateway_events_sent if e.get("t") == "THREAD_CREATE"]
            assert sent[-1]["d"]["newly_created"] is True
            assert "message" not in sent[-1]["d"]  # only the REST answer nests the message

            mention = emu.member_create_post(
                forum_id, "Bot?", "what do you think", mentions_bot=True
            )
            await until(lambda: int(mention["id"]) in seen)
            assert seen[int(mention["id"])].content == f"<@{emu.application_id}> what do you think"

    run(scenario)


def test_posts_with_images_and_long_text() -> None:
    async def scenario(emu: DiscordEmulator) -> None:
        forum_id = emu.add_forum_channel("help-forum")
        client = content_client()
        seen: dict[int, discord.Message] = {}

        @client.event
        async def on_message(message: discord.Message) -> None:
            seen[message.id] = message

        async with running_client(client, emu):
            image = emu.member_create_post(
                forum_id, "Screenshot of my CV", attachments=[("cv.png", PNG)]
            )
            await until(lambda: int(image["id"]) in seen)
            starter = seen[int(image["id"])]
            assert starter.content == ""
            [attachment] = starter.attachments
            assert attachment.content_type == "image/png" and attachment.size == len(PNG)
            assert await attachment.read() == PNG  # served by the emulator

            long_text = "word " * 2000  # 10,000 characters
            with pytest.raises(ValueError, match="over a member's limit of 2000"):
                emu.member_create_post(forum_id, "Too long", long_text)
            with pytest.raises(ValueError, match="limit of 4000"):
                emu.member_create_post(forum_id, "Too long", long_text, nitro=True)
            nitro = emu.member_create_post(forum_id, "Nitro", "x" * 4000, nitro=True)

            as_file = emu.member_create_post(forum_id, "As file", long_text, overlong="file")
            await until(lambda: int(as_file["id"]) in seen)
            [text] = seen[int(as_file["id"])].attachments
            assert text.filename == "message.txt" and seen[int(as_file["id"])].content == ""
            assert (await text.read()).decode() == long_text

            split = emu.member_create_post(forum_id, "Split", long_text, overlong="split")
            split_id = int(split["id"])
            await until(lambda: sum(m.channel.id == split_id for m in seen.values()) == 5)
            parts = sorted(
                (m for m in seen.values() if m.channel.id == split_id), key=lambda m: m.id
            )
            assert parts[0].id == split_id and "".join(m.content for m in parts) == long_text
            # discord.py does not count messages itself; Discord's thread object does
            assert emu.channels[split_id]["message_count"] == 4

            bypass = emu.member_create_post(forum_id, "Bypass", long_text, overlong="allow")
            await until(lambda: int(bypass["id"]) in seen)
            assert seen[int(bypass["id"])].content == long_text
            assert len(seen[int(nitro["id"])].content) == 4000
            with pytest.raises(ValueError, match="content or an attachment"):
                emu.member_create_post(forum_id, "Empty", "")

    run(scenario)


def test_replies_edits_deletes_and_archiving_in_a_post() -> None:
    async def scenario(emu: DiscordEmulator) -> None:
        forum_id = emu.add_forum_channel("help-forum")
        client = content_client()
        created: list[int] = []
        edits: list[discord.RawMessageUpdateEvent] = []
        deletes: list[discord.RawMessageDeleteEvent] = []
        thread_deletes: list[discord.RawThreadDeleteEvent] = []
        updates: list[tuple[discord.Thread, discord.Thread]] = []

        @client.event
        async def on_message(message: discord.Message) -> None:
            created.append(message.id)

        @client.event
        async def on_raw_message_edit(payload: discord.RawMessageUpdateEvent) -> None:
            edits.append(payload)

        @client.event
        async def on_raw_message_delete(payload: discord.RawMessageDeleteEvent) -> None:
            deletes.append(payload)

        @client.event
        async def on_raw_thread_delete(payload: discord.RawThreadDeleteEvent) -> None:
            thread_deletes.append(payload)

        @client.event
        async def on_thread_update(before: discord.Thread, after: discord.Thread) -> None:
            updates.append((before, after))

        async with running_client(client, emu):
            post = emu.member_create_post(forum_id, "Resume help", "Is one page enough?")
            tid = int(post["id"])
            helper = emu.make_user(name="bob")
            reply = emu.send_message("Yes, one page.", channel=tid, author=helper, reference=tid)
            await until(lambda: int(reply["id"]) in created)
            thread = client.get_channel(tid)
            assert isinstance(thread, discord.Thread) and emu.channels[tid]["message_count"] == 1
            message = client._connection._get_message(int(reply["id"]))
            assert message is not None and message.channel.id == tid
            assert message.reference is not None and message.reference.message_id == tid
            assert message.position == 1

            emu.edit_message(reply, "Yes, one page is plenty.")
            await until(lambda: bool(edits))
            assert edits[0].message.content == "Yes, one page is plenty."
            assert edits[0].message.edited_at is not None
            assert message.content == "Yes, one page is plenty."  # the cached copy follows

            # deleting the starter leaves the post; the thread keeps its id
            emu.delete_message(tid)
            await until(lambda: bool(deletes))
            assert (deletes[0].message_id, deletes[0].channel_id) == (tid, tid)
            assert emu.channels[tid]["message_count"] == 1

            emu.archive_thread(tid)
            await until(lambda: bool(updates))
            assert updates[-1][1].archived and client.get_channel(tid) is None
            # a member's reply unarchives the post first (THREAD_UPDATE, then the message)
            emu.send_message("Thanks!", channel=tid)
            await until(lambda: client.get_channel(tid) is not None)
            assert not emu.channels[tid]["thread_metadata"]["archived"]
            emu.archive_thread(tid, locked=True)
            with pytest.raises(ValueError, match="locked"):
                emu.send_message("let me in", channel=tid)

            emu.delete_thread(tid)
            await until(lambda: bool(thread_deletes))
            gone = thread_deletes[0]
            assert (gone.thread_id, gone.parent_id) == (tid, forum_id)
            assert gone.thread_type is discord.ChannelType.public_thread
            assert tid not in emu.channels
            with pytest.raises(discord.NotFound):
                await client.fetch_channel(tid)

    run(scenario)


def test_bot_edits_a_posts_tags_with_discords_rules() -> None:
    async def scenario(emu: DiscordEmulator) -> None:
        forum_id = emu.add_forum_channel(
            "help-forum",
            tags=("Solved", "Question", "A", "B", "C", {"name": "Pin", "moderated": True}),
        )
        async with running_client(make_client(), emu) as client:
            post = emu.member_create_post(forum_id, "Q", "text", applied_tags=["Question"])
            tid = int(post["id"])
            await until(lambda: client.get_channel(tid) is not None)
            thread = client.get_channel(tid)
            assert isinstance(thread, discord.Thread)
            solved = forum_of(client, forum_id).get_tag(emu.tag_id(forum_id, "Solved"))
            assert solved is not None

            await thread.add_tags(solved)
            rec = await emu.wait_for_request(("PATCH", rf"/channels/{tid}"))
            assert rec.json == {
                "applied_tags": [str(emu.tag_id(forum_id, "Question")), str(solved.id)]
            }
            await until(lambda: len(thread.applied_tags) == 2)
            assert emu.applied_tag_names(tid) == ["Question", "Solved"]
            edited = await thread.edit(name="Q (solved)", applied_tags=[solved])
            assert edited.name == "Q (solved)" and [t.name for t in edited.applied_tags] == [
                "Solved"
            ]

            with pytest.raises(discord.HTTPException) as unknown:
                await thread.edit(applied_tags=[discord.Object(id=12345)])  # type: ignore[list-item]
            assert unknown.value.status == 400 and unknown.value.code == 50035
            assert "applied_tags.0" in str(unknown.value)
            six = [
                discord.Object(id=emu.tag_id(forum_id, n))
                for n in ("Solved", "Question", "A", "B", "C", "Pin")
            ]
            with pytest.raises(discord.HTTPException) as too_many:
                await thread.edit(applied_tags=six)  # type: ignore[arg-type]
            assert too_many.value.code == 50035 and "5 or fewer" in str(too_many.value)
            assert emu.applied_tag_names(tid) == ["Solved"]

            # without MANAGE_THREADS the bot may not touch a member's post
            emu.set_permission_overwrite(
                forum_id, deny=discord.Permissions(manage_threads=True).value
            )
            await until(lambda: not thread.permissions_for(thread.guild.me).manage_threads)
            with pytest.raises(discord.Forbidden) as forbidden:
                await thread.add_tags(solved)
            assert forbidden.value.code == 50013
            # on its own post it may set ordinary tags, but not moderated ones
            own = await forum_of(client, forum_id).create_thread(name="Bot post", content="FAQ")
            await own.thread.edit(applied_tags=[solved])
            pin = forum_of(client, forum_id).get_tag(emu.tag_id(forum_id, "Pin"))
            with pytest.raises(discord.Forbidden):
                await own.thread.add_tags(pin)  # type: ignore[arg-type]
            with pytest.raises(discord.Forbidden):
                await own.thread.edit(locked=True)

            # an archived post accepts only an unarchive
            emu.set_permission_overwrite(forum_id)  # back to the role's permissions
            await thread.edit(archived=True)
            with pytest.raises(discord.HTTPException) as archived:
                await thread.edit(name="renamed")
            assert archived.value.code == 50083
            await thread.edit(archived=False, applied_tags=[])
            assert emu.applied_tag_names(tid) == []
            patches = emu.find_requests("PATCH", rf"/channels/{tid}")
            assert [p.status for p in patches] == [200, 200, 400, 400, 403, 200, 400, 200]

    run(scenario)


def test_member_edits_post_and_dispatches_thread_update() -> None:
    async def scenario(emu: DiscordEmulator) -> None:
        forum_id = emu.add_forum_channel("help-forum")
        client = make_client()
        updated: list[discord.Thread] = []

        @client.event
        async def on_thread_update(before: discord.Thread, after: discord.Thread) -> None:
            updated.append(after)

        async with running_client(client, emu):
            post = emu.member_create_post(forum_id, "Q", "text")
            emu.member_edit_post(post, name="Q [solved]", applied_tags=["Solved"])
            await until(lambda: bool(updated))
            assert updated[0].name == "Q [solved]"
            assert [t.name for t in updated[0].applied_tags] == ["Solved"]
            stranger = emu.make_user(name="mallory")
            with pytest.raises(ValueError, match="author or a moderator"):
                emu.member_edit_post(post, name="mine now", by=stranger)

    run(scenario)


def test_bot_without_send_or_view_permission_in_forum_posts() -> None:
    async def scenario(emu: DiscordEmulator) -> None:
        forum_id = emu.add_forum_channel("help-forum")
        emu.set_permission_overwrite(
            forum_id, deny=discord.Permissions(send_messages_in_threads=True).value
        )
        client = make_client()
        tree = app_commands.CommandTree(client)
        seen: list[discord.Permissions] = []

        @tree.command(name="perm", description="reports app permissions")
        async def perm(interaction: discord.Interaction) -> None:
            seen.append(interaction.app_permissions)
            await interaction.response.send_message("ok", ephemeral=True)

        async with running_client(client, emu):
            post = emu.member_create_post(forum_id, "Q", "text")
            tid = int(post["id"])
            await until(lambda: client.get_channel(tid) is not None)
            thread = client.get_channel(tid)
            assert isinstance(thread, discord.Thread)
            assert not thread.permissions_for(thread.guild.me).send_messages_in_threads
            with pytest.raises(discord.Forbidden) as denied:
                await thread.send("hello")
            assert denied.value.code == 50013
            # interaction responses are webhooks: they work without channel permissions
            emu.send_slash_command("perm", {}, channel=tid)
            await until(lambda: bool(seen))
            assert not seen[0].send_messages_in_threads and seen[0].send_messages
            # a forum takes no messages of its own
            with pytest.raises(discord.HTTPException) as in_forum:
                await client.http.send_message(
                    forum_id, params=discord.http.handle_message_parameters(content="x")
                )
            assert in_forum.value.code == 40058

            emu.set_permission_overwrite(
                forum_id, deny=discord.Permissions(view_channel=True).value
            )
            with pytest.raises(discord.Forbidden) as hidden:
                await thread.fetch_message(tid)
            assert hidden.value.code == 50001
            assert all(
                t["id"] != str(tid)
                for t in (await client.http.get_active_threads(emu.guild_id))["threads"]
            )
            # the gateway says nothing about channels the bot cannot view
            sent = len(emu.gateway_events_sent)
            emu.member_create_post(forum_id, "Hidden", "text")
            emu.send_message("also hidden", channel=tid)
            emu.send_message("visible")
            await emu.wait_for_dispatch_sent("MESSAGE_CREATE", count=2)
            assert [e.get("t") for e in emu.gateway_events_sent[sent:] if e.get("t")] == [
                "MESSAGE_CREATE"
            ]

    run(scenario)


def test_delayed_starter_is_404_and_blocks_replies_until_delivered() -> None:
    async def scenario(emu: DiscordEmulator) -> None:
        forum_id = emu.add_forum_channel("help-forum")
        client = content_client()
        messages: list[discord.Message] = []

        @client.event
        async def on_message(message: discord.Message) -> None:
            messages.append(message)

        async with running_client(client, emu):
            post = emu.member_create_post(
                forum_id,
                "Big upload",
                "see video",
                attachments=[("talk.mp4", b"\0" * 64)],
                starter_delayed=True,
            )
            tid = int(post["id"])
            await until(lambda: client.get_channel(tid) is not None)
            thread = client.get_channel(tid)
            assert isinstance(thread, discord.Thread)
            with pytest.raises(discord.NotFound) as missing:
                await thread.fetch_message(tid)
            assert missing.value.code == 10008
            with pytest.raises(discord.Forbidden) as early:
                await thread.send("Welcome!")
            assert early.value.code == 40058
            emu.deliver_starter(post)
            await until(lambda: bool(messages))
            assert messages[0].id == tid and messages[0].attachments[0].filename == "talk.mp4"
            assert (await thread.fetch_message(tid)).content == "see video"
            sent = await thread.send("Welcome!")
            assert sent.channel.id == tid and sent.position == 1
            assert emu.channels[tid]["member"]["user_id"] == str(emu.application_id)

    run(scenario)


def test_backfill_of_fifty_seeded_posts() -> None:
    async def scenario(emu: DiscordEmulator) -> None:
        forum_id = emu.add_forum_channel("help-forum")
        posts = emu.seed_forum_posts(
            forum_id, 50, archived=20, replies=2, applied_tags=["Question"]
        )
        assert len(posts) == 50 and posts[0]["message"]["id"] == posts[0]["id"]
        dispatched = len(emu._pending)
        async with running_client(content_client(), emu) as client:
            assert len(emu._pending) == dispatched == 0  # seeding sends nothing
            forum = forum_of(client, forum_id)
            assert len(forum.threads) == 30  # only active posts are in GUILD_CREATE
            active = await forum.guild.active_threads()
            assert {t.id for t in active if t.parent_id == forum_id} == {
                int(p["id"]) for p in posts[20:]
            }

            archived = [t async for t in forum.archived_threads(limit=None)]
            assert [t.id for t in archived] == [int(p["id"]) for p in reversed(posts[:20])]
            assert all(
                t.archived and [g.name for g in t.applied_tags] == ["Question"] for t in archived
            )
            # pages of 7 with has_more, `before` exclusive
            page = await client.http.get_public_archived_threads(forum_id, limit=7)
            assert len(page["threads"]) == 7 and page["has_more"] and page["members"] == []
            before = page["threads"][-1]["thread_metadata"]["archive_timestamp"]
            rest = await client.http.get_public_archived_threads(forum_id, before=before, limit=50)
            assert len(rest["threads"]) == 13 and not rest["has_more"]
            with pytest.raises(discord.HTTPException):
                await client.http.get_public_archived_threads(forum_id, limit=1)

            oldest = archived[-1]
            # seeded ids carry their past creation time
            assert oldest.created_at < discord.utils.utcnow() - datetime.timedelta(days=20)
            starter = await oldest.fetch_message(oldest.id)
            assert starter.content == "How do I get started with topic 1?"
            history = [m.content async for m in oldest.history(oldest_first=True)]
            assert history == [starter.content, "Reply 1 to post 1", "Reply 2 to post 1"]
            assert oldest.message_count == 2
            assert emu.unknown_requests == []

    run(scenario)


def test_bot_opens_a_forum_post() -> None:
    async def scenario(emu: DiscordEmulator) -> None:
        forum_id = emu.add_forum_channel("help-forum", require_tag=True)
        async with running_client(make_client(), emu) as client:
            forum = forum_of(client, forum_id)
            with pytest.raises(discord.HTTPException) as untagged:
                await forum.create_thread(name="FAQ", content="Read me")
            assert untagged.value.code == 40067
            tag = forum.get_tag(emu.tag_id(forum_id, "Question"))
            created = await forum.create_thread(
                name="FAQ",
                content="Read me",
                applied_tags=[tag],
                file=discord.File(io.BytesIO(b"hi"), "faq.txt"),  # type: ignore[list-item]
            )
            thread, message = created.thread, created.message
            assert message.id == thread.id and message.channel.id == thread.id
            assert (
                thread.owner_id == emu.application_id
                and message.attachments[0].filename == "faq.txt"
            )
            refused, rec = emu.find_requests("POST", rf"/channels/{forum_id}/threads")
            assert refused.status == 400 and rec.status == 201
            assert rec.json["applied_tags"] == [str(tag.id)]  # type: ignore[union-attr]
            assert rec.json["message"]["content"] == "Read me"
            await until(lambda: client.get_channel(thread.id) is not None)
            assert emu.messages[thread.id]["content"] == "Read me"

            emu.set_permission_overwrite(
                forum_id, deny=discord.Permissions(send_messages=True).value
            )
            with pytest.raises(discord.Forbidden):
                await forum.create_thread(name="again", content="x", applied_tags=[tag])  # type: ignore[list-item]

    run(scenario)


def test_message_command_on_a_post_reply() -> None:
    async def scenario(emu: DiscordEmulator) -> None:
        forum_id = emu.add_forum_channel("help-forum")
        client = make_client()  # no content intent: the target still has its content
        tree = app_commands.CommandTree(client)
        guild = discord.Object(id=emu.guild_id)
        got: list[tuple[int, str, int]] = []

        @tree.context_menu(name="Pin as answer", guild=guild)
        async def pin_answer(interaction: discord.Interaction, message: discord.Message) -> None:
            got.append((message.id, message.content, interaction.channel_id or 0))
            await interaction.response.send_message("pinned", ephemeral=True)

        async with running_client(client, emu):
            await tree.sync(guild=guild)
            post = emu.member_create_post(forum_id, "Q", "question text")
            reply = emu.send_message("the answer", channel=int(post["id"]))
            emu.send_message_command("Pin as answer", reply, user=emu.owner_user)
            await until(lambda: bool(got))
            assert got == [(int(reply["id"]), "the answer", int(post["id"]))]

    run(scenario)


def test_rest_reads_are_emptied_without_the_portal_intent() -> None:
    async def main() -> None:
        async with DiscordEmulator(
            heartbeat_interval_ms=300, message_content_intent_enabled=False
        ) as emu:
            with discord_endpoints(emu):
                forum_id = emu.add_forum_channel("help-forum")
                with pytest.raises(discord.PrivilegedIntentsRequired):
                    async with running_client(content_client(), emu):
                        pass
                async with running_client(make_client(), emu) as client:
                    post = emu.member_create_post(forum_id, "Q", "secret text")
                    mention = emu.send_message("hi", channel=int(post["id"]), mentions_bot=True)
                    await until(lambda: client.get_channel(int(post["id"])) is not None)
                    thread = client.get_channel(int(post["id"]))
                    assert isinstance(thread, discord.Thread) and thread.name == "Q"
                    assert (await thread.fetch_message(thread.id)).content == ""
                    fetched = await thread.fetch_message(int(mention["id"]))
                    assert fetched.content.endswith("hi")

    asyncio.run(main())


def test_bot_joins_moderates_and_deletes_posts() -> None:
    async def scenario(emu: DiscordEmulator) -> None:
        forum_id = emu.add_forum_channel("help-forum")
        client = make_client()
        joined: list[int] = []
        deleted: list[int] = []

        @client.event
        async def on_thread_join(thread: discord.Thread) -> None:
            joined.append(thread.id)

        @client.event
        async def on_raw_thread_delete(payload: discord.RawThreadDeleteEvent) -> None:
            deleted.append(payload.thread_id)

        async with running_client(client, emu):
            post = emu.member_create_post(forum_id, "Q", "text")
            tid = int(post["id"])
            reply = emu.send_message("spam", channel=tid)
            await until(lambda: client.get_channel(tid) is not None)
            thread = client.get_channel(tid)
            assert isinstance(thread, discord.Thread) and thread.me is None
            await thread.join()
            await until(lambda: tid in joined)
            # the join's THREAD_CREATE replaces discord.py's cached Thread object
            thread = client.get_channel(tid)
            assert isinstance(thread, discord.Thread) and thread.me is not None
            assert emu.channels[tid]["member_count"] == 2

            await thread.get_partial_message(int(reply["id"])).delete()  # MANAGE_MESSAGES
            assert int(reply["id"]) in emu.deleted_message_ids
            assert emu.channels[tid]["message_count"] == 0

            emu.set_permission_overwrite(
                forum_id, emu.bot_role_id, deny=discord.Permissions(manage_threads=True).value
            )
            with pytest.raises(discord.Forbidden):
                await thread.delete()
            emu.set_permission_overwrite(forum_id, emu.bot_role_id)
            await thread.delete()
            await until(lambda: tid in deleted)
            assert tid not in emu.channels and client.get_channel(tid) is None

    run(scenario)
