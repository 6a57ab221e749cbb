"""Serve a newly published index generation without a restart.

`careerbot index build` (or `/reindex`, or `careerbot index rollback`) publishes a generation by
rewriting the CURRENT pointer. The running bot notices (polling that small file, SIGHUP, or
directly after `/reindex`), loads the generation off the event loop and off the search thread,
checks it fully, and swaps it into the search worker between two searches.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from bot.services.worker import SearchWorker
from index.generations import current_generation_dir
from index.manifest import IndexStoreError
from index.retriever import Retriever
from index.store import load_generation

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReloadOutcome:
    """What a check found: the generation served afterwards, and whether it changed."""

    generation: str
    changed: bool
    error: str | None = None  # why a newer generation was not served


class IndexReloader:
    """Keeps the search worker on the published generation."""

    def __init__(self, worker: SearchWorker, index_root: Path):
        self._worker = worker
        self._index_root = index_root
        self._lock = asyncio.Lock()  # polling, SIGHUP and /reindex never load twice at once
        self._refused: dict[str, str] = {}  # generation -> why it could not be served
        self._task: asyncio.Task[None] | None = None

    @property
    def generation(self) -> str:
        """The generation being served."""
        return self._worker.retriever.index.directory.name

    async def check(self) -> ReloadOutcome:
        """Serve the published generation if it is not the one being served.

        A generation that cannot be loaded (corrupted, another embedder's) is refused once,
        logged, and not retried until another one is published: the served index stays.
        """
        async with self._lock:
            served = self._worker.retriever
            try:
                directory = await asyncio.to_thread(current_generation_dir, self._index_root)
            except IndexStoreError as exc:
                return self._refuse("CURRENT", str(exc))
            self._refused.pop("CURRENT", None)  # readable again: report the next breakage
            name = directory.name
            if name == served.index.directory.name:
                return ReloadOutcome(name, changed=False)
            if name in self._refused:
                return ReloadOutcome(self.generation, False, self._refused[name])
            started = time.perf_counter()
            try:
                # Loading reads files and builds FAISS and BM25 structures: a thread of its own,
                # so neither the event loop nor the questions on the search thread wait for it.
                loaded = await asyncio.to_thread(load_generation, directory, served.embedder.id)
            except IndexStoreError as exc:
                return self._refuse(name, str(exc))
            retriever = Retriever(loaded, served.embedder, served.config)
            self._worker.replace_retriever(retriever)
            log.info(
                "now serving index generation %s (%d passages, loaded in %.2fs)",
                name,
                loaded.manifest.passage_count,
                time.perf_counter() - started,
            )
            return ReloadOutcome(name, changed=True)

    def _refuse(self, name: str, reason: str) -> ReloadOutcome:
        if name not in self._refused:
            log.error("not serving index generation %s: %s", name, reason)
        self._refused[name] = reason
        return ReloadOutcome(self.generation, False, reason)

    def start_polling(self, interval: float) -> None:
        """Check every `interval` seconds in a background task (0: never)."""
        if interval > 0 and self._task is None:
            self._task = asyncio.create_task(self._poll(interval), name="careerbot-index-watch")

    async def _poll(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.check()
            except Exception:  # keep watching: the next publication may be fine
                log.exception("checking for a new index generation failed")

    async def stop(self) -> None:
        """Stop polling."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
