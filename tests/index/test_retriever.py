"""Ranking on the shipped corpus with the real bundled model (the index is built once), and the
stable JSON form of a hit."""

import pytest

from corpus.loader import SHIPPED_CORPUS_DIR, load_corpus, load_questions
from index.evaluation import EVAL_K, RESOURCE_K, evaluate
from index.lead import CANNOT_LEAD, LEADS_WITH_PREVIOUS, MAY_LEAD, _lead_candidate
from index.query import InvalidQuestion
from index.results import Hit
from index.retriever import Retriever
from index.search_config import RetrieverConfig


@pytest.fixture(scope="module")
def retriever(shipped_index_root, bundled_embedder) -> Retriever:
    return Retriever.open(shipped_index_root, bundled_embedder)


# Retrieval alone, as for a question no answer card is close to.
NO_CARDS = RetrieverConfig(card_threshold_zh=9.0, card_threshold_en=9.0)


@pytest.fixture(scope="module")
def passages_only(shipped_index_root, bundled_embedder) -> Retriever:
    return Retriever.open(shipped_index_root, bundled_embedder, NO_CARDS)


def test_hit_json_names_the_fields_of_its_kind():
    # `careerbot search --json` is the machine interface: these keys, in this order
    passage = Hit(
        "passage",
        "a#1",
        0.91234,
        "标题",
        "正文。",
        None,
        "a",
        ("节",),
        start=3,
        end=7,
        language="zh",
        language_shown="en",
        title_shown="Title",
        text_shown="Text.",
    )
    assert passage.to_json() == {
        "kind": "passage",
        "id": "a#1",
        "score": 0.9123,
        "title": "标题",
        "text": "正文。",
        "url": None,
        "source": "a",
        "article_id": "a",
        "heading_path": ["节"],
        "language": "zh",
        "text_shown": "Text.",
        "language_shown": "en",
        "title_shown": "Title",
        "heading_path_shown": ["节"],
        "start": 3,
        "end": 7,
    }
    assert list(passage.to_json())[-2:] == ["start", "end"]
    resource = Hit(
        "resource",
        "r",
        0.5,
        "Course",
        "Why.",
        "https://example.com/r",
        "r",
        resource_kind="course",
        provider="P",
        level="beginner",
        cost="free",
        topics=("math",),
    )
    assert resource.to_json() == {
        "kind": "resource",
        "id": "r",
        "score": 0.5,
        "title": "Course",
        "text": "Why.",
        "url": "https://example.com/r",
        "source": "r",
        "resource_kind": "course",
        "provider": "P",
        "level": "beginner",
        "cost": "free",
        "topics": ["math"],
    }


def _top_sections(result, n=3):
    return [
        (hit.source, hit.heading_path[-1] if hit.heading_path else "")
        for hit in result.passages[:n]
    ]


def test_chinese_math_question(retriever):
    result = retriever.search("机器学习工程师要学哪些数学？")
    assert result.answered and result.language == "zh"
    assert ("career-switch-ml-engineer-roadmap", "数学与统计学") in _top_sections(result)
    best = result.passages[0]
    assert best.url is None or best.url.startswith("https://")
    assert [h.score for h in result.passages] == sorted(
        (h.score for h in result.passages), reverse=True
    )


def test_english_question_finds_chinese_passage(retriever):
    result = retriever.search("should I learn software engineering first?")
    assert result.answered and result.language == "en"
    assert ("ml-engineers-losing-jobs", "先做软件工程") in _top_sections(result)
    assert result.passages[0].url.startswith("https://towardsdatascience.com/")


def test_course_question_recommends_deep_learning_courses(retriever):
    result = retriever.search("which deep learning course?", k_resources=5)
    ids = [hit.id for hit in result.resources]
    assert {"fastai-practical-deep-learning", "coursera-deep-learning-specialization"} & set(
        ids[:3]
    )
    assert all(hit.kind == "resource" and hit.url for hit in result.resources)
    assert "deep" in result.resources[0].text.lower()  # English description for English


def test_resources_described_in_the_question_language(retriever):
    result = retriever.search("有什么好的深度学习课程？")
    assert any("深度学习" in hit.text for hit in result.resources)


def test_off_topic_question_gets_no_passages_and_no_unrelated_resources(retriever):
    for question in ("How do I bake sourdough bread?", "推荐一部好看的电影", "今天天气怎么样？"):
        result = retriever.search(question)
        assert not result.answered, question
        assert result.passages == [] and result.reason
        assert result.resources == []  # nothing in the catalogue is about bread or films


def test_refusal_keeps_resources_relevant_on_their_own(retriever):
    result = retriever.search("Is there a good course on Docker?")
    assert any("docker" in hit.id for hit in result.resources), result


def test_threshold_can_be_disabled_for_evaluation(retriever):
    result = retriever.search("How do I bake sourdough bread?", apply_threshold=False)
    assert not result.answered and len(result.passages) == retriever.config.k


