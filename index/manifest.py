"""What an index generation says about itself: its manifest (format, embedder, corpus hash,
counts, every file with its size and checksum), and the errors of the index store."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.quality import GateReport

# 2: sentence vectors for the answer's lead; 3: translations as search units; 4: answer cards;
# 5: the card phrasings' token postings
FORMAT_VERSION = 5


MANIFEST = "manifest.json"


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


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
