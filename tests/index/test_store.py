import json
import threading

import faiss
import pytest

from corpus.loader import load_corpus
from index.ann import VectorIndexConfig
from index.build import build_index
from index.embedders import Embedder, EmbedderConfig
from index.generations import (
    CURRENT,
    GENERATIONS,
    build_lock,
    current_generation_dir,
    read_current_manifest,
    verify_generation,
)
from index.manifest import FORMAT_VERSION, BuildLocked, IndexCorrupt, IndexMismatch, IndexMissing
from index.store import load_index
from tests.conftest import HashEmbedder
from tests.helpers import build_corpus_dir

CONFIG = EmbedderConfig()  # the embedder passed in decides the id; config is only a fallback


def test_fake_embedder_follows_the_protocol():
    assert isinstance(HashEmbedder(), Embedder)


def test_build_writes_a_self_describing_generation(small_corpus_dir, tmp_path):
    root = tmp_path / "index"
    stages = []
    report = build_corpus_dir(
        small_corpus_dir, root, HashEmbedder(), progress=lambda s, d, t: stages.append(s)
    )
    manifest = report.manifest
    assert not report.skipped
    assert manifest.format_version == FORMAT_VERSION
    assert manifest.embedder_id == "test:hash" and manifest.dim == 64
    assert manifest.passage_count == 4 and manifest.resource_count == 2
    assert {"passages.faiss", "resources.faiss", "passages.json", "manifest.json"} <= {
        p.name for p in current_generation_dir(root).iterdir()
    }
    assert "embedding" in stages
    loaded = load_index(root, "test:hash")
    assert loaded.passage_index.ntotal == 4
    # sentence vectors for the lead: one row per sentence span, pointing into its passage
    assert loaded.sentence_vectors.shape == (len(loaded.sentence_spans), 64)
    for position, start, end in loaded.sentence_spans:
        assert 0 <= start < end <= len(loaded.passages[position].text)
    assert loaded.passages[0].article_id == "alpha"
    assert loaded.glossary == [(["data scientist", "data scientists"], ["数据科学家"])]


def test_unchanged_corpus_is_not_rebuilt_and_force_uses_the_cache(small_corpus_dir, tmp_path):
    root = tmp_path / "index"
    build_corpus_dir(small_corpus_dir, root, HashEmbedder())
    embedder = HashEmbedder()
    again = build_corpus_dir(small_corpus_dir, root, embedder)
    assert again.skipped and embedder.embedded == []
    forced = build_corpus_dir(small_corpus_dir, root, embedder, force=True)
    assert not forced.skipped
    # 4 passages, 2 resources and the 4 passages' sentences, all from the cache
    assert forced.embedded == 0 and forced.reused == 10
    assert embedder.embedded == []


def test_above_the_exact_size_the_passages_get_an_ivf_index_and_a_new_setting_rebuilds(
    small_corpus_dir, tmp_path
):
    root = tmp_path / "index"
    approximate = VectorIndexConfig(exact_up_to=3)  # the small corpus has 4 passages
    report = build_corpus_dir(small_corpus_dir, root, HashEmbedder(), vector_index=approximate)
    # 4 vectors: room for a single cell (k-means needs points per cell), scanned exhaustively
    assert report.manifest.vector_index == "ivf nlist=1 nprobe=1"
    loaded = load_index(root, "test:hash")
    assert faiss.extract_index_ivf(loaded.passage_index).ntotal == 4
    embedder = HashEmbedder()
    assert build_corpus_dir(small_corpus_dir, root, embedder, vector_index=approximate).skipped
    exact = build_corpus_dir(
        small_corpus_dir, root, embedder
    )  # default settings: exact search again
    assert not exact.skipped and exact.embedded == 0 and embedder.embedded == []
    assert exact.manifest.vector_index == "exact (flat)"
    assert isinstance(load_index(root, "test:hash").passage_index, faiss.IndexFlatIP)


