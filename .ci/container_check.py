"""Check a built careerbot image for real, from the host (run from the project's virtualenv):

    python .ci/container_check.py IMAGE

1. The image: its process runs as uid 10001 with a writable HOME and HF_HOME, and torch is there
   exactly when the image was built with the `st` extra (its label `careerbot.extras`).
2. `careerbot ask` answers offline (no network at all) with a lead and cited passages.
3. The bot in a container (host network) connects to the Discord emulator run here, /healthz on
   the health port set in its environment turns the container healthy (its HEALTHCHECK), two
   members' `/ask` slash commands (English, Chinese) get answers citing their articles, PID 1 is
   careerbot running as uid 10001, and `docker stop` ends it cleanly (exit code 0) within
   STOP_SECONDS.
Exits non-zero with what went wrong (and the container's logs) when a check fails.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/ is not installed: run from the checkout

from discord_emulator import DiscordEmulator  # noqa: E402

from corpus.loader import SHIPPED_CORPUS_DIR, load_corpus  # noqa: E402
from tests.helpers import ask  # noqa: E402

USER_ID = 10001
STOP_SECONDS = 2.0  # what `docker stop` may take with no question in flight
HEALTHY_WITHIN = 120.0  # loading the model and the index, connecting: seconds, not minutes
QUESTION_ZH = "机器学习工程师要学哪些数学？"
QUESTION_EN = "Should I learn software engineering before machine learning?"

# Run inside the image as its own user: who it is, whether HOME and HF_HOME take a file, torch.
PROBE = """
import importlib.util, json, os, tempfile
def writable(variable):
    with tempfile.NamedTemporaryFile(dir=os.environ[variable]):
        return True
torch = importlib.util.find_spec("torch") is not None
cuda = __import__("torch").version.cuda if torch else None
print(json.dumps({"uid": os.getuid(), "home": writable("HOME"), "hf_home": writable("HF_HOME"),
                  "torch": torch, "cuda": cuda}))
