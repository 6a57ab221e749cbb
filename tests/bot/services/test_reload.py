"""The running bot's search worker moves to a newly published generation safely."""

import asyncio
import logging
import threading

from bot.services.reload import IndexReloader
from bot.services.worker import SearchOptions, SearchWorker
from index.generations import CURRENT, GENERATIONS, rollback
from index.retriever import Retriever
from tests.conftest import HashEmbedder
from tests.helpers import build_corpus_dir

QUESTION = "机器学习工程师要学哪些数学"

UNTHRESHOLDED = SearchOptions(apply_threshold=False)


def _rewrite_math(corpus_dir, new_text):
    path = corpus_dir / "articles" / "alpha.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("线性代数和概率论", new_text), encoding="utf-8")


def _top_text(result):
    return result.passages[0].text


def test_in_flight_questions_finish_on_the_old_generation_new_ones_use_the_new(
    small_corpus_dir, tmp_path
):
    root = tmp_path / "index"
    embedder = HashEmbedder()
    first = build_corpus_dir(small_corpus_dir, root, embedder).generation

    async def scenario():
        worker = SearchWorker(lambda: Retriever.open(root, embedder))
        await worker.start()
        reloader = IndexReloader(worker, root)
        assert (await reloader.check()).changed is False
        assert reloader.generation == first

        _rewrite_math(small_corpus_dir, "微积分和统计学")
        second = build_corpus_dir(small_corpus_dir, root, embedder).generation

        # hold the search thread so that a question is queued before the swap
        release = threading.Event()
        blocker = asyncio.ensure_future(worker.call(lambda retriever: release.wait(5)))
        queued = asyncio.ensure_future(worker.search(QUESTION, UNTHRESHOLDED))
        await asyncio.sleep(0.05)
        outcome = await reloader.check()
        assert outcome.changed and outcome.generation == second == reloader.generation
        after = asyncio.ensure_future(worker.search(QUESTION + "？", UNTHRESHOLDED))
        release.set()
        await blocker
        assert "线性代数" in _top_text(await queued)
        assert "微积分" in _top_text(await after)
        # results kept from the old generation are not served again
        assert "微积分" in _top_text(await worker.search(QUESTION, UNTHRESHOLDED))

        # a rollback is picked up the same way
        rollback(root, embedder.id)
        assert (await reloader.check()).generation == first
        assert "线性代数" in _top_text(await worker.search(QUESTION, UNTHRESHOLDED))
        worker.close()

    asyncio.run(scenario())


def test_a_generation_that_cannot_be_loaded_is_refused_once_and_the_old_one_served(
    small_corpus_dir, tmp_path, caplog
):
    root = tmp_path / "index"
    embedder = HashEmbedder()
    first = build_corpus_dir(small_corpus_dir, root, embedder).generation

    async def scenario():
        worker = SearchWorker(lambda: Retriever.open(root, embedder))
        await worker.start()
        reloader = IndexReloader(worker, root)
        _rewrite_math(small_corpus_dir, "微积分和统计学")
        second = build_corpus_dir(small_corpus_dir, root, embedder).generation
        (root / GENERATIONS / second / "passages.json").write_text("[]")  # damaged after publish

        with caplog.at_level(logging.ERROR, logger="bot.services.reload"):
            for _ in range(3):
                outcome = await reloader.check()
                assert not outcome.changed and outcome.generation == first
                assert "passages.json" in outcome.error
        assert len([r for r in caplog.records if second in r.getMessage()]) == 1
        assert "线性代数" in _top_text(await worker.search(QUESTION, UNTHRESHOLDED))

        (root / CURRENT).write_text("no-such-generation\n")
        outcome = await reloader.check()
        assert outcome.generation == first and "does not hold a generation name" in outcome.error
        (root / CURRENT).write_text("20200101T000000000000Z\n")
        outcome = await reloader.check()
        assert outcome.generation == first and "does not exist" in outcome.error

        third = build_corpus_dir(
            small_corpus_dir, root, embedder, force=True
        ).generation  # a good one again
        assert (await reloader.check()).generation == third
        assert "微积分" in _top_text(await worker.search(QUESTION, UNTHRESHOLDED))
        worker.close()

    asyncio.run(scenario())


def test_polling_picks_up_a_new_generation_by_itself(small_corpus_dir, tmp_path):
    root = tmp_path / "index"
    embedder = HashEmbedder()
    build_corpus_dir(small_corpus_dir, root, embedder)

    async def scenario():
        worker = SearchWorker(lambda: Retriever.open(root, embedder))
        await worker.start()
        reloader = IndexReloader(worker, root)
        reloader.start_polling(0.05)
        _rewrite_math(small_corpus_dir, "微积分和统计学")
        second = (
            await asyncio.to_thread(build_corpus_dir, small_corpus_dir, root, embedder)
        ).generation
        for _ in range(100):
            if reloader.generation == second:
                break
            await asyncio.sleep(0.05)
        assert reloader.generation == second
        await reloader.stop()
        worker.close()

    asyncio.run(scenario())
