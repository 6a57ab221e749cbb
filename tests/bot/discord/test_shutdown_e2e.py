"""Stopping the bot: questions in flight are answered, new ones are told to come back, and the
real `careerbot run` process handles SIGHUP and SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import threading
from pathlib import Path

import aiohttp
import pytest
from discord_emulator import DiscordEmulator

from bot.discord.app import CareerBot
from tests.helpers import EPHEMERAL, TIMEOUT, is_answer_to, message_of, run_with_bot


@pytest.fixture(scope="module")
def index_root(shipped_index_root: Path) -> Path:
    return shipped_index_root


def test_shutdown_answers_questions_in_flight_and_refuses_new_ones(index_root, tmp_path):
    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        release = threading.Event()
        # hold the search thread: the first question is accepted and waits for it
        blocker = asyncio.ensure_future(bot.worker.call(lambda retriever: release.wait(20)))
        first = emulator.send_slash_command("ask", {"question": "should I learn SWE first?"})
        for _ in range(100):
            if bot.questions_in_flight == 1:
                break
            await asyncio.sleep(0.02)
        assert bot.questions_in_flight == 1

        stopping = asyncio.ensure_future(bot.shutdown(grace_seconds=20))
        await asyncio.sleep(0.05)
        second = emulator.send_slash_command("ask", {"question": "how much math do I need?"})
        refusal = message_of(await emulator.wait_for_request(is_answer_to(second), TIMEOUT))
        assert refusal["flags"] & EPHEMERAL and "restarting" in refusal["content"]
        assert not stopping.done()

        release.set()
        await blocker
        answer = message_of(await emulator.wait_for_request(is_answer_to(first), TIMEOUT))
        assert answer["embeds"][0]["title"] == "should I learn SWE first?"
        await asyncio.wait_for(stopping, TIMEOUT)
        assert bot.is_closed() and bot.questions_in_flight == 0

    run_with_bot(index_root, tmp_path, scenario)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


def test_careerbot_run_reloads_on_sighup_and_stops_cleanly_on_sigterm(index_root, tmp_path):
    """The real process: JSON logs with a request id per question, /healthz and /metrics on
    loopback, SIGHUP reload, SIGTERM clean stop."""
    port = _free_port()
    ops = f"http://127.0.0.1:{port}"
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "index").symlink_to(index_root, target_is_directory=True)

    async def main() -> None:
        async with DiscordEmulator() as emulator:
            environment = {
                **os.environ,
                "CAREERBOT_DATA_DIR": str(data_dir),
                "CAREERBOT_DISCORD__TOKEN": emulator.token,
                "CAREERBOT_DISCORD__API_BASE_URL": emulator.api_base_url,
                "CAREERBOT_DISCORD__GATEWAY_URL": emulator.gateway_url,
                "CAREERBOT_OPS__HEALTH_PORT": str(port),
                "CAREERBOT_OPS__LOG_FORMAT": "json",
            }
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "run",
                env=environment,
                cwd=tmp_path,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            try:
                await emulator.wait_for_gateway_op(2, timeout=60)  # IDENTIFY: connected
                # readiness: 503 until the gateway is ready (as a probe would, poll)
                for _ in range(150):
                    status, body = await _get(f"{ops}/healthz")
                    if status == 200:
                        break
                    assert status == 503, body
                    await asyncio.sleep(0.2)
                health = json.loads(body)
                assert status == 200, body
                interaction = emulator.send_slash_command(
                    "ask", {"question": "should I learn software engineering first?"}
                )
                await emulator.wait_for_request(is_answer_to(interaction), 60)
                assert health["gateway_connected"] and health["index_loaded"]
                assert health["generation"] == index_root.joinpath("CURRENT").read_text().strip()
                answered = 'careerbot_questions_total{outcome="answered",source="slash"} 1.0'
                for _ in range(50):  # counted once the bot has the reply's HTTP response
                    status, metrics = await _get(f"{ops}/metrics")
                    assert status == 200
                    if answered in metrics:
                        break
                    await asyncio.sleep(0.1)
                assert answered in metrics, metrics
                assert "careerbot_answer_seconds_count 1.0" in metrics
                process.send_signal(signal.SIGHUP)
                await asyncio.sleep(0.5)
                process.send_signal(signal.SIGTERM)
                output, _ = await asyncio.wait_for(process.communicate(), 30)
            finally:
                if process.returncode is None:
                    process.kill()
                    await process.wait()
            log = output.decode()
            assert process.returncode == 0, log
            entries = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
            messages = [entry["message"] for entry in entries]
            assert "SIGHUP: checking for a new index generation" in messages
            assert "stopping: 0 questions in flight" in messages
            [question] = [e for e in entries if e["message"].startswith("question via slash")]
            assert "answered in" in question["message"] and len(question["request_id"]) == 12
            assert "Traceback" not in log and emulator.token not in log

    asyncio.run(asyncio.wait_for(main(), 120))


async def _start_careerbot(tmp_path: Path, index_root: Path, **environment: str):
    data_dir = tmp_path / "data"
    data_dir.mkdir(exist_ok=True)
    if not (data_dir / "index").exists():
        (data_dir / "index").symlink_to(index_root, target_is_directory=True)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        env={
            **os.environ,
            "CAREERBOT_DATA_DIR": str(data_dir),
            "CAREERBOT_OPS__LOG_FORMAT": "json",
            **environment,
        },
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def _stop_and_time(process) -> tuple[float, str]:
    """SIGTERM, then (seconds until it exited, its output); killed if it does not stop."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    process.send_signal(signal.SIGTERM)
    try:
        output, _ = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    return loop.time() - started, output.decode()


