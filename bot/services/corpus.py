"""The configured corpus, loaded and checked: what the rebuild, the lint and the question tools
read (the settings only say where it is)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from corpus.loader import Corpus, load_corpus

if TYPE_CHECKING:
    from bot.config import Settings


def load_configured_corpus(settings: Settings) -> Corpus:
    """The corpus at `settings.corpus_dir` (CorpusError lists every problem)."""
    return load_corpus(settings.corpus_dir, settings.max_article_bytes)
