"""The quality gate and rollback: a worse or broken generation is never published."""

import json

import pytest

from corpus.schema import ExpectedPassage, LabelledQuestion
from index.embedders import EmbedderConfig
from index.gate import QUALITY_FILE, quality_gate
from index.generations import GENERATIONS, current_generation_dir, list_generations, rollback
from index.manifest import IndexStoreError, PublishRefused
from index.quality import GateReport
from index.search_config import RetrieverConfig
from index.store import load_index
from tests.conftest import HashEmbedder
from tests.helpers import build_corpus_dir

CONFIG = EmbedderConfig(backend="bundled")
QUESTIONS = [
    LabelledQuestion(
        id="q-math",
        language="zh",
        question="机器学习工程师要学哪些数学？线性代数和概率论吗",
        expected_passages=[ExpectedPassage(article="alpha", contains="线性代数")],
    ),
    LabelledQuestion(
        id="q-ds",
        language="zh",
        question="数据科学家做什么？分析数据吗",
        expected_passages=[ExpectedPassage(article="beta", contains="收集见解")],
    ),
]


def _gate(embedder, max_drop=0.02):
    return quality_gate(QUESTIONS, embedder, RetrieverConfig(), max_drop)


def _drop_math_article(corpus_dir):
    path = corpus_dir / "articles" / "alpha.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("线性代数和概率论", "编程和沟通"),
        encoding="utf-8",
    )


def test_first_build_passes_and_records_its_quality(small_corpus_dir, tmp_path):
    root = tmp_path / "index"
    embedder = HashEmbedder()
    report = build_corpus_dir(small_corpus_dir, root, embedder, gate=_gate(embedder))
    quality = report.quality
    assert isinstance(quality, GateReport) and quality.served_mrr is None
    assert quality.new_mrr == 1.0 and quality.worse == []
    saved = json.loads((current_generation_dir(root) / QUALITY_FILE).read_text("utf-8"))
    assert saved["mrr"] == 1.0


def test_a_worse_build_is_refused_and_the_served_generation_kept(small_corpus_dir, tmp_path):
    root = tmp_path / "index"
    embedder = HashEmbedder()
    build_corpus_dir(small_corpus_dir, root, embedder, gate=_gate(embedder))
    served = current_generation_dir(root)
    _drop_math_article(small_corpus_dir)

    with pytest.raises(PublishRefused, match=r"MRR@10 would drop from 1\.000") as refused:
        build_corpus_dir(small_corpus_dir, root, embedder, gate=_gate(embedder))
    details = refused.value.details
    assert [(c.question_id, c.served_rank, c.new_rank) for c in details.worse] == [
        ("q-math", 1, None)
    ]
    assert current_generation_dir(root) == served
    assert list_generations(root) == [served.name]
    assert not [p for p in (root / GENERATIONS).iterdir() if p.name.startswith(".")]

    # a margin that tolerates the drop publishes it; so does building without the gate (--force)
    report = build_corpus_dir(small_corpus_dir, root, embedder, gate=_gate(embedder, max_drop=0.6))
    assert report.quality.drop == pytest.approx(0.5)
    assert current_generation_dir(root).name == report.generation


def test_gate_compares_with_nothing_when_the_served_index_is_another_embedders(
    small_corpus_dir, tmp_path
):
    root = tmp_path / "index"
    build_corpus_dir(small_corpus_dir, root, HashEmbedder(model_id="test:other"))
    _drop_math_article(small_corpus_dir)
    embedder = HashEmbedder()
    report = build_corpus_dir(small_corpus_dir, root, embedder, gate=_gate(embedder))
    assert report.quality.served_mrr is None and report.quality.new_mrr == 0.5


def test_a_build_killed_before_publishing_leaves_the_previous_generation(
    small_corpus_dir, tmp_path
):
    root = tmp_path / "index"
    embedder = HashEmbedder()
    build_corpus_dir(small_corpus_dir, root, embedder)
    served = current_generation_dir(root)
    _drop_math_article(small_corpus_dir)

    for stage in ("embedding", "verifying", "quality gate"):

        def kill_at(current, done, total, stage=stage):
            if current == stage:
                raise KeyboardInterrupt  # what Ctrl-C or a signal handler raises mid-build

        with pytest.raises(KeyboardInterrupt):
            build_corpus_dir(
                small_corpus_dir, root, embedder, progress=kill_at, gate=_gate(embedder)
            )
        assert current_generation_dir(root) == served
        assert list_generations(root) == [served.name]
        load_index(root, embedder.id)


def test_rollback_serves_the_previous_generation_and_checks_it(small_corpus_dir, tmp_path):
    root = tmp_path / "index"
    embedder = HashEmbedder()
    first = build_corpus_dir(small_corpus_dir, root, embedder).generation
    _drop_math_article(small_corpus_dir)
    second = build_corpus_dir(small_corpus_dir, root, embedder).generation
    assert list_generations(root) == [first, second]

    assert rollback(root, embedder.id) == first
    assert current_generation_dir(root).name == first
    assert load_index(root, embedder.id).manifest.passage_count >= 1
    with pytest.raises(IndexStoreError, match="nothing to roll back to"):
        rollback(root, embedder.id)

    # an older generation that is damaged or another embedder's is never published by a rollback
    third = build_corpus_dir(small_corpus_dir, root, embedder, force=True).generation
    assert current_generation_dir(root).name == third
    with pytest.raises(IndexStoreError, match="embedder"):
        rollback(root, "test:other")
    (root / GENERATIONS / second / "passages.json").write_text("[]")
    with pytest.raises(IndexStoreError, match=r"passages\.json"):
        rollback(root, embedder.id)
    assert current_generation_dir(root).name == third


def test_a_generation_never_published_is_not_rolled_back_to_and_is_removed(
    small_corpus_dir, tmp_path, monkeypatch
):
    """A build killed after renaming its generation into place, before replacing CURRENT."""
    import index.build

    root = tmp_path / "index"
    embedder = HashEmbedder()
    first = build_corpus_dir(small_corpus_dir, root, embedder).generation

    def killed(index_root, generation):
        raise KeyboardInterrupt

    monkeypatch.setattr(index.build, "publish", killed)
    _drop_math_article(small_corpus_dir)
    with pytest.raises(KeyboardInterrupt):
        build_corpus_dir(small_corpus_dir, root, embedder)  # no gate: it never ran on this one
    monkeypatch.undo()
    (orphan,) = [name for name in list_generations(root) if name != first]
    assert orphan > first and current_generation_dir(root).name == first
    with pytest.raises(IndexStoreError, match="nothing to roll back to"):
        rollback(root, embedder.id)  # the unpublished generation is newer, never older
    second = build_corpus_dir(small_corpus_dir, root, embedder, force=True).generation
    assert orphan not in list_generations(root)  # the next build removed it
    assert rollback(root, embedder.id) == first
    assert second in list_generations(root)


def test_the_gate_report_is_checksummed_with_the_generation(small_corpus_dir, tmp_path):
    root = tmp_path / "index"
    embedder = HashEmbedder()
    build_corpus_dir(small_corpus_dir, root, embedder, gate=_gate(embedder))
    directory = current_generation_dir(root)
    manifest = json.loads((directory / "manifest.json").read_text())
    assert QUALITY_FILE in manifest["files"]
    report = directory / QUALITY_FILE
    report.write_text(report.read_text().replace('"mrr": ', '"mrr": 0.999, "was": '))
    with pytest.raises(IndexStoreError, match=r"quality\.json"):
        load_index(root, embedder.id)
