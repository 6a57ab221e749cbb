"""Question checks and language detection, shared by every front end (CLI, Discord)."""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

# The longest question the retriever accepts. Real questions are a few sentences; past this the
# embedder truncates anyway and the text is more likely a paste than a question.
MAX_QUESTION_CHARS = 1000

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_PUNCTUATION = re.compile(r"[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]")
_WHITESPACE = re.compile(r"\s+")

QuestionLanguage = Literal["zh", "en"]


class InvalidQuestion(ValueError):
    """A question that cannot be searched; `reason` is a stable code, the message says why."""

    def __init__(self, reason: Literal["empty", "too_long", "no_words"], message: str):
        self.reason = reason
        super().__init__(message)


def normalize_question(question: str, max_chars: int = MAX_QUESTION_CHARS) -> str:
    """The question with control characters removed and white space collapsed.

    Raises InvalidQuestion for an empty question, one longer than `max_chars`, or one with no
    letters, digits or Chinese characters (only emoji or punctuation).
    """
    visible = "".join(
        " " if unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} else ch for ch in question
    )
    text = _WHITESPACE.sub(" ", visible).strip()
    if not text:
        raise InvalidQuestion("empty", "the question is empty")
    if len(text) > max_chars:
        raise InvalidQuestion(
            "too_long", f"the question is {len(text)} characters long; the limit is {max_chars}"
        )
    if not any(unicodedata.category(ch)[0] in {"L", "N"} for ch in text):
        raise InvalidQuestion("no_words", "the question has no words (only symbols or emoji)")
    return text


def detect_language(text: str) -> QuestionLanguage:
    """'zh' when Chinese characters make up a fair share of the text, else 'en'.

    Mixed questions ("ML 工程师要学什么") are Chinese: a Chinese speaker uses English terms, rarely
    the other way round. A Han character carries about as much as an English word.
    """
    han = len(_HAN.findall(text))
    latin_words = len(re.findall(r"[A-Za-z]+", text))
    if han == 0 and latin_words == 0:  # "？？" typed on a Chinese keyboard
        return "zh" if _CJK_PUNCTUATION.search(text) else "en"
    return "zh" if han >= 2 and han >= latin_words else "en"
