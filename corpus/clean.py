"""Cleaning of article Markdown: keep the content, drop what is not (images, credits, plugs, links).

The result is a clean Markdown text plus its blocks with character offsets into that text, so
passages cut from it can say exactly where they come from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)  # notes to editors, never content
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()\s]|\([^()]*\))*\)")
_ANGLE_URL = re.compile(r"<https?://[^>]*>")
_BARE_URL = re.compile(r"【?https?://[^\s)】]*】?")
_EMPHASIS = re.compile(r"\*+|(?<!\w)__|__(?!\w)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_QUOTE_MARKER = re.compile(r"^\s*>\s?")
_REFERENCE_LINE = re.compile(r"^\s*(?:\[\d+\]|【\d+】)")
_WHITESPACE_RUN = re.compile(r"[ \t\u3000]+")

# Photo credits as the translations phrase them ("照片由 X 在 Unsplash 拍摄", "X 在 Unsplash 上的照片",
# "Photo by X on Unsplash"); the stock-photo site names alone identify almost all of them.
_PHOTO_CREDIT = re.compile(
    r"unsplash|pexels|pixabay|照片由|拍摄的照片|photo by|image by|图片由作者|作者创造的形象|创建的迷因",
    re.IGNORECASE,
)
# Affiliate disclosures and link-list lead-ins.
_AFFILIATE = re.compile(r"附属链接|联盟链接|affiliate|感兴趣的链接|links you might", re.IGNORECASE)
# "Follow me on Twitter", "check out my YouTube channel", "connect on LinkedIn".
_SOCIAL_SITE = re.compile(r"twitter|youtube|linkedin|领英|medium\.com|github", re.IGNORECASE)
_SOCIAL_CALL = re.compile(
    r"关注我|请关注|联系你|我的.{0,6}频道|follow me|subscribe|connect with me|在.{0,12}上关注",
    re.IGNORECASE,
)
# Sections that are navigation, not content: references, contact details, "before you go" plugs.
_NON_CONTENT_SECTION = re.compile(
    r"^(?:参考|参考文献|参考资料|引用|接触|联系|联系方式|在你走之前|references?|contact|before you go)$",
    re.IGNORECASE,
)
_CAPTION_MAX_CHARS = 120  # a caption right under an image is one short line


@dataclass(frozen=True)
class Block:
    """A heading or a paragraph of cleaned text; `start`/`end` index the cleaned article text."""

    kind: Literal["heading", "paragraph"]
    text: str
    start: int
    end: int
    level: int = 0  # heading level (1 for '#'); 0 for paragraphs
    line: int = 0  # 1-based line of the body where the block starts (for lint messages)


@dataclass(frozen=True)
class RemovedBlock:
    """A block the cleaner dropped, for `careerbot corpus lint` to show."""

    line: int  # 1-based line of the body
    reason: str  # image, photo credit or caption, plug or link list, non-content section
    preview: str  # the first words


@dataclass(frozen=True)
class CleanedArticle:
    """Clean Markdown text and its blocks (headings and paragraphs) with offsets, and what
    was removed."""

    text: str
    blocks: list[Block]
    removed: list[RemovedBlock] = field(default_factory=list)


def _raw_blocks(body: str) -> list[tuple[int, str]]:
    """Split Markdown into blank-line separated blocks, each with its 1-based first line; a
    fenced code block is one block."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    first = 0
    in_fence = False

    def close() -> None:
        nonlocal current
        if current:
            blocks.append((first, "\n".join(current)))
            current = []

    def add(number: int, line: str) -> None:
        nonlocal first
        if not current:
            first = number
        current.append(line)

    for number, line in enumerate(body.replace("\r\n", "\n").split("\n"), start=1):
        if line.strip().startswith("```"):
            add(number, line)
            in_fence = not in_fence
            if not in_fence:
                close()
            continue
        if in_fence:
            add(number, line)
        elif not line.strip():
            close()
        elif _HEADING.match(line):
            # A heading is a block of its own even without blank lines around it.
            close()
            blocks.append((number, line))
        else:
            add(number, line)
    close()
    return blocks


def _inline_text(text: str) -> str:
    """Markdown inline markup to plain text: links keep their anchor text, URLs and emphasis go."""
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _ANGLE_URL.sub("", text)
    text = _BARE_URL.sub("", text)
    text = _EMPHASIS.sub("", text)
    return _WHITESPACE_RUN.sub(" ", text).strip()