def test_k_and_bad_input(retriever):
    result = retriever.search("数据科学家和机器学习工程师的区别", k=2, k_resources=0)
    assert len(result.passages) == 2 and result.resources == []
    with pytest.raises(InvalidQuestion):
        retriever.search("   ")


def test_lexical_weight_matters_for_english(shipped_index_root, bundled_embedder):
    """BM25 (with the glossary for the articles' Chinese terms) lifts English retrieval well
    above dense alone, even with English translations. Guards the fusion against silently
    switching off."""
    questions = [
        q
        for q in load_questions(SHIPPED_CORPUS_DIR / "eval" / "questions.yaml", load_corpus())
        if q.language == "en"
    ]

    def mrr(config: RetrieverConfig) -> float:
        retriever = Retriever.open(shipped_index_root, bundled_embedder, config)
        report = evaluate(
            questions,
            lambda q: retriever.search(q, k=EVAL_K, k_resources=RESOURCE_K, apply_threshold=False),
        )
        return report.by_language["en"].mrr

    fused = mrr(NO_CARDS)
    dense_only = mrr(NO_CARDS.model_copy(update={"lexical_weight_en": 0}))
    no_glossary = mrr(NO_CARDS.model_copy(update={"glossary_expansion": False}))
    assert fused > dense_only + 0.1
    assert fused > no_glossary


def test_shipped_question_set_quality_floor(retriever):
    """A regression floor, a little under the figures measured when the defaults were set."""
    questions = load_questions(SHIPPED_CORPUS_DIR / "eval" / "questions.yaml", load_corpus())
    report = evaluate(
        questions,
        lambda q: retriever.search(q, k=EVAL_K, k_resources=RESOURCE_K, apply_threshold=False),
    )
    for split in ("dev", "test"):
        zh, en = report.by_split[split]["zh"], report.by_split[split]["en"]
        assert zh.mrr >= 0.6 and en.mrr >= 0.5, split
        for figures in (zh, en):
            assert figures.wrongly_refused_share <= 0.15, split
            assert figures.unanswerable_answered_share <= 0.4, split
            assert figures.in_language_share >= 0.9, split
            assert figures.lead_share >= 0.25, split
    assert report.by_language["all"].resource_hit_at_5 >= 0.9


def test_lead_is_the_sentence_closest_to_the_question(passages_only):
    result = passages_only.search("需要学Docker吗？")
    best = next(p for p in result.passages if p.id == result.lead_passage_id)
    assert result.lead and result.lead in best.text and result.lead == result.lead_original
    assert "Docker" in result.lead
    assert not best.text.startswith(result.lead)  # chosen by meaning, not the opening
    assert len(result.lead) < len(best.text) / 2


def test_no_lead_without_an_answer(retriever):
    assert retriever.search("How do I bake sourdough bread?").lead is None


def _ivf_over(loaded, nlist: int, nprobe: int):
    """`loaded` with its passage vectors in an IVF index of `nlist` cells, `nprobe` probed."""
    import dataclasses

    import faiss

    vectors = loaded.passage_index.reconstruct_n(0, loaded.passage_index.ntotal)
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(vectors.shape[1]), vectors.shape[1], nlist)
    ivf.metric_type = faiss.METRIC_INNER_PRODUCT
    ivf.cp.seed = 1
    ivf.train(vectors)
    ivf.add(vectors)
    ivf.make_direct_map()
    ivf.nprobe = nprobe
    return dataclasses.replace(loaded, passage_index=ivf)


@pytest.fixture(scope="module")
def shipped_questions() -> list[str]:
    """The first 15 labelled questions: both languages, enough for a ranking comparison."""
    corpus = load_corpus()
    labelled = load_questions(SHIPPED_CORPUS_DIR / "eval" / "questions.yaml", corpus)
    return [q.question for q in labelled][:15]


def test_an_approximate_index_that_finds_fewer_candidates_ranks_only_real_ones(
    retriever, bundled_embedder, shipped_questions
):
    # one cell of four probed: FAISS returns fewer than candidate_pool ids, padded with -1
    approximate = Retriever(_ivf_over(retriever.index, 4, 1), bundled_embedder)
    for question in shipped_questions:
        result = approximate.search(question, k=100, apply_threshold=False)
        assert result.passages and -1.0 <= result.relevance <= 1.0
        assert all(-1.0 <= hit.score <= 2.0 for hit in result.passages), question


def test_an_ivf_index_probing_every_cell_ranks_as_exact_search(
    retriever, bundled_embedder, shipped_questions
):
    exhaustive = Retriever(_ivf_over(retriever.index, 4, 4), bundled_embedder)
    for question in shipped_questions:
        exact = retriever.search(question)
        ivf = exhaustive.search(question)
        assert [h.id for h in ivf.passages] == [h.id for h in exact.passages], question
        assert [h.id for h in ivf.resources] == [h.id for h in exact.resources]
        assert ivf.relevance == pytest.approx(exact.relevance, abs=1e-6)


