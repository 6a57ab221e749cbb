"""Members keeping their place in a learning plan: the stages each marked done, per server.

A service: the Discord extension shows the menu and passes on what the member chose; this
module decides what a choice may change (the stages the plan let them mark, never the ones
their starting point covers) and whose rows they are (the pseudonym of
`bot.services.feedback.hash_user_id`, like the members' other data); `/forget-me` deletes them.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.db.path_progress_store import PathProgressStore
from bot.services.feedback import hash_user_id
from bot.services.path_plan import LearningPlan, PlanStage


def markable(plan: LearningPlan) -> list[PlanStage]:
    """The stages of `plan` a member can mark done: those their starting point does not cover,
    in the plan's order."""
    return [stage for stage in plan.stages if not stage.covered]


class PathProgress:
    """Which stages each member marked done, per server."""

    def __init__(self, store: PathProgressStore):
        self.store = store

    async def done(self, guild_id: int, user_id: int) -> frozenset[str]:
        """The stages the member marked done in the server (of any plan: a stage is the same
        stage on every route)."""
        return await self.store.done(guild_id, hash_user_id(user_id))

    async def mark(
        self, guild_id: int, user_id: int, plan: LearningPlan, chosen: Iterable[str]
    ) -> frozenset[str]:
        """Set the member's marks on the plan's markable stages to `chosen` (done when chosen,
        not done otherwise; ids that are not markable stages of the plan are ignored); returns
        every stage the member has done in the server."""
        stage_ids = [stage.id for stage in markable(plan)]
        return await self.store.set_done(
            guild_id, hash_user_id(user_id), stage_ids, set(chosen) & set(stage_ids)
        )
