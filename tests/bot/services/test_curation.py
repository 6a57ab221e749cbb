"""What a pin may hold: curation's rules, checked before anything is encoded or stored."""

from __future__ import annotations

import pytest

from bot.services.pin_rules import (
    MAX_PIN_ANSWER_CHARS,
    MAX_PIN_QUESTION_CHARS,
    MAX_PIN_QUESTIONS,
    CurationError,
    check_pin_text,
)


@pytest.mark.parametrize(
    ("answer", "questions", "reason"),
    [
        ("", ["q"], "needs an answer"),
        ("   ", ["q"], "needs an answer"),
        ("x" * (MAX_PIN_ANSWER_CHARS + 1), ["q"], "limit is 4000"),
        ("answer", [], "at least one question"),
        ("answer", ["  ", "\n"], "at least one question"),
        ("answer", ["q" * (MAX_PIN_QUESTION_CHARS + 1)], "characters long"),
        ("answer", [f"q{i}" for i in range(MAX_PIN_QUESTIONS + 1)], "at most"),
    ],
)
def test_bad_pins_are_refused_with_a_reason(answer, questions, reason):
    with pytest.raises(CurationError, match=reason):
        check_pin_text(answer, questions)


def test_a_pin_is_stored_trimmed_with_its_questions_collapsed_and_deduplicated():
    at_limit = "q" * MAX_PIN_QUESTION_CHARS
    answer, questions = check_pin_text(
        "  Python first.\n", [" learn  python? ", "learn python?", at_limit + "  ", ""]
    )
    assert answer == "Python first."
    assert questions == ["learn python?", at_limit]
    # eleven spellings of the same question are one question, within the limit
    assert check_pin_text("a", ["same q"] * (MAX_PIN_QUESTIONS + 1))[1] == ["same q"]
