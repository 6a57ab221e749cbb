"""Answer cards in the index: the matcher on its own, a card answering through the built index
(small corpus, fake embedder), and the shipped cards with the real model."""

import dataclasses

import numpy as np
import pytest

from corpus.loader import load_corpus
from index.build import build_index
from index.card_answers import card_decision
from index.cards import CardMatch, CardMatcher
from index.embedders import EmbedderConfig
from index.records import CardRecord, CardSourceRecord
from index.retriever import Retriever
from index.search_config import RetrieverConfig
from tests.conftest import HashEmbedder, write_card, write_small_corpus
from tests.helpers import unit_vector


def _card(card_id: str, *questions: tuple[str, str]) -> CardRecord:
    return CardRecord(
        id=card_id,
        questions=questions,
        answer_zh=f"{card_id} 的答案。",
        answer_en=f"The answer of {card_id}.",
        sources=(CardSourceRecord("a", "引文。", None),),
        resources=(),
        related=(),
    )


def test_the_best_two_phrasings_decide_and_the_runner_up_is_another_card():
    cards = [
        _card("math", ("en", "what math do i need"), ("zh", "要学什么数学")),
        _card("docker", ("en", "do i need docker"), ("zh", "要学 docker 吗")),
    ]
    vectors = np.stack(
        [
            unit_vector(1, 0, 0),
            unit_vector(0.9, 0.1, 0),
            unit_vector(0, 1, 0),
            unit_vector(0, 1, 0.2),
        ]
    )
    matcher = CardMatcher(cards, vectors)
    query = unit_vector(1, 0.05, 0)
    match = matcher.best(query, "what math", lexical_weight=0.0)
    assert match is not None
    assert match.card.id == "math" and match.phrasing == "what math do i need"
    assert match.runner_up is not None and match.runner_up.id == "docker"
    two_best = (float(vectors[0] @ query) + float(vectors[1] @ query)) / 2
    assert match.score == pytest.approx(two_best, rel=1e-5)
    assert match.dense == pytest.approx(float(vectors[0] @ query), rel=1e-5)
    assert match.runner_up_score < match.score


def test_one_stray_phrasing_does_not_decide_alone():
    cards = [
        _card("stray", ("en", "close by chance"), ("zh", "远"), ("en", "far")),
        _card("steady", ("en", "close"), ("zh", "也近")),
    ]
    query = unit_vector(1, 0, 0)
    vectors = np.stack(
        [
            unit_vector(1, 0.05, 0),
            unit_vector(0, 1, 0),
            unit_vector(0, 0, 1),
            unit_vector(1, 0.3, 0),
            unit_vector(1, 0.3, 0),
        ]
    )
    match = CardMatcher(cards, vectors).best(query, "q", lexical_weight=0.0)
    assert match is not None and match.card.id == "steady"


def test_shared_words_lift_a_phrasing_between_two_equally_close():
    cards = [
        _card("docker", ("en", "do i need docker"), ("zh", "要学 docker 吗")),
        _card("cloud", ("en", "do i need cloud"), ("zh", "要学云吗")),
    ]
    same = unit_vector(1, 1, 0)
    matcher = CardMatcher(cards, np.stack([same, same, same, same]))
    assert matcher.best(same, "need docker?", lexical_weight=0.0).card.id == "docker"  # a tie
    lifted = matcher.best(same, "need cloud?", lexical_weight=0.05)
    assert lifted.card.id == "cloud" and lifted.score > lifted.dense


def test_no_cards_no_match_and_mismatched_vectors_refused():
    assert (
        CardMatcher([], np.zeros((0, 3), dtype=np.float32)).best(unit_vector(1, 0, 0), "x", 0.1)
        is None
    )
    with pytest.raises(ValueError, match="2 card phrasings but 1 vectors"):
        CardMatcher([_card("a", ("en", "q"), ("zh", "问"))], np.stack([unit_vector(1, 0, 0)]))


