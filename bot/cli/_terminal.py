"""Rendering for the terminal: search results (`careerbot ask`) and learning plans
(`careerbot path`)."""

from __future__ import annotations

import re
import shlex
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from bot.formatting import excerpt
from bot.i18n import Language
from bot.i18n import t as _t_simplified
from index.query import in_script, join_chinese
from index.results import Hit, SearchResult

if TYPE_CHECKING:
    from bot.services.path_plan import LearningPlan, PlanSource
    from bot.services.path_planner import PathPlanner

_URL = re.compile(r"https?://\S+")
_CJK_CHAR = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
_BULLET = re.compile(r"^(\s*(?:[-*•]|\d+[.)])\s+)")
# Chinese line breaking: no line starts with closing punctuation (kinsoku); such a mark takes
# the character before it onto the next line.
_NO_LINE_START = frozenset("。，、；：！？）」』】》〉”’…・,.;:!?)]}%")


def t(key: str, result: SearchResult, **values: object) -> str:
    """A user-facing string in the reply's language and, for Chinese, the asker's script."""
    return in_script(_t_simplified(key, result.reply_language, **values), result.script)


def _pieces(line: str) -> list[str]:
    """Unbreakable pieces of a line: URLs, runs of Latin text up to a space, single CJK
    characters (which may break anywhere) and the spaces between."""
    pieces: list[str] = []
    for token in re.split(r"(\s+)", line):
        if not token:
            continue
        if token.isspace() or _URL.match(token) or not _CJK_CHAR.search(token):
            pieces.append(token)
            continue
        latin = ""
        for char in token:
            if _CJK_CHAR.match(char):
                if latin:
                    pieces.append(latin)
                    latin = ""
                pieces.append(char)
            else:
                latin += char
        if latin:
            pieces.append(latin)
    return pieces


def wrap_text(text: str, width: int, indent: str = "") -> str:
    """Wrap `text` to `width` terminal cells (a CJK character takes two), every line starting
    with `indent`; list items keep a hanging indent under their bullet; URLs are never split
    (a URL longer than a line gets a line of its own)."""
    lines: list[str] = []
    for raw in text.splitlines() or [""]:
        bullet = _BULLET.match(raw)
        first_prefix = indent
        rest_prefix = indent + (" " * cell_len(bullet.group(1)) if bullet else "")
        current, current_width = first_prefix, cell_len(first_prefix)
        at_start = True
        last_start = -1  # where the last piece starts in `current`, when nothing follows it
        for piece in _pieces(raw):
            piece_width = cell_len(piece)
            if piece.isspace():
                if not at_start:
                    current += " "
                    current_width += 1
                last_start = -1
                continue
            if not at_start and current_width + piece_width > width:
                carried = ""
                prefix = len(first_prefix if not lines else rest_prefix)
                if piece[0] in _NO_LINE_START and last_start > prefix:
                    # the mark goes to the next line with the piece it closes ("…99%，")
                    carried, current = current[last_start:], current[:last_start]
                lines.append(current.rstrip())
                current = rest_prefix + carried
                current_width = cell_len(current)
            last_start = len(current)
            current += piece
            current_width += piece_width
            at_start = False
        lines.append(current.rstrip())
    return "\n".join(lines)


def _passage_block(number: int, hit: Hit, result: SearchResult, width: int) -> Text:
    language = result.reply_language
    block = Text()
    heading = f"{number}. {hit.shown_title}"
    if hit.shown_heading_path:
        heading += f" › {' › '.join(hit.shown_heading_path)}"
    block.append(wrap_text(heading, width) + "\n", style="bold")
    if hit.language_shown and hit.language_shown != language:
        block.append(wrap_text(t("untranslated", result), width, "   ") + "\n", style="dim italic")
    include = result.excerpt_anchor(hit)
    block.append(wrap_text(excerpt(hit.shown_text, include=include), width, "   ") + "\n")
    if hit.url:
        block.append(
            wrap_text(f"{t('source', result)}: {hit.url}", width, "   ") + "\n", style="cyan"
        )
    return block


def _resource_block(hit: Hit, result: SearchResult, width: int) -> Text:
    level = t(f"level.{hit.level}", result)
    cost = t(f"cost.{hit.cost}", result)
    block = Text()
    block.append(wrap_text(f"• {hit.title}", width), style="bold")
    block.append(
        "\n" + wrap_text(f"({hit.provider} · {level} · {cost})", width, "  ") + "\n",
        style="dim",
    )
    if hit.url:
        block.append(wrap_text(hit.url, width, "  ") + "\n", style="cyan")
    block.append(wrap_text(hit.text, width, "  ") + "\n")
    return block


def _shell_quoted(text: str) -> str:
    """`text` as one shell word, readable: in double quotes when it holds an apostrophe (and
    nothing a shell expands there), else as shlex quotes it ("What's…", not 'What'"'"'s…')."""
    if "'" in text and not any(c in text for c in '"$`\\!'):
        return f'"{text}"'
    return shlex.quote(text)


