"""Similar-thread lookup: what listing a server's similar posts adds to an answer, at the sizes a
help forum reaches. Prints figures; asserts nothing.

    python bench/bench_forum.py [--posts 1000 10000 50000] [--queries 200]

The post vectors are the bundled embedder's vectors of the shipped question set (corpus/eval)
perturbed with Gaussian noise and normalised, so that they are spread like real questions; the
queries are the real question vectors. Per size: the median and p99 of `Forum.similar` (the
dot product over one server's posts, thresholds, solved-first order, top 3) and the time to
add one post to an index of that size.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import ForumSettings
from bot.forum import SimilarPostIndex
from corpus.loader import SHIPPED_CORPUS_DIR, load_corpus, load_questions
from index.embedders import EmbedderConfig, make_embedder
from index.query import detect_language, matching_form, normalize_question


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--queries", type=int, default=200)
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


if __name__ == "__main__":
    main()
