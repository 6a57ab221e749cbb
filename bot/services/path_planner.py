"""The learning paths as `careerbot path` and `/path` serve them: `corpus/paths.yaml`, the
resource catalogue and the articles' titles and links, loaded and checked once from the corpus
directory, and plans made from them (`bot.services.paths.plan_path`).

No index and no model: a plan is the corpus's data only, so `careerbot path` starts as fast as
the CLI does, and the bot loads this once at start-up (in a thread).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.services.path_plan import LearningPlan, PlanSource
from bot.services.paths import DEFAULT_GOAL, DEFAULT_HOURS_PER_WEEK, plan_path
from corpus.loader import (
    MAX_ARTICLE_BYTES,
    CorpusError,
    Problem,
    load_articles,
    load_resources,
)
from corpus.path_checks import load_checked_paths
from corpus.paths import LearningPaths
from corpus.schema import Resource


@dataclass(frozen=True)
class Named:
    """A goal or a starting point: its id and its title in both languages."""

    id: str
    title_zh: str
    title_en: str

    def title(self, language: str) -> str:
        """The title in `language` (English for anything but Chinese)."""
        return self.title_zh if language == "zh" else self.title_en


@dataclass(frozen=True)
class ArticleLink:
    """What a plan shows of an article it quotes: its title in both languages and its
    address (None for an article the corpus has no address for)."""

    id: str
    title_zh: str
    title_en: str
    url: str | None

    def title(self, language: str) -> str:
        """The title in `language` (English for anything but Chinese)."""
        return self.title_zh if language == "zh" else self.title_en


class PathPlanner:
    """Plans from the corpus's learning paths and catalogue; `load` reads them."""

    def __init__(
        self,
        paths: LearningPaths,
        resources: Sequence[Resource],
        articles: Mapping[str, ArticleLink],
    ):
        self.paths = paths
        self.resources = list(resources)
        self.articles = dict(articles)

    @classmethod
    def load(cls, corpus_dir: Path, max_article_bytes: int = MAX_ARTICLE_BYTES) -> PathPlanner:
        """The learning paths of `corpus_dir`, checked against its articles and catalogue as
        `careerbot corpus lint` checks them; CorpusError lists every problem (a corpus without
        `paths.yaml` is one)."""
        articles = load_articles(corpus_dir / "articles", max_article_bytes)
        resources_file = corpus_dir / "resources.yaml"
        resources = load_resources(resources_file)
        paths_file = corpus_dir / "paths.yaml"
        paths = load_checked_paths(paths_file, articles, resources, resources_file)
        if paths is None:
            raise CorpusError(
                [
                    Problem(
                        paths_file, None, None, "file not found: this corpus has no learning paths"
                    )
                ]
            )
        links = {
            a.id: ArticleLink(
                a.id,
                a.title_in("zh"),
                a.title_in("en"),
                str(a.meta.source_url) if a.meta.source_url else None,
            )
            for a in articles
        }
        return cls(paths, resources, links)

    def plan(
        self,
        start: str,
        goal: str = DEFAULT_GOAL,
        hours_per_week: float = DEFAULT_HOURS_PER_WEEK,
        free_only: bool = False,
        language: str | None = None,
    ) -> LearningPlan:
        """The plan (see `bot.services.paths.plan_path`); PlanInputError for bad input."""
        return plan_path(
            self.paths, self.resources, start, goal, hours_per_week, free_only, language
        )

    def goals(self) -> list[Named]:
        """Every goal, in file order."""
        return [Named(g.id, g.title_zh, g.title_en) for g in self.paths.goals]

    def starting_points(self, goal: str = DEFAULT_GOAL) -> list[Named]:
        """The starting points `goal` has a route from, in file order."""
        chosen = self.paths.goal(goal)
        return [
            Named(s.id, s.title_zh, s.title_en)
            for s in self.paths.starting_points
            if chosen is not None and chosen.route(s.id) is not None
        ]

    def goal(self, goal_id: str) -> Named | None:
        """The goal `goal_id`, if defined."""
        return next((g for g in self.goals() if g.id == goal_id), None)

    def starting_point(self, start_id: str) -> Named | None:
        """The starting point `start_id`, if defined."""
        found = self.paths.starting_point(start_id)
        return Named(found.id, found.title_zh, found.title_en) if found else None

    def starting_point_sources(self, start_id: str) -> list[PlanSource]:
        """The article sentences that say what the starting point already has."""
        found = self.paths.starting_point(start_id)
        return [PlanSource(s.article, s.zh, s.en) for s in found.sources] if found else []

    def article(self, article_id: str) -> ArticleLink:
        """What to show of a quoted article (its id as the title if it is unknown)."""
        return self.articles.get(article_id) or ArticleLink(
            article_id, article_id, article_id, None
        )
