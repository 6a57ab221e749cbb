"""Help forums: the question a post asks, each server's small index of earlier posts for
"similar threads", and what becomes of a post (answered, edited, solved, deleted).

A service with no discord import: `bot/discord/exts/forum/_cog.py` turns gateway events into these calls and
renders. Posts live in the database (`bot/db/forum_store.py`) with their vectors, so a restart
rebuilds the index without encoding again; posts encoded by another embedder are re-encoded.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from bot.config import Settings
from bot.db.forum_store import ForumStore, StoredPost
from bot.services.feedback import hash_user_id
from bot.services.settings import ServerSettings
from bot.services.worker import SearchWorker
from index.guild_vectors import GuildVectors
from index.query import QuestionLanguage, detect_language

log = logging.getLogger(__name__)

QUESTION_SEPARATOR = "\n"  # between a post's title and its message in the searched question


@dataclass(frozen=True)
class SimilarThread:
    """An earlier post of the same server that asked something similar."""

    thread_id: int
    title: str
    solved: bool
    similarity: float


@dataclass(frozen=True)
class _Post:
    title: str
    solved: bool


class SimilarPostIndex:
    """Per-server post vectors (one row per thread), searched exactly (index.guild_vectors)."""

    def __init__(self, dim: int):
        self.dim = dim
        self._posts: GuildVectors[_Post] = GuildVectors(dim)

    def __len__(self) -> int:
        return len(self._posts)

    def put(
        self,
        guild_id: int,
        thread_id: int,
        title: str,
        language: QuestionLanguage,
        solved: bool,
        vector: np.ndarray,
    ) -> None:
        """Add a post, or replace it if it is there."""
        self._posts.put(thread_id, guild_id, [(_Post(title, solved), language)], vector)

    def put_many(self, posts: Sequence[StoredPost]) -> None:
        """Add stored posts (at start-up)."""
        for post in posts:
            self.put(
                post.guild_id,
                post.thread_id,
                post.title,
                "zh" if post.language == "zh" else "en",
                post.solved,
                post.vector,
            )

    def remove(self, thread_id: int) -> None:
        """Forget a post (nothing happens if it is unknown)."""
        self._posts.remove(thread_id)

    def similar(
        self,
        guild_id: int,
        query_vector: np.ndarray,
        language: QuestionLanguage,
        same_language_threshold: float,
        cross_language_threshold: float,
        limit: int,
        exclude: int | None = None,
    ) -> list[SimilarThread]:
        """Up to `limit` posts of the guild close enough to the query, solved ones first, then
        by similarity (the other language's posts need only the lower threshold)."""
        if limit <= 0:
            return []
        matches = self._posts.matches(
            guild_id,
            query_vector,
            language,
            same_language_threshold,
            cross_language_threshold,
            exclude,
        )
        # solved first, then by similarity (cosines are at most 1, so +2 ranks a solved post
        # above every open one); equals keep their order
        matches.sort(key=lambda match: -(match.similarity + 2.0 * match.payload.solved))
        return [
            SimilarThread(match.owner, match.payload.title, match.payload.solved, match.similarity)
            for match in matches[:limit]
        ]


def post_question(title: str, content: str, max_chars: int) -> str:
    """The question a post asks, as searched: its title, then its message, clipped to the
    question limit at a word boundary (a long post is answered from its beginning)."""
    text = " ".join(part for part in (title.strip(), " ".join(content.split())) if part)
    if len(text) <= max_chars:
        return text
    clipped = text[:max_chars]
    cut = clipped.rfind(" ")
    # CJK text has no spaces to cut at: then cut at the limit
    return clipped[:cut] if cut > max_chars // 2 else clipped


class Forum:
    """Every help-forum post the bot knows, per server, and their similar-thread index."""

    def __init__(
        self,
        settings: Settings,
        worker: SearchWorker,
        store: ForumStore,
        server_settings: ServerSettings,
    ):
        self.settings = settings
        self.worker = worker
        self.store = store
        self.server_settings = server_settings
        self._index: SimilarPostIndex | None = None
        self._embedder_id = ""

    async def load(self) -> int:
        """Load every stored post into the index (re-encoding those of another embedder);
        returns how many."""
        self._embedder_id = await self.worker.call(lambda retriever: retriever.embedder.id)
        dim = await self.worker.call(lambda retriever: retriever.embedder.dim)
        index = SimilarPostIndex(dim)
        posts = await self.store.all()
        stale = [post for post in posts if post.embedder_id != self._embedder_id]
        if stale:
            vectors = await self.encode([self.question_of(p.title, p.content) for p in stale])
            for post, vector in zip(stale, vectors, strict=True):
                await self.store.put(replace(post, vector=vector, embedder_id=self._embedder_id))
            log.info("re-encoded %d forum posts for embedder %s", len(stale), self._embedder_id)
            posts = await self.store.all()
        index.put_many(posts)
        self._index = index
        return len(index)

    @property
    def index(self) -> SimilarPostIndex:
        """The similar-thread index (after `load`)."""
        if self._index is None:
            raise RuntimeError("Forum.load() has not run")
        return self._index

    def is_help_forum(self, guild_id: int | None, channel_id: int | None) -> bool:
        """Whether `channel_id` is one of the server's help forums."""
        if guild_id is None or channel_id is None:
            return False
        return channel_id in self.server_settings.for_guild(guild_id).forum_channels

    def question_of(self, title: str, content: str) -> str:
        """The question a post asks (see `post_question`)."""
        return post_question(title, content, self.settings.discord.max_question_chars)

    async def encode(self, questions: Sequence[str]) -> np.ndarray:
        """Query vectors of posts' questions, on the search worker (InvalidQuestion for text
        that cannot be searched)."""
        texts = list(questions)
        return await self.worker.call(lambda retriever: retriever.embed_questions(texts))

    async def record(
        self,
        *,
        guild_id: int,
        forum_id: int,
        thread_id: int,
        author_id: int,
        title: str,
        content: str,
        vector: np.ndarray,
        answered: bool = False,
        solution_message_id: int | None = None,
        solution: str | None = None,
    ) -> StoredPost:
        """Store a post with the vector of its question, and list it as a similar thread
        from now on."""
        question = self.question_of(title, content)
        post = StoredPost(
            thread_id=thread_id,
            guild_id=guild_id,
            forum_id=forum_id,
            author_hash=hash_user_id(author_id),
            title=title,
            content=content,
            language=detect_language(question),
            vector=np.asarray(vector, dtype=np.float32),
            embedder_id=self._embedder_id,
            answered=answered,
            solution_message_id=solution_message_id,
            solution=solution,
        )
        await self.store.put(post)
        self._put(post)
        return post

    def _put(self, post: StoredPost) -> None:
        language: QuestionLanguage = "zh" if post.language == "zh" else "en"
        self.index.put(
            post.guild_id, post.thread_id, post.title, language, post.solved, post.vector
        )

    async def edited(self, thread_id: int, *, title: str | None, content: str | None) -> bool:
        """A post's title or starter message changed: its question is encoded again. False
        when the post is unknown (then nothing changes)."""
        post = await self.store.get(thread_id)
        if post is None:
            return False
        title = post.title if title is None else title
        content = post.content if content is None else content
        if (title, content) == (post.title, post.content):
            return True
        question = self.question_of(title, content)
        vector = (await self.encode([question]))[0]
        updated = replace(
            post,
            title=title,
            content=content,
            vector=vector,
            language=detect_language(question),
            embedder_id=self._embedder_id,
        )
        await self.store.put(updated)
        self._put(updated)
        return True

    async def answered(self, thread_id: int) -> None:
        """The bot answered this post (it answers a post once)."""
        post = await self.store.get(thread_id)
        if post is not None and not post.answered:
            await self.store.put(replace(post, answered=True))

    async def solved(self, thread_id: int, message_id: int, solution: str) -> StoredPost | None:
        """Record the message that solved a post; None when the post is unknown."""
        post = await self.store.get(thread_id)
        if post is None:
            return None
        updated = replace(post, solution_message_id=message_id, solution=solution)
        await self.store.put(updated)
        self._put(updated)
        return updated

    async def deleted(self, thread_id: int) -> None:
        """The post's thread was deleted: it is no longer listed."""
        self.index.remove(thread_id)
        await self.store.delete(thread_id)

    def similar(
        self,
        guild_id: int | None,
        query_vector: np.ndarray | None,
        language: QuestionLanguage,
        exclude: int | None = None,
    ) -> list[SimilarThread]:
        """Earlier posts of the server with a similar question, solved first (cheap: runs on
        the event loop)."""
        if guild_id is None or query_vector is None or self._index is None:
            return []
        config = self.settings.forum
        return self._index.similar(
            guild_id,
            query_vector,
            language,
            config.similar_threshold_same_language,
            config.similar_threshold_cross_language,
            config.max_similar,
            exclude,
        )
