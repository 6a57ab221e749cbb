"""Moderator curation: pinned answers served first, votes and delivered answers recorded.

The owner of the pins: what a pin may hold (the rules below), the pin index questions are
matched against (`pin_for`, which the answering service, bot/services/answers.py, asks first), and the
glue to the database (which only stores) and to the search worker (which owns the embedder). Discord-facing code (`bot/exts/`, `bot/discord/views.py`) calls this
and renders; nothing here sends messages or imports discord.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np

from bot.config import Settings
from bot.db.answer_log_store import DeliveredAnswer, Stats
from bot.db.database import Database
from bot.db.pin_store import Pin, PinNotFound, PinQuestion
from bot.db.proposal_store import Proposal, ProposalStore
from bot.services.answers import Answer
from bot.services.card_suggestions import CARD_ID_PREFIX
from bot.services.feedback import Vote, hash_user_id
from bot.services.journal import AnswerJournal
from bot.services.pin_rules import (
    CurationError,
    ProposalDecided,
    UnknownPin,
    check_pin_text,
    checked_answer,
    checked_questions,
)
from bot.services.settings import ServerSettings
from bot.services.worker import SearchWorker
from index.pins import PinIndex, PinMatch
from index.query import InvalidQuestion, chinese_script, in_script
from index.results import SearchResult

log = logging.getLogger(__name__)


AnswerSource = Literal["slash", "mention", "forum"]


def answered_by_ids(answer: Answer) -> list[str]:
    """`card:<id>` when an answer card (not a pin) answered: recorded before the hit ids, so
    feedback on a card answer names the card (`careerbot cards suggest` reads them)."""
    card = answer.result.card
    if answer.answered_by != "card" or card is None:
        return []
    return [f"{CARD_ID_PREFIX}{card.card.id}"]


class Curation:
    """Pins, votes and the question log of a running bot."""

    def __init__(
        self,
        settings: Settings,
        worker: SearchWorker,
        database: Database,
        server_settings: ServerSettings | None = None,
        journal: AnswerJournal | None = None,
    ):
        self.settings = settings
        # the question log and answer records, written behind the replies
        self.journal = journal or AnswerJournal(database.answer_log)
        self.server_settings = server_settings or ServerSettings(settings)
        self.proposals = ProposalStore(database)
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
        stored = await self.database.pins.pin_vectors()
        by_pin: dict[int, list[Any]] = {}
        for row in stored:
            by_pin.setdefault(row.pin_id, []).append(row)
        for pin_id, rows in by_pin.items():
            questions = [row.question for row in rows]
            if all(row.embedder_id == self._embedder_id for row in rows):
                vectors = np.stack([row.vector for row in rows])
            else:
                vectors = await self._embed(questions)
                await self.database.pins.edit_pin(
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

    def is_moderator(
        self, guild_id: int | None, user_id: int, role_ids: Sequence[int], manage_messages: bool
    ) -> bool:
        """Manage Messages in the channel, or a moderator role or user from the configuration
        (curation's, or the server's own moderator roles)."""
        curation = self.settings.curation
        if user_id in curation.moderator_user_ids:
            return True
        roles = {
            *curation.moderator_role_ids,
            *self.server_settings.for_guild(guild_id).moderator_role_ids,
        }
        if any(role_id in roles for role_id in role_ids):
            return True
        return manage_messages

    async def pin_for(self, result: SearchResult, guild_id: int | None) -> Pin | None:
        """The guild's pinned answer to the searched question, if a pin question is close
        enough (served before cards and passages)."""
        match = self._pin_match(result, guild_id)
        if match is None or guild_id is None:
            return None
        return await self.database.pins.get_pin(match.pin_id, guild_id)

    def record_delivered(
        self,
        answer: Answer,
        *,
        message_id: int,
        channel_id: int,
        guild_id: int | None,
        user_id: int,
        source: AnswerSource,
        shown_hit_ids: list[str],
    ) -> DeliveredAnswer:
        """Record an answer as delivered in message `message_id` (written behind the reply):
        the buttons under it act on this record (the full question, exactly the hits shown)."""
        delivered = DeliveredAnswer(
            message_id=message_id,
            guild_id=guild_id,
            channel_id=channel_id,
            user_hash=hash_user_id(user_id),
            source=source,
            question=answer.result.question,
            language=answer.result.language,
            hit_ids=answered_by_ids(answer) + shown_hit_ids,
            generation=answer.generation,
            pin_id=answer.pin.id if answer.pin else None,
            answered=answer.answered,
            created_at=datetime.now(UTC),
        )
        self.journal.add_answer(delivered)
        return delivered

    async def delivered(self, message_id: int) -> DeliveredAnswer | None:
        """The recorded answer behind a bot message (None for answers sent before records)."""
        await self.journal.written()
        return await self.database.answer_log.get_answer(message_id)

    async def curated_answer(self, record: DeliveredAnswer) -> str | None:
        """The text of a delivered answer that was curated already: the pin's answer when a pin
        answered, the answer card's (in the question's language and script) when a card did.
        None for an answer made of passages, or when that pin or card is no longer served."""
        if record.pin_id is not None:
            pin = await self.database.pins.get_pin(record.pin_id, record.guild_id or 0)
            return pin.answer if pin is not None else None
        cards = [
            i.removeprefix(CARD_ID_PREFIX) for i in record.hit_ids if i.startswith(CARD_ID_PREFIX)
        ]
        card = self.worker.retriever.cards.by_id(cards[0]) if cards else None  # records only
        if card is None:
            return None
        language = "zh" if record.language == "zh" else "en"
        script = chinese_script(record.question) if language == "zh" else "simplified"
        return in_script(card.answer(language), script)

    async def stats(self, guild_id: int | None, since: datetime) -> Stats:
        """Questions, votes and the most asked (unanswered) questions since `since`, counting
        every question answered so far."""
        await self.journal.written()
        return await self.database.answer_log.stats(guild_id, since)

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
        return check_pin_text(answer, questions)[1]

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
        answer, questions = check_pin_text(answer, questions)
        vectors = await self._embed(questions)
        pin = await self.database.pins.add_pin(
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
        """Change a pin's questions and/or answer (CurationError for bad input or an unknown
        pin; nothing changes then)."""
        stored_questions = None
        vectors = None
        if answer is not None:
            answer = checked_answer(answer)
        if questions is not None:
            questions = checked_questions(questions)
            vectors = await self._embed(questions)
            stored_questions = _pin_questions(questions, vectors)
        try:
            pin = await self.database.pins.edit_pin(
                pin_id,
                guild_id,
                actor_id,
                answer=answer,
                questions=stored_questions,
                embedder_id=self._embedder_id if questions is not None else None,
            )
        except PinNotFound as exc:
            raise UnknownPin(str(exc)) from None
        if questions is not None and vectors is not None:
            self._pins().put(pin.id, guild_id, questions, vectors)
        self.worker.forget_results()
        return pin

    async def remove(self, pin_id: int, guild_id: int, actor_id: int) -> Pin:
        """Remove a pin (kept in the audit trail); it is no longer served. UnknownPin when
        there is none of that number here."""
        try:
            pin = await self.database.pins.remove_pin(pin_id, guild_id, actor_id)
        except PinNotFound as exc:
            raise UnknownPin(str(exc)) from None
        self._pins().remove(pin_id)
        self.worker.forget_results()
        return pin

    async def propose(self, guild_id: int, thread_id: int, question: str, answer: str) -> Proposal:
        """A solved post's question and solution, proposed as a pinned answer (nothing is
        served until a moderator approves). CurationError if it could not become a pin."""
        answer, questions = check_pin_text(answer, [question])
        return await self.proposals.add(guild_id, thread_id, questions[0], answer)

    async def approve(
        self,
        proposal_id: int,
        guild_id: int,
        actor_id: int,
        *,
        question: str | None = None,
        answer: str | None = None,
    ) -> tuple[Proposal, Pin]:
        """Make a pending proposal a pin (with the moderator's edits, if any) and serve it.
        ProposalDecided if it was decided already; CurationError for bad edits (nothing is
        stored then)."""
        proposal = await self.proposals.get(proposal_id, guild_id)
        if proposal is None or proposal.status != "pending":
            raise ProposalDecided("This proposal was already decided.")
        text, questions = check_pin_text(
            answer if answer is not None else proposal.answer,
            [question if question is not None else proposal.question],
        )
        pin = await self.pin(
            guild_id, questions, text, actor_id, source_channel_id=proposal.thread_id
        )
        decided = await self.proposals.decide(
            proposal_id, guild_id, "approved", actor_id, pin_id=pin.id
        )
        if decided is None:  # another moderator decided meanwhile: theirs stands
            await self.remove(pin.id, guild_id, actor_id)
            raise ProposalDecided("This proposal was already decided.")
        return decided, pin

    async def reject(self, proposal_id: int, guild_id: int, actor_id: int) -> Proposal:
        """Reject a pending proposal (ProposalDecided if it was decided already)."""
        decided = await self.proposals.decide(proposal_id, guild_id, "rejected", actor_id)
        if decided is None:
            raise ProposalDecided("This proposal was already decided.")
        return decided

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
        return await self.database.answer_log.record_vote(
            guild_id or 0, message_id, hash_user_id(user_id), vote, question, hit_ids
        )


def _pin_questions(questions: list[str], vectors: np.ndarray) -> list[PinQuestion]:
    return [
        PinQuestion(question, np.asarray(vector, dtype=np.float32))
        for question, vector in zip(questions, vectors, strict=True)
    ]
