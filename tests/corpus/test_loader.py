from pathlib import Path

import pytest

from corpus.loader import (
    SHIPPED_CORPUS_DIR,
    load_articles,
    load_corpus,
    load_glossary,
    load_questions,
    load_resources,
    parse_article,
)
from corpus.problems import CorpusError
from corpus.schema import TOPICS

GOOD_RESOURCE = """\
- id: fast-ai
  name: Practical Deep Learning for Coders
  kind: course
  url: https://course.fast.ai/
  provider: fast.ai
  level: beginner
  cost: free
  language: en
  topics: [deep-learning, python]
  description_zh: 面向程序员的深度学习实践课程。
  description_en: A hands-on deep learning course for coders.
  mentioned_in: []
"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _article_text(**overrides: str) -> str:
    fields = {"id": "demo", "title": "标题", "language": "zh", "tags": "[career]"} | overrides
    front = "\n".join(f"{k}: {v}" for k, v in fields.items() if v is not None)
    return f"---\n{front}\n---\n正文。\n"


# --- the shipped files ---------------------------------------------------------------------


def test_shipped_corpus_loads():
    corpus = load_corpus()
    assert len(corpus.articles) == 5
    assert len(corpus.resources) >= 25
    assert {a.meta.language for a in corpus.articles} == {"zh"}
    for article in corpus.articles:
        assert article.meta.tags
        if article.meta.translated_from:
            assert article.meta.source_url is not None
            assert "source=collection_archive" not in str(article.meta.source_url)


def test_shipped_resources_cover_topics_and_articles():
    corpus = load_corpus()
    article_ids = {a.id for a in corpus.articles}
    mentioned = {a for r in corpus.resources for a in r.mentioned_in}
    assert mentioned <= article_ids
    assert len(mentioned) >= 3
    topics = {t for r in corpus.resources for t in r.topics}
    assert {"python", "math", "deep-learning", "mlops", "cloud", "docker"} <= topics <= TOPICS


def test_shipped_glossary_terms_occur_in_the_corpus():
    corpus = load_corpus()
    bodies = "".join(a.body for a in corpus.articles)
    assert len(corpus.glossary) >= 50
    missing = [zh for entry in corpus.glossary for zh in entry.zh if zh not in bodies]
    assert missing == []


def test_shipped_questions_refer_to_the_corpus():
    corpus = load_corpus()
    questions = load_questions(SHIPPED_CORPUS_DIR / "eval" / "questions.yaml", corpus)
    assert len(questions) >= 40
    assert {q.language for q in questions} == {"zh", "en"}
    bodies = {a.id: "".join(a.body.split()) for a in corpus.articles}
    for question in questions:
        for label in question.expected_passages:
            assert "".join(label.contains.split()) in bodies[label.article], question.id


# --- broken files: every problem named with file, line and field ----------------------------


def test_missing_required_field_names_file_line_and_field(tmp_path):
    path = _write(
        tmp_path / "r.yaml",
        GOOD_RESOURCE
        + GOOD_RESOURCE.replace("fast-ai", "other").replace("  provider: fast.ai\n", ""),
    )
    with pytest.raises(CorpusError) as info:
        load_resources(path)
    (problem,) = info.value.problems
    assert problem.path == path
    assert problem.field == "[1].provider"
    assert "required" in problem.reason.lower()
    assert problem.line == 13  # the start of the second entry
    assert str(problem).startswith(f"{path}:13: [1].provider:")


def test_duplicate_ids_bad_url_and_unknown_topic(tmp_path):
    broken = GOOD_RESOURCE.replace("url: https://course.fast.ai/", "url: not a url").replace(
        "[deep-learning, python]", "[deep-learning, cooking]"
    )
    path = _write(tmp_path / "r.yaml", GOOD_RESOURCE + broken)
    with pytest.raises(CorpusError) as info:
        load_resources(path)
    by_field = {p.field: p for p in info.value.problems}
    assert by_field["[1].url"].line == 16
    assert "url" in by_field["[1].url"].reason.lower()
    assert "cooking" in by_field["[1].topics"].reason
    assert by_field["id"].line == 13 and "duplicate id 'fast-ai'" in by_field["id"].reason


def test_invalid_yaml_reports_the_line(tmp_path):
    path = _write(tmp_path / "r.yaml", GOOD_RESOURCE + "- id: [unclosed\n")
    with pytest.raises(CorpusError) as info:
        load_resources(path)
    assert info.value.problems[0].line is not None
    assert "invalid YAML" in info.value.problems[0].reason


def test_top_level_must_be_a_list(tmp_path):
    path = _write(tmp_path / "r.yaml", "id: x\n")
    with pytest.raises(CorpusError, match="expected a list"):
        load_resources(path)


def test_article_front_matter_errors(tmp_path):
    bad = _write(tmp_path / "demo.md", _article_text(language="fr", source_url="ftp//nope"))
    with pytest.raises(CorpusError) as info:
        parse_article(bad)
    fields = {p.field: p.line for p in info.value.problems}
    assert fields == {"language": 4, "source_url": 6}


def test_article_needs_front_matter_body_and_matching_name(tmp_path):
    with pytest.raises(CorpusError, match="missing YAML front matter"):
        parse_article(_write(tmp_path / "a.md", "# no front matter\n"))
    with pytest.raises(CorpusError, match="not closed"):
        parse_article(_write(tmp_path / "b.md", "---\nid: b\n"))
    with pytest.raises(CorpusError, match="no body"):
        parse_article(_write(tmp_path / "demo.md", _article_text().replace("正文。\n", "\n")))
    with pytest.raises(CorpusError, match="must match the file name"):
        parse_article(_write(tmp_path / "other.md", _article_text()))


def test_translation_requires_source_url(tmp_path):
    with pytest.raises(CorpusError, match="source_url"):
        parse_article(_write(tmp_path / "demo.md", _article_text(translated_from="en")))


def test_all_article_problems_are_collected(tmp_path):
    _write(tmp_path / "articles" / "a.md", _article_text(id="a", tags="[nope]"))
    _write(tmp_path / "articles" / "b.md", "no front matter")
    with pytest.raises(CorpusError) as info:
        load_articles(tmp_path / "articles")
    assert {p.path.name for p in info.value.problems} == {"a.md", "b.md"}


def test_corpus_cross_references(tmp_path):
    _write(tmp_path / "articles" / "demo.md", _article_text())
    _write(
        tmp_path / "resources.yaml",
        GOOD_RESOURCE.replace("mentioned_in: []", "mentioned_in: [ghost]"),
    )
    with pytest.raises(CorpusError, match="unknown article id 'ghost'"):
        load_corpus(tmp_path)


def test_missing_files_and_bad_encoding(tmp_path):
    with pytest.raises(CorpusError, match="file not found"):
        load_resources(tmp_path / "nope.yaml")
    (tmp_path / "latin1.yaml").write_bytes("- id: caf\xe9\n".encode("latin-1"))
    with pytest.raises(CorpusError, match="not UTF-8"):
        load_resources(tmp_path / "latin1.yaml")
    assert load_glossary(tmp_path / "absent.yaml") == []
    with pytest.raises(CorpusError, match="articles directory not found"):
        load_articles(tmp_path / "none")
