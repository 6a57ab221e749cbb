"""Text helpers shared by the terminal and Discord renderers."""

from __future__ import annotations

from corpus.chunk import split_sentences

EXCERPT_CHARS = 280  # about three lines of a terminal or a Discord embed field: enough to judge


def excerpt(text: str, limit: int = EXCERPT_CHARS, include: str | None = None) -> str:
    """Whole sentences of `text` that fit in `limit` characters: the leading ones, or, when
    `include` (a sentence of the text, such as the lead) is given, a window of sentences that
    contains it. Cuts are marked with '…'; a single sentence longer than `limit` is clipped.
    Line breaks are kept; blank lines are dropped."""
    text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    if len(text) <= limit:
        return text
    spans = split_sentences(text)
    if not spans:
        return clip(text, limit)
    first = 0
    if include:
        needle = include.strip().splitlines()[0].strip()[:40] if include.strip() else ""
        position = text.find(needle) if needle else -1
        if position >= 0:
            first = next((i for i, (_, end) in enumerate(spans) if end > position), 0)
    prefix = "…" if first else ""
    last = first
    while last + 1 < len(spans) and spans[last + 1][1] - spans[first][0] + len(prefix) + 1 <= limit:
        last += 1
    start, end = spans[first][0], spans[last][1]
    suffix = "…" if end < len(text) else ""
    body = text[start:end]
    if len(prefix) + len(body) + len(suffix) > limit:
        return clip(prefix + body, limit)
    return prefix + body + suffix


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, with '…' when cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"
