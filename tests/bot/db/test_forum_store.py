"""Help-forum posts and pin proposals as stored."""

from __future__ import annotations

import numpy as np

from bot.db.database import Database
from bot.db.forum_store import ForumStore, StoredPost
from bot.db.proposal_store import ProposalStore
from tests.helpers import run_with_database


def _post(thread_id: int, **changes: object) -> StoredPost:
    fields: dict[str, object] = {
        "thread_id": thread_id,
        "guild_id": 5,
        "forum_id": 7,
        "author_hash": "abc",
        "title": "Which course?",
        "content": "I know Python.",
        "language": "en",
        "vector": np.arange(4, dtype=np.float32),
        "embedder_id": "e5",
        "answered": False,
        "solution_message_id": None,
        "solution": None,
    }
    fields.update(changes)
    return StoredPost(**fields)  # type: ignore[arg-type]


def test_posts_are_stored_replaced_listed_and_deleted(database_url):
    async def scenario(database: Database) -> None:
        store = ForumStore(database)
        await store.put(_post(100))
        await store.put(_post(101, title="Math?", language="zh"))
        await store.put(_post(100, answered=True, solution_message_id=555, solution="Take X."))
        stored = await store.get(100)
        assert stored is not None and stored.answered and stored.solved
        assert stored.solution == "Take X." and stored.vector.tolist() == [0, 1, 2, 3]
        assert [post.thread_id for post in await store.all()] == [100, 101]
        assert await store.known([100, 102]) == {100} and await store.known([]) == set()
        assert await store.delete(100) and not await store.delete(100)
        assert await store.get(100) is None

    run_with_database(database_url, scenario)


def test_a_proposal_is_decided_once(database_url):
    async def scenario(database: Database) -> None:
        store = ProposalStore(database)
        proposal = await store.add(5, 100, "Which course?", "Take X.")
        assert proposal.status == "pending" and proposal.review_message_id is None
        await store.set_review_message(proposal.id, 900)
        assert (await store.get(proposal.id, 5)).review_message_id == 900
        assert await store.get(proposal.id, 6) is None  # another server's
        approved = await store.decide(proposal.id, 5, "approved", 42, pin_id=3)
        assert approved is not None and (approved.status, approved.pin_id) == ("approved", 3)
        assert await store.decide(proposal.id, 5, "rejected", 43) is None  # decided already
        assert (await store.get(proposal.id, 5)).status == "approved"

    run_with_database(database_url, scenario)
