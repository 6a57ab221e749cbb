"""Learning paths (`corpus/paths.yaml`): the stages of the articles' roadmap, the starting points
members ask from, and per goal the order of the stages and the time estimate per starting
point; their schema (pydantic) and loading with file/line/field errors. The cross-checks are
in `corpus.path_checks` (against the articles) and `corpus.path_resources` (against the
resource catalogue)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator

from corpus.problems import CorpusError, Problem
from corpus.schema import Level, _check_slug, _check_topics, _Strict
from corpus.yaml_files import parse_yaml, read_text, yaml_line

MIN_QUOTE_CHARS = 4  # as for answer cards: anything shorter matches by accident

Loc = tuple[int | str, ...]  # where in the file: keys and list indexes, as pydantic gives them


def _check_slugs(values: list[str]) -> list[str]:
    for value in values:
        _check_slug(value)
    if len(set(values)) != len(values):
        repeated = sorted({v for v in values if values.count(v) > 1})
        raise ValueError(f"listed twice: {', '.join(repeated)}")
    return values


class PathSource(_Strict):
    """A sentence of an article, quoted verbatim in both languages: `zh` from a paragraph of
    the article's Chinese text, `en` from a paragraph of its English text (original or
    translation, cleaned as the index cleans them)."""

    article: str
    zh: str = Field(min_length=MIN_QUOTE_CHARS)
    en: str = Field(min_length=MIN_QUOTE_CHARS)

    _slug = field_validator("article")(_check_slug)

    def text(self, language: str) -> str:
        """The quote in `language` (English for anything but Chinese)."""
        return self.zh if language == "zh" else self.en


class Stage(_Strict):
    """One step of a roadmap: what you learn, which resources serve it, the passages behind it."""

    id: str
    title_zh: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    learn_zh: str = Field(min_length=1)
    learn_en: str = Field(min_length=1)
    topics: list[str] = Field(min_length=1)
    levels: list[Level] = Field(min_length=1)  # in order of preference
    requires: list[str] = Field(default_factory=list)  # stages to have done first
    sources: list[PathSource] = Field(min_length=1)

    _slug = field_validator("id")(_check_slug)
    _topics = field_validator("topics")(_check_topics)
    _requires = field_validator("requires")(_check_slugs)

    @field_validator("levels")
    @classmethod
    def _distinct_levels(cls, values: list[str]) -> list[str]:
        if len(set(values)) != len(values):
            raise ValueError("a level is listed twice")
        return values

    def title(self, language: str) -> str:
        """The title in `language` (English for anything but Chinese)."""
        return self.title_zh if language == "zh" else self.title_en


class StartingPoint(_Strict):
    """Where a member starts from, the stages they already have, and the passages that say so."""

    id: str
    title_zh: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    covers: list[str] = Field(default_factory=list)
    sources: list[PathSource] = Field(min_length=1)

    _slug = field_validator("id")(_check_slug)
    _covers = field_validator("covers")(_check_slugs)

    def title(self, language: str) -> str:
        """The title in `language` (English for anything but Chinese)."""
        return self.title_zh if language == "zh" else self.title_en


class PathNote(_Strict):
    """A remark shown with a plan, in both languages."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Estimate(_Strict):
    """How long a route takes. Either cited (`months` at `hours_per_week`, from the `source`
    sentence, which states the months) or, where the articles give no figure, derived from
    another route's cited estimate, per stage (`derived_from`, with the `reason` shown to the
    member). `spans`: the stages the figure counts (default: every stage not covered)."""

    months: float | None = Field(default=None, gt=0)
    hours_per_week: float | None = Field(default=None, gt=0)
    pace_zh: str | None = Field(default=None, min_length=1)  # "full time", "after work"
    pace_en: str | None = Field(default=None, min_length=1)
    source: PathSource | None = None
    derived_from: str | None = None
    reason_zh: str | None = Field(default=None, min_length=1)
    reason_en: str | None = Field(default=None, min_length=1)
    spans: list[str] = Field(default_factory=list)

    _spans = field_validator("spans")(_check_slugs)

    @model_validator(mode="after")
    def _cited_or_derived(self) -> Estimate:
        cited = {
            "months": self.months,
            "hours_per_week": self.hours_per_week,
            "pace_zh": self.pace_zh,
            "pace_en": self.pace_en,
            "source": self.source,
        }
        derived = {
            "derived_from": self.derived_from,
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
        }
        if self.derived_from is None:
            missing = [name for name, value in cited.items() if value is None]
            extra = [name for name, value in derived.items() if value is not None]
            if missing or extra:
                raise ValueError(
                    "a cited estimate needs months, hours_per_week, pace_zh, pace_en and "
                    "source (missing: "
                    f"{', '.join(missing) or 'none'}); a derived one needs derived_from, "
                    f"reason_zh and reason_en (given: {', '.join(extra) or 'none'})"
                )
        else:
            missing = [name for name, value in derived.items() if value is None]
            extra = [name for name, value in cited.items() if value is not None]
            if missing or extra:
                raise ValueError(
                    "a derived estimate needs derived_from, reason_zh and reason_en (missing: "
                    f"{', '.join(missing) or 'none'}) and takes its figure and source from the "
                    f"route it is derived from (remove: {', '.join(extra) or 'none'})"
                )
        return self

    @property
    def cited(self) -> bool:
        """True when the estimate quotes its own sentence."""
        return self.derived_from is None


