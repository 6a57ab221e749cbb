"""The on-disk index: build (incremental, atomic), load (refusing what does not match), verify.

Layout under the index root (``<data_dir>/index``)::

    CURRENT                    name of the generation being served (replaced atomically)
    PUBLISHED                  every generation ever published, one name a line (rollback
                               only goes back to these)
    generations/<name>/        manifest.json, passages.faiss, resources.faiss, passages.json,
                               resources.json, glossary.json, lexical-passages/, lexical-resources/
    embeddings.sqlite          the embedding cache
    .lock                      held while a build runs
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from corpus.align import align_sentences
from corpus.chunk import Passage, chunk_article, split_sentences
from corpus.loader import Corpus
from index.ann import (
    VectorIndexConfig,
    build_vector_index,
    describe_vector_index,
    planned_vector_index,
)
from index.cache import EmbeddingCache
from index.embedders import Embedder, EmbedderConfig, make_embedder
from index.lexical import TOKENIZER_ID, LexicalIndex

if TYPE_CHECKING:
    import faiss

FORMAT_VERSION = 3  # 2: sentence vectors for the answer's lead; 3: translations as search units
KEEP_GENERATIONS = 3  # the served one plus two to fall back on

MANIFEST = "manifest.json"
CURRENT = "CURRENT"
PUBLISHED = "PUBLISHED"
# A generation name is a UTC timestamp (20261201T195000007126Z): anything else in CURRENT is
# damage, not a name.
_GENERATION_NAME = re.compile(r"^\d{8}T\d{12}Z$")
GENERATIONS = "generations"
CACHE_FILE = "embeddings.sqlite"
LOCK_FILE = ".lock"

ProgressCallback = Callable[[str, int, int], None]  # (stage, done, total)


class IndexStoreError(Exception):
    """Base of index errors; the message says what to run to fix it."""


class IndexMissing(IndexStoreError):
    """No index has been built yet."""


class IndexMismatch(IndexStoreError):
    """The index was built by another embedder or an older format."""


class IndexCorrupt(IndexStoreError):
    """Index files are missing, truncated or damaged."""


class BuildLocked(IndexStoreError):
    """Another build holds the lock."""


class PublishRefused(IndexStoreError):
    """The quality gate refused the new generation; the served one is unchanged."""

    def __init__(self, message: str, details: Any = None):
        super().__init__(message)
        self.details = details  # what the gate found (e.g. the questions that got worse)


# A quality gate sees the new generation and the served one (None when there is none, or it was
# made by another embedder or format) before publishing. It returns what it measured (kept in
# the BuildReport) or raises PublishRefused.
QualityGate = Callable[["LoadedIndex", "LoadedIndex | None"], Any]


@dataclass(frozen=True)
class Manifest:
    """What an index generation contains and how it was made."""

    format_version: int
    embedder_id: str
    dim: int
    corpus_hash: str
    passage_count: int
    resource_count: int
    built_at: str
    build_seconds: float
    tokenizer: str
    files: dict[str, dict[str, Any]]  # relative path -> {"bytes": n, "sha256": hex}
    # how the passage vectors are searched (index.ann); older manifests: always exact
    vector_index: str = "exact (flat)"

    @classmethod
    def read(cls, path: Path) -> Manifest:
        """Read and check a manifest file."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**data)
        except FileNotFoundError:
            raise IndexCorrupt(f"{path} is missing: rebuild with `careerbot index build`") from None
        except (ValueError, TypeError) as exc:
            raise IndexCorrupt(
                f"{path} is unreadable ({exc}): rebuild with `careerbot index build --force`"
            ) from None


@dataclass(frozen=True)
class BuildReport:
    """What a build did."""

    generation: str | None  # None when the index was already up to date
    manifest: Manifest
    embedded: int  # texts sent to the embedder (the rest came from the cache)
    reused: int
    seconds: float
    quality: Any = None  # what the quality gate measured, when there was one

    @property
    def skipped(self) -> bool:
        return self.generation is None


@dataclass(frozen=True)
class SearchUnit:
    """One searchable text of a passage: the original or one of its translations. The vector
    and BM25 indexes hold one row per unit; a search returns one hit per passage."""

    passage: int  # position of the passage
    language: str
    text: str  # the passage text in this language
    embedding_text: str


