"""Members keeping their place in a plan: what a pick may change, and whose rows they are."""

from __future__ import annotations

import asyncio

from bot.db.database import Database
from bot.db.path_progress_store import PathProgressStore
from bot.services.feedback import hash_user_id
from bot.services.path_planner import PathPlanner
from bot.services.path_progress import PathProgress, markable
from bot.services.paths import next_stage
from corpus.loader import SHIPPED_CORPUS_DIR
from tests.helpers import fresh_sqlite_url

GUILD = 123456789012345678
ALICE = 223456789012345678


def test_a_pick_marks_the_plans_stages_to_learn_never_the_covered_ones(tmp_path):
    planner = PathPlanner.load(SHIPPED_CORPUS_DIR)
    developer = planner.plan("developer")
    assert [s.id for s in markable(developer)] == [
        "shallow-ml",
        "math",
        "deep-learning",
        "domain",
        "projects",
        "mlops",
    ]

    async def main() -> None:
        database = await Database.open(fresh_sqlite_url(tmp_path))
        try:
            store = PathProgressStore(database.engine)
            progress = PathProgress(store)
            # covered stages and ids that are no stage of the plan are not marked
            done = await progress.mark(
                GUILD, ALICE, developer, ["shallow-ml", "learn-to-code", "nonsense"]
            )
            assert done == {"shallow-ml"}
            assert await store.done(GUILD, hash_user_id(ALICE)) == {"shallow-ml"}
            assert await progress.done(GUILD, ALICE) == {"shallow-ml"}
            assert next_stage(developer, done).id == "math"
            # a stage is the same on every route: the data scientist's plan sees it done
            scientist = planner.plan("data-scientist")
            done = await progress.mark(GUILD, ALICE, scientist, ["software-engineering"])
            assert done == {"shallow-ml", "software-engineering"}
        finally:
            await database.close()

    asyncio.run(main())
