"""Helpers shared by the test modules: the bot running against the Discord emulator, what to
look for in its REST traffic, and the CLI runner. Test modules import from here, never from
each other."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import numpy as np
from discord_emulator import DiscordEmulator, RecordedRequest, running_client
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from typer.testing import CliRunner

from bot.cli import app as cli_app
from bot.config import DiscordSettings, GuildSettings, Settings
from bot.db.answer_log_store import DeliveredAnswer
from bot.db.database import Database
from bot.db.models import AnswerRow, FeedbackRow, ForumPostRow, QuestionRow
from bot.discord.app import CareerBot, use_endpoints
from bot.discord.embeds import EMBED_TOTAL, FIELD_NAME, FIELD_VALUE
from corpus.loader import load_corpus
from index.build import BuildReport, build_index
from index.embedders import EmbedderConfig

PINNED_LABEL = "📌 Answer pinned by moderators"


def answer_record(
    message_id: int, question: str, *, hit_ids: list[str] | None = None, language: str = "en"
) -> DeliveredAnswer:
    """A delivered answer of guild 5, as the bot records it (for store and journal tests)."""
    return DeliveredAnswer(
        message_id=message_id,
        guild_id=5,
        channel_id=1,
        user_hash="hash",
        source="slash",
        question=question,
        language=language,
        hit_ids=["a", "b"] if hit_ids is None else hit_ids,
        generation="g1",
        pin_id=None,
        answered=True,
        created_at=datetime.now(UTC),
    )


_migrated_template: Path | None = None


def fresh_sqlite_url(directory: Path) -> str:
    """The URL of a new SQLite database in `directory`, at the newest schema: a copy of one
    migrated once per test process (migrating an empty database takes ~0.12 s, copying its
    file ~1 ms; the migrations themselves are tested on that first one, and on PostgreSQL)."""
    global _migrated_template
    if _migrated_template is None:
        template = Path(tempfile.mkdtemp(prefix="careerbot-db-template-")) / "careerbot.db"

        async def migrate() -> None:
            await (await Database.open(f"sqlite+aiosqlite:///{template}")).close()

        asyncio.run(migrate())
        # the last connection's close checkpoints the write-ahead log into the file
        assert not template.with_name(template.name + "-wal").exists()
        _migrated_template = template
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "careerbot.db"
    shutil.copyfile(_migrated_template, target)
    return f"sqlite+aiosqlite:///{target}"


def run_with_database(url: str, scenario: Callable[[Database], Awaitable[None]]) -> None:
    """Open the database at `url` (migrated to the newest schema), run `scenario`, close."""

    async def main() -> None:
        database = await Database.open(url)
        try:
            await scenario(database)
        finally:
            await database.close()

    asyncio.run(main())


cli_runner = CliRunner()


def run_cli(config_file: Path, *args: str):
    """`careerbot --config FILE ARGS…` in process; the typer result (exit code, output)."""
    return cli_runner.invoke(cli_app, ["--config", str(config_file), *args])


def closed_early(*args: str, reader_takes: int = 0) -> subprocess.CompletedProcess[bytes]:
    """`careerbot ARGS` in a real process whose standard output is a pipe its reader closes
    after `reader_takes` lines (`careerbot … | head -1`); 0: before anything is written."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    for _ in range(reader_takes):
        process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read()
    return subprocess.CompletedProcess(process.args, process.wait(), b"", stderr)


EPHEMERAL = 64
TIMEOUT = 20.0


def bot_settings(index_root: Path, tmp_path: Path, **discord_options: Any) -> Settings:
    data_dir = tmp_path / "data"
    data_dir.mkdir(exist_ok=True)
    if not (data_dir / "index").exists():  # a second run (restart) reuses the data directory
        (data_dir / "index").symlink_to(index_root, target_is_directory=True)
    guild = discord_options.pop("guild", GuildSettings(cooldown_seconds=0))
    return Settings(
        data_dir=data_dir,
        discord=DiscordSettings(default_guild=guild, **discord_options),
    )


@contextlib.asynccontextmanager
async def running_bot(emulator: DiscordEmulator, settings: Settings) -> AsyncIterator[CareerBot]:
    """The bot connected to the emulator and ready; closed (and endpoints restored) after."""
    saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    use_endpoints(emulator.api_base_url, emulator.gateway_url)
    try:
        bot = CareerBot(settings, guild_ready_timeout=0.05)
        async with running_client(bot, emulator, timeout=TIMEOUT):
            yield bot
    finally:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved


def run_with_bot(
    index_root: Path,
    tmp_path: Path,
    scenario: Callable[[DiscordEmulator, CareerBot], Awaitable[None]],
    **discord_options: Any,
) -> None:
    async def main() -> None:
        async with DiscordEmulator() as emulator:
            settings = bot_settings(index_root, tmp_path, **discord_options)
            async with running_bot(emulator, settings) as bot:
                await scenario(emulator, bot)

    asyncio.run(asyncio.wait_for(main(), 120))


def is_answer_to(interaction: dict[str, Any]) -> Callable[[RecordedRequest], bool]:
    """The request that delivers the answer to an interaction: its callback with a message, or
    a followup after a deferral."""
    token = interaction["token"]

    def match(request: RecordedRequest) -> bool:
        if token not in request.path or request.injected_status:
            return False
        if request.path.endswith("/callback"):
            return request.json.get("type") in (4, 7, 8)
        return request.method == "POST" and request.path.startswith("/webhooks/")

    return match


