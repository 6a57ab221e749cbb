from pathlib import Path

import pytest

from corpus.cards import (
    MIN_CARD_PHRASINGS,
    card_warnings,
    cited_passage_ids,
    passage_of_quote,
    uncited_passages,
)
from corpus.chunk import chunk_article
from corpus.loader import load_corpus
from corpus.problems import CorpusError
from tests.conftest import write_card, write_small_corpus


def _problems(corpus_dir: Path) -> list:
    with pytest.raises(CorpusError) as info:
        load_corpus(corpus_dir)
    return info.value.problems


# --- the shipped cards -----------------------------------------------------------------------


def test_shipped_cards_load_and_cite_passages():
    corpus = load_corpus()
    assert len(corpus.cards) >= 60
    passages = [p for article in corpus.articles for p in chunk_article(article)]
    for card in corpus.cards:
        assert len(card.questions.zh) >= MIN_CARD_PHRASINGS
        assert len(card.questions.en) >= MIN_CARD_PHRASINGS
        for source in card.sources:  # every quote lies in a passage the reply can show
            assert passage_of_quote(source.article, source.quote, passages), (card.id, source)
    # every article answers something: each has cards citing it
    assert {s.article for c in corpus.cards for s in c.sources} == {a.id for a in corpus.articles}


def test_shipped_cards_share_no_phrasing():
    assert card_warnings(load_corpus().cards) == []


# --- a small corpus with one card ------------------------------------------------------------


def test_a_card_loads_and_cites_its_passage(tmp_path):
    root = write_small_corpus(tmp_path / "corpus")
    write_card(root)
    corpus = load_corpus(root)
    (card,) = corpus.cards
    assert card.answer.in_language("en") == "Yes: linear algebra and probability."
    alpha = next(a for a in corpus.articles if a.id == "alpha")
    passages = chunk_article(alpha)
    (cited,) = cited_passage_ids(card, passages)
    assert "线性代数和概率论" in next(p.text for p in passages if p.id == cited)
    uncited = uncited_passages(corpus.cards, passages)
    assert cited not in {p.id for p in uncited["alpha"]}


def test_a_quote_not_in_the_article_names_file_line_and_field(tmp_path):
    root = write_small_corpus(tmp_path / "corpus")
    path = write_card(root, quote="线性代数和微积分。")
    (problem,) = _problems(root)
    assert problem.path == path
    assert problem.field == "alpha-math.sources[0].quote"
    assert problem.line == 13
    assert "not found verbatim" in problem.reason and "线性代数和微积分" in problem.reason


def test_a_quoted_heading_is_refused(tmp_path):
    root = write_small_corpus(tmp_path / "corpus")
    alpha = root / "articles" / "alpha.md"
    alpha.write_text(alpha.read_text(encoding="utf-8") + "\n# 部署模型的工具\n\n内容。\n", "utf-8")
    write_card(root, quote="部署模型的工具")  # a heading: never shown as a passage
    (problem,) = _problems(root)
    assert "headings excluded" in problem.reason


def test_unknown_ids_and_duplicates_across_files(tmp_path):
    root = write_small_corpus(tmp_path / "corpus")
    first = write_card(root, "alpha-math")
    text = first.read_text(encoding="utf-8")
    (root / "cards" / "second.yaml").write_text(
        text.replace("article: alpha", "article: gamma").replace(
            "[math-book]", "[no-such-course]\n  related: [nobody, alpha-math]"
        ),
        encoding="utf-8",
    )
    problems = {p.field: p for p in _problems(root)}
    assert "duplicate card id" in problems["alpha-math.id"].reason
    assert "unknown article id 'gamma'" in problems["alpha-math.sources[0].article"].reason
    assert "unknown resource id" in problems["alpha-math.resources[0]"].reason
    assert "unknown card id 'nobody'" in problems["alpha-math.related[0]"].reason
    assert all(p.path.name == "second.yaml" for p in problems.values())


@pytest.mark.parametrize(
    ("edit", "field", "reason"),
    [
        (('    en: "Yes: linear algebra and probability."\n', ""), "[0].answer.en", "required"),
        (("how good at math must i be for ml", "x" * 301), "[0].questions.en", "301 characters"),
        (("[what math does an ml engineer need, ", "["), "[0].questions.en", "at least 6"),
    ],
)
def test_schema_problems_name_the_field(tmp_path, edit, field, reason):
    root = write_small_corpus(tmp_path / "corpus")
    path = write_card(root)
    path.write_text(path.read_text(encoding="utf-8").replace(*edit), encoding="utf-8")
    (problem,) = _problems(root)
    assert problem.field == field
    assert reason in problem.reason
    assert problem.line is not None


def test_invalid_yaml_is_a_problem_with_a_line(tmp_path):
    root = write_small_corpus(tmp_path / "corpus")
    path = write_card(root)
    path.write_text(path.read_text(encoding="utf-8") + "- id: [unclosed\n", encoding="utf-8")
    (problem,) = _problems(root)
    assert "invalid YAML" in problem.reason and problem.line is not None


def test_a_phrasing_repeated_in_traditional_is_a_warning(tmp_path):
    root = write_small_corpus(tmp_path / "corpus")
    path = write_card(root)
    text = path.read_text(encoding="utf-8").replace("MLE 数学要求,", "MLE 数学要求, MLE 數學要求,")
    path.write_text(text, encoding="utf-8")
    findings = card_warnings(load_corpus(root).cards)
    assert findings and all("is repeated" in f.message for f in findings)


def test_a_shared_phrasing_is_a_warning(tmp_path):
    root = write_small_corpus(tmp_path / "corpus")
    write_card(root, "alpha-math")
    write_card(root, "alpha-math-again")
    findings = card_warnings(load_corpus(root).cards)
    assert len(findings) == 12  # every phrasing of the second card
    # files load in name order: "alpha-math-again.yaml" first
    assert findings[0].card_id == "alpha-math"
    assert "also a phrasing of alpha-math-again" in findings[0].message
