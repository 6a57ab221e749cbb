"""The cross-checks of the learning paths against the articles and themselves: unknown or
duplicate ids, quotes not verbatim in both languages, an estimate whose sentence does not state
its months, stage-order cycles, a route that teaches a stage before what it requires.
`path_errors` adds the catalogue's (`corpus.path_resources`); `load_checked_paths`, which
`load_corpus` calls, stops on any of them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

from corpus.clean import clean_markdown
from corpus.loader import Article
from corpus.numerals import mentions_number
from corpus.path_resources import catalogue_errors, cycles
from corpus.paths import (
    Goal,
    LearningPaths,
    Loc,
    PathSource,
    Route,
    Stage,
    StartingPoint,
    load_paths,
)
from corpus.problems import CorpusError, Problem
from corpus.schema import Resource


def _paragraphs(article: Article, language: str) -> list[str] | None:
    """The cleaned paragraphs of `article` in `language` (original or translation), or None if
    the article has no text in that language."""
    if article.meta.language == language:
        body = article.body
    elif language in article.translations:
        body = article.translations[language].body
    else:
        return None
    return [b.text for b in clean_markdown(body).blocks if b.kind == "paragraph"]


class _Checker:
    """Collects the problems of one paths file against the articles and itself."""

    def __init__(
        self, paths: LearningPaths, articles: Sequence[Article], resource_ids: Collection[str]
    ):
        self.paths = paths
        self.articles = {a.id: a for a in articles}
        self.resource_ids = resource_ids
        self.stages = {s.id: s for s in paths.stages}
        self.starts = {s.id: s for s in paths.starting_points}
        self.problems: list[Problem] = []
        self._texts: dict[tuple[str, str], list[str] | None] = {}

    def at(self, loc: Loc, reason: str) -> None:
        """A problem in the paths file at `loc`."""
        self.problems.append(self.paths.problem(loc, reason))

    def run(self) -> list[Problem]:
        self.duplicates()
        self.collisions()
        for index, stage in enumerate(self.paths.stages):
            self.stage(index, stage)
        self.stage_cycles()
        for index, start in enumerate(self.paths.starting_points):
            self.starting_point(index, start)
        for goal_index, goal in enumerate(self.paths.goals):
            self.goal(goal_index, goal)
        return self.problems

    def duplicates(self) -> None:
        for key, items in (
            ("goals", self.paths.goals),
            ("stages", self.paths.stages),
            ("starting_points", self.paths.starting_points),
        ):
            seen: dict[str, int] = {}
            for index, item in enumerate(items):
                if item.id in seen:
                    self.at(
                        (key, index, "id"),
                        f"duplicate id {item.id!r} (first used by {key}[{seen[item.id]}])",
                    )
                seen.setdefault(item.id, index)

    def collisions(self) -> None:
        # a prerequisite names a resource or a stage: the two must not share an id
        for index, stage in enumerate(self.paths.stages):
            if stage.id in self.resource_ids:
                self.at(
                    ("stages", index, "id"),
                    f"stage id {stage.id!r} is also a resource id: prerequisites could not "
                    "tell them apart",
                )

    def source(self, loc: Loc, source: PathSource) -> None:
        article = self.articles.get(source.article)
        if article is None:
            self.at((*loc, "article"), f"unknown article id {source.article!r}")
            return
        for language in ("zh", "en"):
            key = (article.id, language)
            if key not in self._texts:
                self._texts[key] = _paragraphs(article, language)
            paragraphs = self._texts[key]
            quote = source.text(language)
            if paragraphs is None:
                self.at(
                    (*loc, language),
                    f"{article.id} has no {language} text to quote "
                    f"({article.id}.{language}.md is missing)",
                )
            elif not any(quote in paragraph for paragraph in paragraphs):
                self.at(
                    (*loc, language),
                    f"quote not found verbatim in a paragraph of the {language} text of "
                    f"{article.id} (cleaned text, headings excluded; see `careerbot corpus "
                    f"lint`): {quote!r}",
                )

    def stage(self, index: int, stage: Stage) -> None:
        for number, required in enumerate(stage.requires):
            if required == stage.id:
                self.at(("stages", index, "requires", number), "a stage cannot require itself")
            elif required not in self.stages:
                self.at(("stages", index, "requires", number), f"unknown stage id {required!r}")
        for number, source in enumerate(stage.sources):
            self.source(("stages", index, "sources", number), source)

    def stage_cycles(self) -> None:
        graph = {
            s.id: [r for r in s.requires if r in self.stages and r != s.id]
            for s in self.paths.stages
        }
        for cycle in cycles(graph):
            index = next(i for i, s in enumerate(self.paths.stages) if s.id == cycle[0])
            self.at(
                ("stages", index, "requires"),
                f"stage-order cycle: {' → '.join([*cycle, cycle[0]])}",
            )

    def starting_point(self, index: int, start: StartingPoint) -> None:
        for number, stage_id in enumerate(start.covers):
            if stage_id not in self.stages:
                self.at(
                    ("starting_points", index, "covers", number), f"unknown stage id {stage_id!r}"
                )
        for number, source in enumerate(start.sources):
            self.source(("starting_points", index, "sources", number), source)

    def goal(self, goal_index: int, goal: Goal) -> None:
        seen: set[str] = set()
        for route_index, route in enumerate(goal.routes):
            loc: Loc = ("goals", goal_index, "routes", route_index)
            if route.start in seen:
                self.at((*loc, "start"), f"a second route from {route.start!r} to {goal.id!r}")
            seen.add(route.start)
            start = self.starts.get(route.start)
            if start is None:
                self.at(
                    (*loc, "start"),
                    f"unknown starting point {route.start!r}; defined: "
                    f"{', '.join(self.starts) or 'none'}",
                )
                continue
            self.route(loc, goal, route, start)

    def route(self, loc: Loc, goal: Goal, route: Route, start: StartingPoint) -> None:
        covered = set(start.covers)
        position = {stage_id: i for i, stage_id in enumerate(route.order)}
        where = f"route {start.id} → {goal.id}"
        for number, stage_id in enumerate(route.order):
            stage = self.stages.get(stage_id)
            if stage is None:
                self.at((*loc, "order", number), f"unknown stage id {stage_id!r}")
                continue
            for required in stage.requires:
                if required in covered or required not in self.stages:
                    continue
                if required not in position:
                    self.at(
                        (*loc, "order", number),
                        f"{where}: stage {stage_id!r} requires {required!r}, which the route "
                        f"neither lists nor has covered by {start.id!r}",
                    )
                elif position[required] > number:
                    self.at(
                        (*loc, "order", number),
                        f"{where}: stage {stage_id!r} comes before {required!r}, which it requires",
                    )
        self.estimate((*loc, "estimate"), goal, route, covered)

    def estimate(self, loc: Loc, goal: Goal, route: Route, covered: set[str]) -> None:
        estimate = route.estimate
        for number, stage_id in enumerate(estimate.spans):
            if stage_id not in route.order or stage_id in covered:
                self.at(
                    (*loc, "spans", number),
                    f"{stage_id!r} is not a stage this route has still to learn",
                )
        if estimate.source is not None:
            self.source((*loc, "source"), estimate.source)
            for language in ("zh", "en"):
                if estimate.months and not mentions_number(
                    estimate.source.text(language), estimate.months
                ):
                    self.at(
                        (*loc, "months"),
                        f"the quoted sentence does not state {estimate.months:g} months "
                        f"({language}: {estimate.source.text(language)!r})",
                    )
        if estimate.derived_from is not None:
            base = goal.route(estimate.derived_from)
            if estimate.derived_from == route.start:
                self.at((*loc, "derived_from"), "an estimate cannot be derived from itself")
            elif base is None:
                self.at(
                    (*loc, "derived_from"),
                    f"{goal.id!r} has no route from {estimate.derived_from!r} to derive from",
                )
            elif not base.estimate.cited:
                self.at(
                    (*loc, "derived_from"),
                    f"the route from {estimate.derived_from!r} has no cited estimate itself "
                    "(derive from one that quotes its figure)",
                )


def path_errors(
    paths: LearningPaths,
    resources: Sequence[Resource],
    articles: Sequence[Article],
    resources_file: Path | None = None,
) -> list[Problem]:
    """What is wrong with the learning paths beyond their schema, checked against the articles
    and the catalogue: unknown stage, starting point, article, resource or prerequisite ids;
    quotes not verbatim in both languages; an estimate whose sentence does not state its months;
    a stage-order or prerequisite cycle; a route that teaches a stage before what it requires;
    and a stage of a route that no resource of the catalogue serves (the error names the stage).
    `resources_file` (the catalogue's file) gives its findings a line."""
    checker = _Checker(paths, articles, {r.id for r in resources})
    return checker.run() + catalogue_errors(paths, resources, resources_file)


def load_checked_paths(
    path: Path,
    articles: Sequence[Article],
    resources: Sequence[Resource],
    resources_file: Path | None = None,
) -> LearningPaths | None:
    """The learning paths of `path` checked against the articles and the catalogue (None when
    the file does not exist); CorpusError lists every problem."""
    if not path.exists():
        return None
    paths = load_paths(path)
    problems = path_errors(paths, resources, articles, resources_file)
    if problems:
        raise CorpusError(problems)
    return paths
