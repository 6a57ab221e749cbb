import numpy as np
import pytest

from index.pins import PinIndex
from index.retriever import Retriever
from index.search_config import RetrieverConfig
from tests.helpers import unit_vector

# Pinned questions, each with paraphrases a member might ask (same and other language), and
# career questions that are near but not the same question. The default pin thresholds were set
# on these: every near miss must stay unmatched, nearly every paraphrase must match.
PINNED = {
    1: "Should I learn software engineering before machine learning?",
    2: "哪门深度学习课程最适合入门？",
    3: "How do I get my first ML job without a degree?",
    4: "机器学习工程师需要会Docker和Kubernetes吗？",
}
PARAPHRASES = {
    1: [
        "Do I need software engineering skills first to do ML?",
        "should i learn software engineering first",
        "Is it better to learn software engineering before ML?",
        "先学软件工程还是先学机器学习？",
    ],
    2: [
        "入门深度学习推荐什么课？",
        "深度学习入门课程哪个好？",
        "Which deep learning course should a beginner take?",
    ],
    3: [
        "Can I land an ML job with no degree?",
        "getting hired in machine learning without a university degree",
        "How can I get a machine learning job if I don't have a degree?",
        "没有学位能找到机器学习工作吗？",
    ],
    4: [
        "机器学习工程师要学Docker和K8s吗？",
        "做机器学习工程师必须懂Docker、Kubernetes吗？",
        "Do ML engineers need to know Docker and Kubernetes?",
    ],
}
NEAR_MISSES = [
    "How much math do I need for ML?",
    "what is MLOps?",
    "which cloud platform should I learn?",
    "how to build a portfolio",
    "Should I learn Python or R?",
    "机器学习工程师要学哪些数学？",
    "what's the best laptop for deep learning",
    "is a PhD necessary for research jobs",
    "数据科学家和机器学习工程师有什么区别？",
    "Which machine learning book should I read first?",
    "How long does it take to become a data scientist?",
    "机器学习工程师的工资高吗？",
    "what does a machine learning engineer do all day?",
]


@pytest.fixture(scope="module")
def pin_retriever(shipped_index_root, bundled_embedder) -> Retriever:
    return Retriever.open(shipped_index_root, bundled_embedder)


@pytest.fixture(scope="module")
def pins(pin_retriever) -> PinIndex:
    index = PinIndex(pin_retriever.embedder.dim)
    for pin_id, question in PINNED.items():
        index.put(pin_id, 7, [question], pin_retriever.embed_questions([question]))
    return index


def _match(retriever: Retriever, pins: PinIndex, question: str, guild_id: int):
    """What the bot's curation does with a search result: the guild's closest pin."""
    result = retriever.search(question)
    config = retriever.config
    return pins.best(
        result.query_vector,
        result.language,
        guild_id,
        config.pin_threshold_same_language,
        config.pin_threshold_cross_language,
    )


def test_paraphrases_find_their_pin_and_near_misses_find_none(pin_retriever, pins):
    matched = []
    for pin_id, paraphrases in PARAPHRASES.items():
        for paraphrase in paraphrases:
            match = _match(pin_retriever, pins, paraphrase, 7)
            assert match is None or match.pin_id == pin_id, paraphrase
            matched.append(match is not None)
    assert sum(matched) / len(matched) >= 0.8
    for question in NEAR_MISSES:
        assert _match(pin_retriever, pins, question, 7) is None, question


def test_pins_are_matched_only_in_their_guild(pin_retriever, pins):
    question = PARAPHRASES[3][0]
    assert _match(pin_retriever, pins, question, 7).pin_id == 3
    assert _match(pin_retriever, pins, question, 8) is None
    # the search's vector is the one pins are matched with
    result = pin_retriever.search(question)
    assert result.query_vector is not None and result.passages


def test_put_replaces_a_pins_questions_and_remove_forgets_it():
    pins = PinIndex(3)
    pins.put(1, 5, ["a", "b"], np.stack([unit_vector(1, 0, 0), unit_vector(0, 1, 0)]))
    pins.put(2, 5, ["c"], unit_vector(0, 0, 1).reshape(1, -1))
    assert len(pins) == 3
    match = pins.best(unit_vector(0, 1, 0.1), "en", 5, 0.9, 0.8)
    assert (match.pin_id, match.question) == (1, "b") and match.similarity > 0.99
    pins.put(1, 5, ["d"], unit_vector(1, 0, 0).reshape(1, -1))  # edited: "b" is gone
    assert len(pins) == 2 and pins.best(unit_vector(0, 1, 0.1), "en", 5, 0.9, 0.8) is None
    pins.remove(2)
    assert pins.best(unit_vector(0, 0, 1), "en", 5, 0.9, 0.8) is None and len(pins) == 1
    pins.remove(99)  # unknown: nothing happens


def test_other_language_pins_use_the_cross_language_threshold():
    pins = PinIndex(2)
    pins.put(1, 5, ["中文问题"], unit_vector(1, 0).reshape(1, -1))
    query = unit_vector(1, 0.5)  # cosine 0.894 with the pin
    assert pins.best(query, "en", 5, 0.95, 0.85).pin_id == 1
    assert pins.best(query, "zh", 5, 0.95, 0.85) is None


def test_vectors_of_the_wrong_dimension_are_refused():
    with pytest.raises(ValueError, match="dimension"):
        PinIndex(3).put(1, 5, ["a"], np.ones((1, 4), dtype=np.float32))


def test_thresholds_are_settings():
    config = RetrieverConfig(pin_threshold_same_language=0.5, pin_threshold_cross_language=0.4)
    assert config.pin_threshold_same_language == 0.5