def _search_units(passages: list[Passage]) -> list[SearchUnit]:
    units = []
    for position, passage in enumerate(passages):
        units.append(SearchUnit(position, passage.language, passage.text, passage.embedding_text()))
        for translation in passage.translations:
            units.append(
                SearchUnit(
                    position, translation.language, translation.text, translation.embedding_text()
                )
            )
    return units


def _index_inputs(corpus: Corpus) -> tuple[list[Passage], list[SearchUnit], list[str]]:
    """Passages, their search units and the resources' embedding texts."""
    passages = [p for article in corpus.articles for p in chunk_article(article)]
    return passages, _search_units(passages), [r.embedding_text() for r in corpus.resources]


def _sentence_spans(units: list[SearchUnit]) -> list[tuple[int, int, int]]:
    """`(unit position, start, end)` of every sentence, offsets into the unit's text."""
    return [
        (position, start, end)
        for position, unit in enumerate(units)
        for start, end in split_sentences(unit.text)
    ]


def _realigned(
    passages: list[Passage],
    units: list[SearchUnit],
    sentence_spans: list[tuple[int, int, int]],
    sentence_vectors: np.ndarray,
) -> list[dict[str, Any]]:
    """Passage records whose translations' sentence groups are aligned again with the
    cross-lingual similarity of the sentence vectors (order and length alone at chunking)."""
    rows: dict[int, list[int]] = {}
    for row, (unit, _, _) in enumerate(sentence_spans):
        rows.setdefault(unit, []).append(row)
    unit_of: dict[tuple[int, str], int] = {(u.passage, u.language): i for i, u in enumerate(units)}
    records = []
    for position, passage in enumerate(passages):
        record = _passage_record(passage)
        ours = rows.get(unit_of[(position, passage.language)], [])
        for translation in record["translations"]:
            theirs = rows.get(unit_of[(position, translation["language"])], [])
            if not ours or not theirs or not sentence_vectors.size:
                continue
            similarity = sentence_vectors[ours] @ sentence_vectors[theirs].T
            groups = align_sentences(
                [sentence_spans[r][2] - sentence_spans[r][1] for r in ours],
                [sentence_spans[r][2] - sentence_spans[r][1] for r in theirs],
                lambda i, j, s=similarity: float(s[i, j]),
            )
            translation["sentence_groups"] = [
                [list(g.original), list(g.translated)] for g in groups
            ]
        records.append(record)
    return records


def corpus_fingerprint(corpus: Corpus) -> str:
    """Hash of what the index is made of: the passages as cut by this code, their metadata,
    the resources and glossary, the tokenizer and the format. A change to cleaning or chunking
    code therefore triggers a rebuild by itself."""
    passages, _, _ = _index_inputs(corpus)
    return _fingerprint(corpus, passages)


def _fingerprint(corpus: Corpus, passages: list[Passage]) -> str:
    digest = hashlib.sha256(f"format={FORMAT_VERSION};{TOKENIZER_ID}".encode())
    digest.update(corpus.content_hash().encode())
    for passage in passages:
        digest.update(json.dumps(_passage_record(passage), ensure_ascii=False).encode())
        digest.update(passage.embedding_text().encode())
        for translation in passage.translations:
            digest.update(translation.embedding_text().encode())
    return digest.hexdigest()


def _served_name(index_root: Path) -> str:
    """The generation name in CURRENT; IndexMissing without one, IndexCorrupt when the pointer
    cannot be read or does not hold a generation name (a damaged byte, a truncated write)."""
    pointer = index_root / CURRENT
    fix = "rebuild with `careerbot index build --force` (or `careerbot index rollback`)"
    try:
        name = pointer.read_bytes().decode("utf-8").strip()
    except FileNotFoundError:
        raise IndexMissing(
            f"no index in {index_root}: build it with `careerbot index build`"
        ) from None
    except UnicodeDecodeError:
        raise IndexCorrupt(f"{pointer} is damaged (not text): {fix}") from None
    except OSError as exc:
        raise IndexCorrupt(f"{pointer} cannot be read ({exc.strerror}): {fix}") from None
    if not _GENERATION_NAME.match(name):
        raise IndexCorrupt(f"{pointer} does not hold a generation name ({name[:40]!r}): {fix}")
    return name


