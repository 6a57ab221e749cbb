"""Passage and resource records: one on-disk shape, written by the build, read back checked."""

import json
from dataclasses import asdict

import pytest

from corpus.chunk import Passage, chunk_article
from corpus.loader import SHIPPED_CORPUS_DIR, load_corpus
from index.build import build_index
from index.embedders import EmbedderConfig
from index.generations import current_generation_dir
from index.manifest import MANIFEST, IndexCorrupt, sha256_of
from index.records import PassageRecord, ResourceRecord, read_records, record_data, write_records
from index.store import load_index
from tests.conftest import HashEmbedder


def _as_written_before(passage: Passage) -> dict:
    """A passage as passages.json held it when it was written from dicts (format 3)."""
    data = asdict(passage)
    data["translations"] = [
        {
            "language": t.language,
            "title": t.title,
            "heading_path": list(t.heading_path),
            "text": t.text,
            "sentence_groups": [[list(g.original), list(g.translated)] for g in t.sentence_groups],
        }
        for t in passage.translations
    ]
    return data


def test_records_keep_the_files_of_format_3_and_read_back_equal(tmp_path):
    # Key order and values as before the records were typed: a served index of format 3 stays
    # loadable and up to date (the corpus fingerprint hashes this JSON). A change here needs a
    # new FORMAT_VERSION.
    corpus = load_corpus(SHIPPED_CORPUS_DIR)
    passages = [p for article in corpus.articles for p in chunk_article(article)]
    assert any(p.translations and p.translations[0].sentence_groups for p in passages)
    records = [PassageRecord.of(p) for p in passages]
    assert json.dumps(record_data(records), ensure_ascii=False) == json.dumps(
        [_as_written_before(p) for p in passages], ensure_ascii=False
    )
    resources = [ResourceRecord.of(r) for r in corpus.resources]
    assert json.dumps(record_data(resources), ensure_ascii=False) == json.dumps(
        [r.model_dump(mode="json", exclude=set(r.PLAN_FIELDS)) for r in corpus.resources],
        ensure_ascii=False,
    )
    write_records(tmp_path / "passages.json", records)
    write_records(tmp_path / "resources.json", resources)
    assert read_records(tmp_path / "passages.json", PassageRecord) == records
    assert read_records(tmp_path / "resources.json", ResourceRecord) == resources


def test_a_passage_is_shown_in_a_language_it_has():
    corpus = load_corpus(SHIPPED_CORPUS_DIR)
    passage = next(
        p for article in corpus.articles for p in chunk_article(article) if p.translations
    )
    record = PassageRecord.of(passage)
    english = record.translation("en")
    assert english is not None and record.text_in("en") == english.text
    assert record.texts() == [("zh", record.text), ("en", english.text)]
    assert record.shown_language("en") == "en" and record.shown_language("ja") == "zh"
    assert record.translation("zh") is None  # the original is not a translation


def _rewrite(directory, name, change) -> None:
    """Change one file of a generation, its checksum with it: what is refused is the record."""
    path = directory / name
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"][name] = {"bytes": path.stat().st_size, "sha256": sha256_of(path)}
    (directory / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


_TRANSLATION = {"language": "en", "title": "T", "heading_path": [], "text": "One."}


@pytest.mark.parametrize(
    ("name", "change", "where"),
    [
        ("passages.json", lambda d: d[1].update(start="0"), r"\[1\]\.start: Input should be"),
        ("passages.json", lambda d: d[0].pop("url"), r"\[0\]\.url: Field required"),
        (
            "passages.json",
            lambda d: d[2].update(translations=[{**_TRANSLATION, "sentence_groups": [[[0, 1]]]}]),
            r"\[2\]\.translations\[0\]\.sentence_groups\[0\]\[1\]: Field required",
        ),
        ("resources.json", lambda d: d[1].update(level="expert"), r"\[1\]\.level: Input should"),
        ("resources.json", lambda d: d[0].update(colour="red"), r"\[0\]\.colour: Unexpected"),
        ("resources.json", lambda d: d.__setitem__(0, "docker-course"), r"\[0\]: Input should"),
    ],
)
def test_a_malformed_record_is_refused_naming_file_record_and_field(
    small_corpus_dir, tmp_path, name, change, where
):
    root = tmp_path / "index"
    build_index(load_corpus(small_corpus_dir), EmbedderConfig(), root, embedder=HashEmbedder())
    directory = current_generation_dir(root)
    _rewrite(directory, name, change)
    with pytest.raises(IndexCorrupt, match=f"{name} holds a malformed record \\({where}") as error:
        load_index(root, "test:hash")
    assert str(directory / name) in str(error.value)
    assert str(error.value).endswith("rebuild with `careerbot index build --force`")


def test_a_records_file_that_is_not_a_json_list_is_refused(tmp_path):
    path = tmp_path / "passages.json"
    path.write_text('{"id": "a"}', encoding="utf-8")
    with pytest.raises(IndexCorrupt, match=r"passages.json is not a list of records \(Input"):
        read_records(path, PassageRecord)
    path.write_text("[{", encoding="utf-8")
    with pytest.raises(
        IndexCorrupt, match=r"passages.json is not a list of records \(Invalid JSON"
    ):
        read_records(path, PassageRecord)
