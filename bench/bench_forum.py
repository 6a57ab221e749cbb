"""Help forums: what listing a server's similar posts adds to an answer, at the sizes a help
forum reaches, and how fast a new post is answered against `/ask`. Prints figures; asserts
nothing.

    python bench/bench_forum.py [--posts 1000 10000 50000] [--queries 200] [--bot]

With `--bot`, the real bot (shipped index, bundled embedder) answers, through the project's
Discord emulator, each question of the shipped set once as a new forum post and once as `/ask`,
alternating, one at a time: the time from the dispatched event (THREAD_CREATE and the starter's
MESSAGE_CREATE, or INTERACTION_CREATE) to the REST call that delivers the answer.

The post vectors are the bundled embedder's vectors of the shipped question set (corpus/eval)
perturbed with Gaussian noise and normalised, so that they are spread like real questions; the
queries are the real question vectors. Per size: the median and p99 of `Forum.similar` (the
dot product over one server's posts, thresholds, solved-first order, top 3) and the time to
add one post to an index of that size.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from discord_emulator import DiscordEmulator, running_client  # noqa: E402

from bot.config import DiscordSettings, ForumSettings, GuildSettings, Settings  # noqa: E402
from bot.discord.app import CareerBot, use_endpoints  # noqa: E402
from bot.services.forum import SimilarPostIndex  # noqa: E402
from corpus.loader import SHIPPED_CORPUS_DIR, load_corpus, load_questions  # noqa: E402
from index.embedders import EmbedderConfig, make_embedder  # noqa: E402
from index.query import detect_language, matching_form, normalize_question  # noqa: E402


async def _post_and_ask(data_dir: Path, questions: list[str]) -> tuple[list[float], list[float]]:
    """Milliseconds to the answer of each question as a forum post and as `/ask`."""
    async with DiscordEmulator() as emulator:
        forum = emulator.add_forum_channel("career-advice")
        guild = GuildSettings(cooldown_seconds=0, forum_channels=[forum], reply_when_unsure=True)
        settings = Settings(data_dir=data_dir, discord=DiscordSettings(default_guild=guild))
        use_endpoints(emulator.api_base_url, emulator.gateway_url)
        bot = CareerBot(settings, guild_ready_timeout=0.05)
        posts: list[float] = []
        asks: list[float] = []
        async with running_client(bot, emulator, timeout=60):
            for number, question in enumerate(questions):
                bot.worker.forget_results()
                started = time.monotonic()
                post = emulator.member_create_post(forum, f"Post {number}", question)
                path = f"/channels/{post['id']}/messages"
                answer = await emulator.wait_for_request(
                    lambda r, path=path: r.method == "POST" and r.path.endswith(path), 60.0
                )
                posts.append((answer.time - started) * 1000)
                bot.worker.forget_results()
                started = time.monotonic()
                interaction = emulator.send_slash_command("ask", {"question": question})
                token = interaction["token"]
                answer = await emulator.wait_for_request(
                    lambda r, token=token: (
                        token in r.path
                        and (r.json or {}).get("type") in (4, None)
                        and r.method == "POST"
                    ),
                    60.0,
                )
                asks.append((answer.time - started) * 1000)
        return posts, asks


def _bot_figures() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="careerbot-bench-forum-"))
    config = data_dir / "careerbot.yaml"
    config.write_text(f"data_dir: {data_dir}\n", encoding="utf-8")
    # built in another process: the model's threads would compete with the worker's
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", str(config), "index", "build"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    path = SHIPPED_CORPUS_DIR / "eval" / "questions.yaml"
    questions = [q.question for q in load_questions(path, load_corpus())]
    posts, asks = asyncio.run(_post_and_ask(data_dir, questions))
    print(f"{len(questions)} questions, each as a new forum post and as /ask, alternating")
    for name, timings in (("forum post", posts), ("/ask", asks)):
        p99 = float(np.percentile(timings, 99))
        print(f"{name:>11}: answer median {statistics.median(timings):.1f} ms, p99 {p99:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--bot", action="store_true", help="also time forum posts against /ask")
    args = parser.parse_args()

    embedder = make_embedder(EmbedderConfig())
    path = SHIPPED_CORPUS_DIR / "eval" / "questions.yaml"
    questions = [q.question for q in load_questions(path, load_corpus())]
    vectors = embedder.embed_queries([matching_form(normalize_question(q)) for q in questions])
    languages = [detect_language(q) for q in questions]
    settings = ForumSettings()
    rng = np.random.default_rng(0)
    print(f"{len(questions)} real question vectors, dimension {embedder.dim}")
    print(f"{'posts':>8} {'similar median':>15} {'similar p99':>12} {'add one':>9}")
    for size in args.posts:
        index = SimilarPostIndex(embedder.dim)
        bases = rng.integers(0, len(questions), size)
        noisy = vectors[bases] + rng.normal(0, 0.02, (size, embedder.dim)).astype(np.float32)
        for number, (base, vector) in enumerate(zip(bases, noisy, strict=True)):
            index.put(1, number, f"post {number}", languages[base], number % 3 == 0, vector)
        timings = []
        for number in range(args.queries):
            query = vectors[number % len(questions)]
            language = languages[number % len(questions)]
            started = time.perf_counter()
            index.similar(
                1,
                query,
                language,
                settings.similar_threshold_same_language,
                settings.similar_threshold_cross_language,
                settings.max_similar,
            )
            timings.append(time.perf_counter() - started)
        started = time.perf_counter()
        index.put(1, size + 1, "new post", "en", False, vectors[0])
        add = time.perf_counter() - started
        p99 = sorted(timings)[int(0.99 * (len(timings) - 1))]
        print(
            f"{size:>8} {statistics.median(timings) * 1000:>12.3f} ms"
            f" {p99 * 1000:>9.3f} ms {add * 1000:>6.2f} ms"
        )
    if args.bot:
        _bot_figures()


if __name__ == "__main__":
    main()