@pytest.fixture
def card_retriever(tmp_path) -> Retriever:
    root = write_small_corpus(tmp_path / "corpus")
    write_card(root)
    embedder = HashEmbedder()
    index_root = tmp_path / "index"
    build_index(load_corpus(root), EmbedderConfig(), index_root, embedder=embedder)
    # the hash embedder's cosines are not e5's: thresholds for it (a card scores the mean of its
    # two best phrasings: the asked phrasing itself and one like it)
    config = RetrieverConfig(card_threshold_zh=0.85, card_threshold_en=0.85)
    return Retriever.open(index_root, embedder, config)


def test_a_card_answers_first_with_its_cited_passage_and_resources(card_retriever):
    result = card_retriever.search("机器学习工程师要学什么数学？", k=2)
    assert result.answered and result.card is not None
    assert result.card.card.id == "alpha-math"
    assert result.lead == "需要：线性代数和概率论。"
    assert result.lead_original == "线性代数和概率论。"
    assert "线性代数和概率论" in result.passages[0].text
    assert result.lead_passage_id == result.passages[0].id
    assert result.resources[0].id == "math-book"
    assert result.lead_sources() == [
        {"article_id": "alpha", "quote": "线性代数和概率论。", "passage_id": result.passages[0].id}
    ]
    assert result.excerpt_anchor(result.passages[0]) == "线性代数和概率论。"
    english = card_retriever.search("what math does an ml engineer need?")
    assert english.card is not None and english.lead == "Yes: linear algebra and probability."


def test_a_traditional_asker_reads_the_card_and_passages_in_traditional(card_retriever):
    result = card_retriever.search("機器學習工程師要學什麼數學？")
    assert result.card is not None and result.card.card.id == "alpha-math"
    assert result.script == "traditional"
    assert result.lead == "需要：線性代數和概率論。"
    assert "線性代數" in result.passages[0].shown_text
    assert "线性代数" in result.passages[0].text  # the original is kept for citations
    assert result.excerpt_anchor(result.passages[0]) in result.passages[0].shown_text


def test_a_question_no_card_is_close_to_falls_back_to_retrieval(card_retriever):
    result = card_retriever.search("数据科学家做什么？")
    assert result.card is None
    assert result.lead is None or "线性代数" not in result.lead


def test_an_index_without_its_card_files_is_refused(tmp_path):
    from index.generations import current_generation_dir
    from index.manifest import IndexCorrupt
    from index.store import load_index

    root = write_small_corpus(tmp_path / "corpus")
    build_index(load_corpus(root), EmbedderConfig(), tmp_path / "index", embedder=HashEmbedder())
    (current_generation_dir(tmp_path / "index") / "cards.json").unlink()
    with pytest.raises(IndexCorrupt, match=r"cards\.json"):
        load_index(tmp_path / "index", "test:hash")


# --- the shipped cards with the real model ---------------------------------------------------


@pytest.fixture(scope="module")
def retriever(shipped_index_root, bundled_embedder) -> Retriever:
    return Retriever.open(shipped_index_root, bundled_embedder)


def test_every_card_is_found_by_its_own_phrasings_in_both_scripts_and_languages(retriever):
    import opencc

    to_traditional = opencc.OpenCC("s2t.json")
    missed = []
    for card in retriever.cards.cards:
        zh = next(text for language, text in card.questions if language == "zh")
        en = next(text for language, text in card.questions if language == "en")
        for question in (zh, to_traditional.convert(zh), en):
            result = retriever.search(question)
            if result.card is None or result.card.card.id != card.id:
                missed.append((card.id, question))
    assert missed == []


@pytest.mark.parametrize(
    "question", ["你好", "谢谢", "hello", "thanks", "谁赢了世界杯", "who won the world cup"]
)
def test_chitchat_is_never_answered_by_a_card(retriever, question):
    assert retriever.search(question).card is None