"""


class CheckFailed(Exception):
    pass


def docker(*arguments: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["docker", *arguments], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise CheckFailed(f"docker {' '.join(arguments[:3])}… failed: {result.stderr.strip()}")
    return result


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def titles() -> dict[str, str | None]:
    """Every article title, in every language the corpus has it in, with the article's link
    (None for an article written for careerbot: it has no original to link to)."""
    corpus = load_corpus(SHIPPED_CORPUS_DIR)
    found = {}
    for article in corpus.articles:
        for title in [article.meta.title, *(t.meta.title for t in article.translations.values())]:
            url = article.meta.source_url
            found[title] = str(url) if url else None
    return found


def check_image(image: str) -> None:
    extras = docker("image", "inspect", "-f", '{{index .Config.Labels "careerbot.extras"}}', image)
    wants_torch = "st" in extras.stdout.strip().split(",")
    run = docker("run", "--rm", "--network", "none", "--entrypoint", "python", image, "-c", PROBE)
    probe = json.loads(run.stdout)
    expect(probe["uid"] == USER_ID, f"the image runs as uid {probe['uid']}, not {USER_ID}")
    expect(probe["home"] and probe["hf_home"], "HOME or HF_HOME is not writable")
    expect(probe["torch"] == wants_torch, f"torch installed: {probe['torch']}, extras {extras}")
    expect(probe["cuda"] is None, f"torch is a CUDA build ({probe['cuda']}), not the CPU one")
    print(f"image: uid {USER_ID}, HOME and HF_HOME writable, torch: {probe['torch']}")


def check_ask(image: str, known_titles: dict[str, str | None]) -> None:
    started = time.monotonic()
    # No network at all: the model and the index are in the image. Wide columns: no wrapped titles.
    run = docker(
        "run", "--rm", "--network", "none", "-e", "COLUMNS=200", image, "ask", QUESTION_ZH,
        check=False,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    expect(run.returncode == 0, f"careerbot ask exited {run.returncode}: {run.stderr[-2000:]}")
    expect("» " in run.stdout, f"careerbot ask printed no lead:\n{run.stdout}")
    cited = [t for t in known_titles if f"1. {t}" in run.stdout]
    expect(bool(cited), f"careerbot ask cited no article as passage 1:\n{run.stdout}")
    print(f"ask: answered in {elapsed:.1f} s (container start included), citing {cited[0]!r}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def wait_healthy(name: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < HEALTHY_WITHIN:
        state = json.loads((await asyncio.to_thread(docker, "inspect", name)).stdout)[0]["State"]
        expect(state["Running"], f"the bot stopped (exit code {state['ExitCode']})")
        if state.get("Health", {}).get("Status") == "healthy":
            return time.monotonic() - started
        await asyncio.sleep(0.5)
    raise CheckFailed(f"not healthy within {HEALTHY_WITHIN:.0f} s: {state.get('Health')}")


def check_pid_1(name: str) -> None:
    status = docker("exec", name, "cat", "/proc/1/status").stdout
    uids = next(line.split()[1:] for line in status.splitlines() if line.startswith("Uid:"))
    expect(uids == [str(USER_ID)] * 4, f"PID 1 runs with uids {uids}, not {USER_ID}")
    command = docker("exec", name, "cat", "/proc/1/cmdline").stdout.split("\0")
    # PID 1 itself must be the bot: `docker stop`'s SIGTERM goes to it, not to a shell.
    expect(any(Path(part).name == "careerbot" for part in command[:2]), f"PID 1 is {command}")


def check_answer(message: dict[str, Any], known_titles: dict[str, str | None]) -> str:
    """Every passage of the answer names its article and links to it when it has a link."""
    fields = [f for f in message["embeds"][0].get("fields", []) if re.match(r"\d+\. ", f["name"])]
    expect(bool(fields), f"the answer has no passages: {message}")
    cited = []
    for number, field in enumerate(fields, 1):
        title = next((t for t in known_titles if field["name"].startswith(f"{number}. {t}")), None)
        expect(title is not None, f"passage {number} cites no article: {field['name']!r}")
        url = known_titles[title]
        expect(url is None or f"]({url})" in field["value"], f"no link to {url} in {field}")
        cited.append(title)
    return cited[0]


async def check_bot(image: str, known_titles: dict[str, str | None]) -> None:
    name = f"careerbot-check-{uuid.uuid4().hex[:8]}"
    health_port = free_port()  # not the default: the health check must follow the setting
    async with DiscordEmulator() as emulator:
        with tempfile.TemporaryDirectory() as scratch:
            token = Path(scratch) / "discord_token"
            token.write_text(emulator.token, encoding="utf-8")
            token.chmod(0o644)  # read by uid 10001 through the bind mount
            try:
                await asyncio.to_thread(
                    docker, "run", "--detach", "--name", name, "--network", "host",
                    "--health-interval", "1s", "--health-start-period", "60s",
                    "--volume", f"{token}:/run/secrets/discord_token:ro",
                    "--env", "CAREERBOT_DISCORD__TOKEN_FILE=/run/secrets/discord_token",
                    "--env", f"CAREERBOT_DISCORD__API_BASE_URL={emulator.api_base_url}",
                    "--env", f"CAREERBOT_DISCORD__GATEWAY_URL={emulator.gateway_url}",
                    "--env", f"CAREERBOT_OPS__HEALTH_PORT={health_port}",
                    image,
                )  # fmt: skip
                healthy = await wait_healthy(name)
                expect(emulator.identify_count >= 1, "healthy without identifying to the gateway")
                # what the HEALTHCHECK saw: the bot's own /healthz, on the port it was given
                url = f"http://127.0.0.1:{health_port}/healthz"
                with urllib.request.urlopen(url, timeout=5) as response:
                    status = json.load(response)
                expect(status["gateway_connected"] and status["index_loaded"], f"{url}: {status}")
                print(f"bot: healthy {healthy:.1f} s after start (health port {health_port})")
                for number, question in enumerate((QUESTION_EN, QUESTION_ZH)):
                    # one member each: the per-member cooldown would refuse a second question
                    member = emulator.make_user(name=f"member{number}")
                    started = time.monotonic()
                    answer = await ask(emulator, question, user=member)
                    cited = check_answer(answer, known_titles)
                    took = time.monotonic() - started
                    print(f"bot: /ask answered in {took:.2f} s, citing {cited!r}")
                await asyncio.to_thread(check_pid_1, name)
                print(f"bot: PID 1 is careerbot, uid {USER_ID}")
                started = time.monotonic()
                stop = await asyncio.to_thread(docker, "stop", "--time", "10", name, check=False)
                stopped = time.monotonic() - started
                state = json.loads(docker("inspect", name).stdout)[0]["State"]
                expect(stop.returncode == 0, f"docker stop failed: {stop.stderr}")
                expect(state["ExitCode"] == 0, f"the bot exited {state['ExitCode']} on SIGTERM")
                expect(stopped <= STOP_SECONDS, f"docker stop took {stopped:.1f} s")
                print(f"bot: docker stop took {stopped:.2f} s, exit code 0")
            except Exception:
                logs = docker("logs", "--tail", "40", name, check=False)
                print(
                    f"--- the container's last logs:\n{logs.stdout}{logs.stderr}", file=sys.stderr
                )
                raise
            finally:
                docker("rm", "--force", "--volumes", name, check=False)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    image = sys.argv[1]
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress in CI logs
    started = time.monotonic()
    known_titles = titles()
    try:
        check_image(image)
        check_ask(image, known_titles)
        asyncio.run(asyncio.wait_for(check_bot(image, known_titles), HEALTHY_WITHIN + 120))
    except CheckFailed as failure:
        print(f"container check failed: {failure}", file=sys.stderr)
        return 1
    print(f"container checks passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
