"""The search worker: one dedicated thread owns the embedder and the index.

Encoding and searching never run on the event loop, and embedders are not safe to share across
threads, so every search goes through this single thread. The number of questions waiting is
bounded: past it, callers get `WorkerBusy` at once instead of a growing queue and a hang.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from index.retriever import Retriever, SearchResult

# Each search takes ~30 ms on two cores; 32 waiting questions is about a second of work, the
# longest a Discord user should wait before being told to try again.
DEFAULT_MAX_PENDING = 32


class WorkerBusy(Exception):
    """Too many questions are waiting; the caller should ask the user to retry shortly."""


class SearchWorker:
    """Runs `Retriever` calls on one dedicated thread, with a bounded number waiting."""

    def __init__(
        self, open_retriever: Callable[[], Retriever], max_pending: int = DEFAULT_MAX_PENDING
    ):
        self._open_retriever = open_retriever
        self._max_pending = max_pending
        self._pending = 0  # only touched on the event loop
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="careerbot-search")
        self._retriever: Retriever | None = None

    @property
    def pending(self) -> int:
        """Questions submitted and not yet answered (queue depth)."""
        return self._pending

    @property
    def retriever(self) -> Retriever:
        """The loaded retriever (after `start`); for metadata only, never search from here."""
        if self._retriever is None:
            raise RuntimeError("SearchWorker.start() has not completed")
        return self._retriever

    async def start(self) -> None:
        """Load the embedder and the index on the worker thread."""
        self._retriever = await self._run(self._open_retriever)

    async def search(self, question: str, **options: Any) -> SearchResult:
        """`Retriever.search` on the worker thread; WorkerBusy if too many are waiting."""
        if self._pending >= self._max_pending:
            raise WorkerBusy(f"{self._pending} questions are waiting")
        retriever = self.retriever
        self._pending += 1
        try:
            return await self._run(functools.partial(retriever.search, question, **options))
        finally:
            self._pending -= 1

    async def _run(self, call: Callable[[], Any]) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    def close(self) -> None:
        """Stop the thread after the searches already submitted."""
        self._executor.shutdown(wait=True, cancel_futures=False)
