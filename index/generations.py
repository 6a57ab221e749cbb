"""Index generations on disk: the served pointer, publication, the build lock, pruning, and
checking that a generation is whole (manifest, checksums, format and embedder).

Layout under the index root (``<data_dir>/index``)::

    CURRENT                    name of the generation being served (replaced atomically)
    PUBLISHED                  every generation ever published, one name a line (rollback
                               only goes back to these)
    generations/<name>/        manifest.json and the files it lists with their checksums
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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.quality import GateReport

# 2: sentence vectors for the answer's lead; 3: translations as search units; 4: answer cards;
# 5: the card phrasings' token postings
FORMAT_VERSION = 5

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

    def __init__(self, message: str, details: GateReport | None = None):
        super().__init__(message)
        self.details = details  # what the gate found (the questions that got worse)


@dataclass(frozen=True)
class FileChecksum:
    """A file of a generation as its manifest lists it."""

    bytes: int
    sha256: str  # hex digest

    @classmethod
    def of(cls, path: Path) -> FileChecksum:
        """The size and checksum of `path` now."""
        return cls(path.stat().st_size, sha256_of(path))

    @classmethod
    def parse(cls, data: Any) -> FileChecksum:
        """From the manifest's JSON; TypeError when it is not `{"bytes": n, "sha256": hex}`."""
        if not isinstance(data, dict) or set(data) != {"bytes", "sha256"}:
            raise TypeError(f"a file entry is {data!r}")
        size, digest = data["bytes"], data["sha256"]
        if isinstance(size, bool) or not isinstance(size, int) or not isinstance(digest, str):
            raise TypeError(f"a file entry is {data!r}")
        return cls(size, digest)


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
    files: dict[str, FileChecksum]  # by path relative to the generation
    # how the passage vectors are searched (index.ann); older manifests: always exact
    vector_index: str = "exact (flat)"

    @classmethod
    def read(cls, path: Path) -> Manifest:
        """Read and check a manifest file."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            files = data.pop("files")
            if not isinstance(files, dict):
                raise TypeError(f"files is {type(files).__name__}")
            return cls(**data, files={name: FileChecksum.parse(e) for name, e in files.items()})
        except FileNotFoundError:
            raise IndexCorrupt(f"{path} is missing: rebuild with `careerbot index build`") from None
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise IndexCorrupt(
                f"{path} is unreadable ({exc}): rebuild with `careerbot index build --force`"
            ) from None


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
    except NotADirectoryError:
        raise IndexStoreError(
            f"the index directory {index_root} cannot be used: part of its path is a file "
            "(check data_dir and index.dir)"
        ) from None
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


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
        else:
            fsync_dir(path)
    fsync_dir(root)


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


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def publish(index_root: Path, generation: str) -> None:
    pointer_tmp = index_root / f"{CURRENT}.tmp"
    with open(pointer_tmp, "w", encoding="utf-8") as handle:
        handle.write(generation + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(pointer_tmp, index_root / CURRENT)
    fsync_dir(index_root)
    if generation not in published_generations(index_root):
        with open(index_root / PUBLISHED, "a", encoding="utf-8") as record:
            record.write(generation + "\n")
            record.flush()
            os.fsync(record.fileno())


def prune(index_root: Path, keep: int) -> None:
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


def remove_dead_staging(generations: Path) -> None:
    """Remove the staging directories of builds that were killed. Called with the build lock
    held, so no other build on this machine is writing one."""
    if not generations.is_dir():
        return
    for leftover in generations.glob(".tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def verify_generation(directory: Path, *, checksums: bool = True) -> Manifest:
    """Check that every file the manifest lists is present, whole and (optionally) unchanged."""
    manifest = Manifest.read(directory / MANIFEST)
    fix = "rebuild with `careerbot index build --force`"
    for name, expected in manifest.files.items():
        path = directory / name
        if not path.is_file():
            raise IndexCorrupt(f"index file {path} is missing: {fix}")
        size = path.stat().st_size
        if size != expected.bytes:
            raise IndexCorrupt(
                f"index file {path} has {size} bytes, expected {expected.bytes} "
                f"(truncated or replaced): {fix}"
            )
        if checksums and sha256_of(path) != expected.sha256:
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
