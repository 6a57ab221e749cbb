"""How the resource catalogue serves the learning paths: which resources serve a stage, the
errors of a catalogue that cannot serve them (a stage no resource serves, unknown stages and
prerequisites, prerequisites a route cannot meet first, prerequisite cycles), and the warnings
`careerbot corpus lint` reports where a plan will fall back."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from corpus.paths import Goal, LearningPaths, Route, Stage, StartingPoint
from corpus.problems import CorpusError, Problem
from corpus.schema import Resource
from corpus.yaml_files import load_yaml_items, yaml_line

# Without an explicit `stage`, a catalogue entry serves a stage only if it is something one
# studies from end to end: tools, libraries, articles and communities are met through courses
# and books, and matching them by topic alone would fill plans with background reading.
LEARNING_KINDS: frozenset[str] = frozenset({"course", "book"})


def serves(resource: Resource, stage: Stage) -> bool:
    """Whether `resource` serves `stage`: its `stage` names it, or it has no `stage` and is a
    course or book with one of the stage's topics at one of its levels."""
    if resource.stage is not None:
        return resource.stage == stage.id
    return (
        resource.kind in LEARNING_KINDS
        and resource.level in stage.levels
        and not set(resource.topics).isdisjoint(stage.topics)
    )


def serving_resources(stage: Stage, resources: Sequence[Resource]) -> list[Resource]:
    """The catalogue entries that serve `stage`, in catalogue order."""
    return [r for r in resources if serves(r, stage)]


def cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Each cycle of a directed graph once (as found by a depth-first search, from its first
    node in the graph's order): prerequisite cycles here, stage-order ones in path_checks."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                found.append(path[path.index(nxt) :])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node)
    return found


# --- errors -----------------------------------------------------------------------------------


def _before(route: Route, stage_id: str, covered: set[str]) -> set[str]:
    """The stages done before `stage_id` in `route`: covered, or earlier in its order."""
    return set(route.order[: route.order.index(stage_id)]) | covered


class _CatalogueChecker:
    """Collects the problems of the catalogue against one paths file."""

    def __init__(
        self, paths: LearningPaths, resources: Sequence[Resource], resources_file: Path | None
    ):
        self.paths = paths
        self.resources = list(resources)
        self.resources_file = resources_file or Path("resources.yaml")
        self.read_catalogue = resources_file is not None and resources_file.exists()
        self.stages = {s.id: s for s in paths.stages}
        self.starts = {s.id: s for s in paths.starting_points}
        self.by_id = {r.id: r for r in self.resources}
        self.problems: list[Problem] = []

    @functools.cached_property
    def catalogue_items(self) -> tuple[Any, dict[str, int]]:
        """The catalogue file's YAML nodes and the position of each id in it, read only when a
        finding needs a line (the catalogue loaded already, so this is just for lines)."""
        if not self.read_catalogue:
            return None, {}
        node: Any = None
        with contextlib.suppress(CorpusError):  # reported by the catalogue's own loading
            node = load_yaml_items(self.resources_file, Resource, "resources")[1]
        positions: dict[str, int] = {}
        for index, item in enumerate(getattr(node, "value", None) or []):
            for key, value in getattr(item, "value", None) or []:
                if getattr(key, "value", None) == "id":
                    positions.setdefault(str(value.value), index)
        return node, positions

    def at_resource(self, resource: Resource, field: str, reason: str) -> None:
        """A problem in the catalogue, at `field` of `resource`."""
        node, positions = self.catalogue_items
        index = positions.get(resource.id)
        line = yaml_line(node, (index, field)) if index is not None else None
        self.problems.append(Problem(self.resources_file, line, f"{resource.id}.{field}", reason))

    def routes(self) -> Iterator[tuple[Goal, Route, StartingPoint]]:
        """Every route of every goal whose starting point is defined (path_checks reports the
        others)."""
        for goal in self.paths.goals:
            for route in goal.routes:
                start = self.starts.get(route.start)
                if start is not None:
                    yield goal, route, start

    def run(self) -> list[Problem]:
        self.unserved_stages()
        for resource in self.resources:
            self.resource(resource)
        self.prerequisite_cycles()
        return self.problems

    def can_precede(self, prerequisite: str, stage_id: str, before: set[str]) -> bool:
        """Whether a prerequisite of a resource of `stage_id` can be met before it, given the
        stages `before` it (covered or earlier in the route)."""
        if prerequisite in self.stages:
            return prerequisite in before
        resource = self.by_id.get(prerequisite)
        if resource is None or resource.stage is None:
            return False
        return resource.stage in before or resource.stage == stage_id

    def unserved(self) -> dict[str, list[str]]:
        """Per stage, the routes that teach it with no resource serving it whose prerequisites
        the route can meet first."""
        unserved: dict[str, list[str]] = {}
        for goal, route, start in self.routes():
            covered = set(start.covers)
            for stage_id in route.order:
                stage = self.stages.get(stage_id)
                if stage is None or stage_id in covered:
                    continue
                before = _before(route, stage_id, covered)
                if not any(
                    all(self.can_precede(p, stage_id, before) for p in r.prerequisites)
                    for r in serving_resources(stage, self.resources)
                ):
                    unserved.setdefault(stage_id, []).append(f"route {start.id} → {goal.id}")
        return unserved

    def unserved_stages(self) -> None:
        """The error a catalogue edit that leaves a stage without resources gets: it names the
        stage, and the routes that need it."""
        unserved = self.unserved()
        for index, stage in enumerate(self.paths.stages):
            routes = unserved.get(stage.id)
            if not routes:
                continue
            served = [r.id for r in serving_resources(stage, self.resources)]
            detail = (
                f" (serving it, but with prerequisites the route cannot meet first: "
                f"{', '.join(served)})"
                if served
                else ""
            )
            self.problems.append(
                self.paths.problem(
                    ("stages", index),
                    f"stage {stage.id!r} ({stage.title_en}) has no resource in "
                    f"{self.resources_file.name} that serves it{detail}, needed by the "
                    f"{'; '.join(routes)}: give a resource `stage: {stage.id}`, or add a course "
                    f"or book with one of its topics ({', '.join(stage.topics)}) at one of its "
                    f"levels ({', '.join(stage.levels)})",
                )
            )

    def resource(self, resource: Resource) -> None:
        if resource.stage is not None and resource.stage not in self.stages:
            self.at_resource(resource, "stage", f"unknown stage id {resource.stage!r}")
        for prerequisite in resource.prerequisites:
            reason = None
            if prerequisite == resource.id:
                reason = "a resource cannot require itself"
            elif prerequisite in self.stages:
                if prerequisite == resource.stage:
                    reason = f"it serves stage {prerequisite!r}, so it cannot require that stage"
            elif prerequisite not in self.by_id:
                reason = f"unknown resource or stage id {prerequisite!r}"
            elif self.by_id[prerequisite].stage is None:
                reason = f"{prerequisite!r} has no `stage`, so no plan can list it first"
            if reason:
                self.at_resource(resource, "prerequisites", reason)
        if resource.stage is not None and resource.stage in self.stages:
            self.resource_in_routes(resource, resource.stage)

    def resource_in_routes(self, resource: Resource, stage_id: str) -> None:
        """Every route that teaches the resource's stage `stage_id` can meet its prerequisites
        first."""
        for goal, route, start in self.routes():
            if stage_id not in route.order or stage_id in start.covers:
                continue
            before = _before(route, stage_id, set(start.covers))
            for prerequisite in resource.prerequisites:
                known = prerequisite in self.stages or prerequisite in self.by_id
                if known and not self.can_precede(prerequisite, stage_id, before):
                    self.at_resource(
                        resource,
                        "prerequisites",
                        f"the route {start.id} → {goal.id} teaches stage {stage_id!r} "
                        f"before {prerequisite!r} can be done",
                    )

    def prerequisite_cycles(self) -> None:
        graph = {
            r.id: [p for p in r.prerequisites if p in self.by_id and p != r.id]
            for r in self.resources
        }
        for cycle in cycles(graph):
            self.at_resource(
                self.by_id[cycle[0]],
                "prerequisites",
                f"prerequisite cycle: {' → '.join([*cycle, cycle[0]])}",
            )


def catalogue_errors(
    paths: LearningPaths, resources: Sequence[Resource], resources_file: Path | None = None
) -> list[Problem]:
    """What is wrong with the catalogue for the learning paths: a stage of a route that no
    resource serves (reported in the paths file, naming the stage); in the catalogue, unknown
    stage or prerequisite ids, a prerequisite a route cannot meet before the resource's stage,
    and prerequisite cycles. `resources_file` (the catalogue's file) gives its findings a line.
    Part of `corpus.path_checks.path_errors`."""
    return _CatalogueChecker(paths, resources, resources_file).run()


# --- warnings ---------------------------------------------------------------------------------


def path_warnings(
    paths: LearningPaths, resources: Sequence[Resource], languages: Sequence[str] = ("zh", "en")
) -> list[str]:
    """Where a plan will have to fall back (the paths still load): a stage some route teaches
    that only one resource serves, or none that is free, or none in one of `languages`."""
    taught: list[str] = []
    for goal in paths.goals:
        for route in goal.routes:
            start = paths.starting_point(route.start)
            covered = set(start.covers) if start else set()
            taught += [s for s in route.order if s not in covered and s not in taught]
    findings = []
    for stage_id in taught:
        stage = paths.stage(stage_id)
        if stage is None:
            continue
        serving = serving_resources(stage, resources)
        if len(serving) == 1:
            findings.append(f"stage {stage.id!r}: only one resource serves it ({serving[0].id})")
        if serving and all(r.cost != "free" for r in serving):
            findings.append(f"stage {stage.id!r}: no free resource (free-only plans fall back)")
        for language in languages:
            if serving and all(r.language != language for r in serving):
                findings.append(
                    f"stage {stage.id!r}: no resource in {language!r} (plans in {language!r} "
                    "fall back)"
                )
    return findings