def _match(card_id: str, score: float, cited: str) -> CardMatch:
    card = dataclasses.replace(
        _card(card_id, ("en", f"{card_id}?"), ("zh", f"{card_id}？")),
        sources=(CardSourceRecord("a", "引文。", cited),),
    )
    return CardMatch(card, f"{card_id}?", score, score)


def test_a_card_below_its_threshold_answers_only_when_retrieval_agrees():
    ranked = [_match("close", 0.93, "a#1"), _match("agrees", 0.92, "a#2")]
    assert card_decision(ranked, 0.9, 0.03, "a#9").card.id == "close"  # above: the closest
    assert card_decision(ranked, 0.95, 0.03, "a#2").card.id == "agrees"  # quotes the top passage
    assert card_decision(ranked, 0.95, 0.03, "a#9") is None  # nobody agrees
    assert card_decision(ranked, 0.96, 0.03, "a#2") is None  # too far below
    assert card_decision(ranked, 0.95, 0.0, "a#2") is None  # the rule switched off
    assert card_decision([], 0.5, 0.03, "a#2") is None


def test_card_calibration_answers_where_cards_are_right_and_keeps_them_off_elsewhere():
    from corpus.schema import ExpectedPassage, LabelledQuestion
    from index.evaluation import calibrate_cards

    def question(number: int, language: str, unanswerable: bool = False) -> LabelledQuestion:
        labels = [] if unanswerable else [ExpectedPassage(article="a", contains="right")]
        return LabelledQuestion(
            id=f"{language}-{number}",
            language=language,
            question=f"q{number}",
            unanswerable=unanswerable,
            expected_passages=labels,
        )

    # per question: the closest card's score and whether it is right (cites "a#right")
    seen = {
        "q1": (0.97, True),
        "q2": (0.95, True),
        "q3": (0.94, False),
        "q4": (0.90, True),
        "q5": (0.96, True),
        "q6": (0.93, False),
    }
    questions = [question(1, "zh"), question(2, "zh"), question(3, "zh"), question(4, "zh")]
    questions += [question(5, "en"), question(6, "en", unanswerable=True)]

    def evidence(text: str, weight: float):
        score, right = seen[text]
        return [_match(text, score, "a#right" if right else "a#wrong")], None

    fitted = calibrate_cards(
        questions, evidence, lambda card, q: card.sources[0].passage_id == "a#right"
    )
    assert 0.94 < fitted.thresholds["zh"] <= 0.95  # q1, q2 answered; q3 (wrong) is not
    assert 0.93 < fitted.thresholds["en"] <= 0.96  # q5 answered, the unanswerable q6 is not
    assert fitted.right == {"zh": 2, "en": 1} and fitted.wrong == {"zh": 0, "en": 0}


def test_the_postings_saved_with_the_index_score_as_computed_ones(card_retriever, tmp_path):
    from index.cards import CardPostings

    index = card_retriever.index
    saved = card_retriever.cards
    computed = CardMatcher(index.cards, index.card_vectors)
    path = tmp_path / "postings.npz"
    CardPostings.of(saved._phrasings).save(path)
    reloaded = CardMatcher(index.cards, index.card_vectors, CardPostings.load(path))
    vector = index.card_vectors[0]
    for text in ("机器学习工程师要学什么数学", "what math for ml", "完全无关的问题 xyz"):
        expected = computed.scores(vector, text, 0.05)[0]
        np.testing.assert_allclose(saved.scores(vector, text, 0.05)[0], expected, rtol=1e-6)
        np.testing.assert_allclose(reloaded.scores(vector, text, 0.05)[0], expected, rtol=1e-6)
    with pytest.raises(ValueError, match="postings name a phrasing"):
        broken = CardPostings(np.array(["x"]), np.array([0, 1]), np.array([10**6]))
        CardMatcher(index.cards, index.card_vectors, broken)
