"""Shared fixtures: a small synthetic corpus, copies of the shipped learning paths to edit, a
deterministic fake embedder, real models."""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from corpus.loader import SHIPPED_CORPUS_DIR, Corpus, load_corpus, load_resources
from corpus.path_checks import load_checked_paths
from corpus.problems import CorpusError, Problem
from index.build import build_index
from index.embedders import BundledE5Embedder, EmbedderConfig

ARTICLE = """---
id: {id}
title: {title}
language: zh
source_url: https://example.com/{id}
translated_from: en
tags: [career]
---
# 第一节

{body}

# 第二节

第二节的内容讨论部署模型到生产环境，以及云和容器的作用。
"""

RESOURCES = """\
- id: docker-course
  name: Docker and Kubernetes Guide
  kind: course
  url: https://example.com/docker
  provider: Udemy
  level: intermediate
  cost: paid
  language: en
  topics: [docker, kubernetes]
  description_zh: 讲解容器与部署的课程。
  description_en: A course on containers and deployment.
  mentioned_in: [alpha]
- id: math-book
  name: Mathematics for Machine Learning
  kind: book
  url: https://example.com/math
  provider: Cambridge
  level: intermediate
  cost: free
  language: en
  topics: [math]
  description_zh: 机器学习所需的线性代数和概率。
  description_en: Linear algebra and probability for machine learning.
  mentioned_in: [beta]
"""


def write_small_corpus(root: Path) -> Path:
    """A two-article corpus for index mechanics tests."""
    articles = root / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    (articles / "alpha.md").write_text(
        ARTICLE.format(
            id="alpha", title="甲文章", body="机器学习工程师需要学习数学：线性代数和概率论。"
        ),
        encoding="utf-8",
    )
    (articles / "beta.md").write_text(
        ARTICLE.format(id="beta", title="乙文章", body="数据科学家分析数据，并从数据中收集见解。"),
        encoding="utf-8",
    )
    (root / "resources.yaml").write_text(RESOURCES, encoding="utf-8")
    (root / "glossary.yaml").write_text(
        "- en: [data scientist, data scientists]\n  zh: [数据科学家]\n", encoding="utf-8"
    )
    return root


CARD = """\
- id: {id}
  questions:
    zh: [机器学习工程师要学什么数学, 做机器学习要学数学吗, 机器学习需要线性代数吗, MLE 数学要求,
         转行机器学习数学要多好, 学机器学习要先学概率论吗]
    en: [what math does an ml engineer need, do i need math for machine learning,
         is linear algebra required for mle, math requirements for ml engineers,
         how good at math must i be for ml, should i learn probability before ml]
  answer:
    zh: 需要：线性代数和概率论。
    en: "Yes: linear algebra and probability."
  sources:
    - article: alpha
      quote: {quote}
  resources: [math-book]
"""


def write_card(root: Path, card_id: str = "alpha-math", quote: str = "线性代数和概率论。") -> Path:
    """One answer card on the small corpus's article alpha, in `root`/cards/<card_id>.yaml."""
    path = root / "cards" / f"{card_id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CARD.format(id=card_id, quote=quote), encoding="utf-8")
    return path


# --- the shipped learning paths, copied to edit ---------------------------------------------------


@functools.cache
def shipped_corpus() -> Corpus:
    """The shipped corpus, loaded once per session (do not change it)."""
    return load_corpus()


def copy_shipped_corpus(tmp_path: Path) -> Path:
    """The shipped corpus without its question set (the paths check needs every article)."""
    root = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS_DIR / "articles", root / "articles")
    shutil.copytree(SHIPPED_CORPUS_DIR / "cards", root / "cards")
    for name in ("resources.yaml", "glossary.yaml", "paths.yaml"):
        shutil.copy(SHIPPED_CORPUS_DIR / name, root / name)
    return root


def copy_path_files(tmp_path: Path) -> Path:
    """A copy of the shipped paths and catalogue, to edit (checked by `corpus_problems`)."""
    root = tmp_path / "corpus"
    root.mkdir()
    for name in ("resources.yaml", "paths.yaml"):
        shutil.copy(SHIPPED_CORPUS_DIR / name, root / name)
    return root


