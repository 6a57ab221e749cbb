import numpy as np

from bot.services.card_suggestions import DownVote, distinct_questions, suggest_cards


def _vectors(*rows: tuple[float, ...]) -> np.ndarray:
    matrix = np.array(rows, dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def test_questions_asking_the_same_thing_become_one_card_to_write():
    unanswered = ["how long to become an MLE?", "how long does it take to be an MLE", "pizza?"]
    unanswered += ["how long to become an MLE?"]
    down_votes = [DownVote("how many months until MLE?", ["card:roadmap-how-long", "p1"])]
    questions = distinct_questions(unanswered, down_votes)
    assert questions == [
        "how long to become an MLE?",
        "how long does it take to be an MLE",
        "pizza?",
        "how many months until MLE?",
    ]
    vectors = _vectors((1, 0.1, 0), (1, 0.15, 0), (0, 0, 1), (1, 0.2, 0))
    first, second = suggest_cards(unanswered, down_votes, vectors)
    assert first.questions[0] == ("how long to become an MLE?", 2)
    assert {q for q, _ in first.questions} == set(questions) - {"pizza?"}
    assert (first.total, first.unanswered, first.down_votes) == (4, 3, 1)
    assert first.down_voted_cards == ["roadmap-how-long"]
    assert second.questions == [("pizza?", 1)] and second.down_voted_cards == []
    skeleton = first.skeleton()
    assert skeleton["questions"] == {"zh": [], "en": [q for q, _ in first.questions]}
    assert skeleton["answer"] == {"zh": "TODO", "en": "TODO"}


def test_a_down_vote_names_its_card_only_when_a_card_answered():
    assert DownVote("q", ["card:a-card", "p"]).card_id == "a-card"
    assert DownVote("q", ["p", "r"]).card_id is None
    assert suggest_cards([], [], np.zeros((0, 3), dtype=np.float32)) == []
