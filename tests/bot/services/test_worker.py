import asyncio
import threading
import time
from unittest.mock import create_autospec

import pytest

from bot.services.worker import MAX_BATCH, MAX_BATCH_CHARS, SearchOptions, SearchWorker, WorkerBusy
from index.query import InvalidQuestion
from index.results import SearchResult
from index.retriever import Retriever


class _SlowRetriever:
    """A Retriever spec'd mock whose search records its thread and blocks until released."""

    def __init__(self):
        self.threads: set[str] = set()
        self.release = threading.Event()
        self.mock = create_autospec(Retriever, instance=True)
        self.mock.search.side_effect = self._search

    def _search(self, question: str, **options) -> SearchResult:
        self.threads.add(threading.current_thread().name)
        self.release.wait(5)
        return SearchResult(question, "en", [], [], False, 0.0)


def test_searches_run_on_dedicated_threads_and_the_queue_is_bounded():
    async def scenario():
        fake = _SlowRetriever()
        opened_on = []

        def open_retriever():
            opened_on.append(threading.current_thread().name)
            return fake.mock

        worker = SearchWorker(open_retriever, max_pending=2)
        await worker.start()
        first = asyncio.create_task(worker.search("a"))
        second = asyncio.create_task(worker.search("b"))
        await asyncio.sleep(0.05)
        assert worker.pending == 2
        started = time.perf_counter()
        with pytest.raises(WorkerBusy):
            await worker.search("c")
        assert time.perf_counter() - started < 0.5  # refused at once, not queued
        fake.release.set()
        results = await asyncio.gather(first, second)
        assert [r.question for r in results] == ["a", "b"]
        assert worker.pending == 0
        # one thread searches, another loaded the retriever (and owns the embedder); neither
        # is the event loop's
        assert len(fake.threads) == 1 and len(opened_on) == 1
        assert threading.current_thread().name not in fake.threads | set(opened_on)
        assert fake.threads != set(opened_on)
        worker.close()

    asyncio.run(asyncio.wait_for(scenario(), 10))


