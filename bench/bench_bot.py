"""The Discord bot under load, through the emulator. Prints figures; asserts nothing.

    python bench/bench_bot.py [--rounds 3] [--concurrent 50] [--bursts-only] [--max-batch N]
        [--data-dir DIR]

The real bot (discord.py, search worker, bundled embedder, shipped index) connects to the
project's Discord emulator on loopback. Measures:
- time from dispatching an `/ask` INTERACTION_CREATE to the REST call that delivers the answer
  (the interaction callback, or the followup after a deferral): median and p99, for one asker
  at a time and for bursts of N askers at once, every question distinct (no result is served
  from the worker's cache);
- time to the first response of any kind (Discord's 3 s deadline);
- for each burst, the time the worker takes to encode the same questions one by one, measured
  right after that burst (so load from other processes falls on both alike), and the burst's
  p99 over it: the median of that ratio over the bursts is the figure held to 1.0, the worst
  burst's is printed beside it;
- where a burst's time goes: the worker's batch encodes and searches (their methods timed on
  the served retriever), and the time from a question's search to its answer at the emulator
  (pins, rendering, the REST round trip; the answer journal writes behind the reply);
- the longest event-loop stall (a 10 ms ticker's lateness) during all of it;
- RSS of this process (bot with index loaded, plus the emulator) after the runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from discord_emulator import DiscordEmulator, RecordedRequest, running_client  # noqa: E402

from bot.config import DiscordSettings, GuildSettings, Settings  # noqa: E402
from bot.db.database import Database  # noqa: E402
from bot.discord.app import CareerBot, use_endpoints  # noqa: E402
from bot.services import reindex  # noqa: E402
from bot.services.worker import MAX_BATCH, SearchWorker  # noqa: E402
from corpus.loader import SHIPPED_CORPUS_DIR, load_corpus, load_questions  # noqa: E402
from index.query import normalize_question  # noqa: E402
from index.results import SearchResult  # noqa: E402
from index.retriever import Retriever  # noqa: E402

TARGETS = {
    "1 asker: answer median (ms)": 50.0,
    "burst: answer median (ms)": 50.0,
    "burst: answer p99 (ms)": 250.0,
    "longest event-loop stall (ms)": 100.0,
    "RSS after runs (MB)": 500.0,
    "burst: answer p99 / one-by-one encode": 1.0,
}


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class StallMeter:
    """Measures how late a 10 ms sleep wakes up: the event loop's longest stall."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            started = time.monotonic()
            await asyncio.sleep(0.01)
            self.longest = max(self.longest, time.monotonic() - started - 0.01)

    def __enter__(self) -> StallMeter:
        self._task = asyncio.create_task(self._tick())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


class WorkerProbe:
    """Times the served retriever's batch encodes and searches on the worker thread, and the
    answer journal's writes of questions and answer records (bench only: the instances'
    methods are wrapped, the bot is not changed), to tell where a burst's time goes."""

    def __init__(self, retriever: Retriever, database: Database) -> None:
        self.encodes: list[tuple[int, float, float]] = []  # (batch size, start, end)
        self.searches: dict[str, float] = {}  # question -> when its search ended
        self.search_seconds: list[float] = []
        self.record_seconds: list[float] = []  # each write of the answer journal
        self.record_rows: list[int] = []  # the rows it wrote
        encode, search = retriever.encode_queries, retriever.search
        record = database.record_log

        def timed_encode(texts: Sequence[str]) -> np.ndarray:
            started = time.monotonic()
            vectors = encode(texts)
            self.encodes.append((len(texts), started, time.monotonic()))
            return vectors

        def timed_search(question: str, *args: Any, **kwargs: Any) -> SearchResult:
            started = time.monotonic()
            result = search(question, *args, **kwargs)
            ended = time.monotonic()
            self.searches[question] = ended
            self.search_seconds.append(ended - started)
            return result

        async def timed_record(questions: Sequence[Any], answers: Sequence[Any]) -> None:
            started = time.monotonic()
            await record(questions, answers)
            self.record_seconds.append(time.monotonic() - started)
            self.record_rows.append(len(questions) + len(answers))

        retriever.encode_queries = timed_encode  # type: ignore[method-assign]
        retriever.search = timed_search  # type: ignore[method-assign]
        database.record_log = timed_record  # type: ignore[method-assign]

    def reset(self) -> None:
        self.encodes.clear()
        self.searches.clear()
        self.search_seconds.clear()
        self.record_seconds.clear()
        self.record_rows.clear()


@dataclass(frozen=True)
class Asked:
    """One `/ask` of a run: when it was dispatched, first answered in any way, and answered."""

    question: str
    sent: float
    first: float
    answer: float


def _is_answer(request: RecordedRequest) -> bool:
    if request.path.endswith("/callback"):
        return request.json.get("type") == 4
    return request.method == "POST"


