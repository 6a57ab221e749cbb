"""Alignment of a translation with its original: blocks by position, sentences by order, length
and (when the caller has sentence vectors) cross-lingual similarity.

A translation has the same headings and paragraphs as its original, in the same order, so
anything chosen in one language (a passage, a lead sentence) can be shown in the other.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from corpus.clean import Block, CleanedArticle

# Sentence groups an alignment may pair: one-to-one, and the merges and splits a translator
# makes (two short Chinese sentences become one English sentence, and the reverse). A sentence
# with no counterpart is not allowed: a faithful translation drops nothing.
_BEADS: tuple[tuple[int, int], ...] = ((1, 1), (1, 2), (2, 1), (2, 2), (1, 3), (3, 1))
# Cost of a merge or split against a one-to-one pair: order and lengths decide only when the
# similarity does not (e.g. equal sentence counts with equal shares of the paragraph).
_MERGE_PENALTY = 0.3
# Weight of the cross-lingual similarity against the length cost (|log ratio of shares|).
SIMILARITY_WEIGHT = 2.0

SentenceSimilarity = Callable[[int, int], float]  # (original index, translated index) -> cosine


@dataclass(frozen=True)
class SentenceGroup:
    """Aligned sentences: original sentences `original[0]..original[1]-1` say what translated
    sentences `translated[0]..translated[1]-1` say."""

    original: tuple[int, int]
    translated: tuple[int, int]


@dataclass(frozen=True)
class StructureProblem:
    """Where a translation's structure departs from its original's."""

    path: Path
    line: int | None
    reason: str


def align_sentences(
    original_lengths: Sequence[int],
    translated_lengths: Sequence[int],
    similarity: SentenceSimilarity | None = None,
) -> list[SentenceGroup]:
    """Monotonic alignment of two sentence lists covering both completely.

    Minimises, over groups, |log(share of the translated text / share of the original text)|
    plus a penalty for merges and splits, minus `SIMILARITY_WEIGHT` x the mean similarity of
    the group's sentence pairs when `similarity` is given (a Gale-Church style dynamic
    program). Equal counts without a similarity give one-to-one at once.
    """
    n, m = len(original_lengths), len(translated_lengths)
    if n == 0 or m == 0:
        return [SentenceGroup((0, n), (0, m))] if n or m else []
    if n == m and similarity is None:
        return [SentenceGroup((i, i + 1), (i, i + 1)) for i in range(n)]
    total_o = max(1, sum(original_lengths))
    total_t = max(1, sum(translated_lengths))
    prefix_o = [0]
    for length in original_lengths:
        prefix_o.append(prefix_o[-1] + length)
    prefix_t = [0]
    for length in translated_lengths:
        prefix_t.append(prefix_t[-1] + length)

    def cost(i: int, j: int, a: int, b: int) -> float:
        share_o = (prefix_o[i + a] - prefix_o[i] + 1) / total_o
        share_t = (prefix_t[j + b] - prefix_t[j] + 1) / total_t
        value = abs(math.log(share_t / share_o))
        if (a, b) != (1, 1):
            value += _MERGE_PENALTY
        if similarity is not None:
            pairs = [similarity(x, y) for x in range(i, i + a) for y in range(j, j + b)]
            value -= SIMILARITY_WEIGHT * (sum(pairs) / len(pairs))
        return value

    inf = float("inf")
    best = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if best[i][j] == inf:
                continue
            for a, b in _BEADS:
                if i + a <= n and j + b <= m:
                    value = best[i][j] + cost(i, j, a, b)
                    if value < best[i + a][j + b]:
                        best[i + a][j + b] = value
                        back[i + a][j + b] = (a, b)
    if best[n][m] == inf:  # counts too far apart for the beads: one group for everything
        return [SentenceGroup((0, n), (0, m))]
    groups: list[SentenceGroup] = []
    i, j = n, m
    while i or j:
        step = back[i][j]
        assert step is not None
        a, b = step
        groups.append(SentenceGroup((i - a, i), (j - b, j)))
        i, j = i - a, j - b
    return groups[::-1]


def structure_problems(
    original: CleanedArticle,
    original_path: Path,
    original_body_line: int,
    translated: CleanedArticle,
    translated_path: Path,
    translated_body_line: int,
) -> list[StructureProblem]:
    """The first place where the translation's headings and paragraphs stop matching the
    original's (kind, heading level, count), or nothing when they match."""

    def line_of(block: Block, body_line: int) -> int:
        return body_line + block.line - 1

    for index, (ours, theirs) in enumerate(zip(original.blocks, translated.blocks, strict=False)):
        if ours.kind != theirs.kind or ours.level != theirs.level:
            expected = _describe(ours)
            found = _describe(theirs)
            return [
                StructureProblem(
                    translated_path,
                    line_of(theirs, translated_body_line),
                    f"block {index + 1} is {found} but the original has {expected} there "
                    f"({original_path.name}:{line_of(ours, original_body_line)}); a translation "
                    "keeps every heading and paragraph of the original, in order",
                )
            ]
    if len(original.blocks) != len(translated.blocks):
        shorter = min(len(original.blocks), len(translated.blocks))
        if len(translated.blocks) < len(original.blocks):
            missing = original.blocks[shorter]
            return [
                StructureProblem(
                    translated_path,
                    None,
                    f"the translation ends after {shorter} blocks; the original goes on with "
                    f"{_describe(missing)} ({original_path.name}:"
                    f"{line_of(missing, original_body_line)})",
                )
            ]
        extra = translated.blocks[shorter]
        return [
            StructureProblem(
                translated_path,
                line_of(extra, translated_body_line),
                f"{_describe(extra)} has no counterpart: the original has {shorter} blocks",
            )
        ]
    return []


def _describe(block: Block) -> str:
    if block.kind == "heading":
        return f"a level-{block.level} heading {block.text[:30]!r}"
    return f"a paragraph {block.text[:30]!r}"
