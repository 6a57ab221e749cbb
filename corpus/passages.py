"""The passages of a set of articles, as the index is built from them: one call for the chunked,
aligned passages, the sentences of a passage's text, and a second alignment of a translation once
the index knows how similar its sentences are.

The index builds through this module only; chunking (`corpus.chunk`) and alignment
(`corpus.align`) stay behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from corpus.align import SentenceSimilarity, align_sentences
from corpus.chunk import Passage, chunk_article, split_sentences
from corpus.loader import Article

# How similar sentence i of the original and sentence j of one translation are, given the
# translation's language; None when nothing better than chunking's alignment is known.
TranslationSimilarity = Callable[[str], SentenceSimilarity | None]


def corpus_passages(articles: Iterable[Article]) -> list[Passage]:
    """Every article's passages in article order: cut by section, each with its translations
    aligned sentence group by sentence group (by order and length)."""
    return [passage for article in articles for passage in chunk_article(article)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """`(start, end)` of each sentence of a passage's text (the same cut alignment uses)."""
    return split_sentences(text)


def realigned(passage: Passage, similarity: TranslationSimilarity) -> Passage:
    """`passage` with each translation's sentence groups aligned again with `similarity` (the
    cross-lingual similarity of the sentences, which chunking did not have); a translation
    whose similarity is None keeps its groups."""
    originals = sentence_spans(passage.text)
    translations = []
    for translation in passage.translations:
        translated = sentence_spans(translation.text)
        pairs = similarity(translation.language)
        if originals and translated and pairs is not None:
            groups = align_sentences(
                [end - start for start, end in originals],
                [end - start for start, end in translated],
                pairs,
            )
            translation = replace(translation, sentence_groups=tuple(groups))
        translations.append(translation)
    return replace(passage, translations=tuple(translations))
