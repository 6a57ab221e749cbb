"""Corpus growth: build and query cost of synthetic corpora of 10k-1M passages. Prints figures;
asserts nothing.

    python bench/bench_scale.py [--sizes 10000 100000 1000000] [--rounds 3] [--data-dir DIR]

Per size, in fresh processes (so memory figures belong to one size): build time, size on disk
and peak RSS of the vector index (`index.ann.build_vector_index`, default `VectorIndexConfig`)
and of the BM25 index; RSS after loading everything the retriever needs; single-query latency
(median/p95) of exact search and of the configured index (k = candidate_pool = 100), recall@10 of
the configured index against exact search; latency of the full retrieval path beyond the encode
(`Retriever.search` with an embedder that returns precomputed vectors) with a breakdown of
where its time goes.
On 2 cores: setup (encoding the shipped corpus) ~30 s, 10k ~20 s, 100k ~1.5 min, 1M ~12 min.

Why these synthetic corpora. Encoding 1M passages is out of reach here, so the vectors are drawn
around the real ones: the bundled embedder's vectors of the shipped passages, sentences and
resources (470) are the bases; a synthetic vector is mean + (1-w)(base_i - mean) + w(base_j -
mean) + noise, w ~ U(0, 0.5), the noise Gaussian with the real vectors' own covariance (so the
anisotropic spectrum of multilingual-e5 is kept: isotropic Gaussians would make the search
problem both easier to cluster and unrealistically uniform), scaled by 0.5 so that the mean
pairwise cosine of synthetic vectors (0.88) matches the real one (0.88-0.90), then normalised.
Queries: the shipped questions (corpus/eval/questions.yaml) encoded once with the bundled
embedder, the workload that matters (questions sit farther from passages than passages from each
other; approximate search loses most there), plus held-out synthetic vectors from the same
generator. Passage texts follow their base: the heading line of the base's passage and sentences
of that passage (one of the partner's when w > 0.25), to the length of a real passage, with 5% of
the Chinese characters replaced by characters drawn from the corpus's own character frequencies,
so the vocabulary keeps growing with the corpus as real text does (without it every bigram would
be one of the shipped corpus's few thousand and posting lists would be unrealistically long).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpus.chunk import split_sentences  # noqa: E402
from index.ann import VectorIndexConfig, build_vector_index, describe_vector_index  # noqa: E402
from index.lexical import TOKENIZER_ID, LexicalIndex, tokenize  # noqa: E402

NOISE_SCALE = 0.5  # mean pairwise cosine of synthetic vectors 0.88, as the real ones (0.88-0.90)
MAX_MIX = 0.5  # share of the partner base in a synthetic vector, uniform in [0, MAX_MIX]
MUTATION_RATE = 0.05  # share of Chinese characters replaced, so vocabulary grows with size
SYNTHETIC_QUERIES = 200
RECALL_AT = 10
TARGET_MS = 20.0  # issue: query latency at 1M passages beyond the encode

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


# ----------------------------------------------------------------------------- process helpers


def _status_mb(field: str) -> float:
    """A memory field of /proc/self/status (VmRSS: now, VmHWM: peak) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    """Reset VmHWM to the current RSS (Linux >= 4.0), so a stage's own peak can be read."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _dir_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def _ms(seconds: Sequence[float]) -> dict[str, float]:
    return {
        "median": statistics.median(seconds) * 1000,
        "p95": float(np.percentile(seconds, 95)) * 1000,
    }


def _timed(fn: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - started


# ----------------------------------------------------------------------------- the shipped base


def prepare_shipped(workdir: Path, data_dir: Path) -> None:
    """Index the shipped corpus with the bundled embedder and keep what the generator needs:
    the real vectors (bases), the sentences and headings they stand for, the questions' vectors,
    the resources and glossary. The only step that loads the model."""
    from corpus.loader import SHIPPED_CORPUS_DIR, load_corpus, load_questions
    from index.build import build_index
    from index.embedders import EmbedderConfig, make_embedder
    from index.records import PassageRecord, record_data, write_records
    from index.store import load_index

    corpus = load_corpus()
    embedder = make_embedder(EmbedderConfig())
    index_root = data_dir / "index"
    build_index(corpus, EmbedderConfig(), index_root, embedder=embedder)
    loaded = load_index(index_root, embedder.id)
    passage_vectors = loaded.passage_index.reconstruct_n(0, loaded.passage_index.ntotal)
    resource_vectors = loaded.resource_index.reconstruct_n(0, loaded.resource_index.ntotal)

    def context(record: PassageRecord) -> str:  # as Passage.embedding_text
        return " > ".join(record.heading_path) or record.title

    def unit_text(unit: int) -> str:  # a search unit: a passage in one of its languages
        position, language = loaded.units[unit]
        return loaded.passages[position].text_in(language)

    sentences_of: dict[int, list[str]] = {}
    for unit, start, end in loaded.sentence_spans:
        sentences_of.setdefault(unit, []).append(unit_text(unit)[start:end])
    pools, headings, records = [], [], []
    templates = record_data(loaded.passages)  # the synthetic passages copy their base's fields
    for unit, (position, _) in enumerate(loaded.units):  # bases 0..U-1: search units
        pools.append(sentences_of.get(unit, [unit_text(unit)]))
        headings.append(context(loaded.passages[position]))
        records.append(templates[position])
    for unit, _, _ in loaded.sentence_spans:  # then one base per sentence
        position = loaded.units[unit][0]
        pools.append(sentences_of[unit])
        headings.append(context(loaded.passages[position]))
        records.append(templates[position])
    resource_texts = [r.embedding_text() for r in corpus.resources]
    for item, text in zip(loaded.resources, resource_texts, strict=True):  # then resources
        pools.append([text[a:b] for a, b in split_sentences(text)] or [text])
        headings.append(item.name)
        records.append(
            {
                "id": item.id,
                "article_id": next(iter(item.mentioned_in), item.id),
                "title": item.name,
                "url": item.url,
                "heading_path": [],
                "text": text,
                "start": 0,
                "end": len(text),
            }
        )
    bases = np.vstack([passage_vectors, loaded.sentence_vectors, resource_vectors])
    questions = load_questions(SHIPPED_CORPUS_DIR / "eval" / "questions.yaml", corpus)
    question_vectors = embedder.embed_queries([q.question for q in questions])
    np.savez(
        workdir / "shipped.npz",
        bases=bases.astype(np.float32),
        questions=question_vectors.astype(np.float32),
        resources=resource_vectors.astype(np.float32),
    )
    shipped = {
        "pools": pools,
        "headings": headings,
        "records": records,
        "lengths": [len(p.text) for p in loaded.passages],
        "questions": [q.question for q in questions],
        "resource_texts": resource_texts,
        "glossary": loaded.glossary,
    }
    (workdir / "shipped.json").write_text(json.dumps(shipped, ensure_ascii=False), "utf-8")
    write_records(workdir / "resources.json", loaded.resources)


def _load_shipped(workdir: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    arrays = np.load(workdir / "shipped.npz")
    return {k: arrays[k] for k in arrays.files}, json.loads(
        (workdir / "shipped.json").read_text("utf-8")
    )


# ----------------------------------------------------------------------------- synthetic corpus


class VectorGenerator:
    """Vectors around the real ones: see the module docstring."""

    def __init__(self, bases: np.ndarray):
        self.bases = bases
        self.mean = bases.mean(axis=0)
        self.centred = bases - self.mean
        # noise = g @ (s / sqrt(m)) Vt with g ~ N(0, I) has the covariance of the centred bases
        _, singular, vt = np.linalg.svd(self.centred, full_matrices=False)
        self.noise_basis = (singular[:, None] / math.sqrt(len(bases)) * vt).astype(np.float32)

    def generate(
        self, n: int, seed: int, chunk: int = 50_000
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(vectors, base, partner, partner weight) for n synthetic passages."""
        rng = np.random.default_rng(seed)
        dim = self.bases.shape[1]
        vectors = np.empty((n, dim), dtype=np.float32)
        base = rng.integers(0, len(self.bases), n)
        partner = rng.integers(0, len(self.bases), n)
        weight = rng.uniform(0, MAX_MIX, n).astype(np.float32)
        for start in range(0, n, chunk):
            rows = slice(start, min(n, start + chunk))
            w = weight[rows, None]
            gauss = rng.standard_normal((w.shape[0], len(self.noise_basis)), dtype=np.float32)
            z = (
                self.mean
                + (1 - w) * self.centred[base[rows]]
                + w * self.centred[partner[rows]]
                + NOISE_SCALE * (gauss @ self.noise_basis)
            )
            vectors[rows] = z / np.linalg.norm(z, axis=1, keepdims=True)
        return vectors, base, partner, weight


