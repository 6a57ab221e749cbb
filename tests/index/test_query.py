import pytest

from index.query import InvalidQuestion, detect_language, normalize_question


def test_normalize_collapses_whitespace_and_control_characters():
    assert normalize_question("  what\x00 is\tML?\n\x1b[31m ") == "what is ML?"
    assert normalize_question("机器\u200b学习\u202e") == "机器学习"
    assert normalize_question("\x1b]0;title\x07ok\x1b[0m") == "ok"


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("", "empty"),
        ("   \n\t", "empty"),
        ("\x00\x01", "empty"),
        ("🤖🚀🔥", "no_words"),
        ("?!…", "no_words"),
    ],
)
def test_unusable_questions(question, reason):
    with pytest.raises(InvalidQuestion) as info:
        normalize_question(question)
    assert info.value.reason == reason


def test_too_long():
    with pytest.raises(InvalidQuestion) as info:
        normalize_question("a" * 10_000)
    assert info.value.reason == "too_long" and "10000" in str(info.value)
    assert normalize_question("a" * 20, max_chars=20) == "a" * 20


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("机器学习工程师要学哪些数学？", "zh"),
        ("ML 工程师要学什么", "zh"),
        ("Should I learn software engineering first?", "en"),
        ("What does 数 mean in this context", "en"),
        ("Is Kaggle useful", "en"),
    ],
)
def test_detect_language(text, language):
    assert detect_language(text) == language


def test_the_asker_s_script_and_chinese_joined_without_spaces():
    from index.query import chinese_script, in_script, join_chinese

    assert chinese_script("機器學習工程師要學哪些數學？") == "traditional"
    assert chinese_script("机器学习工程师要学哪些数学？") == "simplified"
    assert chinese_script("what math for ML?") == "simplified"
    assert in_script("机器学习要学数学吗？后来", "traditional") == "機器學習要學數學嗎？後來"
    assert in_script("机器学习", "simplified") == "机器学习"
    assert join_chinese("这不是你的职业。 我的意思是\n\n一旦") == "这不是你的职业。我的意思是一旦"
    assert join_chinese("学 Python 和 ML 。") == "学 Python 和 ML 。"  # spaces by Latin words stay
