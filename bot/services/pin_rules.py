"""What a pinned answer may be (its answer and questions, their limits) and the errors curation
raises when a moderator's request breaks a rule."""

from __future__ import annotations

from collections.abc import Sequence

from bot.config import DISCORD_QUESTION_CHARS

# Discord's embed description holds 4096 characters; the label and the footer need some room.
MAX_PIN_ANSWER_CHARS = 4000


MAX_PIN_QUESTION_CHARS = DISCORD_QUESTION_CHARS  # the bot's own question limit


MAX_PIN_QUESTIONS = 10


class CurationError(ValueError):
    """Input a pin cannot be made of, or a pin that does not exist; the message says why."""


class UnknownPin(CurationError):
    """No pin of that number is served in this guild."""


class ProposalDecided(CurationError):
    """The proposal is unknown or a moderator decided it already."""


def check_pin_text(answer: str, questions: Sequence[str]) -> tuple[str, list[str]]:
    """The answer and questions as a pin stores them (trimmed; questions with their whitespace
    collapsed and duplicates dropped), or CurationError with a user-facing reason.

    A pin holds a non-blank answer of at most MAX_PIN_ANSWER_CHARS and 1 to MAX_PIN_QUESTIONS
    non-blank questions of at most MAX_PIN_QUESTION_CHARS each.
    """
    return checked_answer(answer), checked_questions(questions)


def checked_answer(answer: str) -> str:
    answer = answer.strip()
    if not answer:
        raise CurationError("A pin needs an answer text.")
    if len(answer) > MAX_PIN_ANSWER_CHARS:
        raise CurationError(
            f"The answer is {len(answer)} characters long; the limit is {MAX_PIN_ANSWER_CHARS}."
        )
    return answer


def checked_questions(questions: Sequence[str]) -> list[str]:
    cleaned: list[str] = []
    for question in questions:
        text = " ".join(question.split())
        if len(text) > MAX_PIN_QUESTION_CHARS:
            raise CurationError(
                f"A question is {len(text)} characters long; the limit is {MAX_PIN_QUESTION_CHARS}."
            )
        if text and text not in cleaned:
            cleaned.append(text)
    if not cleaned:
        raise CurationError("A pin needs at least one question.")
    if len(cleaned) > MAX_PIN_QUESTIONS:
        raise CurationError(f"A pin takes at most {MAX_PIN_QUESTIONS} questions.")
    return cleaned
