"""Chunking of cleaned articles into passages by section, at paragraph or sentence boundaries."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from corpus.clean import Block, CleanedArticle, clean_markdown
from corpus.loader import Article

# A passage of 150-600 characters holds one idea with enough context to answer a question, and
# stays well under the embedder's 512-token window (Chinese runs about one token per character).
MIN_PASSAGE_CHARS = 150
MAX_PASSAGE_CHARS = 600
# A short tail may join the previous passage of its section if the result stays near the maximum.
MERGE_SLACK_CHARS = 100

# A sentence ends after Chinese or Western terminal punctuation (plus closing quotes or brackets),
# or at a line break. A '.' only ends a sentence after a letter and before white space, so list
# numbers ("1. ") and decimals ("3.5") do not split.
_SENTENCE_END = re.compile(
    r"(?:[。！？；!?…]+|(?<=[A-Za-z)])\.)[\"”’」』）)]*(?=\s|$)|[。！？；]+|\n"
)


@dataclass(frozen=True)
class Passage:
    """A retrievable piece of an article, with where it comes from."""

    id: str
    article_id: str
    title: str
    url: str | None
    heading_path: tuple[str, ...]
    text: str
    start: int  # character offsets into the cleaned article text
    end: int

    def embedding_text(self) -> str:
        """Text the embedder and BM25 see: the heading path gives the passage its context.

        The article title is left out: on the shipped questions it pulled every passage of an
        article towards the title's topic (Chinese MRR@10 0.70 with the heading path alone,
        0.64 with title and heading path).
        """
        context = " > ".join(self.heading_path) or self.title
        return f"{context}\n{self.text}"


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence spans `(start, end)` of `text`, shifted by `offset`, white space trimmed."""
    spans = []
    position = 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((position, match.end()))
        position = match.end()
    if position < len(text):
        spans.append((position, len(text)))
    trimmed = []
    for start, end in spans:
        piece = text[start:end]
        stripped = piece.strip()
        if stripped:
            left = start + (len(piece) - len(piece.lstrip()))
            trimmed.append((offset + left, offset + left + len(stripped)))
    return trimmed


def _pack_section(paragraphs: list[Block]) -> list[tuple[int, int]]:
    """Group a section's paragraphs into spans of roughly MIN..MAX characters."""
    spans: list[tuple[int, int]] = []
    start: int | None = None
    end = 0

    def close() -> None:
        nonlocal start
        if start is not None:
            spans.append((start, end))
        start = None

    for paragraph in paragraphs:
        if start is not None and paragraph.end - start <= MAX_PASSAGE_CHARS:
            end = paragraph.end
            continue
        if start is not None and end - start >= MIN_PASSAGE_CHARS:
            close()
        if start is None and paragraph.end - paragraph.start <= MAX_PASSAGE_CHARS:
            start, end = paragraph.start, paragraph.end
            continue
        # The paragraph does not fit: continue sentence by sentence.
        for sentence_start, sentence_end in split_sentences(paragraph.text, paragraph.start):
            if start is not None and sentence_end - start > MAX_PASSAGE_CHARS:
                close()
            if start is None:
                start = sentence_start
            end = sentence_end
    close()
    if len(spans) >= 2:
        (first_start, _), (last_start, last_end) = spans[-2], spans[-1]
        if (
            last_end - last_start < MIN_PASSAGE_CHARS
            and last_end - first_start <= MAX_PASSAGE_CHARS + MERGE_SLACK_CHARS
        ):
            spans[-2:] = [(first_start, last_end)]
    return spans


def _sections(cleaned: CleanedArticle) -> list[tuple[tuple[str, ...], list[Block]]]:
    """Paragraphs grouped under their heading path."""
    sections: list[tuple[tuple[str, ...], list[Block]]] = []
    stack: list[Block] = []
    paragraphs: list[Block] = []

    def flush() -> None:
        if paragraphs:
            sections.append((tuple(h.text for h in stack), list(paragraphs)))
            paragraphs.clear()

    for block in cleaned.blocks:
        if block.kind == "heading":
            flush()
            while stack and stack[-1].level >= block.level:
                stack.pop()
            stack.append(block)
        else:
            paragraphs.append(block)
    flush()
    return sections


def chunk_article(article: Article, cleaned: CleanedArticle | None = None) -> list[Passage]:
    """Cut an article into passages, section by section, never mid-sentence."""
    cleaned = cleaned or clean_markdown(article.body)
    url = str(article.meta.source_url) if article.meta.source_url else None
    passages: list[Passage] = []
    seen_ids: set[str] = set()
    for heading_path, paragraphs in _sections(cleaned):
        for start, end in _pack_section(paragraphs):
            text = cleaned.text[start:end]
            passage_id = stable_passage_id(article.id, text)
            ordinal = 1
            while passage_id in seen_ids:  # the same text twice in one article
                ordinal += 1
                passage_id = stable_passage_id(article.id, f"{text}#{ordinal}")
            seen_ids.add(passage_id)
            passages.append(
                Passage(
                    id=passage_id,
                    article_id=article.id,
                    title=article.meta.title,
                    url=url,
                    heading_path=heading_path,
                    text=text,
                    start=start,
                    end=end,
                )
            )
    return passages


def stable_passage_id(article_id: str, text: str) -> str:
    """An id that survives rebuilds: derived from the article id and the passage content."""
    return f"{article_id}#{hashlib.sha1(text.encode()).hexdigest()[:10]}"
