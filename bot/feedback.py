"""Feedback from the 👍/👎 buttons, appended to a JSON-lines file in the data directory.

One line per vote, written and flushed before the user is thanked, so an acknowledged vote is
on disk. User ids are stored hashed: the log says how answers were received, not by whom.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

Vote = Literal["up", "down"]


def hash_user_id(user_id: int) -> str:
    """A stable pseudonym of a Discord user id (sha256, 16 hex digits)."""
    return hashlib.sha256(f"careerbot-user:{user_id}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class FeedbackRecord:
    """One vote on one answer."""

    at: str  # ISO 8601, UTC
    guild_id: int | None
    channel_id: int | None
    message_id: int  # the answer's message
    question: str
    vote: Vote
    user: str  # hash_user_id(...)
    hit_ids: list[str]  # the passages and resources the answer showed


class FeedbackLog:
    """Appends feedback records to `path` (JSON lines); safe to call from the event loop."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()  # appends from several threads must not interleave

    async def record(
        self,
        *,
        guild_id: int | None,
        channel_id: int | None,
        message_id: int,
        question: str,
        vote: Vote,
        user_id: int,
        hit_ids: list[str],
    ) -> FeedbackRecord:
        """Write one vote to disk (off the event loop) and return it."""
        record = FeedbackRecord(
            at=datetime.now(UTC).isoformat(timespec="seconds"),
            guild_id=guild_id,
            channel_id=channel_id,
            message_id=message_id,
            question=question,
            vote=vote,
            user=hash_user_id(user_id),
            hit_ids=hit_ids,
        )
        await asyncio.to_thread(self._append, json.dumps(asdict(record), ensure_ascii=False))
        return record

    def _append(self, line: str) -> None:
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")
                handle.flush()
                os.fsync(handle.fileno())

    def read(self) -> list[FeedbackRecord]:
        """Every record written so far (for reports and tests)."""
        if not self.path.exists():
            return []
        with open(self.path, encoding="utf-8") as handle:
            return [FeedbackRecord(**json.loads(line)) for line in handle if line.strip()]