def render_answer(result: SearchResult, console: Console) -> None:
    """Print the lead, the best passages and resources in the reply's language, wrapped by
    display width (Chinese takes two cells a character), never splitting a URL."""
    language = result.reply_language
    width = max(20, console.width)

    def section(title: str) -> None:
        console.print(Text(f"── {title} ", style="bold"), soft_wrap=True)

    if result.answered:
        if result.lead:
            lead = join_chinese(" ".join(result.lead.split()))
            console.print(Text(wrap_text("» " + lead, width), style="bold"), soft_wrap=True)
        if result.related_card is not None:
            question = in_script(result.related_card.question(language), result.script)
            console.print(
                wrap_text(t("related_question", result, question=question), width),
                soft_wrap=True,
                markup=False,
                style="dim",
            )
        section(t("passages", result))
        for number, hit in enumerate(result.passages, 1):
            console.print(_passage_block(number, hit, result, width), soft_wrap=True)
        resources_title = t("resources", result)
    else:
        console.print(Text(wrap_text(t("no_answer", result), width), style="bold"), soft_wrap=True)
        console.print(wrap_text(t("rephrase_hint", result), width), soft_wrap=True, markup=False)
        # the terminal's own way on (no /resources, no moderators here): the ranking anyway
        command = f"careerbot search {_shell_quoted(result.question)} --no-threshold"
        console.print(
            wrap_text(t("cli.closest_anyway", result), width), soft_wrap=True, markup=False
        )
        # one line, never wrapped: it is meant to be copied and pasted whole
        console.print("  " + command, soft_wrap=True, markup=False, highlight=False)
        resources_title = t("closest_resources", result)
    if result.resources:
        section(resources_title)
        for hit in result.resources:
            console.print(_resource_block(hit, result, width), soft_wrap=True)
    if result.answered and (result.passages or result.card is not None):  # else nothing quoted
        footer = t("footer.card" if result.card is not None else "footer", result)
        console.print(Text(wrap_text(footer, width), style="dim"), soft_wrap=True)


# --- learning plans (`careerbot path`) --------------------------------------------------------


def render_plan(
    plan: LearningPlan, planner: PathPlanner, language: Language, console: Console
) -> None:
    """Print a learning plan in `language`: the estimate and its sentence, every stage in order
    (covered ones marked) with its resources and the article sentences behind it, then the
    notes and the articles quoted (numbered, with their addresses); wrapped by display width,
    never splitting a URL."""
    width = max(20, console.width)
    articles: list[str] = []  # ids, in the order first quoted

    def line(text: str, indent: str = "", style: str = "") -> None:
        console.print(Text(wrap_text(text, width, indent), style=style), soft_wrap=True)

    def quote(source: PlanSource) -> str:
        if source.article_id not in articles:
            articles.append(source.article_id)
        return f"“{source.text(language)}” [{articles.index(source.article_id) + 1}]"

    def section(key: str) -> None:
        console.print(Text(f"── {_t_simplified(key, language)} ", style="bold"), soft_wrap=True)

    start, goal = planner.starting_point(plan.start), planner.goal(plan.goal)
    route = (
        f"{start.title(language) if start else plan.start} → "
        f"{goal.title(language) if goal else plan.goal}"
    )
    line(_t_simplified("path.plan", language, route=route), style="bold")
    months, hours = f"{plan.estimate.months:g}", f"{plan.estimate.hours_per_week:g}"
    line(_t_simplified("path.estimate_plain", language, months=months, hours=hours), style="bold")
    line(quote(plan.estimate.source), "   ", style="dim")
    section("path.stages")
    for number, stage in enumerate(plan.stages, 1):
        title = f"{number}. {stage.title(language)}"
        if stage.covered:
            line(f"{title} ✓ {_t_simplified('path.covered', language)}", style="green")
            continue
        line(title, style="bold")
        line(stage.learn_zh if language == "zh" else stage.learn_en, "   ")
        for resource in stage.resources:
            level = _t_simplified(f"level.{resource.level}", language)
            cost = _t_simplified(f"cost.{resource.cost}", language)
            written = _t_simplified(f"path.language.{resource.language}", language)
            line(f"• {resource.name} ({level} · {cost} · {written})", "   ")
            line(resource.url, "     ", style="cyan")
        if not stage.resources:
            line(_t_simplified("path.no_resources", language), "   ", style="yellow")
        line(_t_simplified("path.sources_list", language), "   ", style="dim")
        for source in stage.sources:
            line(f"- {quote(source)}", "   ", style="dim")
    if plan.notes:
        section("path.notes")
        for note in plan.notes:
            line(f"• {note.text(language)}")
    section("sources")
    for number, article_id in enumerate(articles, 1):
        article = planner.article(article_id)
        line(f"[{number}] {article.title(language)}")
        if article.url:
            line(article.url, "    ", style="cyan")
