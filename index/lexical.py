"""Lexical matching for Chinese and English: tokenizer, glossary expansion, BM25 (bm25s)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import bm25s

TOKENIZER_ID = "cjk-bigram+latin-words/v1"

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[a-z0-9][a-z0-9+#]*(?:[.\-][a-z0-9+#]+)*")
# English words too common to say anything about a question. Chinese needs no list: bigrams
# like "的一" are frequent in every passage and BM25's IDF gives them almost no weight.
_STOPWORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "do",
        "does",
        "did",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "should",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "too",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "am",
        "any",
        "about",
        "also",
        "just",
        "get",
        "got",
        "im",
        "i'm",
        "i've",
        "ive",
        "really",
        "want",
        "wanna",
        "much",
        "many",
        "more",
        "most",
        "some",
    }
)


def tokenize(text: str) -> list[str]:
    """Tokens for BM25: overlapping character bigrams of Chinese runs, lowercase Latin words.

    Bigrams need no dictionary (jieba's takes about a second to load, which a cold `ask` cannot
    afford) and match Chinese words of any length by their overlapping pairs.
    """
    lowered = text.lower()
    tokens: list[str] = []
    for run in _CJK_RUN.findall(lowered):
        if len(run) == 1:
            tokens.append(run)
        else:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    tokens.extend(w for w in _LATIN_WORD.findall(_CJK_RUN.sub(" ", lowered)) if w not in _STOPWORDS)
    return tokens


class GlossaryExpander:
    """Adds the corpus's Chinese terms for the English domain terms found in a question."""

    def __init__(self, entries: Iterable[tuple[Sequence[str], Sequence[str]]]):
        self._zh_for: dict[str, list[str]] = {}
        for english_terms, chinese_terms in entries:
            for term in english_terms:
                self._zh_for.setdefault(term.lower(), []).extend(chinese_terms)
        terms = sorted(self._zh_for, key=len, reverse=True)  # longest first: "data scientist"
        self._pattern = (
            re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, terms)) + r")(?![a-z0-9])")
            if terms
            else None
        )

    def chinese_terms(self, question: str) -> list[str]:
        """Chinese terms for the English glossary terms in `question`, without repeats."""
        if self._pattern is None:
            return []
        found: dict[str, None] = {}
        for match in self._pattern.finditer(question.lower()):
            for term in self._zh_for[match.group(0)]:
                found[term] = None
        return list(found)


class LexicalIndex:
    """BM25 over tokenized texts."""

    def __init__(self, model: bm25s.BM25, size: int):
        self._model = model
        self.size = size

    @classmethod
    def build(cls, texts: Sequence[str]) -> LexicalIndex:
        """Index `texts` (one document each)."""
        import bm25s  # imported on use: with scipy it costs 0.4 s that `index status` need not pay

        # Token ids rather than token strings: one shared int per occurrence instead of a ~90-byte
        # str, so a million passages index in ~5 GB instead of ~20 (bench/bench_scale.py).
        vocabulary: dict[str, int] = {}
        ids = [
            [vocabulary.setdefault(token, len(vocabulary)) for token in tokenize(t)] for t in texts
        ]
        model = bm25s.BM25(k1=1.2, b=0.75)
        model.index((ids, vocabulary), show_progress=False)
        return cls(model, len(texts))

    def save(self, directory: Path) -> None:
        """Write the index files into `directory`."""
        self._model.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path, size: int) -> LexicalIndex:
        """Read an index written by `save`."""
        import bm25s

        model = bm25s.BM25.load(str(directory), show_progress=False, verbosity=0)
        return cls(model, size)

    def idf(self, tokens: Sequence[str]) -> np.ndarray:
        """Inverse document frequency of each token, log(1 + (n + 1) / (df + 0.5)); a token
        the corpus never uses gets the highest value. Read from BM25's per-token postings
        (columns of its sparse score matrix), so it costs nothing to keep."""
        vocabulary = self._model.vocab_dict
        indptr = self._model.scores["indptr"]
        frequencies = np.array(
            [
                indptr[vocabulary[t] + 1] - indptr[vocabulary[t]] if t in vocabulary else 0
                for t in tokens
            ],
            dtype=np.float64,
        )
        return np.log1p((self.size + 1) / (frequencies + 0.5))

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query tokens (zeros when nothing matches)."""
        if not tokens or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._model.get_scores(list(tokens)), dtype=np.float32)
