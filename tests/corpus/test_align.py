"""Translations: loading, structure checks with file and line, passage and sentence alignment."""

from pathlib import Path

import numpy as np
import pytest

from corpus.align import align_sentences
from corpus.chunk import chunk_article, split_sentences
from corpus.lint import lint_articles
from corpus.loader import SHIPPED_CORPUS_DIR, load_corpus
from corpus.problems import CorpusError
from tests.conftest import write_small_corpus

TRANSLATION = """---
translation_of: alpha
language: en
title: Article A
---
# Section one

Machine learning engineers need to learn maths: linear algebra and probability.

# Section two

Section two discusses deploying models to production, and the role of cloud and containers.
"""


def _with_translation(root: Path, text: str = TRANSLATION) -> Path:
    corpus_dir = write_small_corpus(root)
    (corpus_dir / "articles" / "alpha.en.md").write_text(text, encoding="utf-8")
    return corpus_dir


def test_translation_attaches_to_its_original_and_aligns_passages(tmp_path):
    corpus = load_corpus(_with_translation(tmp_path / "c"))
    alpha = next(a for a in corpus.articles if a.id == "alpha")
    assert list(alpha.translations) == ["en"] and alpha.title_in("en") == "Article A"
    assert [a.id for a in corpus.articles] == ["alpha", "beta"]  # not an article of its own
    passages = chunk_article(alpha)
    for passage in passages:
        (translation,) = passage.translations
        assert translation.language == "en" and translation.text
        assert len(split_sentences(translation.text)) == len(split_sentences(passage.text))
    assert passages[0].translations[0].heading_path == ("Section one",)
    assert "linear algebra" in passages[0].translations[0].text


def test_translation_with_other_sections_is_a_lint_error_with_file_and_line(tmp_path):
    broken = TRANSLATION.replace("# Section two\n", "Section two, as a paragraph.\n")
    corpus = load_corpus(_with_translation(tmp_path / "c", broken))
    with pytest.raises(CorpusError) as caught:
        lint_articles(corpus, embed=None)
    (problem,) = caught.value.problems
    assert problem.path.name == "alpha.en.md" and problem.line == 10
    assert "heading" in problem.reason and "alpha.md" in problem.reason


def test_translation_missing_its_last_section_says_where_the_original_goes_on(tmp_path):
    cut = TRANSLATION.split("# Section two")[0]
    corpus = load_corpus(_with_translation(tmp_path / "c", cut))
    with pytest.raises(CorpusError) as caught:
        chunk_article(next(a for a in corpus.articles if a.id == "alpha"))
    assert "ends after" in caught.value.problems[0].reason


@pytest.mark.parametrize(
    ("front_matter", "expected"),
    [
        ("translation_of: gamma\nlanguage: en\ntitle: X", "no article 'gamma'"),
        ("translation_of: alpha\nlanguage: zh\ntitle: X", "must be named 'alpha.zh.md'"),
    ],
)
def test_bad_translation_front_matter(tmp_path, front_matter, expected):
    corpus_dir = write_small_corpus(tmp_path / "c")
    name = "gamma.en.md" if "gamma" in front_matter else "alpha.en.md"
    (corpus_dir / "articles" / name).write_text(f"---\n{front_matter}\n---\nText.\n")
    with pytest.raises(CorpusError) as caught:
        load_corpus(corpus_dir)
    assert expected in str(caught.value)


def test_sentence_alignment_merges_and_splits_by_length_and_similarity():
    # equal counts: one to one
    groups = align_sentences([10, 20, 10], [30, 60, 30])
    assert [(g.original, g.translated) for g in groups] == [
        ((0, 1), (0, 1)),
        ((1, 2), (1, 2)),
        ((2, 3), (2, 3)),
    ]
    # two short originals translated as one sentence
    groups = align_sentences([5, 5, 20], [30, 60])
    assert [(g.original, g.translated) for g in groups] == [((0, 2), (0, 1)), ((2, 3), (1, 2))]
    # the similarity decides where the lengths do not
    similarity = np.array([[0.1, 0.9, 0.1], [0.1, 0.1, 0.9], [0.9, 0.1, 0.1]])
    groups = align_sentences([10, 10], [10, 10, 10], lambda i, j: float(similarity[i, j]))
    assert groups[-1].original == (1, 2) and groups[-1].translated[1] == 3


def test_every_shipped_article_has_an_aligned_english_translation():
    corpus = load_corpus(SHIPPED_CORPUS_DIR)
    reports = lint_articles(corpus, embed=None)
    assert all(not r.missing_translations for r in reports)
    for article in corpus.articles:
        assert "en" in article.translations and article.meta.title_en
        for passage in chunk_article(article):
            (translation,) = passage.translations
            last = translation.sentence_groups[-1]
            assert last.original[1] == len(split_sentences(passage.text))
            assert last.translated[1] == len(split_sentences(translation.text))
            assert not any("\u4e00" <= ch <= "\u9fff" for ch in translation.text), passage.id


def test_lint_lists_what_cleaning_removes():
    corpus = load_corpus(SHIPPED_CORPUS_DIR)
    reports = {r.article.id: r for r in lint_articles(corpus, embed=None)}
    removed = reports["untold-truths-ml-engineer"].removed
    # the plug under the closing "在你走之前" heading is listed, not dropped silently
    assert any("Twitter" in r.preview and "non-content" in r.reason for r in removed)
    assert any(r.reason == "photo credit" for r in removed)
