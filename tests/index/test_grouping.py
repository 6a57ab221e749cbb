import numpy as np
import pytest

from index.grouping import group_questions


def test_paraphrases_group_together_around_the_most_asked(bundled_embedder):
    asked = [
        "what laptop should I buy for deep learning?",
        "which laptop is best for deep learning",
        "which laptop is best for deep learning",
        "深度学习用什么笔记本电脑好？",
        "how do I negotiate my salary as an ML engineer?",
        "how to negotiate salary for a machine learning job",
        "what is the weather tomorrow",
    ]
    distinct = list(dict.fromkeys(asked))
    groups = group_questions(asked, bundled_embedder.embed_queries(distinct))
    by_leader = {group.questions[0][0]: group for group in groups}
    laptops = by_leader["which laptop is best for deep learning"]
    assert groups[0] is laptops and laptops.total == 4
    assert {q for q, _ in laptops.questions} == {
        "what laptop should I buy for deep learning?",
        "which laptop is best for deep learning",
        "深度学习用什么笔记本电脑好？",
    }
    salary = next(g for g in groups if any("negotiate" in q for q, _ in g.questions))
    assert {q for q, _ in salary.questions} == {
        "how do I negotiate my salary as an ML engineer?",
        "how to negotiate salary for a machine learning job",
    }
    assert any(g.questions == [("what is the weather tomorrow", 1)] for g in groups)


def test_vectors_must_match_the_distinct_questions():
    with pytest.raises(ValueError, match="distinct"):
        group_questions(["a", "a", "b"], np.ones((3, 2), dtype=np.float32))
