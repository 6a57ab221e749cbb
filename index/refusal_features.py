"""The inputs of the "no good answer" model for one question: how well the best passages match
it (cosine, lexical overlap weighted by IDF, agreement of the two searches)."""

from __future__ import annotations

import numpy as np

from index.embedders import Embedder
from index.fusion import Candidates
from index.lead import (
    LEAD_PASSAGES,
)
from index.lexical import tokenize
from index.query import (
    detect_language,
    matching_form,
)
from index.refusal import RefusalFeatures
from index.search_config import RetrieverConfig
from index.store import LoadedIndex


class RefusalFeaturing:
    """Refusal features for `Retriever` (mixed in): computed from its candidates and the lexical
    index's statistics."""

    index: LoadedIndex
    config: RetrieverConfig
    embedder: Embedder

    def features(self, question: str) -> RefusalFeatures:
        """The refusal model's inputs for `question` (for calibration)."""
        text = self.query_text(question)
        question_tokens, tokens, weight = self._lexical_query(text, detect_language(text))
        query_vector = self.embedder.embed_queries([text])[0]
        candidates = self.candidates(
            query_vector, self.index.passage_index, self.index.passage_lexical, tokens, weight
        ).by_owner(self._unit_passage)
        return self._features(candidates, candidates.best(LEAD_PASSAGES), question_tokens)

    def _lexical_query(self, text: str, language: str) -> tuple[list[str], list[str], float]:
        """The question's own tokens, the tokens BM25 searches (English questions also get
        the glossary's Chinese terms) and the BM25 share for the question's language."""
        question_tokens = tokenize(text)
        tokens = list(question_tokens)
        if language == "en" and self.config.glossary_expansion:
            tokens += tokenize(" ".join(self._expander.chinese_terms(text)))
        config = self.config
        weight = config.lexical_weight_zh if language == "zh" else config.lexical_weight_en
        return question_tokens, tokens, weight

    def _features(
        self,
        candidates: Candidates,
        best: list[tuple[int, float]],
        question_tokens: list[str],
    ) -> RefusalFeatures:
        dense_sorted = np.sort(candidates.dense)[::-1]
        dense = float(dense_sorted[0]) if dense_sorted.size else -1.0
        margin = float(dense_sorted[0] - dense_sorted[1]) if dense_sorted.size > 1 else 0.0
        distinct = sorted(set(question_tokens))
        coverage = unknown = 0.0
        if distinct:
            idf = self._idf(distinct)
            never_used = idf >= self._unseen_idf - 1e-9
            total = float(idf.sum())
            unknown = float(idf[never_used].sum()) / total
            if best:
                found = self._passage_tokens(best[0][0])
                covered = np.array([t in found for t in distinct])
                coverage = float(idf[covered].sum()) / total
        return RefusalFeatures(
            dense, margin, coverage, unknown, float(np.log1p(len(question_tokens)))
        )

    def _idf(self, tokens: list[str]) -> np.ndarray:
        # n counts passages while df counts search units (up to one per language of a
        # passage): the refusal models in the configuration were calibrated on these values,
        # and n = units would move every coverage and unknown feature under them.
        return self.index.passage_lexical.idf(tokens, documents=len(self.index.passages))

    def _passage_tokens(self, position: int) -> set[str]:
        """Tokens of a passage in all its languages (cached: the corpus is small per passage)."""
        if position not in self._unit_tokens:
            texts = [text for _, text in self.index.passages[position].texts()]
            self._unit_tokens[position] = set(tokenize(matching_form(" ".join(texts))))
        return self._unit_tokens[position]