def test_english_asker_reads_english_passages_lead_and_titles(passages_only):
    result = passages_only.search("Should I learn software engineering before machine learning?")
    assert result.answered and result.reply_language == "en"
    for hit in result.passages:
        assert hit.language == "zh" and hit.language_shown == "en"
        assert not _has_han(hit.shown_text) and not _has_han(hit.shown_title)
        assert _has_han(hit.text)  # `text` stays the original as written
    assert result.lead and not _has_han(result.lead)
    assert result.lead_original and _has_han(result.lead_original)
    lead_passage = next(p for p in result.passages if p.id == result.lead_passage_id)
    assert result.lead in lead_passage.shown_text
    assert result.lead_original in lead_passage.text


def test_reply_language_can_differ_from_the_question(retriever):
    result = retriever.search("机器学习工程师要学哪些数学？", reply_language="en")
    assert result.language == "zh" and result.reply_language == "en"
    assert not _has_han(result.passages[0].shown_text)


def test_traditional_chinese_gets_the_simplified_results(retriever):
    simplified = retriever.search("机器学习工程师需要会写代码吗？")
    traditional = retriever.search("機器學習工程師需要會寫代碼嗎？")
    assert [h.id for h in traditional.passages] == [h.id for h in simplified.passages]
    assert traditional.answered == simplified.answered


@pytest.mark.parametrize(
    "question", ["hello", "ok", "test", "asdfghjkl", "\x1b[1;31mtest\x1b[0m", "在吗", "thanks!"]
)
def test_chitchat_and_noise_get_no_answer_and_say_why(retriever, question):
    result = retriever.search(question)
    assert not result.answered and result.passages == [] and result.reason


def test_lead_is_never_a_question_or_an_attribution(retriever):
    questions = load_questions(SHIPPED_CORPUS_DIR / "eval" / "questions.yaml", load_corpus())
    for question in questions[:60]:
        result = retriever.search(question.question, apply_threshold=False)
        assert result.lead, question.id
        lead = result.lead.strip()
        assert "?" not in lead and "？" not in lead, (question.id, lead)
        assert not lead.startswith(("—", "-", "–")), (question.id, lead)
        if result.card is None:  # an extracted lead never opens on a sentence leaning back
            assert _lead_candidate(lead, result.language) != LEADS_WITH_PREVIOUS, (
                question.id,
                lead,
            )


@pytest.mark.parametrize(
    ("sentence", "language", "verdict"),
    [
        ("Besides, you need to know Docker.", "en", LEADS_WITH_PREVIOUS),
        ("Because the field changes fast.", "en", LEADS_WITH_PREVIOUS),
        ("You decide how deep you go.", "en", LEADS_WITH_PREVIOUS),
        ("You need linear algebra and probability.", "en", MAY_LEAD),
        ("此外，你还需要学习云。", "zh", LEADS_WITH_PREVIOUS),
        ("我的意思是，ML 工程领域是不断变化的。", "zh", LEADS_WITH_PREVIOUS),
        ("机器学习工程师需要线性代数。", "zh", MAY_LEAD),
        ("What math do I need?", "en", CANNOT_LEAD),
    ],
)
def test_a_sentence_leaning_on_the_one_before_leads_only_with_it(sentence, language, verdict):
    assert _lead_candidate(sentence, language) == verdict


def _has_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize(
    ("chinese", "english"),
    [
        ("你好", "hello"),
        ("谢谢", "thanks"),
        ("谁赢了世界杯", "who won the world cup"),
        ("今天星期几", "what day is it today"),
        ("机器学习工程师要学哪些数学？", "what math does a machine learning engineer need?"),
    ],
)
def test_a_question_is_decided_alike_in_both_languages(retriever, chinese, english):
    assert retriever.search(chinese).answered == retriever.search(english).answered


def test_a_lead_never_opens_on_a_leaning_sentence_or_takes_a_question_as_its_antecedent(
    passages_only,
):
    """Asking each sentence that leans on the one before makes it the closest one: the lead
    then starts on an antecedent that may lead itself, or is another sentence."""
    index = passages_only.index
    asked = 0
    for unit, (position, language) in enumerate(index.units):
        text = index.passages[position].text_in(language)
        for _, start, end in passages_only._unit_sentences(unit):
            sentence = text[start:end]
            if _lead_candidate(sentence, language) != LEADS_WITH_PREVIOUS:
                continue
            for reply in ("zh", "en"):
                result = passages_only.search(sentence, apply_threshold=False, reply_language=reply)
                asked += 1
                lead = result.lead or ""
                assert "?" not in lead and "？" not in lead, (sentence, lead)
                shown = "zh" if reply == "zh" else "en"
                assert _lead_candidate(lead, shown) != LEADS_WITH_PREVIOUS, (sentence, lead)
    assert asked > 100
