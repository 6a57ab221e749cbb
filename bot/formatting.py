"""Text helpers shared by the terminal and Discord renderers."""

from __future__ import annotations

from corpus.chunk import split_sentences

EXCERPT_CHARS = 280  # about three lines of a terminal or a Discord embed field: enough to judge


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The leading whole sentences of `text` that fit in `limit` characters (at least one,
    cut with '…' if even that is longer). Line breaks are kept; blank lines are dropped."""
    text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    if len(text) <= limit:
        return text
    end = 0
    for _, sentence_end in split_sentences(text):
        if sentence_end > limit and end:
            break
        end = sentence_end
    return text[:end] if end <= limit else text[: limit - 1].rstrip() + "…"


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, with '…' when cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"
