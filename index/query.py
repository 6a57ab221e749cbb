"""Question checks and language detection, shared by every front end (CLI, Discord)."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any, Literal

from corpus.schema import Language

# The longest question the retriever accepts. Real questions are a few sentences; past this the
# embedder truncates anyway and the text is more likely a paste than a question.
MAX_QUESTION_CHARS = 1000

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_PUNCTUATION = re.compile(r"[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]")
_WHITESPACE = re.compile(r"\s+")
# Terminal escape sequences (colours, cursor moves) pasted with a question: dropped whole,
# not just their ESC, so "\x1b[1;31mtest\x1b[0m" is "test".
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])"
)
_SURROGATE = re.compile(r"[\ud800-\udfff]")

QuestionLanguage = Language  # the corpus languages; one definition (corpus.schema)


class InvalidQuestion(ValueError):
    """A question that cannot be searched; `reason` is a stable code, the message says why."""

    def __init__(self, reason: Literal["empty", "too_long", "no_words", "not_text"], message: str):
        self.reason = reason
        super().__init__(message)


def normalize_question(question: str, max_chars: int = MAX_QUESTION_CHARS) -> str:
    """The question with escape sequences and control or format characters (NUL, bidi
    overrides, zero-width) removed and white space collapsed.

    Raises InvalidQuestion for text that is not valid Unicode (bytes that were not UTF-8, read
    with surrogateescape), an empty question, one longer than `max_chars`, or one with no
    letters, digits or Chinese characters (only emoji or punctuation).
    """
    if _SURROGATE.search(question):
        raise InvalidQuestion("not_text", "the question is not valid UTF-8 text")
    question = _ESCAPE_SEQUENCE.sub(" ", question)
    # Format characters (zero-width space, bidi overrides) vanish so "机器\u200b学习" stays one
    # word; control characters and line separators separate words.
    visible = "".join(
        ""
        if unicodedata.category(ch) == "Cf"
        else " "
        if unicodedata.category(ch) in {"Cc", "Zl", "Zp"}
        else ch
        for ch in question
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


@functools.cache
def _to_simplified() -> Any:
    """OpenCC's Traditional-to-Simplified converter (phrases and characters), loaded once."""
    import opencc  # imported on use: English questions never need it

    return opencc.OpenCC("t2s.json")


def matching_form(text: str) -> str:
    """The form of a question used for matching: Traditional Chinese becomes Simplified (the
    corpus's script), so both get the same results; text without Han characters is unchanged."""
    if not _HAN.search(text):
        return text
    return _to_simplified().convert(text)


ChineseScript = Literal["simplified", "traditional"]


@functools.cache
def _to_traditional() -> Any:
    """OpenCC's Simplified-to-Traditional converter, loaded once (Traditional askers only)."""
    import opencc

    return opencc.OpenCC("s2tw.json")  # Taiwan standard characters (為, 裡), the most read


def chinese_script(text: str) -> ChineseScript:
    """Whether a question is written in Traditional characters (some of its Han characters
    change when converted to Simplified) or not."""
    return "traditional" if _HAN.search(text) and matching_form(text) != text else "simplified"


def in_script(text: str, script: ChineseScript) -> str:
    """Chinese text (written in Simplified, as the corpus is) in the asker's script."""
    if script == "simplified" or not _HAN.search(text):
        return text
    return _to_traditional().convert(text)


# White space between two Chinese characters or punctuation marks is an artefact of joining
# sentences or paragraphs ("。 一旦"): Chinese text runs on without spaces.
_CJK_CHAR = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
_CJK_GAP = re.compile(rf"(?<={_CJK_CHAR})\s+(?={_CJK_CHAR})")


def join_chinese(text: str) -> str:
    """`text` with the white space between Chinese characters and punctuation removed."""
    return _CJK_GAP.sub("", text)


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