def test_discord_unreachable_at_start_up_retries_says_so_and_stops_on_sigterm(index_root, tmp_path):
    """Connection refused by the API: one JSON log line per attempt, /healthz 503 meanwhile,
    no traceback, and SIGTERM ends it at once."""
    port, closed_port = _free_port(), _free_port()

    async def main() -> None:
        process = await _start_careerbot(
            tmp_path,
            index_root,
            CAREERBOT_DISCORD__TOKEN="not.a.token",
            CAREERBOT_DISCORD__API_BASE_URL=f"http://127.0.0.1:{closed_port}/api/v10",
            CAREERBOT_DISCORD__GATEWAY_URL=f"ws://127.0.0.1:{closed_port}/",
            CAREERBOT_OPS__HEALTH_PORT=str(port),
            CAREERBOT_OPS__SHUTDOWN_GRACE_SECONDS="3",
        )
        try:
            status = None
            for _ in range(150):
                with contextlib.suppress(aiohttp.ClientError):
                    status, body = await _get(f"http://127.0.0.1:{port}/healthz")
                    break
                await asyncio.sleep(0.2)
            assert status == 503 and json.loads(body)["gateway_connected"] is False
            await asyncio.sleep(2.5)  # a first attempt and a retry
        finally:
            elapsed, log = await _stop_and_time(process)
        assert process.returncode == 0 and elapsed < 3, (elapsed, log)
        entries = [json.loads(line) for line in log.splitlines()]  # every line is JSON
        unreachable = [e for e in entries if e["message"].startswith("cannot reach Discord")]
        assert len(unreachable) >= 2 and "connection refused" in unreachable[0]["message"]
        assert "retrying in 1 s" in unreachable[0]["message"]
        assert "Traceback" not in log

    asyncio.run(asyncio.wait_for(main(), 90))


def test_sigterm_while_reconnecting_stops_within_the_grace_period(index_root, tmp_path):
    """The gateway goes away: discord.py waits to reconnect; SIGTERM does not wait it out."""

    async def main() -> None:
        emulator = DiscordEmulator()
        await emulator.__aenter__()
        process = await _start_careerbot(
            tmp_path,
            index_root,
            CAREERBOT_DISCORD__TOKEN=emulator.token,
            CAREERBOT_DISCORD__API_BASE_URL=emulator.api_base_url,
            CAREERBOT_DISCORD__GATEWAY_URL=emulator.gateway_url,
            CAREERBOT_OPS__HEALTH_PORT="0",
            CAREERBOT_OPS__SHUTDOWN_GRACE_SECONDS="3",
        )
        try:
            await emulator.wait_for_gateway_op(2, timeout=60)  # IDENTIFY: connected
            await emulator.__aexit__(None, None, None)  # Discord goes away
            await asyncio.sleep(3)  # the bot notices and waits to reconnect
        finally:
            elapsed, log = await _stop_and_time(process)
        assert process.returncode == 0 and elapsed < 3, (elapsed, log)
        assert "Traceback" not in log

    asyncio.run(asyncio.wait_for(main(), 90))
