import shlex
from dataclasses import replace
from io import StringIO

import pytest
from rich.console import Console

from bot.cli._terminal import render_answer, wrap_text
from bot.formatting import clip, excerpt
from index.results import Hit, SearchResult


def test_excerpt_keeps_whole_sentences_within_the_limit():
    text = "第一句话。第二句话很长很长。第三句。"
    assert excerpt(text, limit=100) == text
    assert excerpt(text, limit=12) == "第一句话。…"  # a cut is marked
    assert excerpt("一" * 50, limit=10) == "一" * 9 + "…"
    assert (
        excerpt("开头：\n\n- 第一项。\n- 第二项。", limit=100) == "开头：\n- 第一项。\n- 第二项。"
    )


def _passage() -> Hit:
    return Hit(
        kind="passage",
        id="a#1",
        score=0.9,
        title="文章",
        text="机器学习工程师需要线性代数。",
        url="https://example.com/a",
        source="a",
        heading_path=("技能", "数学"),
    )


def _resource() -> Hit:
    return Hit(
        kind="resource",
        id="r",
        score=0.8,
        title="Math Course",
        text="A math course.",
        url="https://example.com/r",
        source="r",
        level="beginner",
        cost="free",
        provider="Uni",
    )


def _render(result: SearchResult) -> str:
    buffer = StringIO()
    render_answer(result, Console(file=buffer, width=120, color_system=None))
    return buffer.getvalue()


def test_answer_labels_follow_the_question_language():
    zh = _render(SearchResult("数学？", "zh", [_passage()], [_resource()], True, 0.9))
    assert "最相关的段落" in zh and "推荐的学习资源" in zh and "入门" in zh and "免费" in zh
    assert "技能 › 数学" in zh and "https://example.com/a" in zh
    en = _render(SearchResult("math?", "en", [_passage()], [_resource()], True, 0.9))
    assert "Most relevant passages" in en and "beginner" in en and "Original article" in en


def test_no_answer_says_so_and_offers_closest_resources():
    out = _render(SearchResult("bread?", "en", [], [_resource()], False, 0.7))
    assert "don't have a good answer" in out
    assert "Closest learning resources" in out and "Math Course" in out
    assert "Most relevant passages" not in out


def test_the_command_offered_after_no_answer_can_be_pasted_whole():
    question = "best chocolate cake recipe for grandmother birthday party " * 3
    buffer = StringIO()
    render_answer(
        SearchResult(question.strip(), "en", [], [], False, 0.7),
        Console(file=buffer, width=80, color_system=None),
    )
    lines = [line for line in buffer.getvalue().splitlines() if "careerbot search" in line]
    assert len(lines) == 1 and lines[0].rstrip().endswith("--no-threshold")


def test_the_offered_command_quotes_an_apostrophe_readably_and_safely():
    buffer = StringIO()
    render_answer(
        SearchResult("What's the best keyboard?", "en", [], [], False, 0.7),
        Console(file=buffer, width=80, color_system=None),
    )
    line = next(x for x in buffer.getvalue().splitlines() if "careerbot search" in x)
    assert shlex.split(line.strip()) == [
        "careerbot",
        "search",
        "What's the best keyboard?",
        "--no-threshold",
    ]
    assert "'\"'\"'" not in line


def test_clip():
    assert clip("abcdef", 4) == "abc…"
    assert clip("abc", 4) == "abc"


def test_lead_printed_first_on_one_line():
    result = SearchResult("数学？", "zh", [_passage()], [], True, 0.9, "需要\n线性代数。")
    out = _render(result)
    # Chinese lines are joined without a space
    assert out.index("» 需要线性代数。") < out.index("最相关的段落")


def test_excerpt_around_the_lead_contains_it_and_marks_both_cuts():
    text = "第一句很长的开场白。" * 5 + "关键的答案在这里。" + "后面还有别的内容。" * 5
    shown = excerpt(text, limit=40, include="关键的答案在这里。")
    assert "关键的答案在这里。" in shown
    assert shown.startswith("…") and shown.endswith("…") and len(shown) <= 40


def test_wrap_text_counts_display_width_keeps_bullets_and_urls():
    text = "中文字符" * 15 + "\n- 列表项目" + "很长" * 30 + "\nsee https://example.com/" + "a" * 90
    lines = wrap_text(text, 40, "  ").splitlines()
    from rich.cells import cell_len

    url = "https://example.com/" + "a" * 90
    assert any(line.strip() == url for line in lines)  # whole, on a line of its own
    assert all(cell_len(line) <= 40 for line in lines if url not in line)
    item = next(i for i, line in enumerate(lines) if line.startswith("  - 列表"))
    assert lines[item + 1].startswith("    ") and not lines[item + 1].startswith("    -")
    english = wrap_text("word " * 30, 22).splitlines()
    assert all(cell_len(line) <= 22 and not line.endswith("wor") for line in english)


def test_english_asker_reads_the_translation_or_a_note():
    translated = replace(
        _passage(),
        heading_path=("技能",),
        language="zh",
        language_shown="en",
        title_shown="The article",
        heading_path_shown=("Skills",),
        text_shown="ML engineers need linear algebra.",
    )
    untranslated = replace(
        _passage(),
        id="b#1",
        title="另一篇",
        text="只有中文。",
        url=None,
        heading_path=(),
        language="zh",
        language_shown="zh",
    )
    out = _render(SearchResult("math?", "en", [translated, untranslated], [], True, 0.9))
    assert "The article › Skills" in out and "ML engineers need linear algebra." in out
    assert "机器学习" not in out
    assert "no English translation yet" in out and "只有中文。" in out


@pytest.mark.parametrize(
    "text",
    ["机器学习工程师需要学习数学，" * 9, "想学多少理论就学多少，工作将是 99%，这有点夸张。" * 4],
)
def test_no_line_starts_with_closing_punctuation(text):
    for width in range(20, 61):
        lines = wrap_text(text, width, "  ").splitlines()
        assert all(line.strip()[:1] not in "。，、）」" for line in lines), width
        assert "".join(line.strip() for line in lines).replace(" ", "") == text.replace(" ", "")


def test_a_traditional_asker_reads_traditional_labels():
    result = replace(
        SearchResult("數學？", "zh", [_passage()], [], True, 0.9, "需要線性代數。"),
        script="traditional",
    )
    out = _render(result)
    assert "最相關的段落" in out and "最相关的段落" not in out


@pytest.mark.parametrize(
    ("question", "language", "hint"),
    [
        ("bread?", "en", "closest passages and learning resources anyway"),
        ("面包？", "zh", "仍想看看"),
    ],
)
def test_a_refusal_points_to_the_terminals_own_way_and_quotes_nothing(question, language, hint):
    for resources in ([], [_resource()]):
        out = _render(SearchResult(question, language, [], resources, False, 0.2))
        assert "/resources" not in out and "moderators" not in out and "版主" not in out
        assert hint in out and f"careerbot search '{question}' --no-threshold" in out
        assert "Quoted from" not in out and "引自" not in out


def test_the_quoted_from_footer_only_under_passages_or_a_card():
    assert "Quoted from" in _render(SearchResult("math?", "en", [_passage()], [], True, 0.9))
    nothing_quoted = _render(SearchResult("math?", "en", [], [_resource()], True, 0.9))
    assert "Quoted from" not in nothing_quoted and "Math Course" in nothing_quoted