class TextGenerator:
    """Passage texts following their vector's bases: see the module docstring."""

    def __init__(self, shipped: dict[str, Any]):
        self.pools: list[list[str]] = shipped["pools"]
        self.headings: list[str] = shipped["headings"]
        self.records: list[dict[str, Any]] = shipped["records"]
        self.lengths: list[int] = shipped["lengths"]
        counts: dict[str, int] = {}
        for pool in self.pools[: len(self.lengths)]:  # the passages' own sentences
            for sentence in pool:
                for ch in _CJK.findall(sentence):
                    counts[ch] = counts.get(ch, 0) + 1
        self.chars = np.array([ord(c) for c in counts], dtype=np.uint32)
        freq = np.array(list(counts.values()), dtype=np.float64)
        self.char_p = freq / freq.sum()

    def _mutate(self, texts: list[str], rng: np.random.Generator) -> list[str]:
        """Replace MUTATION_RATE of the CJK characters of `texts` (one numpy pass per batch)."""
        joined = "\x00".join(texts)
        points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).copy()
        cjk = ((points >= 0x3400) & (points <= 0x9FFF)) | ((points >= 0xF900) & (points <= 0xFAFF))
        chosen = np.flatnonzero(cjk & (rng.random(points.shape[0]) < MUTATION_RATE))
        points[chosen] = rng.choice(self.chars, size=chosen.size, p=self.char_p)
        return points.tobytes().decode("utf-32-le").split("\x00")

    def generate(
        self,
        base: np.ndarray,
        partner: np.ndarray,
        weight: np.ndarray,
        seed: int,
        chunk: int = 20_000,
    ) -> tuple[list[dict[str, Any]], list[str]]:
        """(passage records, BM25 texts) for the synthetic passages."""
        rand = random.Random(seed)
        rng = np.random.default_rng(seed)
        records: list[dict[str, Any]] = []
        lexical_texts: list[str] = []
        for start in range(0, len(base), chunk):
            texts = []
            for i in range(start, min(len(base), start + chunk)):
                pool = self.pools[base[i]]
                target = rand.choice(self.lengths)
                parts: list[str] = []
                size = 0
                while size < target:
                    sentence = rand.choice(pool)
                    parts.append(sentence)
                    size += len(sentence)
                if weight[i] > MAX_MIX / 2:
                    parts[-1] = rand.choice(self.pools[partner[i]])
                texts.append("".join(parts))
            for offset, text in enumerate(self._mutate(texts, rng)):
                i = start + offset
                template = self.records[base[i]]
                records.append(
                    {
                        "id": f"syn-{i:07d}",
                        "article_id": template["article_id"],
                        "title": template["title"],
                        "url": template["url"],
                        "heading_path": template["heading_path"],
                        "text": text,
                        "start": 0,
                        "end": len(text),
                        "language": "zh",
                        "translations": [],
                    }
                )
                lexical_texts.append(f"{self.headings[base[i]]}\n{text}")
        return records, lexical_texts


