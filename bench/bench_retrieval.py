"""Speed and memory of the retrieval core on the shipped corpus. Prints figures; asserts nothing.

    python bench/bench_retrieval.py [--rounds 5] [--data-dir DIR]

Measures, with the configured (default: bundled) embedder:
- warm `Retriever.search` latency over the shipped questions: median and p95 end to end, the
  embedder's own query encode, and the time beyond the encode;
- cold `careerbot ask` in a new process (index already built): wall time and peak RSS;
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
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpus.loader import SHIPPED_CORPUS_DIR, load_corpus, load_questions  # noqa: E402
from index.build import build_index  # noqa: E402
from index.embedders import Embedder, EmbedderConfig, make_embedder  # noqa: E402
from index.retriever import Retriever  # noqa: E402

TARGETS = {
    "search median (ms)": 25.0,
    "search beyond encode median (ms)": 3.0,
    "cold ask (s)": 1.5,
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


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def _careerbot(args: list[str], config: Path) -> tuple[float, float]:
    """Run the CLI in a new process; (wall seconds, peak RSS in MB of that process)."""
    command = [sys.executable, "-m", "bot.cli", "--config", str(config), *args]
    started = time.perf_counter()
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far: measure each run via /proc-free
    # wait4, which reports the resources of exactly the child it waited for.
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed: {process.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="passes over the question set")
    parser.add_argument("--data-dir", type=Path, default=None, help="default: a temporary dir")
    options = parser.parse_args()

    data_dir = options.data_dir or Path(tempfile.mkdtemp(prefix="careerbot-bench-"))
    config = data_dir / "careerbot.yaml"
    data_dir.mkdir(parents=True, exist_ok=True)
    config.write_text(f"data_dir: {data_dir / 'data'}\n", encoding="utf-8")
    index_root = data_dir / "data" / "index"

    corpus = load_corpus()
    embedder_config = EmbedderConfig()
    embedder = TimedEmbedder(make_embedder(embedder_config))
    started = time.perf_counter()
    report = build_index(corpus, embedder_config, index_root, embedder=embedder.inner)
    print(
        f"index: {report.manifest.passage_count} passages, {report.manifest.resource_count} "
        f"resources, {report.embedded} embedded, built in {time.perf_counter() - started:.1f}s"
    )

    retriever = Retriever.open(index_root, embedder)
    questions = [
        q.question for q in load_questions(SHIPPED_CORPUS_DIR / "eval" / "questions.yaml", corpus)
    ]
    for question in questions[:5]:  # warm-up: first calls touch cold caches
        retriever.search(question)
    embedder.query_seconds.clear()
    totals: list[float] = []
    for _ in range(options.rounds):
        for question in questions:
            started = time.perf_counter()
            retriever.search(question)
            totals.append(time.perf_counter() - started)
    encodes = embedder.query_seconds
    beyond = [total - encode for total, encode in zip(totals, encodes, strict=True)]

    cold_times, cold_rss = [], []
    for question in (
        "机器学习工程师要学哪些数学？",
        "should I learn software engineering first?",
        "which deep learning course?",
    ):
        seconds, rss = _careerbot(["ask", question], config)
        cold_times.append(seconds)
        cold_rss.append(rss)
    rebuild_times = [_careerbot(["index", "build"], config)[0] for _ in range(3)]
    started = time.perf_counter()
    forced = build_index(corpus, embedder_config, index_root, force=True)
    forced_seconds = time.perf_counter() - started

    figures = {
        "search median (ms)": statistics.median(totals) * 1000,
        "search p95 (ms)": _percentile(totals, 95) * 1000,
        "encode median (ms)": statistics.median(encodes) * 1000,
        "search beyond encode median (ms)": statistics.median(beyond) * 1000,
        "search beyond encode p95 (ms)": _percentile(beyond, 95) * 1000,
        "cold ask (s)": statistics.median(cold_times),
        "ask peak RSS (MB)": max(cold_rss),
        "rebuild unchanged (s)": statistics.median(rebuild_times),
        "forced rebuild from cache, in process (s)": forced_seconds,
    }
    print(f"\n{len(totals)} searches over {len(questions)} questions, {os.cpu_count()} cores")
    for name, value in figures.items():
        target = TARGETS.get(name)
        verdict = ""
        if target is not None:
            verdict = f"  (target ≤ {target:g}: {'ok' if value <= target else 'MISSED'})"
        print(f"{name:45s} {value:9.2f}{verdict}")
    print(f"forced rebuild embedded {forced.embedded} texts, reused {forced.reused}")
    print(
        f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