async def ask_all(emulator: DiscordEmulator, questions: list[str]) -> list[Asked]:
    """Dispatch one `/ask` per question at once and wait for every answer.

    The times are those the emulator recorded when each request reached it; the requests are
    read once each as they come (polling), so that waiting costs the shared event loop next to
    nothing (`wait_for_request` rescans every request of the run at each new one: thousands
    per answer late in a run, time taken from the bot being measured)."""
    seen = len(emulator.requests)
    sent: dict[str, tuple[str, float]] = {}
    for number, question in enumerate(questions):
        user = emulator.make_user(name=f"asker{number}")
        started = time.monotonic()
        interaction = emulator.send_slash_command("ask", {"question": question}, user=user)
        sent[interaction["token"]] = (question, started)
    first: dict[str, float] = {}
    answered: dict[str, float] = {}
    deadline = time.monotonic() + 60.0
    while len(answered) < len(sent):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(sent) - len(answered)} of {len(sent)} questions unanswered")
        await asyncio.sleep(0.005)
        requests = emulator.requests[seen:]
        seen += len(requests)
        for request in requests:
            if request.injected_status:
                continue
            token = next((part for part in request.path.split("/") if part in sent), None)
            if token is None:
                continue
            first.setdefault(token, request.time)
            if _is_answer(request):
                answered.setdefault(token, request.time)
    return [
        Asked(question, started, first[token] - started, answered[token] - started)
        for token, (question, started) in sent.items()
    ]


def _summary(name: str, asked: list[Asked], figures: dict[str, float]) -> None:
    answers = [a.answer * 1000 for a in asked]
    figures[f"{name}: answer median (ms)"] = statistics.median(answers)
    figures[f"{name}: answer p99 (ms)"] = float(np.percentile(answers, 99))
    figures[f"{name}: answer max (ms)"] = max(answers)
    figures[f"{name}: first response max (ms)"] = max(a.first * 1000 for a in asked)


def _encode_one_by_one(questions: list[str]) -> Callable[[Retriever], float]:
    """A worker call that encodes `questions` one at a time and returns the total in ms."""

    def encode(retriever: Retriever) -> float:
        texts = [retriever.query_text(q) for q in questions]
        started = time.perf_counter()
        for text in texts:
            retriever.encode_queries([text])
        return (time.perf_counter() - started) * 1000

    return encode


@dataclass(frozen=True)
class Burst:
    """One burst: its answers, what the worker did meanwhile, and the bar it is held to."""

    asked: list[Asked]
    one_by_one_ms: float  # its questions encoded one by one, right after it
    encode_ms: float  # the worker's batch encodes during the burst
    batches: int
    search_ms: float  # the worker's searches (each after its batch's encode) during the burst
    after_search_ms: list[float]  # per question, search done -> answer at the emulator
    record_ms: list[float]  # each write of the answer journal (behind the replies)
    record_rows: list[int]  # the rows each wrote (a question, a delivered answer)
    cpu_ms: dict[str, float]  # CPU time of this process's threads during the burst
    encoder_idle_ms: float  # between its first and last encode, the encoder idled
    to_worker_ms: float  # from the first dispatch to the worker's first encode

    @property
    def p99_ms(self) -> float:
        return float(np.percentile([a.answer * 1000 for a in self.asked], 99))


def _thread_cpu() -> dict[str, float]:
    """CPU seconds so far of the event loop (this thread), of each of the search worker's
    threads, and of the whole process (the rest: the encoder's helper threads, the database's,
    the emulator's gateway writes)."""
    figures = {"event loop": time.thread_time()}
    for thread in threading.enumerate():
        if thread.name.startswith("careerbot-") and thread.ident is not None:
            name = f"{thread.name.rsplit('_', 1)[0]} thread"
            figures[name] = time.clock_gettime(time.pthread_getcpuclockid(thread.ident))
    figures["process"] = time.process_time()
    return figures


async def _burst(
    bot: CareerBot, emulator: DiscordEmulator, probe: WorkerProbe, questions: list[str]
) -> Burst:
    bot.worker.forget_results()
    probe.reset()
    cpu_before = _thread_cpu()
    asked = await ask_all(emulator, questions)
    cpu = {
        name: (value - cpu_before.get(name, 0.0)) * 1000 for name, value in _thread_cpu().items()
    }
    cpu["other threads"] = cpu.pop("process") - sum(cpu.values())
    encode_ms = sum(end - start for _, start, end in probe.encodes) * 1000
    batches = len(probe.encodes)
    search_ms = sum(probe.search_seconds) * 1000
    first_encode = min(start for _, start, _ in probe.encodes)
    span_ms = (max(end for _, _, end in probe.encodes) - first_encode) * 1000
    limit = bot.settings.discord.max_question_chars
    searched = [probe.searches[normalize_question(a.question, limit)] for a in asked]
    after = [(a.sent + a.answer - done) * 1000 for a, done in zip(asked, searched, strict=True)]
    # measured right after the burst, on the same thread: the same load falls on both
    one_by_one = await bot.worker.call(_encode_one_by_one(questions))
    records = [seconds * 1000 for seconds in probe.record_seconds]
    rows = list(probe.record_rows)
    idle = span_ms - encode_ms
    to_worker = (first_encode - min(a.sent for a in asked)) * 1000
    return Burst(
        asked, one_by_one, encode_ms, batches, search_ms, after, records, rows, cpu, idle, to_worker
    )