# ----------------------------------------------------------------------------- build stage


def build_stage(size: int, workdir: Path, seed: int) -> dict[str, Any]:
    """Generate a corpus of `size` passages, build and write its indexes; return the figures."""
    import faiss

    out: dict[str, Any] = {"size": size}
    arrays, shipped = _load_shipped(workdir)
    target = workdir / f"n{size}"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)

    generator = VectorGenerator(arrays["bases"])
    (vectors, base, partner, weight), seconds = _timed(generator.generate, size, seed)
    out["generate vectors s"] = seconds
    held_out, _, _, _ = generator.generate(SYNTHETIC_QUERIES, seed + 1)
    queries = np.vstack([arrays["questions"], held_out]).astype(np.float32)
    np.save(target / "queries.npy", queries)

    # exact reference: ground truth for recall and the latency exact search would have
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    _, truth = flat.search(queries, RECALL_AT)
    np.save(target / "truth.npy", truth)
    exact_times = [_timed(flat.search, q.reshape(1, -1), 100)[1] for q in arrays["questions"]]
    out["exact search ms"] = _ms(exact_times)
    del flat

    config = VectorIndexConfig()
    _reset_peak()
    rss_before = _status_mb("VmRSS")
    index, seconds = _timed(build_vector_index, vectors, config)
    out["vector build s"] = seconds
    out["vector build peak extra MB"] = _status_mb("VmHWM") - rss_before
    out["vector index"] = describe_vector_index(index)
    faiss.write_index(index, str(target / "passages.faiss"))
    out["vector index MB"] = _dir_mb(target / "passages.faiss")
    del index, vectors

    texts = TextGenerator(shipped)
    (records, lexical_texts), seconds = _timed(texts.generate, base, partner, weight, seed)
    out["generate texts s"] = seconds
    # as the store writes passages.json
    (target / "passages.json").write_text(
        json.dumps(records, ensure_ascii=False, indent=1), "utf-8"
    )
    out["passages.json MB"] = _dir_mb(target / "passages.json")
    del records

    _reset_peak()
    rss_before = _status_mb("VmRSS")
    lexical, seconds = _timed(LexicalIndex.build, lexical_texts)
    out["lexical build s"] = seconds
    out["lexical build peak extra MB"] = _status_mb("VmHWM") - rss_before
    out["lexical vocabulary"] = lexical.vocabulary_size
    lexical.save(target / "lexical-passages")
    out["lexical index MB"] = _dir_mb(target / "lexical-passages")
    return out


