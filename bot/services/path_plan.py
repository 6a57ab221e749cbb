"""A learning plan as data (`bot.services.paths` makes them): frozen dataclasses, the bilingual
notes that explain where a plan falls back, and `LearningPlan.to_json()`, the stable interface:

    {"from", "goal", "hours_per_week",
     "stages": [{"id", "title", "covered",
                 "resources": [{"id", "name", "url", "level", "cost", "language"}],
                 "sources": [{"article_id", "text"}]}],
     "estimate": {"months", "hours_per_week", "source": {"article_id", "text"}},
     "notes": [...]}

Decisions:
- Covered stages (what the starting point already has) stay in the plan, in their place, with
  `covered: true` and no resources: the member sees the whole roadmap, and the plan stays short.
- Texts exist in Chinese and English (titles, quotes, notes); `to_json(language)` picks one,
  defaulting to the language the member asked resources in, else English. Quotes are verbatim
  article sentences in that language (the Chinese original or its English translation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

LANGUAGES = ("zh", "en")
_LANGUAGE_NAMES = {"zh": ("中文", "Chinese"), "en": ("英文", "English")}


class PlanInputError(ValueError):
    """A plan was asked for with an unknown starting point, goal or language, or impossible
    hours per week. `message(language)` is the member-facing text; `choices` the valid values."""

    def __init__(self, zh: str, en: str, choices: Sequence[str] = ()):
        super().__init__(en)
        self.zh = zh
        self.en = en
        self.choices = tuple(choices)

    def message(self, language: str) -> str:
        """The message in `language` (English for anything but Chinese)."""
        return self.zh if language == "zh" else self.en


@dataclass(frozen=True)
class PlanNote:
    """A remark on the plan, in both languages."""

    zh: str
    en: str

    def text(self, language: str) -> str:
        """The note in `language` (English for anything but Chinese)."""
        return self.zh if language == "zh" else self.en


@dataclass(frozen=True)
class PlanSource:
    """An article sentence behind a stage or an estimate, verbatim in both languages; `zh` is
    the original of the shipped articles, for `corpus.cards.passage_of_quote` (the passage link)."""

    article_id: str
    zh: str
    en: str

    def text(self, language: str) -> str:
        """The sentence in `language` (English for anything but Chinese)."""
        return self.zh if language == "zh" else self.en


@dataclass(frozen=True)
class PlanResource:
    """A catalogue entry chosen for a stage."""

    id: str
    name: str
    url: str
    level: str
    cost: str
    language: str
    kind: str
    hours: float | None = None  # rough effort, when the catalogue knows it
    prerequisites: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanStage:
    """One stage of the plan: covered (the member has it; no resources) or to learn."""

    id: str
    title_zh: str
    title_en: str
    learn_zh: str
    learn_en: str
    covered: bool
    resources: tuple[PlanResource, ...]
    sources: tuple[PlanSource, ...]

    def title(self, language: str) -> str:
        """The title in `language` (English for anything but Chinese)."""
        return self.title_zh if language == "zh" else self.title_en


@dataclass(frozen=True)
class PlanEstimate:
    """The total time at the member's hours per week, and how it follows from the article:
    `cited_months` at `cited_hours_per_week` per the `source` sentence, times `stage_factor`
    (stages counted here / stages the cited figure counts; 1 unless `derived_from` another
    starting point's estimate), scaled from the cited hours per week to the member's."""

    months: float
    hours_per_week: float
    source: PlanSource
    cited_months: float
    cited_hours_per_week: float
    derived_from: str | None = None
    stage_factor: float = 1.0
    spans: tuple[str, ...] = ()  # the stages the figure counts


@dataclass(frozen=True)
class LearningPlan:
    """A plan from a starting point to a goal (see the module docstrings for its rules)."""

    start: str
    goal: str
    hours_per_week: float
    free_only: bool
    language: str | None  # the resource language asked for, if any
    stages: tuple[PlanStage, ...]
    estimate: PlanEstimate
    notes: tuple[PlanNote, ...] = field(default=())

    def to_json(self, language: str | None = None) -> dict[str, Any]:
        """The plan as the stable JSON object (keys in the documented order), its texts in
        `language` (default: the resource language asked for, else English)."""
        shown = language or self.language or "en"
        if shown not in LANGUAGES:
            raise PlanInputError(
                f"语言必须是 {' 或 '.join(LANGUAGES)}（收到 {shown!r}）",
                f"language must be {' or '.join(LANGUAGES)} (got {shown!r})",
                LANGUAGES,
            )
        return {
            "from": self.start,
            "goal": self.goal,
            "hours_per_week": self.hours_per_week,
            "stages": [
                {
                    "id": stage.id,
                    "title": stage.title(shown),
                    "covered": stage.covered,
                    "resources": [
                        {
                            "id": r.id,
                            "name": r.name,
                            "url": r.url,
                            "level": r.level,
                            "cost": r.cost,
                            "language": r.language,
                        }
                        for r in stage.resources
                    ],
                    "sources": [_source_json(s, shown) for s in stage.sources],
                }
                for stage in self.stages
            ],
            "estimate": {
                "months": self.estimate.months,
                "hours_per_week": self.estimate.hours_per_week,
                "source": _source_json(self.estimate.source, shown),
            },
            "notes": [note.text(shown) for note in self.notes],
        }


def _source_json(source: PlanSource, language: str) -> dict[str, str]:
    return {"article_id": source.article_id, "text": source.text(language)}


# --- notes ------------------------------------------------------------------------------------

Titles = Sequence[tuple[str, str]]  # (title_zh, title_en) of some stages


def stage_list(titles: Titles, language: str) -> str:
    """The stage titles as a list in `language`."""
    if language == "zh":
        return "、".join(f"“{zh}”" for zh, _ in titles)
    return ", ".join(en for _, en in titles)


def covered_note(covered: Titles) -> PlanNote:
    """Says which stages the member has already (marked covered, without resources)."""
    return PlanNote(
        f"你已具备的阶段标为已覆盖，不再列出资源：{stage_list(covered, 'zh')}。",
        f"Stages you already have are marked covered, without resources: "
        f"{stage_list(covered, 'en')}.",
    )


def fallback_notes(
    not_free: Titles, language: str | None, not_in_language: Titles, empty: Titles
) -> list[PlanNote]:
    """Where the plan could not keep what the member asked for: stages with no free resource,
    none in `language`, or none at all."""
    notes: list[PlanNote] = []
    if not_free:
        notes.append(
            PlanNote(
                f"资源目录中没有免费资源的阶段：{stage_list(not_free, 'zh')}；这些阶段列出的是"
                "部分免费或付费的资源。",
                f"The catalogue has no free resource for: {stage_list(not_free, 'en')}; those "
                "stages list partly free or paid ones.",
            )
        )
    if language and not_in_language:
        zh_name, en_name = _LANGUAGE_NAMES[language]
        notes.append(
            PlanNote(
                f"资源目录中没有{zh_name}资源的阶段：{stage_list(not_in_language, 'zh')}；这些"
                "阶段列出的是其他语言的资源。",
                f"The catalogue has no {en_name} resource for: "
                f"{stage_list(not_in_language, 'en')}; those stages list resources in another "
                "language.",
            )
        )
    if empty:
        notes.append(
            PlanNote(
                f"资源目录中没有可用于这些阶段的资源：{stage_list(empty, 'zh')}。",
                f"The catalogue has no resource for: {stage_list(empty, 'en')}.",
            )
        )
    return notes