def current_generation_dir(index_root: Path) -> Path:
    """The directory of the served generation; IndexMissing if there is none."""
    name = _served_name(index_root)
    directory = index_root / GENERATIONS / name
    if not directory.is_dir():
        raise IndexCorrupt(
            f"{index_root / CURRENT} names generation {name!r}, which does not exist: "
            "rebuild with `careerbot index build --force`"
        )
    return directory


def published_generations(index_root: Path) -> set[str]:
    """Names of the generations that were ever published (served)."""
    try:
        text = (index_root / PUBLISHED).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return set()
    return {line.strip() for line in text.splitlines() if _GENERATION_NAME.match(line.strip())}


def read_current_manifest(index_root: Path) -> Manifest:
    """The manifest of the served generation."""
    return Manifest.read(current_generation_dir(index_root) / MANIFEST)


@contextlib.contextmanager
def build_lock(index_root: Path) -> Iterator[None]:
    """Hold the build lock; BuildLocked at once if another build has it."""
    index_root.mkdir(parents=True, exist_ok=True)
    with open(index_root / LOCK_FILE, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLocked(
                f"another `careerbot index build` is running on {index_root}; wait for it to end"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
        else:
            _fsync_dir(path)
    _fsync_dir(root)


def _passage_record(passage: Passage) -> dict[str, Any]:
    record = asdict(passage)
    record["heading_path"] = list(passage.heading_path)
    record["translations"] = [
        {
            "language": t.language,
            "title": t.title,
            "heading_path": list(t.heading_path),
            "text": t.text,
            "sentence_groups": [[list(g.original), list(g.translated)] for g in t.sentence_groups],
        }
        for t in passage.translations
    ]
    return record


def _faiss() -> Any:
    """The faiss module, imported on first use (commands that only check the index skip it)."""
    import faiss

    return faiss


def _flat_ip_index(vectors: np.ndarray, dim: int) -> faiss.Index:
    index = _faiss().IndexFlatIP(dim)
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def build_index(
    corpus: Corpus,
    embedder_config: EmbedderConfig,
    index_root: Path,
    *,
    embedder: Embedder | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
    keep_generations: int = KEEP_GENERATIONS,
    gate: QualityGate | None = None,
    vector_index: VectorIndexConfig | None = None,
) -> BuildReport:
    """Build the index for `corpus` and publish it as the current generation.

    Skips the work when the current generation already matches the corpus and embedder (unless
    `force`). Vectors come from the embedding cache where possible; the model is only loaded
    when some text is not cached. The new generation is written to a temporary directory,
    fsynced and renamed beside the served one, loaded back and checked (checksums, counts,
    dimension), passed to `gate` with the served generation, and only then does CURRENT point
    at it: a build that fails, is refused or is killed at any point leaves the previous
    generation serving. BuildLocked at once if another build is running.

    The passage vectors are searched exactly up to `vector_index.exact_up_to` passages and by
    an IVF index above (see index.ann); a changed `vector_index` makes a rebuild.
    """
    vector_config = vector_index or VectorIndexConfig()
    started = time.perf_counter()
    passages, units, resource_texts = _index_inputs(corpus)
    passage_texts = [unit.embedding_text for unit in units]
    sentence_spans = _sentence_spans(units)
    sentence_texts = [units[u].text[start:end] for u, start, end in sentence_spans]
    fingerprint = _fingerprint(corpus, passages)
    planned_vectors = planned_vector_index(len(passages), vector_config)
    embedder_id = embedder.id if embedder else embedder_config.embedder_id()
    with build_lock(index_root):
        if not force:
            with contextlib.suppress(IndexStoreError):
                current = read_current_manifest(index_root)
                if (
                    current.corpus_hash == fingerprint
                    and current.embedder_id == embedder_id
                    and current.format_version == FORMAT_VERSION
                    and current.vector_index == planned_vectors
                ):
                    verify_generation(current_generation_dir(index_root))
                    return BuildReport(None, current, 0, 0, time.perf_counter() - started)

        total = len(passage_texts) + len(resource_texts) + len(sentence_texts)
        done = 0
        loaded: list[Embedder] = [embedder] if embedder else []

        def model() -> Embedder:
            if not loaded:
                if progress:
                    progress("loading model", 0, total)
                loaded.append(make_embedder(embedder_config))
            return loaded[0]

        def advance(count: int) -> None:
            nonlocal done
            done += count
            if progress:
                progress("embedding", done, total)

        with EmbeddingCache(index_root / CACHE_FILE) as cache:
            passage_vectors, new_passages = cache.embed(
                embedder_id, "passage", passage_texts, lambda t: model().embed_passages(t), advance
            )
            resource_vectors, new_resources = cache.embed(
                embedder_id, "passage", resource_texts, lambda t: model().embed_passages(t), advance
            )
            # Each sentence on its own, so the answer's lead can be the passage's sentence
            # closest to the question without encoding anything at question time.
            sentence_vectors, new_sentences = cache.embed(
                embedder_id, "passage", sentence_texts, lambda t: model().embed_passages(t), advance
            )
        embedded = new_passages + new_resources + new_sentences
        if progress:
            progress("embedding", total, total)
        dim = next((v.shape[1] for v in (passage_vectors, resource_vectors) if v.size), 0)
        if embedded and dim and loaded[0].dim != dim:  # only ask a model that was used
            raise IndexStoreError(f"embedder reports dim {loaded[0].dim} but produced {dim}")

        generation = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        generations = index_root / GENERATIONS
        _remove_dead_staging(generations)
        staging = generations / f".tmp-{generation}-{os.getpid()}"
        staging.mkdir(parents=True)
        try:
            faiss_module = _faiss()
            if len(passage_vectors):
                if progress and planned_vectors != "exact (flat)":
                    progress("training the vector index", 0, 1)
                passage_index = build_vector_index(passage_vectors, vector_config)
            else:
                passage_index = _flat_ip_index(passage_vectors, dim)
            built_vectors = describe_vector_index(passage_index)
            faiss_module.write_index(passage_index, str(staging / "passages.faiss"))
            del passage_index
            faiss_module.write_index(
                _flat_ip_index(resource_vectors, dim), str(staging / "resources.faiss")
            )
            _write_json(
                staging / "passages.json",
                _realigned(passages, units, sentence_spans, sentence_vectors),
            )
            _write_json(staging / "units.json", [[u.passage, u.language] for u in units])
            _write_json(
                staging / "resources.json",
                [r.model_dump(mode="json") for r in corpus.resources],
            )
            _write_json(staging / "glossary.json", [[e.en, e.zh] for e in corpus.glossary])
            np.save(staging / "sentences.npy", sentence_vectors.astype(np.float32))
            _write_json(staging / "sentences.json", [list(span) for span in sentence_spans])
            LexicalIndex.build(passage_texts).save(staging / "lexical-passages")
            LexicalIndex.build(resource_texts).save(staging / "lexical-resources")
            files = {
                str(path.relative_to(staging)): {
                    "bytes": path.stat().st_size,
                    "sha256": _sha256(path),
                }
                for path in sorted(staging.rglob("*"))
                if path.is_file()
            }
            manifest = Manifest(
                format_version=FORMAT_VERSION,
                embedder_id=embedder_id,
                dim=int(dim),
                corpus_hash=fingerprint,
                passage_count=len(passages),
                resource_count=len(corpus.resources),
                built_at=datetime.now(UTC).isoformat(timespec="seconds"),
                build_seconds=round(time.perf_counter() - started, 3),
                tokenizer=TOKENIZER_ID,
                files=files,
                vector_index=built_vectors,
            )
            _write_json(staging / MANIFEST, asdict(manifest))
            _fsync_tree(staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        quality = None
        try:
            if progress:
                progress("verifying", 0, 1)
            candidate = load_generation(staging, embedder_id)
            if gate is not None:
                if progress:
                    progress("quality gate", 0, 1)
                quality = gate(candidate, _served_or_none(index_root, embedder_id))
                manifest = _checksum_new_files(staging, manifest)
            final = generations / generation
            os.rename(staging, final)
            _fsync_dir(generations)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _publish(index_root, generation)
        _prune(index_root, keep_generations)
        return BuildReport(
            generation,
            manifest,
            embedded,
            total - embedded,
            time.perf_counter() - started,
            quality,
        )


def _remove_dead_staging(generations: Path) -> None:
    """Remove the staging directories of builds that were killed. Called with the build lock
    held, so no other build on this machine is writing one."""
    if not generations.is_dir():
        return
    for leftover in generations.glob(".tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _checksum_new_files(staging: Path, manifest: Manifest) -> Manifest:
    """The manifest with the files written into the staging directory after it (the quality
    gate's report) checksummed too, rewritten: `verify` covers everything in a generation."""
    files = dict(manifest.files)
    for path in sorted(staging.rglob("*")):
        name = str(path.relative_to(staging))
        if path.is_file() and name != MANIFEST and name not in files:
            files[name] = {"bytes": path.stat().st_size, "sha256": _sha256(path)}
    if files == manifest.files:
        return manifest
    updated = Manifest(**{**asdict(manifest), "files": files})
    _write_json(staging / MANIFEST, asdict(updated))
    _fsync_tree(staging)
    return updated


def _served_or_none(index_root: Path, embedder_id: str) -> LoadedIndex | None:
    """The served generation if it loads and matches `embedder_id`, else None."""
    try:
        return load_index(index_root, embedder_id)
    except IndexStoreError:
        return None


def list_generations(index_root: Path) -> list[str]:
    """Names of the published generations on disk, oldest first (names sort by build time)."""
    generations = index_root / GENERATIONS
    if not generations.is_dir():
        return []
    return sorted(
        path.name
        for path in generations.iterdir()
        if path.is_dir() and not path.name.startswith(".")
    )


def rollback(index_root: Path, embedder_id: str) -> str:
    """Serve the generation built before the current one; returns its name.

    Takes the build lock and checks the older generation fully (checksums, counts, embedder)
    before switching, so a rollback never publishes a broken or incompatible index.
    """
    with build_lock(index_root):
        current = current_generation_dir(index_root).name
        published = published_generations(index_root)
        older = [
            name for name in list_generations(index_root) if name < current and name in published
        ]
        if not older:
            raise IndexStoreError(
                f"no published generation older than {current} is kept in "
                f"{index_root / GENERATIONS}: nothing to roll back to"
            )
        target = older[-1]
        load_generation(index_root / GENERATIONS / target, embedder_id)
        _publish(index_root, target)
        return target


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def _publish(index_root: Path, generation: str) -> None:
    pointer_tmp = index_root / f"{CURRENT}.tmp"
    with open(pointer_tmp, "w", encoding="utf-8") as handle:
        handle.write(generation + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(pointer_tmp, index_root / CURRENT)
    _fsync_dir(index_root)
    if generation not in published_generations(index_root):
        with open(index_root / PUBLISHED, "a", encoding="utf-8") as record:
            record.write(generation + "\n")
            record.flush()
            os.fsync(record.fileno())


def _prune(index_root: Path, keep: int) -> None:
    """Keep the newest `keep` published generations (the served one always); remove the
    generations that were never published: a build killed between renaming its generation into
    place and publishing it, whose quality gate may never have run."""
    generations = index_root / GENERATIONS
    current = _served_name(index_root)
    published = published_generations(index_root)
    names = sorted(p.name for p in generations.iterdir() if not p.name.startswith("."))
    for name in names:
        if name not in published and name != current:
            shutil.rmtree(generations / name, ignore_errors=True)
    kept = [name for name in names if name in published or name == current]
    for name in kept[: max(0, len(kept) - keep)]:
        if name != current:
            shutil.rmtree(generations / name, ignore_errors=True)


def verify_generation(directory: Path, *, checksums: bool = True) -> Manifest:
    """Check that every file the manifest lists is present, whole and (optionally) unchanged."""
    manifest = Manifest.read(directory / MANIFEST)
    fix = "rebuild with `careerbot index build --force`"
    for name, expected in manifest.files.items():
        path = directory / name
        if not path.is_file():
            raise IndexCorrupt(f"index file {path} is missing: {fix}")
        size = path.stat().st_size
        if size != expected["bytes"]:
            raise IndexCorrupt(
                f"index file {path} has {size} bytes, expected {expected['bytes']} "
                f"(truncated or replaced): {fix}"
            )
        if checksums and _sha256(path) != expected["sha256"]:
            raise IndexCorrupt(f"index file {path} is corrupted (checksum mismatch): {fix}")
    return manifest


def check_compatible(manifest: Manifest, embedder_id: str) -> None:
    """Refuse an index of another format or embedder."""
    if manifest.format_version != FORMAT_VERSION:
        raise IndexMismatch(
            f"the index has format version {manifest.format_version}, this careerbot reads "
            f"{FORMAT_VERSION}: rebuild with `careerbot index build --force`"
        )
    if manifest.embedder_id != embedder_id:
        raise IndexMismatch(
            f"the index was built with embedder {manifest.embedder_id!r} but the configuration "
            f"says {embedder_id!r}: rebuild with `careerbot index build` (or change the "
            "embedder setting back)"
        )


@dataclass
class LoadedIndex:
    """Everything a retriever needs, read from one generation."""

    directory: Path
    manifest: Manifest
    passages: list[dict[str, Any]]
    resources: list[dict[str, Any]]
    glossary: list[tuple[list[str], list[str]]]
    passage_index: faiss.Index
    resource_index: faiss.Index
    passage_lexical: LexicalIndex
    resource_lexical: LexicalIndex
    sentence_vectors: np.ndarray  # one row per sentence of every search unit, L2-normalised
    sentence_spans: list[tuple[int, int, int]]  # (unit position, start, end) per row
    units: list[tuple[int, str]]  # (passage position, language) per vector / BM25 row


def load_index(index_root: Path, embedder_id: str) -> LoadedIndex:
    """Load the served generation, refusing a mismatched, incomplete or corrupted one."""
    return load_generation(current_generation_dir(index_root), embedder_id)


def load_generation(directory: Path, embedder_id: str) -> LoadedIndex:
    """Load one generation directory, refusing a mismatched, incomplete or corrupted one."""
    manifest = verify_generation(directory)
    check_compatible(manifest, embedder_id)
    fix = "rebuild with `careerbot index build --force`"
    try:
        passages = json.loads((directory / "passages.json").read_text(encoding="utf-8"))
        resources = json.loads((directory / "resources.json").read_text(encoding="utf-8"))
        glossary = [
            (list(en), list(zh))
            for en, zh in json.loads((directory / "glossary.json").read_text(encoding="utf-8"))
        ]
        faiss_module = _faiss()
        passage_index = faiss_module.read_index(str(directory / "passages.faiss"))
        resource_index = faiss_module.read_index(str(directory / "resources.faiss"))
        passage_lexical = LexicalIndex.load(directory / "lexical-passages", len(passages))
        resource_lexical = LexicalIndex.load(directory / "lexical-resources", len(resources))
        sentence_vectors = np.load(directory / "sentences.npy", allow_pickle=False)
        sentence_spans = [
            (int(p), int(a), int(b))
            for p, a, b in json.loads((directory / "sentences.json").read_text(encoding="utf-8"))
        ]
        units = [
            (int(p), str(language))
            for p, language in json.loads((directory / "units.json").read_text(encoding="utf-8"))
        ]
    except (OSError, ValueError, RuntimeError) as exc:
        raise IndexCorrupt(f"index in {directory} could not be read ({exc}): {fix}") from None
    counts_ok = (
        len(passages) == manifest.passage_count
        and len(units) == passage_index.ntotal
        and all(0 <= p < len(passages) for p, _ in units)
        and len(resources) == manifest.resource_count == resource_index.ntotal
        and len(sentence_spans) == len(sentence_vectors)
    )
    if not counts_ok:
        raise IndexCorrupt(f"index in {directory} has inconsistent counts: {fix}")
    if passage_index.ntotal and passage_index.d != manifest.dim:
        raise IndexCorrupt(f"index in {directory} has dimension {passage_index.d}: {fix}")
    if describe_vector_index(passage_index) != manifest.vector_index:
        raise IndexCorrupt(
            f"index in {directory} is {describe_vector_index(passage_index)}, its manifest says "
            f"{manifest.vector_index}: {fix}"
        )
    return LoadedIndex(
        directory,
        manifest,
        passages,
        resources,
        glossary,
        passage_index,
        resource_index,
        passage_lexical,
        resource_lexical,
        sentence_vectors,
        sentence_spans,
        units,
    )
