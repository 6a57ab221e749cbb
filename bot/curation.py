"""Moderator curation: pinned answers served first, votes and asked questions recorded.

The glue between the database (what was pinned, voted, asked), the pin index the retriever
matches questions against, and the search worker that owns the embedder. Discord-facing code
(`bot/exts/pins.py`, `bot/exts/ask.py`) calls this and renders; nothing here sends messages.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import discord
import numpy as np
from discord import app_commands

from bot.config import Settings
from bot.db.database import CurationError, Database, Pin, PinQuestion, check_pin_text
from bot.feedback import Vote, hash_user_id
from bot.worker import SearchWorker
from index.pins import PinIndex, PinMatch
from index.query import InvalidQuestion
from index.retriever import SearchResult

log = logging.getLogger(__name__)


class NotModerator(app_commands.CheckFailure):
    """The member may not curate; answered with a polite ephemeral refusal.

    Defined here, not in the extension: discord.py loads extensions as fresh module objects, so
    a class defined there would not be the one the error handler imports."""


@dataclass(frozen=True)
class Answer:
    """A search result and, when a moderator pinned an answer to this question, that pin."""

    result: SearchResult
    pin: Pin | None


class Curation:
    """Pins, votes and the question log of a running bot."""

    def __init__(self, settings: Settings, worker: SearchWorker, database: Database):
        self.settings = settings
        self.worker = worker
        self.database = database
        self._embedder_id = ""
        # the moderators' pinned questions of every guild: curation owns them, not the index
        self._pin_index: PinIndex | None = None

    async def load_pins(self) -> int:
        """Load every stored pin into the pin index; returns the number of pin questions.

        Pins stored with another embedder's vectors are encoded again (and saved) first.
        """
        self._embedder_id = await self.worker.call(lambda retriever: retriever.embedder.id)
        dim = await self.worker.call(lambda retriever: retriever.embedder.dim)
        pins = PinIndex(dim)
        stored = await self.database.pin_vectors()
        by_pin: dict[int, list[Any]] = {}
        for row in stored:
            by_pin.setdefault(row.pin_id, []).append(row)
        for pin_id, rows in by_pin.items():
            questions = [row.question for row in rows]
            if all(row.embedder_id == self._embedder_id for row in rows):
                vectors = np.stack([row.vector for row in rows])
            else:
                vectors = await self._embed(questions)
                await self.database.edit_pin(
                    pin_id,
                    rows[0].guild_id,
                    None,
                    questions=_pin_questions(questions, vectors),
                    embedder_id=self._embedder_id,
                )
                log.info("pin %d re-encoded for embedder %s", pin_id, self._embedder_id)
            pins.put(pin_id, rows[0].guild_id, questions, vectors)

        self._pin_index = pins
        return len(pins)

    async def _embed(self, questions: list[str]) -> np.ndarray:
        try:
            return await self.worker.call(lambda retriever: retriever.embed_questions(questions))
        except InvalidQuestion as exc:
            raise CurationError(f"A question cannot be searched: {exc}") from None

    def _pins(self) -> PinIndex:
        pins = self._pin_index
        if pins is None:
            raise RuntimeError("Curation.load_pins() has not run")
        return pins

    def is_moderator(self, user: discord.abc.User, permissions: discord.Permissions) -> bool:
        """Manage Messages in the channel, or a moderator role or user from the configuration."""
        curation = self.settings.curation
        if user.id in curation.moderator_user_ids:
            return True
        roles = getattr(user, "roles", [])
        if any(role.id in curation.moderator_role_ids for role in roles):
            return True
        return permissions.manage_messages

    async def answer(
        self, question: str, guild_id: int | None, *, record: bool = True, **options: Any
    ) -> Answer:
        """Search, and find a pin of `guild_id` whose question is close enough to serve first;
        log the question when `record`."""
        result = await self.worker.search(question, **options)
        pin = None
        match = self._pin_match(result, guild_id)
        if match is not None and guild_id is not None:
            pin = await self.database.get_pin(match.pin_id, guild_id)
        if record:
            if pin is not None:
                await self.database.record_pin_use(pin.id)
            await self.database.record_question(
                guild_id,
                result.question,
                result.language,
                result.answered or pin is not None,
                result.relevance,
                pin.id if pin else None,
            )
        return Answer(result, pin)

    def _pin_match(self, result: SearchResult, guild_id: int | None) -> PinMatch | None:
        """The guild's pin closest to the question above the thresholds (a dot product over
        that guild's few pin questions: cheap enough for the event loop)."""
        if guild_id is None or self._pin_index is None or result.query_vector is None:
            return None
        config = self.settings.retrieval
        return self._pin_index.best(
            result.query_vector,
            result.language,
            guild_id,
            config.pin_threshold_same_language,
            config.pin_threshold_cross_language,
        )

    @staticmethod
    def check(questions: list[str], answer: str) -> list[str]:
        """The cleaned questions; CurationError if the pin would be refused (nothing stored)."""
        cleaned = _clean_questions(questions)
        check_pin_text(answer, cleaned)
        return cleaned

    async def pin(
        self,
        guild_id: int,
        questions: list[str],
        answer: str,
        actor_id: int,
        *,
        source_channel_id: int | None = None,
        source_message_id: int | None = None,
    ) -> Pin:
        """Store a pinned answer (CurationError for bad input) and serve it from now on."""
        questions = _clean_questions(questions)
        vectors = await self._embed(questions)
        pin = await self.database.add_pin(
            guild_id,
            answer,
            _pin_questions(questions, vectors),
            self._embedder_id,
            actor_id,
            source_channel_id=source_channel_id,
            source_message_id=source_message_id,
        )
        self._pins().put(pin.id, guild_id, questions, vectors)
        self.worker.forget_results()
        return pin

    async def edit(
        self,
        pin_id: int,
        guild_id: int,
        actor_id: int,
        *,
        questions: list[str] | None = None,
        answer: str | None = None,
    ) -> Pin:
        """Change a pin's questions and/or answer."""
        stored_questions = None
        vectors = None
        if questions is not None:
            questions = _clean_questions(questions)
            vectors = await self._embed(questions)
            stored_questions = _pin_questions(questions, vectors)
        pin = await self.database.edit_pin(
            pin_id,
            guild_id,
            actor_id,
            answer=answer,
            questions=stored_questions,
            embedder_id=self._embedder_id if questions is not None else None,
        )
        if questions is not None and vectors is not None:
            self._pins().put(pin.id, guild_id, questions, vectors)
        self.worker.forget_results()
        return pin

    async def remove(self, pin_id: int, guild_id: int, actor_id: int) -> Pin:
        """Remove a pin (kept in the audit trail); it is no longer served."""
        pin = await self.database.remove_pin(pin_id, guild_id, actor_id)
        self._pins().remove(pin_id)
        self.worker.forget_results()
        return pin

    async def vote(
        self,
        guild_id: int | None,
        message_id: int,
        user_id: int,
        vote: Vote,
        question: str,
        hit_ids: list[str],
    ) -> bool:
        """Record a 👍/👎 (one per user per answer); True if it replaced the user's earlier vote."""
        return await self.database.record_vote(
            guild_id or 0, message_id, hash_user_id(user_id), vote, question, hit_ids
        )


def _clean_questions(questions: list[str]) -> list[str]:
    cleaned = []
    for question in questions:
        question = " ".join(question.split())
        if question and question not in cleaned:
            cleaned.append(question)
    if not cleaned:
        raise CurationError("A pin needs at least one question.")
    return cleaned


def _pin_questions(questions: list[str], vectors: np.ndarray) -> list[PinQuestion]:
    return [
        PinQuestion(question, np.asarray(vector, dtype=np.float32))
        for question, vector in zip(questions, vectors, strict=True)
    ]