# ----------------------------------------------------------------------------- serve stage


class PrecomputedEmbedder:
    """Returns the vector set in `next` for any question: the measured time excludes encoding."""

    def __init__(self, dim: int):
        self._dim = dim
        self.next: np.ndarray | None = None

    @property
    def id(self) -> str:
        return "bench:precomputed"

    @property
    def dim(self) -> int:
        return self._dim

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        assert self.next is not None
        return self.next.reshape(1, -1)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError("the bench never embeds passages")


def serve_stage(size: int, workdir: Path, rounds: int) -> dict[str, Any]:
    """Load the indexes of `size` as the bot would and measure the query path."""
    import faiss

    from index.ann import prepare_for_search
    from index.manifest import FORMAT_VERSION, Manifest
    from index.records import PassageRecord, ResourceRecord, read_records
    from index.retriever import Retriever
    from index.search_config import RetrieverConfig
    from index.store import LoadedIndex

    out: dict[str, Any] = {"size": size}
    arrays, shipped = _load_shipped(workdir)
    target = workdir / f"n{size}"
    queries = np.load(target / "queries.npy")
    truth = np.load(target / "truth.npy")
    n_real = len(shipped["questions"])
    config = VectorIndexConfig()
    resource_vectors = arrays["resources"]
    dim = queries.shape[1]
    del arrays

    rss_start = _status_mb("VmRSS")
    started = time.perf_counter()
    passage_index = faiss.read_index(str(target / "passages.faiss"))
    prepare_for_search(passage_index, config)
    out["vector index loaded"] = describe_vector_index(passage_index)
    rss_vectors = _status_mb("VmRSS")
    passages = read_records(target / "passages.json", PassageRecord)
    rss_records = _status_mb("VmRSS")
    passage_lexical = LexicalIndex.load(target / "lexical-passages", len(passages))
    rss_lexical = _status_mb("VmRSS")
    resources = read_records(workdir / "resources.json", ResourceRecord)
    resource_index = faiss.IndexFlatIP(dim)
    resource_index.add(resource_vectors)
    loaded = LoadedIndex(
        directory=target,
        manifest=Manifest(
            format_version=FORMAT_VERSION,
            embedder_id="bench:precomputed",
            dim=dim,
            corpus_hash="synthetic",
            passage_count=len(passages),
            resource_count=len(resources),
            built_at="",
            build_seconds=0.0,
            tokenizer=TOKENIZER_ID,
            files={},
        ),
        passages=passages,
        resources=resources,
        glossary=[(list(en), list(zh)) for en, zh in shipped["glossary"]],
        passage_index=passage_index,
        resource_index=resource_index,
        passage_lexical=passage_lexical,
        resource_lexical=LexicalIndex.build(shipped["resource_texts"]),
        sentence_vectors=np.zeros((0, dim), dtype=np.float32),
        sentence_spans=[],
        units=[(position, "zh") for position in range(len(passages))],
    )
    embedder = PrecomputedEmbedder(dim)
    retriever = Retriever(loaded, embedder, RetrieverConfig())
    out["load s"] = time.perf_counter() - started
    out["RSS after load MB"] = _status_mb("VmRSS")
    out["RSS of vector index MB"] = rss_vectors - rss_start
    out["RSS of passage records MB"] = rss_records - rss_vectors
    out["RSS of BM25 index MB"] = rss_lexical - rss_records

    # (a) the vector index alone, k = candidate_pool
    pool = retriever.config.candidate_pool
    found, times = [], []
    for query in queries:
        (_, ids), seconds = _timed(passage_index.search, query.reshape(1, -1), pool)
        found.append(ids[0][:RECALL_AT])
        times.append(seconds)
    recall = np.array([len(set(f) & set(t)) / RECALL_AT for f, t in zip(found, truth, strict=True)])
    out["vector search ms"] = _ms(times)
    out["recall@10 questions"] = float(recall[:n_real].mean())
    out["recall@10 synthetic"] = float(recall[n_real:].mean())

    # (b) the full path beyond the encode, over the shipped questions
    questions = shipped["questions"]
    for text, vector in zip(questions[:5], queries[:5], strict=True):  # warm-up
        embedder.next = vector
        retriever.search(text)
    totals: list[float] = []
    for _ in range(rounds):
        for text, vector in zip(questions, queries[:n_real], strict=True):
            embedder.next = vector
            totals.append(_timed(retriever.search, text)[1])
    out["search beyond encode ms"] = _ms(totals)

    # where the time goes: the passage half of Retriever.search, step by step
    from index.query import detect_language, normalize_question

    steps: dict[str, list[float]] = {}
    postings: list[int] = []
    rc = retriever.config

    def clock(name: str, fn: Callable[[], Any]) -> Any:
        result, seconds = _timed(fn)
        steps.setdefault(name, []).append(seconds)
        return result

    for _ in range(rounds):
        for text, vector in zip(questions, queries[:n_real], strict=True):
            normal = normalize_question(text, rc.max_question_chars)
            language = detect_language(normal)
            tokens = clock("tokenize", lambda n=normal: tokenize(n))
            if language == "en" and rc.glossary_expansion:
                tokens += tokenize(" ".join(retriever._expander.chinese_terms(normal)))
            weight = rc.lexical_weight_zh if language == "zh" else rc.lexical_weight_en
            postings.append(sum(passage_lexical.document_count(t) for t in tokens))
            clock("vector search", lambda v=vector: passage_index.search(v.reshape(1, -1), pool))
            raw = clock("BM25 scores of every passage", lambda t=tokens: passage_lexical.scores(t))
            clock("BM25 top pool: argpartition(n)", lambda r=raw: np.argpartition(-r, pool - 1))
            found = clock(
                "Retriever.candidates (all of the above)",
                lambda v=vector, t=tokens, w=weight: retriever.candidates(
                    v, passage_index, passage_lexical, t, w
                ),
            )
            clock("Candidates.best(k)", lambda f=found: f.best(rc.k))
    out["steps ms (median)"] = {name: statistics.median(s) * 1000 for name, s in steps.items()}
    out["BM25 postings touched per query (median)"] = statistics.median(postings)
    return out


