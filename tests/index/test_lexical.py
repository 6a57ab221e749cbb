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