async def run(options: argparse.Namespace, data_dir: Path) -> dict[str, float]:
    corpus = load_corpus()
    questions = [
        q.question for q in load_questions(SHIPPED_CORPUS_DIR / "eval" / "questions.yaml", corpus)
    ]
    settings = Settings(
        data_dir=data_dir,
        discord=DiscordSettings(default_guild=GuildSettings(cooldown_seconds=0)),
    )
    figures: dict[str, float] = {}
    async with DiscordEmulator() as emulator:
        use_endpoints(emulator.api_base_url, emulator.gateway_url)
        worker = SearchWorker(
            lambda: reindex.open_retriever(settings),
            settings.discord.max_pending,
            max_batch=options.max_batch,
        )
        bot = CareerBot(settings, guild_ready_timeout=0.05, worker=worker)
        async with running_client(bot, emulator, timeout=60):
            figures["RSS with the bot ready (MB)"] = _rss_mb()
            # warm-up with questions that are not measured
            await ask_all(emulator, ["what is MLOps?", "需要学Docker吗？"])
            probe = WorkerProbe(bot.worker.retriever, bot.curation.database)
            with StallMeter() as stalls:
                alone: list[Asked] = []
                for _ in range(0 if options.bursts_only else options.rounds):
                    for question in questions:
                        bot.worker.forget_results()
                        alone += await ask_all(emulator, [question])
                if alone:
                    _summary("1 asker", alone, figures)
                bursts: list[Burst] = []
                for _ in range(options.rounds):
                    for start in range(0, len(questions), options.concurrent):
                        batch = questions[start : start + options.concurrent]
                        if len(batch) == options.concurrent:
                            bursts.append(await _burst(bot, emulator, probe, batch))
            _summary("burst", [a for b in bursts for a in b.asked], figures)
            figures["longest event-loop stall (ms)"] = stalls.longest * 1000
            ratios = [b.p99_ms / b.one_by_one_ms for b in bursts]
            figures |= {
                "burst: its questions encoded one by one (ms)": statistics.median(
                    b.one_by_one_ms for b in bursts
                ),
                "burst: answer p99 / one-by-one encode": statistics.median(ratios),
                "burst: ... the worst burst's": max(ratios),
                "burst: worker's batch encodes (ms)": statistics.median(
                    b.encode_ms for b in bursts
                ),
                "burst: batches per burst": statistics.median(b.batches for b in bursts),
                "burst: worker's searches (ms)": statistics.median(b.search_ms for b in bursts),
                "burst: first dispatch -> first encode (ms)": statistics.median(
                    b.to_worker_ms for b in bursts
                ),
                "burst: encoder idle between its encodes (ms)": statistics.median(
                    b.encoder_idle_ms for b in bursts
                ),
                "burst: search done -> answer, median (ms)": statistics.median(
                    x for b in bursts for x in b.after_search_ms
                ),
                "burst: search done -> answer, p99 (ms)": float(
                    np.percentile([x for b in bursts for x in b.after_search_ms], 99)
                ),
                "burst: answer-journal writes per burst": statistics.median(
                    len(b.record_ms) for b in bursts
                ),
                "burst: rows per journal write, median": statistics.median(
                    x for b in bursts for x in b.record_rows
                ),
                "burst: journal write, median (ms)": statistics.median(
                    x for b in bursts for x in b.record_ms
                ),
                **{
                    f"burst: CPU of the {name} (ms)": statistics.median(
                        b.cpu_ms[name] for b in bursts
                    )
                    for name in bursts[0].cpu_ms
                },
                "RSS after runs (MB)": _rss_mb(),
                "bursts measured": len(bursts),
            }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the question set")
    parser.add_argument("--concurrent", type=int, default=50, help="askers in one burst")
    parser.add_argument("--bursts-only", action="store_true", help="skip the one-asker runs")
    parser.add_argument(
        "--max-batch", type=int, default=MAX_BATCH, help="questions a worker batch holds at most"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="reuse the index (and question log) of this directory; default: a new temporary one",
    )
    options = parser.parse_args()

    data_dir = options.data_dir or Path(tempfile.mkdtemp(prefix="careerbot-bench-bot-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    config = data_dir / "careerbot.yaml"
    config.write_text(f"data_dir: {data_dir}\n", encoding="utf-8")
    # Built in another process: the model's OpenMP threads, once started from this main thread,
    # would compete with the worker thread's and slow every search by about half.
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", str(config), "index", "build"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    figures = asyncio.run(run(options, data_dir))
    print(f"\n{os.cpu_count()} cores, bursts of {options.concurrent} distinct questions")
    for name, value in figures.items():
        target = TARGETS.get(name.replace(f"burst of {options.concurrent}", "burst"))
        verdict = ""
        if target is not None:
            verdict = f"  (target ≤ {target:g}: {'ok' if value <= target else 'MISSED'})"
        print(f"{name:46s} {value:9.2f}{verdict}")


if __name__ == "__main__":
    main()
