from pathlib import Path

import numpy as np
import pytest

from index.lexical import GlossaryExpander, LexicalIndex, tokenize


def test_tokenize_chinese_bigrams_and_english_words():
    assert tokenize("机器学习") == ["机器", "器学", "学习"]
    assert tokenize("学") == ["学"]
    assert tokenize("Should I learn Docker and C++?") == ["learn", "docker", "c++"]
    assert tokenize("ML 工程师 vs. data-science") == ["工程", "程师", "ml", "vs", "data-science"]


def test_glossary_expansion_matches_whole_terms_longest_first():
    expander = GlossaryExpander(
        [(["data scientist", "data scientists"], ["数据科学家"]), (["data"], ["数据"])]
    )
    assert expander.chinese_terms("Are Data Scientists doomed?") == ["数据科学家"]
    assert expander.chinese_terms("big data jobs") == ["数据"]
    assert expander.chinese_terms("metadata") == []
    assert GlossaryExpander([]).chinese_terms("anything") == []


def test_bm25_ranks_matching_document_first(tmp_path):
    index = LexicalIndex.build(
        ["部署模型到生产环境", "学习线性代数和概率论", "docker and kubernetes"]
    )
    scores = index.scores(tokenize("线性代数"))
    assert scores.argmax() == 1 and scores[0] == 0
    assert index.scores(tokenize("Kubernetes")).argmax() == 2
    assert not index.scores([]).any()
    index.save(tmp_path / "bm25")
    reloaded = LexicalIndex.load(tmp_path / "bm25", 3)
    assert (reloaded.scores(tokenize("线性代数")) == scores).all()


def _shipped_texts() -> list[str]:
    """Every article and translation of the shipped corpus, one document each."""
    files = sorted(Path("corpus/articles").rglob("*.md"))
    return [path.read_text(encoding="utf-8") for path in files]


def test_scores_from_the_saved_matrix_are_bm25s_own(tmp_path):
    # answering scores with numpy from the files bm25s saved; they must be what bm25s computes
    import bm25s

    texts = _shipped_texts()
    LexicalIndex.build(texts).save(tmp_path / "bm25")
    ours = LexicalIndex.load(tmp_path / "bm25", len(texts))
    theirs = bm25s.BM25.load(str(tmp_path / "bm25"), show_progress=False, verbosity=0)
    queries = [
        "机器学习工程师要学哪些数学？",
        "should I learn software engineering first?",
        "which deep learning course? deep learning deep",  # a token given three times
        "kubernetes 面试 线性代数 never-a-token",
    ]
    for query in queries:
        tokens = tokenize(query)
        known = [t for t in tokens if t in theirs.vocab_dict]
        assert known, query
        expected = theirs.get_scores(known)
        assert np.array_equal(ours.scores(tokens), expected), query
        assert ours.scores(tokens).any()
    assert ours.document_count("never-a-token") == 0
    # bm25s's vocabulary also holds the empty token, which has no column
    assert ours.vocabulary_size == len(theirs.vocab_dict) - 1 and "" in theirs.vocab_dict


@pytest.mark.parametrize(
    ("file", "damage"),
    [
        ("params.index.json", lambda p: p.write_text(p.read_text().replace("lucene", "bm25+"))),
        (
            "params.index.json",
            lambda p: p.write_text(p.read_text().replace('"num_docs": 3', '"num_docs": 4')),
        ),
        ("vocab.index.json", lambda p: p.write_text('{"docker": 99999}')),
        ("vocab.index.json", lambda p: p.write_text('["docker"]')),
        ("indices.csc.index.npy", lambda p: np.save(p, np.array([7, 8], dtype=np.int32))),
        ("data.csc.index.npy", lambda p: p.write_bytes(b"not an array")),
    ],
)
def test_a_damaged_index_is_refused_with_value_or_os_error(tmp_path, file, damage):
    LexicalIndex.build(["部署模型到生产环境", "学习线性代数", "docker and kubernetes"]).save(
        tmp_path / "bm25"
    )
    damage(tmp_path / "bm25" / file)
    with pytest.raises((ValueError, OSError)):
        LexicalIndex.load(tmp_path / "bm25", 3)


def test_only_a_built_index_can_be_saved(tmp_path):
    LexicalIndex.build(["docker"]).save(tmp_path / "bm25")
    with pytest.raises(ValueError):
        LexicalIndex.load(tmp_path / "bm25", 1).save(tmp_path / "again")


def _glossary_terms() -> list[tuple[list[str], list[str]]]:
    from corpus.loader import load_glossary

    return [(list(e.en), list(e.zh)) for e in load_glossary(Path("corpus/glossary.yaml"))]


def _regex_finder(entries):
    """How the glossary's terms were found before: one regular expression of them all."""
    import re

    terms = sorted({t.lower() for en, _ in entries for t in en}, key=len, reverse=True)
    pattern = re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, terms)) + r")(?![a-z0-9])")
    return lambda question: [m.group(0) for m in pattern.finditer(question.lower())]


def test_glossary_terms_are_found_as_the_regular_expression_found_them():
    import random

    from corpus.loader import load_questions

    entries = _glossary_terms()
    terms = [t for en, _ in entries for t in en]
    shipped = [q.question for q in load_questions(Path("corpus/eval/questions.yaml"))]
    rng = random.Random(7)
    pieces = [*terms, " ", "-", "s", "x1", "的", "?", ".", "'", "Data", "ML", "3"]
    made = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) for _ in range(3000)]
    expander, regex_terms = GlossaryExpander(entries), _regex_finder(entries)
    found_any = 0
    for question in [*shipped, *made]:
        found = expander.terms_in(question)
        assert found == regex_terms(question), question
        found_any += bool(found)
    assert found_any > 1000  # the comparison is about questions that hold terms
    assert expander.terms_in("Is a data scientist a self-taught ML engineer?")[:2] == [
        "data scientist",
        "self-taught",
    ]