# ----------------------------------------------------------------------------- parent


def _child(stage: str, size: int, workdir: Path, options: argparse.Namespace) -> dict[str, Any]:
    """Run one stage in a new process; its figures plus that process's peak RSS and wall time."""
    command = [
        sys.executable,
        __file__,
        "--stage",
        stage,
        "--sizes",
        str(size),
        "--workdir",
        str(workdir),
        "--rounds",
        str(options.rounds),
        "--seed",
        str(options.seed),
    ]
    started = time.perf_counter()
    process = subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
    if process.returncode != 0:
        raise SystemExit(f"{stage} {size} failed:\n{process.stderr.decode()}")
    figures = json.loads(process.stdout.decode().strip().splitlines()[-1])
    figures["process wall s"] = time.perf_counter() - started
    return figures


def _print_figures(figures: dict[str, Any], indent: str = "  ") -> None:
    for name, value in figures.items():
        if isinstance(value, dict):
            print(f"{indent}{name}:")
            _print_figures(value, indent + "    ")
        elif isinstance(value, float):
            print(f"{indent}{name:48s} {value:10.3f}")
        else:
            print(f"{indent}{name:48s} {value!s:>10}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000], help="passages"
    )
    parser.add_argument("--rounds", type=int, default=3, help="passes over the shipped questions")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="keeps the shipped index and embedding cache"
    )
    parser.add_argument("--stage", choices=["build", "serve"], help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()

    if options.stage:  # a child: one stage of one size, figures as the last stdout line
        size = options.sizes[0]
        if options.stage == "build":
            figures = build_stage(size, options.workdir, options.seed)
        else:
            figures = serve_stage(size, options.workdir, options.rounds)
        figures["process peak RSS MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(figures))
        return

    workdir = Path(tempfile.mkdtemp(prefix="careerbot-scale-"))
    data_dir = options.data_dir or workdir / "shipped"
    try:
        _, seconds = _timed(prepare_shipped, workdir, data_dir)
        print(
            f"shipped corpus indexed and questions encoded in {seconds:.1f}s; {os.cpu_count()} cores"
        )
        print(f"vector index config: {VectorIndexConfig().model_dump()}")
        summary = []
        for size in options.sizes:
            started = time.perf_counter()
            build = _child("build", size, workdir, options)
            serve = _child("serve", size, workdir, options)
            elapsed = time.perf_counter() - started
            print(f"\n=== {size:,} passages ({elapsed:.0f}s) ===")
            print(" build:")
            _print_figures(build)
            print(" serve:")
            _print_figures(serve)
            summary.append((size, build, serve, elapsed))
            shutil.rmtree(workdir / f"n{size}", ignore_errors=True)
        print("\nsummary (latencies: median / p95 ms; beyond the encode)")
        header = (
            f"{'passages':>9} {'index':>24} {'build s':>8} {'MB':>7} {'BM25 s':>7} "
            f"{'BM25 MB':>8} {'RSS MB':>7} {'peak MB':>8} {'exact':>13} {'vector':>13} "
            f"{'recall q/s':>11} {'search':>15} {'wall s':>7}"
        )
        print(header)
        for size, build, serve, elapsed in summary:
            exact = build["exact search ms"]
            vector = serve["vector search ms"]
            full = serve["search beyond encode ms"]
            verdict = (
                "" if size < 1_000_000 else (" ok" if full["median"] <= TARGET_MS else " MISSED")
            )
            print(
                f"{size:>9} {serve['vector index loaded']:>24} {build['vector build s']:>8.1f} "
                f"{build['vector index MB']:>7.0f} {build['lexical build s']:>7.1f} "
                f"{build['lexical index MB']:>8.0f} {serve['RSS after load MB']:>7.0f} "
                f"{max(build['process peak RSS MB'], serve['process peak RSS MB']):>8.0f} "
                f"{exact['median']:>6.1f}/{exact['p95']:<6.1f} "
                f"{vector['median']:>6.1f}/{vector['p95']:<6.1f} "
                f"{serve['recall@10 questions']:>5.3f}/{serve['recall@10 synthetic']:<5.3f} "
                f"{full['median']:>7.1f}/{full['p95']:<7.1f} {elapsed:>7.0f}{verdict}"
            )
        print(f"target: full path at 1M ≤ {TARGET_MS:g} ms beyond the encode")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