class Route(_Strict):
    """How one starting point reaches a goal: the stages in order (covered ones included),
    the estimate, and remarks for the member."""

    start: str
    order: list[str] = Field(min_length=1)
    estimate: Estimate
    notes: list[PathNote] = Field(default_factory=list)

    _order = field_validator("order")(_check_slugs)


class Goal(_Strict):
    """A role to reach (`ml-engineer`) and a route to it per starting point."""

    id: str
    title_zh: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    routes: list[Route] = Field(min_length=1)

    _slug = field_validator("id")(_check_slug)

    def title(self, language: str) -> str:
        """The title in `language` (English for anything but Chinese)."""
        return self.title_zh if language == "zh" else self.title_en

    def route(self, start: str) -> Route | None:
        """The route from starting point `start`, if the goal has one."""
        return next((r for r in self.routes if r.start == start), None)


class LearningPaths(_Strict):
    """The whole of `corpus/paths.yaml`. `file`: where it was read from (None when built in
    code), for the lines of later findings."""

    goals: list[Goal] = Field(min_length=1)
    stages: list[Stage] = Field(min_length=1)
    starting_points: list[StartingPoint] = Field(min_length=1)

    _file: Path | None = PrivateAttr(default=None)
    _node: Any = PrivateAttr(default=None)

    @property
    def file(self) -> Path | None:
        """The file the paths were read from (None when built in code)."""
        return self._file

    def goal(self, goal_id: str) -> Goal | None:
        """The goal `goal_id`, if defined."""
        return next((g for g in self.goals if g.id == goal_id), None)

    def stage(self, stage_id: str) -> Stage | None:
        """The stage `stage_id`, if defined."""
        return next((s for s in self.stages if s.id == stage_id), None)

    def starting_point(self, start_id: str) -> StartingPoint | None:
        """The starting point `start_id`, if defined."""
        return next((s for s in self.starting_points if s.id == start_id), None)

    def problem(self, loc: Loc, reason: str) -> Problem:
        """A finding at `loc` of the file the paths were read from, with its line."""
        return Problem(
            self._file or Path("paths.yaml"), yaml_line(self._node, loc), _field_name(loc), reason
        )


# --- loading ----------------------------------------------------------------------------------


def _field_name(loc: Iterable[int | str]) -> str:
    """`stages[2].title_en` for the location ("stages", 2, "title_en")."""
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else f".{part}" if name else str(part)
    return name


def _reason(error: Any) -> str:
    """A pydantic error's message; a missing or blank text says which translation is missing."""
    reason = str(error["msg"]).removeprefix("Value error, ")
    last = error["loc"][-1] if error["loc"] else ""
    blank = error["type"] in ("missing", "string_too_short")
    if blank and isinstance(last, str) and last.endswith(("_zh", "_en")):
        other = last[:-3] + ("_en" if last.endswith("_zh") else "_zh")
        language = "Chinese" if last.endswith("_zh") else "English"
        return (
            f"missing translation: {last} (the {language} text) must not be missing or blank, "
            f"nor may {other}: everything a member reads exists in Chinese and English"
        )
    return reason


def load_paths(path: Path) -> LearningPaths:
    """Load and validate a learning-paths file (schema only: `corpus.path_checks` cross-checks
    it). CorpusError lists every problem with file, line and field."""
    data, node = parse_yaml(read_text(path), path, first_line=1)
    if not isinstance(data, dict):
        raise CorpusError(
            [Problem(path, 1, None, "expected a mapping with goals, stages and starting_points")]
        )
    try:
        paths = LearningPaths.model_validate(data)
    except ValidationError as exc:
        raise CorpusError(
            [
                Problem(path, yaml_line(node, e["loc"]), _field_name(e["loc"]) or None, _reason(e))
                for e in exc.errors()
            ]
        ) from None
    paths._file = path
    paths._node = node
    return paths