def edit_first(path: Path, old: str, new: str) -> int:
    """Replace the first `old` with `new`; the 1-based line where it was."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def corpus_problems(root: Path) -> list[Problem]:
    """The problems of a corpus directory. Without articles (a copy of the paths and the
    catalogue only), the shipped articles stand in: faster than copying and reading them."""
    with pytest.raises(CorpusError) as info:
        if (root / "articles").is_dir():
            load_corpus(root)
        else:
            resources = load_resources(root / "resources.yaml")
            articles = shipped_corpus().articles
            load_checked_paths(root / "paths.yaml", articles, resources, root / "resources.yaml")
    return info.value.problems


class HashEmbedder:
    """Deterministic bag-of-characters vectors: fast, and similar texts get similar vectors.

    Counts calls so tests can see what was (re-)embedded.
    """

    def __init__(self, dim: int = 64, model_id: str = "test:hash"):
        self._dim = dim
        self._id = model_id
        self.embedded: list[str] = []

    @property
    def id(self) -> str:
        return self._id

    @property
    def dim(self) -> int:
        return self._dim

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for ch in text:
                out[row, int(hashlib.md5(ch.encode()).hexdigest(), 16) % self._dim] += 1
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return self._vectors(texts)


@pytest.fixture
def small_corpus_dir(tmp_path: Path) -> Path:
    return write_small_corpus(tmp_path / "corpus")


@pytest.fixture(scope="session")
def bundled_embedder() -> BundledE5Embedder:
    return BundledE5Embedder()


@pytest.fixture(scope="session")
def shipped_index_root(tmp_path_factory: pytest.TempPathFactory, bundled_embedder) -> Path:
    """The shipped corpus indexed once per test session with the real bundled model."""
    root = tmp_path_factory.mktemp("shipped") / "index"
    build_index(load_corpus(), EmbedderConfig(), root, embedder=bundled_embedder)
    return root


# Fixtures that load a real model or build the real index (`minilm_path`: the
# sentence-transformers backend, whose import alone takes seconds), directly or through others.
_REAL_MODEL_FIXTURES = frozenset(
    {"bundled_embedder", "shipped_index_root", "index_root", "retriever", "minilm_path"}
)
# Modules whose every test runs the bundled model (the CLI with its default embedder, the real
# bot in front of the Discord emulator, `careerbot run` processes).
_REAL_MODEL_MODULES = frozenset(
    {
        "test_cli.py",
        "test_cli_curation.py",
        "test_bot_e2e.py",
        "test_curation_e2e.py",
        "test_reindex_e2e.py",
        "test_shutdown_e2e.py",
        "test_sharding.py",
        "test_observability.py",
    }
)


def pytest_configure(config: pytest.Config) -> None:
    """Stop at once, saying what to install, when the Discord emulator is missing (it is a
    distribution of its own: every end-to-end test would fail on its import); give the session
    a data directory of its own."""
    import importlib.util

    if importlib.util.find_spec("discord_emulator") is None:
        raise pytest.UsageError(
            "the Discord emulator is not installed: pip install -e tests/discord_emulator"
        )
    # The default data directory is per user ($XDG_DATA_HOME/careerbot): the tests' settings
    # and the CLI processes they start never touch the user's own.
    _session_dirs.append(tempfile.mkdtemp(prefix="careerbot-tests-xdg-"))
    os.environ["XDG_DATA_HOME"] = _session_dirs[-1]


_session_dirs: list[str] = []  # made by this session: removed at its end


def pytest_unconfigure(config: pytest.Config) -> None:
    while _session_dirs:
        shutil.rmtree(_session_dirs.pop(), ignore_errors=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark `slow` every test that loads the real model or builds the real index, so that
    `pytest -m "not slow"` is the quick loop."""
    for item in items:
        uses_model = bool(_REAL_MODEL_FIXTURES & set(getattr(item, "fixturenames", ())))
        if uses_model or item.path.name in _REAL_MODEL_MODULES:
            item.add_marker(pytest.mark.slow)