def test_load_refuses_a_vector_index_its_manifest_does_not_describe(small_corpus_dir, tmp_path):
    root = tmp_path / "index"
    build_corpus_dir(small_corpus_dir, root, HashEmbedder())
    manifest_file = current_generation_dir(root) / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["vector_index"] = "ivf nlist=1 nprobe=1"
    manifest_file.write_text(json.dumps(manifest))
    with pytest.raises(IndexCorrupt, match="exact \\(flat\\), its manifest says ivf"):
        load_index(root, "test:hash")


def test_one_article_change_reembeds_only_that_article(small_corpus_dir, tmp_path):
    root = tmp_path / "index"
    build_corpus_dir(small_corpus_dir, root, HashEmbedder())
    path = small_corpus_dir / "articles" / "beta.md"
    path.write_text(path.read_text().replace("收集见解", "得出结论"), encoding="utf-8")
    embedder = HashEmbedder()
    report = build_corpus_dir(small_corpus_dir, root, embedder)
    assert report.embedded == 2  # the changed passage and its changed sentence
    assert len(embedder.embedded) == 2 and all("得出结论" in text for text in embedder.embedded)


def test_cache_loads_no_model_when_everything_is_cached(small_corpus_dir, tmp_path, monkeypatch):
    root = tmp_path / "index"
    build_corpus_dir(small_corpus_dir, root, HashEmbedder())

    def no_model(config):
        raise AssertionError("the model must not be loaded")

    monkeypatch.setattr("index.build.make_embedder", no_model)
    config = EmbedderConfig(backend="sentence-transformers", model="/nonexistent")
    # Same texts, different embedder id: nothing cached, so the model is needed...
    with pytest.raises(AssertionError, match="must not be loaded"):
        build_index(load_corpus(small_corpus_dir), config, root)
    # ...but a forced rebuild with the id that built the cache needs no model at all.
    monkeypatch.setattr(EmbedderConfig, "embedder_id", lambda self: "test:hash")
    report = build_index(load_corpus(small_corpus_dir), config, root, force=True)
    assert report.embedded == 0


def test_load_refuses_other_embedder_and_format(small_corpus_dir, tmp_path):
    root = tmp_path / "index"
    build_corpus_dir(small_corpus_dir, root, HashEmbedder())
    with pytest.raises(IndexMismatch, match="careerbot index build"):
        load_index(root, "bundled:multilingual-e5-small-q4")
    manifest_path = current_generation_dir(root) / "manifest.json"
    data = json.loads(manifest_path.read_text())
    data["format_version"] = 0
    manifest_path.write_text(json.dumps(data))
    # the manifest itself is not checksummed; its format field is checked on load
    with pytest.raises(IndexMismatch, match="format version 0"):
        load_index(root, "test:hash")


def test_load_refuses_missing_truncated_and_corrupted_files(small_corpus_dir, tmp_path):
    root = tmp_path / "index"
    with pytest.raises(IndexMissing, match="careerbot index build"):
        load_index(root, "test:hash")
    build_corpus_dir(small_corpus_dir, root, HashEmbedder())
    directory = current_generation_dir(root)
    faiss_file = directory / "passages.faiss"
    original = faiss_file.read_bytes()

    faiss_file.write_bytes(original[:-10])
    with pytest.raises(IndexCorrupt, match="truncated"):
        load_index(root, "test:hash")

    corrupted = bytearray(original)
    corrupted[-5] ^= 0xFF
    faiss_file.write_bytes(bytes(corrupted))
    with pytest.raises(IndexCorrupt, match="checksum"):
        load_index(root, "test:hash")

    faiss_file.unlink()
    with pytest.raises(IndexCorrupt, match="missing"):
        load_index(root, "test:hash")

    (directory / "manifest.json").write_text("{not json")
    with pytest.raises(IndexCorrupt, match="unreadable"):
        load_index(root, "test:hash")

    (root / CURRENT).write_text("no-such-generation\n")
    with pytest.raises(IndexCorrupt, match="does not hold a generation name"):
        load_index(root, "test:hash")
    (root / CURRENT).write_text("20200101T000000000000Z\n")
    with pytest.raises(IndexCorrupt, match="does not exist"):
        load_index(root, "test:hash")