def message_of(request: RecordedRequest) -> dict[str, Any]:
    """The message body of a callback ({type, data}) or of a plain message post."""
    body = request.json
    return body.get("data", {}) if request.path.endswith("/callback") else body


def check_discord_limits(message: dict[str, Any]) -> None:
    assert len(message.get("content") or "") <= 2000
    for embed in message.get("embeds", []):
        total = len(embed.get("title", "")) + len(embed.get("description", ""))
        total += len(embed.get("footer", {}).get("text", ""))
        assert len(embed.get("description", "")) <= 4096 and len(embed.get("fields", [])) <= 25
        for field in embed.get("fields", []):
            assert 0 < len(field["name"]) <= FIELD_NAME and 0 < len(field["value"]) <= FIELD_VALUE
            total += len(field["name"]) + len(field["value"])
        assert total <= EMBED_TOTAL


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [
        component["custom_id"]
        for row in message.get("components", [])
        for component in row.get("components", [])
    ]


def embed_fields(message: dict[str, Any]) -> list[dict[str, Any]]:
    return message["embeds"][0].get("fields", [])


def answer_message(emulator: DiscordEmulator, request: RecordedRequest) -> dict[str, Any]:
    """The full message object (with id) the emulator stored for an answer request."""
    body = message_of(request)
    for message in reversed(list(emulator.messages.values())):
        if message.get("embeds") and message["embeds"][0].get("title") == body["embeds"][0].get(
            "title"
        ):
            return message
    raise AssertionError("the answer message was not stored by the emulator")


async def ask(emulator: DiscordEmulator, question: str, **options: Any) -> dict[str, Any]:
    interaction = emulator.send_slash_command("ask", {"question": question}, **options)
    request = await emulator.wait_for_request(is_answer_to(interaction), TIMEOUT)
    return answer_message(emulator, request)


async def delivered(bot: CareerBot, message: dict[str, Any], timeout: float = TIMEOUT):
    """The bot's record of the answer in `message`, once written (the bot records it just
    after Discord has the message, so the test may see the message first)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while (record := await bot.curation.delivered(int(message["id"]))) is None:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"no answer record for message {message['id']}")
        await asyncio.sleep(0.02)
    return record


async def click(emulator: DiscordEmulator, message: dict[str, Any], custom_id: str, **options):
    interaction = emulator.click_button(message, custom_id, **options)
    return message_of(await emulator.wait_for_request(is_answer_to(interaction), TIMEOUT))


async def command(emulator: DiscordEmulator, name: str, options: dict[str, Any], **kwargs):
    interaction = emulator.send_slash_command(name, options, **kwargs)
    return message_of(await emulator.wait_for_request(is_answer_to(interaction), TIMEOUT))


_row_ids = iter(range(10**12, 2 * 10**12))


async def member_texts(engine: AsyncEngine) -> list[str]:
    """Every question text the members' tables hold (the four `/forget-me` deletes from)."""
    async with async_sessionmaker(engine)() as session:
        found: list[str] = []
        for column in (
            QuestionRow.question,
            AnswerRow.question,
            FeedbackRow.question,
            ForumPostRow.title,
            ForumPostRow.content,
        ):
            found.extend(await session.scalars(select(column)))
        return found


def member_rows(
    guild_id: int, user_hash: str, question: str, at: datetime | None = None
) -> tuple[QuestionRow, AnswerRow, FeedbackRow, ForumPostRow]:
    """What the bot stores of a member in one server: a question, its answer record, the
    member's vote on it and a forum post (at `at`, default now), for the tests of deletion
    and retention."""
    at = at or datetime.now(UTC)
    message_id = next(_row_ids)
    return (
        QuestionRow(
            guild_id=guild_id,
            question=question,
            language="en",
            answered=True,
            relevance=0.9,
            asked_at=at,
            user_hash=user_hash,
        ),
        AnswerRow(
            message_id=message_id,
            guild_id=guild_id,
            channel_id=1,
            user_hash=user_hash,
            source="slash",
            question=question,
            language="en",
            hit_ids="[]",
            generation="g1",
            answered=True,
            created_at=at,
        ),
        FeedbackRow(
            guild_id=guild_id,
            message_id=message_id,
            user_hash=user_hash,
            vote="up",
            question=question,
            hit_ids="[]",
            created_at=at,
            updated_at=at,
        ),
        ForumPostRow(
            thread_id=next(_row_ids),
            guild_id=guild_id,
            forum_id=2,
            author_hash=user_hash,
            title=question,
            content=question,
            language="en",
            vector=b"\0" * 16,
            embedder_id="e5",
            answered=False,
            created_at=at,
            updated_at=at,
        ),
    )


def unit_vector(*values: float) -> np.ndarray:
    """An L2-normalised float32 vector with these coordinates."""
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def build_corpus_dir(
    corpus_dir: Path, index_root: Path, embedder: Any, **options: Any
) -> BuildReport:
    """Build (and publish) the index of the corpus in `corpus_dir` with `embedder`."""
    return build_index(
        load_corpus(corpus_dir), EmbedderConfig(), index_root, embedder=embedder, **options
    )