def _clean_paragraph(raw: str) -> str:
    lines = []
    for line in raw.split("\n"):
        line = _QUOTE_MARKER.sub("", line)
        bullet = _LIST_MARKER.match(line)
        text = _inline_text(line[bullet.end() :] if bullet else line)
        if text:
            lines.append(f"- {text}" if bullet else text)
    return "\n".join(lines)


def _is_link_list(raw: str) -> bool:
    """A block that is mostly links (a link dump or a code fence of links) carries no content."""
    links = _LINK.findall(raw) + _BARE_URL.findall(_LINK.sub("", raw))
    if raw.strip().startswith("```"):
        return len(links) >= 1
    if len(links) < 2:
        return False
    remaining = _inline_text(_LINK.sub("", raw))
    return len(remaining) < 20


def _noise_reason(raw: str, text: str, after_image: bool) -> str | None:
    """Why a paragraph is not content, or None when it is."""
    if not text:
        return "no text"
    if _PHOTO_CREDIT.search(raw):
        return "photo credit"
    if _AFFILIATE.search(raw):
        return "affiliate notice or link list"
    if (_SOCIAL_SITE.search(raw) and _SOCIAL_CALL.search(raw)) or (
        _SOCIAL_CALL.search(text) and len(text) < 200
    ):
        return "follow-me plug"
    if _REFERENCE_LINE.match(text) and _LINK.search(raw):
        return "reference"
    if after_image and len(text) <= _CAPTION_MAX_CHARS and "\n" not in text:
        return "image caption"
    return "link list" if _is_link_list(raw) else None


def _preview(raw: str) -> str:
    words = " ".join(_inline_text(raw).split()) or " ".join(raw.split())
    return words[:40] + ("…" if len(words) > 40 else "")


def clean_markdown(body: str) -> CleanedArticle:
    """Clean an article body and return the clean text with its heading and paragraph blocks."""
    body = HTML_COMMENT.sub("", body)
    kept: list[tuple[str, str, int, int]] = []  # (kind, text, level, line)
    removed: list[RemovedBlock] = []
    skip_level: int | None = None  # inside a non-content section of this heading level
    in_link_card = False
    after_image = False
    for line, raw in _raw_blocks(body):
        heading = _HEADING.match(raw) if "\n" not in raw else None
        if in_link_card:
            # A link-preview card "[](url) [## Title ... site.com](url)" spans several blocks.
            in_link_card = not re.search(r"\]\(https?://[^)]*\)\s*$", raw)
            continue
        if raw.lstrip().startswith("[]("):
            in_link_card = not re.search(r"\]\(https?://[^)]*\)\s*$", raw.split(") ", 1)[-1])
            removed.append(RemovedBlock(line, "link-preview card", _preview(raw)))
            continue
        if heading:
            level = len(heading.group(1))
            title = _inline_text(heading.group(2))
            if skip_level is not None and level > skip_level:
                removed.append(RemovedBlock(line, "inside a non-content section", _preview(raw)))
                continue
            skip_level = level if _NON_CONTENT_SECTION.match(title) else None
            if skip_level is not None:
                removed.append(RemovedBlock(line, "non-content section", _preview(raw)))
            if skip_level is None and title:
                kept.append(("heading", title, level, line))
            after_image = False
            continue
        if skip_level is not None:
            removed.append(RemovedBlock(line, "inside a non-content section", _preview(raw)))
            continue
        if _IMAGE.fullmatch(raw.strip()):
            after_image = True
            continue
        text = _clean_paragraph(raw)
        reason = _noise_reason(raw, text, after_image)
        if reason is None:
            kept.append(("paragraph", text, 0, line))
        elif text:
            removed.append(RemovedBlock(line, reason, _preview(raw)))
        after_image = False
    cleaned = _assemble(kept)
    return CleanedArticle(cleaned.text, cleaned.blocks, removed)


def _assemble(kept: list[tuple[str, str, int, int]]) -> CleanedArticle:
    parts: list[str] = []
    blocks: list[Block] = []
    offset = 0
    for kind, text, level, line in kept:
        rendered = f"{'#' * level} {text}" if kind == "heading" else text
        start = offset + (level + 1 if kind == "heading" else 0)
        blocks.append(Block(kind, text, start, start + len(text), level, line))  # type: ignore[arg-type]
        parts.append(rendered)
        offset += len(rendered) + 2  # the blank line that separates blocks
    return CleanedArticle(text="\n\n".join(parts), blocks=blocks)
