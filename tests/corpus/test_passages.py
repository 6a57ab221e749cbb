"""The passages the index is built from: one call, and a translation aligned again."""

from __future__ import annotations

from corpus.align import align_sentences
from corpus.chunk import chunk_article
from corpus.loader import load_corpus
from corpus.passages import corpus_passages, realigned, sentence_spans


def test_one_call_gives_every_articles_passages_in_order():
    corpus = load_corpus()
    passages = corpus_passages(corpus.articles)
    expected = [p.id for article in corpus.articles for p in chunk_article(article)]
    assert [p.id for p in passages] == expected
    assert any(p.translations for p in passages)  # the shipped articles are translated


def _lengths(text: str) -> list[int]:
    return [end - start for start, end in sentence_spans(text)]


def _anti_diagonal(count: int):
    """A similarity that pairs original sentence i with translated sentence count-1-i: far from
    what order and length alone give, so the alignment it leads to differs."""
    return lambda i, j: 1.0 if i + j == count - 1 else 0.0


def test_a_translation_is_realigned_by_similarity_and_kept_without_one():
    passages = corpus_passages(load_corpus().articles)
    changed_any = False
    for passage in passages:
        if not passage.translations:
            continue
        assert realigned(passage, lambda _: None) == passage
        translation = passage.translations[0]
        ours, theirs = _lengths(passage.text), _lengths(translation.text)
        if len(ours) < 3 or len(ours) != len(theirs):
            continue
        similarity = _anti_diagonal(len(ours))
        changed = realigned(passage, lambda lang, s=similarity: s)
        expected = tuple(align_sentences(ours, theirs, similarity))
        assert changed.translations[0].sentence_groups == expected
        assert changed.text == passage.text and changed.id == passage.id
        changed_any |= expected != translation.sentence_groups
    assert changed_any  # the similarity changed some alignment: realigning is not a no-op
