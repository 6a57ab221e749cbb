"""The help-forum service without Discord: the question a post asks, and the per-server index
of earlier posts behind "similar threads"."""

from __future__ import annotations

import numpy as np
import pytest

from bot.config import ForumSettings
from bot.services.forum import SimilarPostIndex, post_question
from index.query import detect_language, matching_form, normalize_question
from tests.helpers import unit_vector


def test_similar_posts_are_the_servers_own_solved_first_above_the_threshold():
    index = SimilarPostIndex(3)
    index.put(1, 10, "close, open", "en", False, unit_vector(1, 0.05, 0))
    index.put(1, 11, "closer, solved", "en", True, unit_vector(1, 0.1, 0))
    index.put(1, 12, "far", "en", False, unit_vector(0, 1, 0))
    index.put(2, 20, "another server's", "en", True, unit_vector(1, 0, 0))
    query = unit_vector(1, 0, 0)
    found = index.similar(1, query, "en", 0.9, 0.8, limit=3)
    assert [(post.thread_id, post.solved) for post in found] == [(11, True), (10, False)]
    assert index.similar(1, query, "en", 0.9, 0.8, limit=1)[0].thread_id == 11
    assert [p.thread_id for p in index.similar(1, query, "en", 0.9, 0.8, 3, exclude=11)] == [10]
    assert index.similar(3, query, "en", 0.9, 0.8, limit=3) == []  # a server with no posts


def test_a_post_in_the_other_language_needs_only_the_cross_language_threshold():
    index = SimilarPostIndex(2)
    index.put(1, 10, "中文帖子", "zh", False, unit_vector(1, 0.6))  # cosine ≈ 0.857 to the query
    query = unit_vector(1, 0)
    assert index.similar(1, query, "zh", 0.9, 0.85, limit=3) == []  # same language: too far
    assert [p.thread_id for p in index.similar(1, query, "en", 0.9, 0.85, limit=3)] == [10]


def test_a_post_is_replaced_and_removed():
    index = SimilarPostIndex(2)
    index.put(1, 10, "old title", "en", False, unit_vector(1, 0))
    index.put(1, 10, "new title", "en", True, unit_vector(1, 0))
    assert len(index) == 1
    [post] = index.similar(1, unit_vector(1, 0), "en", 0.9, 0.9, limit=3)
    assert (post.title, post.solved) == ("new title", True)
    index.remove(10)
    index.remove(99)  # unknown: nothing happens
    assert len(index) == 0 and index.similar(1, unit_vector(1, 0), "en", 0.5, 0.5, 3) == []
    with pytest.raises(ValueError, match="dimension"):
        index.put(1, 11, "wrong", "en", False, np.ones(3, dtype=np.float32))


def test_a_posts_question_is_its_title_and_message_clipped_to_the_limit():
    assert post_question("  Which course? ", "I know  Python.\nNo math.", 500) == (
        "Which course? I know Python. No math."
    )
    assert post_question("Title only", "", 500) == "Title only"  # e.g. an image post
    long = post_question("Should I learn math first?", "word " * 2000, 500)
    assert len(long) <= 500 and long.startswith("Should I learn math first?")
    assert not long.endswith(" ") and long.endswith("word")  # cut at a word boundary
    chinese = post_question("机器学习", "数学" * 600, 500)
    assert len(chinese) == 500  # no spaces to cut at: cut at the limit


# The pairs the similar-thread thresholds (bot.config.ForumSettings) were set on.
PARAPHRASES = [
    (
        "Should I learn software engineering before machine learning?",
        "Is it better to get good at software engineering first and then move to ML?",
    ),
    ("Which deep learning course should I take?", "What is a good course to learn deep learning?"),
    ("机器学习工程师要学哪些数学？", "做机器学习工程师需要掌握什么数学知识？"),
    (
        "How do I build a portfolio for a data science job?",
        "What projects should I put in my data science portfolio?",
    ),
    (
        "Do I need a PhD to become a machine learning engineer?",
        "Is a PhD required for ML engineer roles?",
    ),
    (
        "Should I learn software engineering before machine learning?",
        "应该先学软件工程再学机器学习吗？",
    ),
    ("Which deep learning course should I take?", "我应该上哪门深度学习课程？"),
    ("What math do machine learning engineers need?", "机器学习工程师要学哪些数学？"),
    ("Do I need a PhD to become a machine learning engineer?", "当机器学习工程师需要博士学位吗？"),
]
DIFFERENT_QUESTIONS = [
    (
        "Should I learn software engineering before machine learning?",
        "Which deep learning course should I take?",
    ),
    (
        "How do I build a portfolio for a data science job?",
        "How do I prepare for a machine learning interview?",
    ),
    (
        "Do I need a PhD to become a machine learning engineer?",
        "What math do machine learning engineers need?",
    ),
    ("机器学习工程师要学哪些数学？", "机器学习工程师的面试怎么准备？"),
    ("Which deep learning course should I take?", "我应该先学软件工程吗？"),
    ("What is the salary of a data scientist?", "数据科学家的工作内容是什么？"),
    (
        "How do I switch from backend engineering to ML?",
        "Should I learn software engineering before machine learning?",
    ),
    (
        "Is Kaggle useful for getting a job?",
        "What projects should I put in my data science portfolio?",
    ),
]


def test_paraphrases_are_similar_threads_and_different_questions_are_not(bundled_embedder):
    settings = ForumSettings()

    def listed(first: str, second: str) -> bool:
        index = SimilarPostIndex(bundled_embedder.dim)
        # as the retriever encodes a question (Retriever.embed_questions)
        texts = [matching_form(normalize_question(text)) for text in (first, second)]
        first_vector, second_vector = bundled_embedder.embed_queries(texts)
        index.put(1, 10, first, detect_language(first), False, first_vector)
        found = index.similar(
            1,
            second_vector,
            detect_language(second),
            settings.similar_threshold_same_language,
            settings.similar_threshold_cross_language,
            limit=3,
        )
        return bool(found)

    assert [pair for pair in PARAPHRASES if not listed(*pair)] == []
    assert [pair for pair in DIFFERENT_QUESTIONS if listed(*pair)] == []
