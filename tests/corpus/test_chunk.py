import pytest

from corpus.chunk import (
    MAX_PASSAGE_CHARS,
    MERGE_SLACK_CHARS,
    MIN_PASSAGE_CHARS,
    chunk_article,
    split_sentences,
    stable_passage_id,
)
from corpus.clean import clean_markdown
from corpus.loader import Article, load_corpus
from corpus.schema import ArticleMeta

SENTENCE_ENDS = tuple('。！？；!?.…"”’」』）)')


def _article(body: str, article_id: str = "demo") -> Article:
    meta = ArticleMeta(
        id=article_id, title="标题", language="zh", source_url="https://example.com/a"
    )
    return Article(meta=meta, body=body, path=None, body_line=1)  # type: ignore[arg-type]


def test_split_sentences_chinese_and_english():
    text = "第一句。第二句！Is it third? Yes. 3.5 stays whole; 1. list"
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == [
        "第一句。",
        "第二句！",
        "Is it third?",
        "Yes.",
        "3.5 stays whole; 1. list",
    ]


def test_long_paragraph_is_split_at_sentence_boundaries():
    sentence = "机器学习工程师需要扎实的软件工程能力，也需要理解数据和数学。"  # 30 chars
    body = "# 技能\n\n" + sentence * 60
    passages = chunk_article(_article(body))
    assert len(passages) > 1
    for passage in passages:
        assert passage.text.endswith("。")
        assert passage.text.startswith("机器学习")
        assert len(passage.text) <= MAX_PASSAGE_CHARS + MERGE_SLACK_CHARS
        assert passage.heading_path == ("技能",)


def test_short_paragraphs_are_packed_within_a_section():
    body = "# A\n\n" + "\n\n".join(f"第{i}段内容，说明一个观点。" for i in range(40))
    passages = chunk_article(_article(body))
    assert all(MIN_PASSAGE_CHARS <= len(p.text) <= MAX_PASSAGE_CHARS for p in passages[:-1])


def test_sections_carry_heading_paths_and_never_mix():
    body = "# 一\n\n甲段落。\n\n## 二\n\n乙段落。\n\n# 三\n\n丙段落。"
    passages = chunk_article(_article(body))
    assert [(p.heading_path, p.text) for p in passages] == [
        (("一",), "甲段落。"),
        (("一", "二"), "乙段落。"),
        (("三",), "丙段落。"),
    ]
    assert passages[1].embedding_text() == "一 > 二\n乙段落。"


def test_offsets_and_ids():
    body = "# 一\n\n" + "这是一个句子。" * 200
    article = _article(body)
    cleaned = clean_markdown(body)
    passages = chunk_article(article, cleaned)
    for passage in passages:
        assert cleaned.text[passage.start : passage.end] == passage.text
    assert len({p.id for p in passages}) == len(passages)
    assert passages[0].id == stable_passage_id("demo", passages[0].text)
    assert [p.id for p in chunk_article(article)] == [p.id for p in passages]


@pytest.fixture(scope="module")
def shipped_passages():
    corpus = load_corpus()
    return [
        (clean_markdown(article.body).text, passage)
        for article in corpus.articles
        for passage in chunk_article(article)
    ]


def test_shipped_corpus_passages_are_clean_and_sized(shipped_passages):
    assert len(shipped_passages) > 40
    lengths = sorted(len(p.text) for _, p in shipped_passages)
    median = lengths[len(lengths) // 2]
    assert MIN_PASSAGE_CHARS <= median <= MAX_PASSAGE_CHARS
    assert max(lengths) <= MAX_PASSAGE_CHARS + MERGE_SLACK_CHARS
    for cleaned_text, passage in shipped_passages:
        assert "http" not in passage.text
        assert "Unsplash" not in passage.text and "照片由" not in passage.text
        # Never mid-sentence: a passage ends where a paragraph or a sentence ends.
        at_paragraph_end = cleaned_text[passage.end : passage.end + 1] in ("", "\n")
        assert at_paragraph_end or passage.text.endswith(SENTENCE_ENDS), passage.text[-30:]
