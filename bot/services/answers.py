"""The answering service: one question in, one typed `Answer` out, for every front end.

What answers, in order: a moderator's pinned answer of the guild, then an answer card, then the
passages retrieval finds; or "no good answer" and why. `/ask`, mentions and forum posts
(`AnsweringService.answer`, with the guild's pins, similar threads and the question log) and
`careerbot ask`, `search --json` and `eval` (`answer_once`, no guild) all go through here, so
what `eval` measures is what members are served. Adapters only render and record the `Answer`.
No discord import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from bot.services.feedback import hash_user_id
from index.query import QuestionLanguage
from index.results import SearchResult
from index.retriever import Retriever

if TYPE_CHECKING:  # the bot's side: the command line never loads the database or the worker
    from bot.db.pin_store import Pin
    from bot.services.curation import Curation
    from bot.services.forum import Forum, SimilarThread
    from bot.services.journal import AnswerJournal
    from bot.services.worker import SearchOptions, SearchWorker

AnsweredBy = Literal["pin", "card", "passages", "nothing"]


@dataclass(frozen=True)
class Answer:
    """What a member is told: the search result (lead, passages, resources, the card that
    answered, or why there is no good answer), the guild's pinned answer that comes first, the
    server's similar threads, and the index generation that answered."""

    result: SearchResult
    pin: Pin | None = None
    generation: str = ""
    similar: tuple[SimilarThread, ...] = ()

    @property
    def answered_by(self) -> AnsweredBy:
        """What answers: a pin, a card, the passages retrieval found, or nothing."""
        if self.pin is not None:
            return "pin"
        if self.result.card is not None:
            return "card"
        return "passages" if self.result.answered else "nothing"

    @property
    def answered(self) -> bool:
        """Whether the member gets an answer (a pin, a card or good passages)."""
        return self.answered_by != "nothing"

    @property
    def question(self) -> str:
        return self.result.question

    @property
    def language(self) -> QuestionLanguage:
        return self.result.language

    def to_json(self, query: str) -> dict[str, Any]:
        """The stable JSON object of `careerbot search --json` for the question `query`."""
        result = self.result
        card = result.card
        return {
            "query": query,
            "language": result.language,
            "answered": result.answered,
            "answered_by": self.answered_by,
            "relevance": round(result.relevance, 4),
            "reason": result.reason,
            "dense": round(result.dense, 4),
            "reply_language": result.reply_language,
            "script": result.script,
            "lead": result.lead,
            "lead_original": result.lead_original,
            "lead_passage_id": result.lead_passage_id,
            "lead_sources": result.lead_sources(),
            "card": (
                {
                    "id": card.card.id,
                    "matched_question": card.phrasing,
                    "score": round(card.score, 4),
                }
                if card
                else None
            ),
            "related_card": result.related_card.id if result.related_card else None,
            "hits": [hit.to_json() for hit in result.hits],
        }


def answer_once(
    retriever: Retriever,
    question: str,
    *,
    k: int | None = None,
    k_resources: int | None = None,
    apply_threshold: bool = True,
    reply_language: QuestionLanguage | None = None,
) -> Answer:
    """Answer without a guild (no pins, no similar threads, nothing logged): the command line
    and the evaluation. InvalidQuestion for unusable input."""
    result = retriever.search(
        question,
        k=k,
        k_resources=k_resources,
        apply_threshold=apply_threshold,
        reply_language=reply_language,
    )
    return Answer(result, generation=retriever.index.directory.name)


class AnsweringService:
    """Answers the bot's questions: searched on the worker, the guild's pins first, the
    server's similar threads beside, each question logged behind the reply."""

    def __init__(
        self, worker: SearchWorker, curation: Curation, forum: Forum, journal: AnswerJournal
    ):
        self.worker = worker
        self.curation = curation
        self.forum = forum
        self.journal = journal

    async def answer(
        self,
        question: str,
        guild_id: int | None,
        *,
        user_id: int | None = None,
        record: bool = True,
        options: SearchOptions | None = None,
        exclude_thread: int | None = None,
    ) -> Answer:
        """The answer to `question` asked in `guild_id` by `user_id` (logged when `record`,
        without waiting for the write), searched with `options` (default: the configured k).
        InvalidQuestion for unusable input, WorkerBusy when the search queue is full."""
        from bot.db.answer_log_store import AskedQuestion
        from bot.services.worker import DEFAULT_OPTIONS

        options = options or DEFAULT_OPTIONS
        generation = self.worker.retriever.index.directory.name
        result = await self.worker.search(question, options)
        pin = await self.curation.pin_for(result, guild_id)
        similar = self.forum.similar(
            guild_id, result.query_vector, result.language, exclude=exclude_thread
        )
        answer = Answer(result, pin, generation, tuple(similar))
        if record:
            self.journal.add_question(
                AskedQuestion(
                    guild_id=guild_id,
                    question=result.question,
                    language=result.language,
                    answered=answer.answered,
                    relevance=result.relevance,
                    pin_id=pin.id if pin else None,
                    user_hash=hash_user_id(user_id) if user_id is not None else None,
                    asked_at=datetime.now(UTC),
                )
            )
        return answer
