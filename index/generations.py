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
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from index.manifest import (
    MANIFEST,
    BuildLocked,
    FileChecksum,
    IndexCorrupt,
    IndexMissing,
    IndexStoreError,
    Manifest,
    sha256_of,
)

KEEP_GENERATIONS = 3  # the served one plus two to fall back on


CURRENT = "CURRENT"

PUBLISHED = "PUBLISHED"

# A generation name is a UTC timestamp (20261201T195000007126Z): anything else in CURRENT is
# damage, not a name.
_GENERATION_NAME = re.compile(r"^\d{8}T\d{12}Z$")

GENERATIONS = "generations"

CACHE_FILE = "embeddings.sqlite"

LOCK_FILE = ".lock"


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


def new_generation_name() -> str:
    """A new generation's name: the UTC time of its build, so names sort by age."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


@contextlib.contextmanager
def staging_directory(index_root: Path, generation: str) -> Iterator[Path]:
    """A fresh directory to write `generation` in, beside the served ones (the leftovers of
    killed builds removed first), removed again if the block fails: a build that fails, is
    refused or is killed leaves the served generation alone. Call with the build lock held."""
    generations = index_root / GENERATIONS
    remove_dead_staging(generations)
    staging = generations / f".tmp-{generation}-{os.getpid()}"
    staging.mkdir(parents=True)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def file_checksums(staging: Path) -> dict[str, FileChecksum]:
    """Size and checksum of every file written so far, by path relative to `staging`."""
    return {
        str(path.relative_to(staging)): FileChecksum.of(path)
        for path in sorted(staging.rglob("*"))
        if path.is_file()
    }


def seal(staging: Path, manifest: Manifest) -> None:
    """Write the manifest and fsync the whole staging directory."""
    write_json(staging / MANIFEST, asdict(manifest))
    fsync_tree(staging)


def checksum_new_files(staging: Path, manifest: Manifest) -> Manifest:
    """The manifest with the files written into the staging directory after it (the quality
    gate's report) checksummed too, rewritten: `verify` covers everything in a generation."""
    files = dict(manifest.files)
    for path in sorted(staging.rglob("*")):
        name = str(path.relative_to(staging))
        if path.is_file() and name != MANIFEST and name not in files:
            files[name] = FileChecksum.of(path)
    if files == manifest.files:
        return manifest
    updated = replace(manifest, files=files)
    seal(staging, updated)
    return updated


def install(index_root: Path, staging: Path, generation: str) -> None:
    """Rename a checked staging directory into place (served only once `publish` says so)."""
    generations = index_root / GENERATIONS
    os.rename(staging, generations / generation)
    fsync_dir(generations)


def rollback(index_root: Path, embedder_id: str) -> str:
    """Serve the generation built before the current one; returns its name.

    Takes the build lock and checks the older generation fully (checksums, counts, embedder)
    before switching, so a rollback never publishes a broken or incompatible index.
    """
    # Loading is the full check; the loader reads this module, so it is imported here.
    from index.store import load_generation

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
        publish(index_root, target)
        return target