def test_search_before_start_is_an_error():
    worker = SearchWorker(lambda: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(RuntimeError, match="start"):
        asyncio.run(worker.search("x"))
    worker.close()


class _CountingRetriever:
    """Counts searches per question; questions starting with "bad" raise."""

    def __init__(self):
        self.calls: list[str] = []
        self.mock = create_autospec(Retriever, instance=True)
        self.mock.search.side_effect = self._search

    def _search(self, question: str, **options) -> SearchResult:
        self.calls.append(question)
        time.sleep(0.05)
        if question.startswith("bad"):
            raise InvalidQuestion("no_words", "no words")
        return SearchResult(question, "en", [], [], False, float(len(self.calls)))


def test_repeated_and_concurrent_questions_are_searched_once_and_failures_not_kept():
    async def scenario():
        fake = _CountingRetriever()
        worker = SearchWorker(lambda: fake.mock, cached_results=2)
        await worker.start()
        together = await asyncio.gather(worker.search("a"), worker.search("a"))
        assert fake.calls == ["a"] and together[0] is together[1]
        assert (await worker.search("a")) is together[0]  # kept
        await worker.search("a", SearchOptions(k=10))  # other options: another search
        assert fake.calls == ["a", "a"]
        for _ in range(2):
            with pytest.raises(InvalidQuestion):
                await worker.search("bad question")
        assert fake.calls.count("bad question") == 2  # an error is not kept
        await worker.search("b")
        await worker.search("c")  # only the 2 most recent results are kept
        await worker.search("a")
        assert fake.calls[-1] == "a"
        worker.forget_results()
        await worker.search("c")
        assert fake.calls[-1] == "c" and worker.pending == 0
        worker.close()

    asyncio.run(asyncio.wait_for(scenario(), 10))


class _BatchRecordingRetriever:
    """Records the batches encoded; the first encode blocks until released, so that the
    questions asked meanwhile wait together."""

    def __init__(self):
        self.batches: list[list[str]] = []
        self.release = threading.Event()
        self.mock = create_autospec(Retriever, instance=True)
        self.mock.query_text.side_effect = self._query_text
        self.mock.encode_queries.side_effect = self._encode
        self.mock.search.side_effect = self._search

    @staticmethod
    def _query_text(question: str) -> str:
        if question.startswith("bad"):
            raise InvalidQuestion("no_words", "no words")
        return question.lower()

    def _encode(self, texts):
        self.batches.append(list(texts))
        if len(self.batches) == 1:
            self.release.wait(5)
        return [f"vector of {text}" for text in texts]

    @staticmethod
    def _search(question: str, *, query_vector, **options) -> SearchResult:
        assert query_vector == f"vector of {question.lower()}"  # its own vector, not another's
        return SearchResult(question, "en", [], [], False, 0.0)


async def _burst_batches(worker: SearchWorker, fake: _BatchRecordingRetriever) -> list[int]:
    """Ask Q0, then Q1..Q20 (and a bad one) while Q0 is being encoded; the sizes of the
    batches the 20 were encoded in, after checking every answer went to its question."""
    await worker.start()
    first = asyncio.ensure_future(worker.search("Q0"))
    await asyncio.sleep(0.05)  # the worker is busy encoding Q0
    burst = [asyncio.ensure_future(worker.search(f"Q{i}")) for i in range(1, 21)]
    bad = asyncio.ensure_future(worker.search("bad one"))
    await asyncio.sleep(0.05)
    fake.release.set()
    results = await asyncio.gather(first, *burst)
    assert [r.question for r in results] == [f"Q{i}" for i in range(21)]
    with pytest.raises(InvalidQuestion):
        await bad  # refused alone; the others of its batch were answered
    assert fake.batches[0] == ["q0"]
    # the 20 that waited together, in order
    burst_batches = fake.batches[1:]
    assert [q for batch in burst_batches for q in batch] == [f"q{i}" for i in range(1, 21)]
    assert worker.pending == 0
    worker.close()
    return [len(batch) for batch in burst_batches]


def test_questions_waiting_together_are_encoded_in_one_batch():
    fake = _BatchRecordingRetriever()
    sizes = asyncio.run(asyncio.wait_for(_burst_batches(SearchWorker(lambda: fake.mock), fake), 10))
    # in full batches; "bad one", in the last, is never encoded
    assert sizes == [MAX_BATCH, 20 - MAX_BATCH]
    assert len("".join(f"Q{i}" for i in range(21))) < MAX_BATCH_CHARS  # not what bounds them


def test_batches_are_bounded_in_questions_and_characters():
    fake = _BatchRecordingRetriever()
    worker = SearchWorker(lambda: fake.mock, max_batch=64)
    assert asyncio.run(asyncio.wait_for(_burst_batches(worker, fake), 10)) == [20]
    fake = _BatchRecordingRetriever()
    worker = SearchWorker(lambda: fake.mock, max_batch=8)
    sizes = asyncio.run(asyncio.wait_for(_burst_batches(worker, fake), 10))
    assert sizes == [8, 8, 4]
    fake = _BatchRecordingRetriever()
    # "Q1".."Q9" are 2 characters, "Q10".. 3: a batch stops once it holds 7 characters
    worker = SearchWorker(lambda: fake.mock, max_batch_chars=7)
    sizes = asyncio.run(asyncio.wait_for(_burst_batches(worker, fake), 10))
    assert sizes == [4, 4, 3, 3, 3, 3]


class _PipelineRetriever:
    """The search of Q0 waits until another batch is being encoded (up to 5 s), and says
    whether it was: true only if ranking does not hold up the encoder."""

    def __init__(self):
        self.encoded: list[list[str]] = []
        self.encode_threads: set[str] = set()
        self.search_threads: set[str] = set()
        self.second_encode = threading.Event()
        self.mock = create_autospec(Retriever, instance=True)
        self.mock.query_text.side_effect = lambda question: question
        self.mock.encode_queries.side_effect = self._encode
        self.mock.search.side_effect = self._search

    def _encode(self, texts):
        self.encode_threads.add(threading.current_thread().name)
        self.encoded.append(list(texts))
        if len(self.encoded) == 2:
            self.second_encode.set()
        return [None for _ in texts]

    def _search(self, question: str, **options) -> SearchResult:
        self.search_threads.add(threading.current_thread().name)
        overlapped = self.second_encode.wait(5) if question == "Q0" else True
        return SearchResult(question, "en", [], [], overlapped, 0.0)


def test_a_batch_is_ranked_while_the_next_is_encoded():
    async def scenario():
        fake = _PipelineRetriever()
        worker = SearchWorker(lambda: fake.mock)
        await worker.start()
        first = asyncio.ensure_future(worker.search("Q0"))
        await asyncio.sleep(0.05)  # Q0 is encoded and its search waits
        second = await worker.search("Q1")
        assert (await first).answered  # Q0's search saw Q1's batch encoded meanwhile
        assert second.answered and fake.encoded == [["Q0"], ["Q1"]]
        assert len(fake.encode_threads) == len(fake.search_threads) == 1
        assert fake.encode_threads != fake.search_threads
        worker.close()

    asyncio.run(asyncio.wait_for(scenario(), 10))