@pytest.mark.parametrize(
    "files",
    [
        [],  # not a mapping
        {"passages.json": {"bytes": 10}},  # no checksum
        {"passages.json": {"bytes": "10", "sha256": "ab"}},  # a size that is text
        {"passages.json": {"bytes": True, "sha256": "ab"}},
        {"passages.json": {"bytes": 10, "sha256": "ab", "extra": 1}},
        {"passages.json": "ab"},
    ],
)
def test_a_manifest_with_malformed_file_entries_is_unreadable(small_corpus_dir, tmp_path, files):
    root = tmp_path / "index"
    build_corpus_dir(small_corpus_dir, root, HashEmbedder())
    manifest_path = current_generation_dir(root) / "manifest.json"
    data = json.loads(manifest_path.read_text())
    data["files"] = files
    manifest_path.write_text(json.dumps(data))
    with pytest.raises(IndexCorrupt, match="unreadable"):
        load_index(root, "test:hash")
    del data["files"]
    manifest_path.write_text(json.dumps(data))
    with pytest.raises(IndexCorrupt, match="unreadable"):
        load_index(root, "test:hash")


def test_corrupted_index_is_rebuilt_by_a_plain_build(small_corpus_dir, tmp_path):
    root = tmp_path / "index"
    build_corpus_dir(small_corpus_dir, root, HashEmbedder())
    (current_generation_dir(root) / "passages.json").write_text("[]")
    report = build_corpus_dir(small_corpus_dir, root, HashEmbedder())
    assert not report.skipped
    verify_generation(current_generation_dir(root))


def test_failed_build_keeps_the_previous_generation(small_corpus_dir, tmp_path, monkeypatch):
    root = tmp_path / "index"
    build_corpus_dir(small_corpus_dir, root, HashEmbedder())
    served = current_generation_dir(root)

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(faiss, "write_index", crash)
    with pytest.raises(OSError, match="disk full"):
        build_corpus_dir(small_corpus_dir, root, HashEmbedder(), force=True)
    assert current_generation_dir(root) == served
    assert not [p for p in (root / GENERATIONS).iterdir() if p.name.startswith(".tmp")]
    load_index(root, "test:hash")


def test_old_generations_are_pruned(small_corpus_dir, tmp_path):
    root = tmp_path / "index"
    for _ in range(4):
        build_corpus_dir(small_corpus_dir, root, HashEmbedder(), force=True, keep_generations=2)
    generations = sorted(p.name for p in (root / GENERATIONS).iterdir())
    assert len(generations) == 2
    assert read_current_manifest(root) == verify_generation(root / GENERATIONS / generations[-1])


def test_second_concurrent_build_fails_fast(tmp_path):
    root = tmp_path / "index"
    entered = threading.Event()
    release = threading.Event()

    def hold():
        with build_lock(root):
            entered.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    entered.wait(5)
    try:
        with pytest.raises(BuildLocked, match="another"), build_lock(root):
            pass
    finally:
        release.set()
        holder.join()


@pytest.mark.parametrize("damage", [b"\xff" + b"0" * 10, b"", b"../../etc", b"2026\x00"])
def test_an_unreadable_current_pointer_is_one_clear_error(small_corpus_dir, tmp_path, damage):
    root = tmp_path / "index"
    build_corpus_dir(small_corpus_dir, root, HashEmbedder())
    (root / CURRENT).write_bytes(damage)
    with pytest.raises(IndexCorrupt, match="careerbot index build --force"):
        current_generation_dir(root)
    with pytest.raises(IndexCorrupt):
        read_current_manifest(root)
    # a plain build repairs it
    report = build_corpus_dir(small_corpus_dir, root, HashEmbedder())
    assert current_generation_dir(root).name == report.generation


def test_the_next_build_removes_staging_left_by_a_killed_build(small_corpus_dir, tmp_path):
    root = tmp_path / "index"
    build_corpus_dir(small_corpus_dir, root, HashEmbedder())
    leftover = root / GENERATIONS / ".tmp-20260101T000000000000Z-999999"
    leftover.mkdir()
    (leftover / "passages.json").write_text("[]")
    build_corpus_dir(small_corpus_dir, root, HashEmbedder(), force=True)
    assert not leftover.exists()
