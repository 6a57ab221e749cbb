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


def _is_word_character(character: str) -> bool:
    return "a" <= character <= "z" or "0" <= character <= "9"


class GlossaryExpander:
    """Adds the corpus's Chinese terms for the English domain terms found in a question.

    A term is found as a whole (not inside a longer word of letters and digits), the longest
    first, left to right without overlaps: what the regular expression
    `(?<![a-z0-9])(?:term|term|...)(?![a-z0-9])` over the terms longest first finds, without
    compiling one (844 alternatives took 25 ms of a cold `careerbot ask`).
    """

    def __init__(self, entries: Iterable[tuple[Sequence[str], Sequence[str]]]):
        self._zh_for: dict[str, list[str]] = {}
        for english_terms, chinese_terms in entries:
            for term in english_terms:
                if term:
                    self._zh_for.setdefault(term.lower(), []).extend(chinese_terms)
        # by first character, longest first: "data scientist" is tried before "data"
        self._by_first: dict[str, list[str]] = {}
        for term in sorted(self._zh_for, key=len, reverse=True):
            self._by_first.setdefault(term[0], []).append(term)

    def terms_in(self, question: str) -> list[str]:
        """The glossary's English terms found in `question`, in order, repeats kept."""
        text = question.lower()
        found: list[str] = []
        position, length = 0, len(text)
        while position < length:
            candidates = self._by_first.get(text[position])
            if candidates and (position == 0 or not _is_word_character(text[position - 1])):
                for term in candidates:
                    end = position + len(term)
                    if text.startswith(term, position) and (
                        end == length or not _is_word_character(text[end])
                    ):
                        found.append(term)
                        position = end
                        break
                else:
                    position += 1
            else:
                position += 1
        return found

    def chinese_terms(self, question: str) -> list[str]:
        """Chinese terms for the English glossary terms in `question`, without repeats."""
        chinese: dict[str, None] = {}
        for term in self.terms_in(question):
            for translation in self._zh_for[term]:
                chinese[translation] = None
        return list(chinese)


# What `LexicalIndex.build` asks bm25s for, and all `load` can score: Lucene's BM25, whose
# scores are all in the saved matrix (BM25L and BM25+ add a per-token score for documents
# without the token, kept in another file).
_BM25_METHOD = "lucene"
_BM25_FILES = {
    "data": "data.csc.index.npy",
    "indices": "indices.csc.index.npy",
    "indptr": "indptr.csc.index.npy",
}


class LexicalIndex:
    """BM25 over tokenized texts.

    bm25s builds and saves the index: a sparse matrix of every (token, document) score,
    precomputed, one column per token (CSC: `indptr`, `indices`, `data`), and the vocabulary.
    Scoring a query is adding the columns of its tokens, which `scores` does with numpy from
    the saved arrays: answering never imports bm25s, nor the scipy it imports (0.15-0.3 s of a
    cold `careerbot ask`, in which everything else takes about a second). The scores are
    bm25s's own, to the bit (tests/index/test_lexical.py compares them).
    """

    def __init__(
        self,
        vocabulary: dict[str, int],
        data: np.ndarray,
        indices: np.ndarray,
        indptr: np.ndarray,
        size: int,
        model: bm25s.BM25 | None = None,
    ):
        self._vocabulary = vocabulary
        self._data = data
        self._indices = indices
        self._indptr = indptr
        self._model = model  # only for `save`, after a build
        self.size = size

    @property
    def vocabulary_size(self) -> int:
        """Distinct tokens indexed."""
        return len(self._vocabulary)

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
        model = bm25s.BM25(k1=1.2, b=0.75, method=_BM25_METHOD)
        model.index((ids, vocabulary), show_progress=False)
        return cls(
            {token: i for token, i in model.vocab_dict.items() if token},
            model.scores["data"],
            model.scores["indices"],
            model.scores["indptr"],
            len(texts),
            model,
        )

    def save(self, directory: Path) -> None:
        """Write the index files into `directory` (bm25s's format; only after `build`)."""
        if self._model is None:
            raise ValueError("only a LexicalIndex just built can be saved")
        self._model.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path, size: int) -> LexicalIndex:
        """Read an index written by `save`; ValueError (or OSError) if it is not one of `size`
        documents that this class can score."""
        import json

        params = json.loads((directory / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method") != _BM25_METHOD:
            raise ValueError(f"{directory.name}: BM25 method {params.get('method')!r}")
        if params.get("num_docs") != size:
            raise ValueError(f"{directory.name}: {params.get('num_docs')} documents, not {size}")
        vocabulary = json.loads((directory / "vocab.index.json").read_text(encoding="utf-8"))
        if not isinstance(vocabulary, dict):
            raise ValueError(f"{directory.name}: the vocabulary is not a mapping")
        # bm25s adds the empty token, for documents without any, after the last column;
        # `tokenize` never yields it
        vocabulary.pop("", None)
        arrays = {
            name: np.load(directory / file, allow_pickle=False)
            for name, file in _BM25_FILES.items()
        }
        data, indices, indptr = arrays["data"], arrays["indices"], arrays["indptr"]
        consistent = (
            data.ndim == indices.ndim == indptr.ndim == 1
            and len(data) == len(indices)
            and len(indptr) >= 1
            and int(indptr[-1]) == len(data)
            and _columns_within(vocabulary, len(indptr) - 1)
            and (len(indices) == 0 or (int(indices.min()) >= 0 and int(indices.max()) < size))
        )
        if not consistent:
            raise ValueError(f"{directory.name}: inconsistent score matrix")
        # the scores are added in this type, as bm25s adds them
        try:
            dtype = np.dtype(params.get("dtype", "float32"))
        except TypeError:
            raise ValueError(f"{directory.name}: score type {params.get('dtype')!r}") from None
        data = data.astype(dtype, copy=False)
        return cls(vocabulary, data, indices, indptr, size)

    def idf(self, tokens: Sequence[str], documents: int | None = None) -> np.ndarray:
        """Inverse document frequency of each token, log(1 + (n + 1) / (df + 0.5)), with n
        `documents` (default: the documents indexed); a token the corpus never uses gets the
        highest value. df is read from the token's column of the score matrix, so it costs
        nothing to keep."""
        n = self.size if documents is None else documents
        frequencies = np.array([self.document_count(t) for t in tokens], dtype=np.float64)
        return np.log1p((n + 1) / (frequencies + 0.5))

    def document_count(self, token: str) -> int:
        """How many documents contain `token`."""
        column = self._vocabulary.get(token)
        if column is None:
            return 0
        return int(self._indptr[column + 1] - self._indptr[column])

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query tokens (zeros when nothing matches); a
        token given twice counts twice, as in bm25s."""
        scores = np.zeros(self.size, dtype=self._data.dtype)
        for token in tokens:
            column = self._vocabulary.get(token)
            if column is None:
                continue
            start, end = int(self._indptr[column]), int(self._indptr[column + 1])
            # a column lists each of its documents once: no index repeats within one addition
            scores[self._indices[start:end]] += self._data[start:end]
        return scores.astype(np.float32, copy=False)


def _columns_within(vocabulary: dict[str, int], columns: int) -> bool:
    """Whether every token of `vocabulary` names one of `columns` integer columns."""
    if not vocabulary:
        return True
    try:
        ids = np.fromiter(vocabulary.values(), dtype=np.int64, count=len(vocabulary))
    except (TypeError, ValueError):
        return False
    return bool(ids.min() >= 0 and ids.max() < columns)
