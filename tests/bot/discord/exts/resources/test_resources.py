from bot.discord.exts.resources._cog import topic_choices
from bot.discord.exts.resources._views import PAGE_SIZE, filter_resources, resources_page
from corpus.loader import SHIPPED_CORPUS_DIR, load_corpus
from corpus.schema import TOPICS
from index.records import ResourceRecord


def _catalogue() -> list[ResourceRecord]:
    return [ResourceRecord.of(r) for r in load_corpus(SHIPPED_CORPUS_DIR).resources]


def test_filters_combine():
    catalogue = _catalogue()
    free_math = filter_resources(catalogue, "math", None, "free")
    assert free_math and all("math" in r.topics and r.cost == "free" for r in free_math)
    assert len(filter_resources(catalogue, None, None, None)) == len(catalogue)
    beginners = filter_resources(catalogue, None, "beginner", None)
    assert 0 < len(beginners) < len(catalogue)


def test_topic_autocomplete_prefers_prefix_and_caps_at_25():
    choices = topic_choices("c")
    assert choices[:4] == ["career", "cloud", "community", "computer-vision"]
    assert "data-science" in choices[4:]  # contains "c", ranked after the prefix matches
    choices = topic_choices("ing")
    assert choices and all("ing" in c for c in choices)
    assert len(TOPICS) > 25 and len(topic_choices("")) == 25
    assert topic_choices("MATH ")[0] == "math"


def test_pages_are_clamped_and_buttons_carry_the_filters():
    catalogue = _catalogue()
    embed, view = resources_page(catalogue, "en", 99, None, None, None)
    pages = -(-len(catalogue) // PAGE_SIZE)
    assert embed.footer.text == f"Page {pages}/{pages}"
    previous, following = view.children
    assert following.disabled and not previous.disabled
    assert previous.custom_id == f"careerbot:resources:{pages - 2}:::"
    embed, view = resources_page(catalogue, "zh", 0, "math", "beginner", None)
    assert "math · beginner" in embed.title
    # the filtered catalogue fits on one page: no page buttons at all
    assert len(filter_resources(catalogue, "math", "beginner", None)) <= PAGE_SIZE
    assert list(view.children) == [] or all(child.disabled for child in view.children)
    # several pages: the buttons carry the filters
    embed, view = resources_page(catalogue, "en", 0, None, "beginner", None)
    assert len(filter_resources(catalogue, None, "beginner", None)) > PAGE_SIZE
    previous, following = view.children
    assert previous.disabled and following.custom_id == "careerbot:resources:1::beginner:"
